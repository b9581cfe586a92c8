"""The place of delivery on the invoice editor, in Chromium: a country without an address
is refused with a message; a full place is saved, shown on the draft and kept at issue."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in
from invoicing.models import Invoice
from invoicing.tests.factories import ClientFactory
from invoicing.tests.test_browser_invoicing import choose_client, fill_line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_enters_a_place_of_delivery(browser_page, screenshot):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        buyer = ClientFactory(company=company, name="Fjellbekk Kafé AS")
    page = browser_page
    log_in(page, owner)
    page.goto("/app/invoices/new/")
    choose_client(page, buyer)
    fill_line(page, 0, description="Montering av kjøkken", quantity="1", price="8000", code="3")

    # A country alone is no place: refused with a message, nothing saved.
    page.fill("#id_delivery_country", "SE")
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_text("Oppgi adresse eller poststed for leveringsstedet.")).to_be_visible()
    with scopes_disabled():
        assert not Invoice.objects.exists()

    page.fill("#id_delivery_address", "Storgatan 5")
    page.fill("#id_delivery_postcode", "411 38")
    page.fill("#id_delivery_city", "Göteborg")
    screenshot(page, "invoicing-delivery-place-editor")
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_role("heading", name="Utkast til faktura")).to_be_visible()
    expect(page.get_by_text("Storgatan 5, 411 38 Göteborg, SE")).to_be_visible()

    page.get_by_role("button", name="Utsted", exact=True).click()
    page.get_by_role("button", name="Utsted fakturaen").click()
    expect(page.locator("#invoice-status")).to_have_text("Utstedt")
    expect(page.get_by_text("Storgatan 5, 411 38 Göteborg, SE")).to_be_visible()
    with scopes_disabled():
        invoice = Invoice.objects.get()
        assert (
            invoice.delivery_address,
            invoice.delivery_postcode,
            invoice.delivery_city,
            invoice.delivery_country,
        ) == ("Storgatan 5", "411 38", "Göteborg", "SE")
