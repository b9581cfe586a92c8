"""Unicode digits (``³`` passes ``str.isdigit()`` but not ``int()``) and huge numbers in the
client search and the CSV import: a message, never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from customers.models import Client
from customers.tests.factories import ClientFactory
from customers.tests.test_csv import HEADER, upload

pytestmark = pytest.mark.django_db

ODD = ["³", "²", "1²", "١٢", "9" * 30]


@pytest.mark.parametrize("odd", ODD)
def test_client_search_takes_any_text(owner_client, api_client, company, odd):
    with scope(company=company):
        ClientFactory(company=company, number=12)
    assert owner_client.get(reverse("customers:list"), {"q": odd}).status_code == 200
    assert api_client.get("/api/v1/clients/", {"search": odd}).status_code == 200


def test_client_search_by_ascii_number_still_finds_the_client(owner_client, company):
    with scope(company=company):
        ClientFactory(company=company, number=12, name="Tolvte Kunde AS")
    assert (
        "Tolvte Kunde AS"
        in owner_client.get(reverse("customers:list"), {"q": "12"}).content.decode()
    )


@pytest.mark.parametrize("odd", ["³", "²", "١٤", "9" * 30, "-3", "14 dager"])
def test_csv_payment_terms_that_are_not_a_number_of_days_are_a_row_error(
    owner_client, company, odd
):
    content = f"{HEADER}\nGod Kunde AS;;post@god.no;NO;{odd}\n".encode()
    response = upload(owner_client, content)
    assert response.status_code == 400
    assert [(e.row, e.field) for e in response.context["row_errors"]] == [(2, "betalingsfrist")]
    with scopes_disabled():
        assert not Client.objects.filter(company=company).exists()


@pytest.mark.parametrize("odd", ["³", "١٢", "9" * 30, "0"])
def test_csv_customer_number_that_is_not_a_number_is_a_row_error(owner_client, company, odd):
    content = f"kundenummer;navn\n{odd};God Kunde AS\n".encode()
    response = upload(owner_client, content)
    assert response.status_code == 400
    assert [e.row for e in response.context["row_errors"]] == [2]


def test_csv_ascii_payment_terms_are_read(owner_client, company):
    upload(owner_client, f"{HEADER}\nGod Kunde AS;;post@god.no;NO; 21 \n".encode())
    with scopes_disabled():
        assert Client.objects.get(company=company).payment_terms_days == 21
