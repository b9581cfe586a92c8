"""The invoice list's search box and client sort in Chromium: a short search says it reads
client names only and lists that client's invoices, not an order number that holds the
same letters; a longer one reads the references too. The "Kunde" header sorts by client
both ways, each client's invoices together and newest first."""

from __future__ import annotations

import datetime

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


def test_sorting_by_client_keeps_each_clients_invoices_together_newest_first(
    browser_page, screenshot
):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        berg = ClientFactory(company=company, name="Berg Transport AS")
        aas = ClientFactory(company=company, name="Aas Regnskap")
        ceder = ClientFactory(company=company, name="Ceder Bygg")
        for day, client in enumerate((berg, aas, ceder, aas), start=1):
            issued_invoice(
                company=company, client=client, invoice_date=datetime.date(2026, 11, day)
            )
    page = browser_page
    log_in(page, owner)
    page.goto("/app/invoices/")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(4)

    def clients_and_numbers() -> list[tuple[str, str]]:
        found = []
        for row in rows.all():
            text = row.inner_text()
            name = next(c.name for c in (berg, aas, ceder) if c.name in text)
            found.append((name, row.locator("td").first.inner_text().strip()))
        return found

    page.get_by_role("link", name="Kunde", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator('th[aria-sort="ascending"]')).to_have_text("Kunde ▲")
    assert clients_and_numbers() == [
        ("Aas Regnskap", "4"),
        ("Aas Regnskap", "2"),
        ("Berg Transport AS", "1"),
        ("Ceder Bygg", "3"),
    ]
    screenshot(page, "invoicing-list-sorted-by-client")

    page.get_by_role("link", name="Kunde", exact=True).click()
    page.wait_for_load_state()
    expect(page.locator('th[aria-sort="descending"]')).to_have_text("Kunde ▼")
    assert [name for name, _ in clients_and_numbers()] == [
        "Ceder Bygg",
        "Berg Transport AS",
        "Aas Regnskap",
        "Aas Regnskap",
    ]
    assert clients_and_numbers()[2:] == [("Aas Regnskap", "4"), ("Aas Regnskap", "2")]
