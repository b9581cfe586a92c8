"""A company name reaches e-mail headers (sender name, subjects): line breaks are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Company
from accounts.tests.test_companies import settings_data
from accounts.tests.test_signup import signup_data

pytestmark = pytest.mark.django_db

INJECTED = ["Firma AS\r\nBcc: spion@ond.no", "Firma AS\nX-Test: 1", "Firma\rAS", "Firma\u2028AS"]


@pytest.mark.parametrize("name", INJECTED)
def test_company_settings_refuse_a_name_with_line_breaks(owner_client, company, name):
    response = owner_client.post(reverse("company:settings"), settings_data(company, name=name))
    assert response.status_code == 400
    assert "linjeskift" in " ".join(response.context["form"].errors["name"])
    company.refresh_from_db()
    assert company.name == "Nordlys Regnskap AS"


@pytest.mark.parametrize("name", INJECTED[:2])
def test_signup_refuses_a_company_name_with_line_breaks(client, name):
    response = client.post(reverse("accounts:signup"), signup_data(company_name=name))
    assert response.status_code == 400
    assert "linjeskift" in " ".join(response.context["form"].errors["company_name"])
    assert not Company.objects.exists()
