"""Odd input found by fuzzing that used to be a 500: Unicode digits such as ``³`` pass
``str.isdigit()`` but not ``int()``; huge numbers overflow the column. Every parameter that
names an id or a number is read with ``core.parsing`` and answers 200/4xx."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from invoicing.tests.factories import ClientFactory, ProductFactory, issued_invoice
from invoicing.tests.test_views_editor import post_data

pytestmark = pytest.mark.django_db

CREATE = reverse("invoicing:create")
TOTALS = reverse("invoicing:totals")
ODD = ["³", "²", "1²", "١٢", "9" * 30, "-1", " "]


@pytest.fixture
def buyer(company):
    with scope(company=company):
        return ClientFactory(company=company, name="Fjellbekk Kafé AS")


@pytest.mark.parametrize("odd", ODD)
def test_searches_and_client_filter_of_the_lists_take_any_text(owner_client, company, odd):
    issued_invoice(company=company)
    for name in ("invoicing:list", "invoicing:credit_notes"):
        assert owner_client.get(reverse(name), {"q": odd}).status_code == 200
        assert owner_client.get(reverse(name), {"client": odd}).status_code == 200
    assert owner_client.get(CREATE, {"client": odd}).status_code == 200


def test_an_ascii_number_search_still_finds_the_invoice_by_number(owner_client, company):
    invoice = issued_invoice(company=company)
    body = owner_client.get(reverse("invoicing:list"), {"q": str(invoice.number)}).content
    assert str(invoice.client.name).encode() in body
    # A superscript "number" is searched as text: nothing, and no error.
    response = owner_client.get(reverse("invoicing:list"), {"q": f"{invoice.number}³"})
    assert response.status_code == 200


@pytest.mark.parametrize("odd", ODD)
@pytest.mark.parametrize("action", ["product:{}", "remove:{}"])
def test_editor_row_actions_with_an_odd_row_index(owner_client, buyer, odd, action):
    data = {**post_data(buyer, [{}]), "action": action.format(odd)}
    assert owner_client.post(CREATE, data).status_code == 200


@pytest.mark.parametrize("odd", ODD)
def test_editor_actions_and_totals_with_an_odd_product_or_client(owner_client, buyer, odd):
    data = {**post_data(buyer, [{"product": odd}]), "action": "product:0"}
    assert owner_client.post(CREATE, data).status_code == 200
    data = {**post_data(buyer, [{}], client=odd), "action": "client"}
    assert owner_client.post(CREATE, data).status_code == 200
    assert owner_client.post(TOTALS, post_data(buyer, [{"product": odd}])).status_code == 200
    data = {**post_data(buyer, [{}]), "lines-TOTAL_FORMS": odd}
    assert owner_client.post(TOTALS, data).status_code == 200


def test_an_ascii_product_id_still_fills_the_row(owner_client, company, buyer):
    with scope(company=company):
        product = ProductFactory(company=company, name="Rørleggertime")
    data = {**post_data(buyer, [{"product": f" {product.pk} ", "description": ""}])}
    data["action"] = "product:0"
    assert 'value="Rørleggertime"' in owner_client.post(CREATE, data).content.decode()


@pytest.mark.parametrize("odd", ODD)
def test_api_client_filter_and_search_take_any_text(api_client, odd):
    for url in ("/api/v1/invoices/", "/api/v1/credit-notes/"):
        response = api_client.get(url, {"client": odd})
        assert response.status_code in (200, 400), response.content
        assert api_client.get(url, {"search": odd}).status_code in (200, 400)
