"""The company settings page leads to the other company-level settings."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_company_settings_link_members_logo_and_invoice_settings(owner_client):
    page = owner_client.get(reverse("company:settings")).content.decode()
    for name in ("company:members", "documents:logo", "invoicing:settings"):
        assert f'href="{reverse(name)}"' in page
