"""The company settings page leads to the other company-level settings."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_company_settings_link_members_logo_and_invoice_settings(owner_client):
    page = owner_client.get(reverse("company:settings")).content.decode()
    for name in ("company:members", "documents:logo", "invoicing:settings"):
        assert f'href="{reverse(name)}"' in page


def test_staff_without_a_company_are_sent_to_the_back_office(client):
    from accounts.tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    response = client.get(reverse("dashboard"), follow=False)
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"] == reverse("backoffice:dashboard")
