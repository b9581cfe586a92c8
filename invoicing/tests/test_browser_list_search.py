"""The invoice list's search box in Chromium: a short search says it reads client names
only and lists that client's invoices, not an order number that holds the same letters;
a longer one reads the references too."""

from __future__ import annotations

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in
from invoicing.tests.factories import ClientFactory, issued_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHORT_NOTICE = "ser bare i kundenavn"


def test_a_short_search_reads_client_names_and_says_so(browser_page, screenshot):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        po_client = ClientFactory(company=company, name="Polar Fisk AS")
        other = ClientFactory(company=company, name="Fjellbakeriet AS")
        issued_invoice(company=company, client=po_client)
        issued_invoice(company=company, client=other, order_number="PO-4242")
    page = browser_page
    log_in(page, owner)
    page.goto("/app/invoices/")
    expect(page.locator("tbody tr")).to_have_count(2)

    page.get_by_label("Søk", exact=True).fill("po")
    page.get_by_role("button", name="Vis").click()
    page.wait_for_load_state()

    expect(page.get_by_text(SHORT_NOTICE, exact=False)).to_be_visible()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr").first).to_contain_text("Polar Fisk AS")
    screenshot(page, "invoicing-list-short-search")

    # Three characters: the order number "PO-4242" is found by its reference too.
    page.get_by_label("Søk", exact=True).fill("PO-4242")
    page.get_by_role("button", name="Vis").click()
    page.wait_for_load_state()

    expect(page.get_by_text(SHORT_NOTICE, exact=False)).to_have_count(0)
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr").first).to_contain_text("Fjellbakeriet AS")
