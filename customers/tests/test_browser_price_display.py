"""The client's price display (incl./excl. VAT on its invoices), set in Chromium."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from core.tests.browser import log_in
from customers.models import Client
from invoicing.tests.factories import ClientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_sets_a_clients_price_display(browser_page, owner, company, screenshot):
    with scope(company=company):
        client = ClientFactory(company=company, name="Fjellbekk Kafé AS")
    assert client.price_display == Client.PriceDisplay.AUTO and not client.prices_include_vat
    page = browser_page
    log_in(page, owner)
    page.goto(f"/app/clients/{client.pk}/edit/")
    field = page.get_by_label("Priser på fakturaen")
    expect(field).to_have_value("auto")
    field.select_option(label="Inkl. mva")
    screenshot(page, "customers-price-display-form")
    page.get_by_role("button", name="Lagre").click()
    expect(page.locator("h1")).to_contain_text("Fjellbekk Kafé AS")
    row = page.get_by_role("row", name="Priser på fakturaen")
    expect(row).to_contain_text("Inkl. mva")
    with scopes_disabled():
        client.refresh_from_db()
        assert client.price_display == Client.PriceDisplay.INCLUDING_VAT
        assert client.prices_include_vat

    page.goto(f"/app/clients/{client.pk}/edit/")
    expect(page.get_by_label("Priser på fakturaen")).to_have_value("incl")
    page.get_by_label("Priser på fakturaen").select_option(label="Eks. mva")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("row", name="Priser på fakturaen")).to_contain_text("Eks. mva")
    with scopes_disabled():
        client.refresh_from_db()
        assert client.price_display == Client.PriceDisplay.EXCLUDING_VAT
