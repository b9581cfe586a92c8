"""A foreign client with a VAT number, entered in Chromium."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from core.tests.browser import log_in
from customers.models import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_enters_a_foreign_clients_vat_number(browser_page, owner, company, screenshot):
    page = browser_page
    log_in(page, owner)
    page.goto("/app/clients/new/")
    page.fill("#id_name", "Nordic Timber AB")
    page.select_option("#id_country", "SE")
    page.get_by_label("Utenlandsk MVA-nummer").fill("SE 5566 7788 9902")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("ikke et gyldig MVA-nummer")).to_be_visible()
    page.get_by_label("Utenlandsk MVA-nummer").fill("SE 5566 7788 9901")
    screenshot(page, "customers-vat-number-form")
    page.get_by_role("button", name="Lagre").click()
    expect(page.locator("h1")).to_contain_text("Nordic Timber AB")
    expect(page.get_by_text("SE556677889901")).to_be_visible()
    with scopes_disabled():
        assert Client.objects.get(company=company).vat_number == "SE556677889901"
