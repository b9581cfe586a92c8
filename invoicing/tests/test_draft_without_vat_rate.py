"""A draft dated before any VAT rate in force (before 2005, when the seeded rates start)
opens with the problem explained instead of a 500; issuing it is refused."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from invoicing.tests.factories import draft_invoice

pytestmark = pytest.mark.django_db

OLD = datetime.date(2004, 6, 30)


@pytest.fixture
def old_draft(company):
    return draft_invoice(company=company, invoice_date=OLD)


@pytest.mark.parametrize("name", ["invoicing:detail", "invoicing:edit"])
def test_an_old_draft_opens_with_the_problem_explained(owner_client, old_draft, name):
    response = owner_client.get(reverse(name, kwargs={"pk": old_draft.pk}))
    assert response.status_code == 200
    assert "Ingen MVA-sats for kode 3 gjelder på 2004-06-30" in response.content.decode()


def test_the_preview_of_an_old_draft_is_the_problem_not_a_pdf(owner_client, old_draft):
    response = owner_client.get(reverse("documents:invoice_preview", kwargs={"pk": old_draft.pk}))
    assert response.status_code == 409
    assert "Ingen MVA-sats" in response.content.decode()


def test_an_old_draft_in_the_list_and_the_api(owner_client, api_client, old_draft):
    assert owner_client.get(reverse("invoicing:list")).status_code == 200
    response = api_client.get(f"/api/v1/invoices/{old_draft.pk}/")
    assert response.status_code == 200, response.content
    assert api_client.get("/api/v1/invoices/").status_code == 200


def test_an_old_draft_cannot_be_issued(owner_client, old_draft):
    response = owner_client.post(reverse("invoicing:issue", kwargs={"pk": old_draft.pk}))
    assert response.status_code in (200, 302, 400)
    old_draft.refresh_from_db()
    assert old_draft.number is None


def test_the_pdf_of_an_old_draft_is_refused_with_a_message(owner_client, old_draft):
    response = owner_client.get(reverse("documents:invoice_pdf", kwargs={"pk": old_draft.pk}))
    assert response.status_code < 500
