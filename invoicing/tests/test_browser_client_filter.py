"""The invoice list's client filter in Chromium: type part of a name, choose from the
suggestions, and the list shows that client's invoices only."""

from __future__ import annotations

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in
from invoicing.tests.factories import ClientFactory, draft_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_type_ahead_client_filter(browser_page, screenshot):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        havbris = ClientFactory(company=company, number=1001, name="Havbris Sjømat AS")
        fjell = ClientFactory(company=company, number=1002, name="Fjellbakeriet AS")
        ClientFactory(company=company, number=1003, name="Aaberg AS")  # first when unfiltered
        for n in range(30):
            ClientFactory(company=company, number=2000 + n, name=f"Annen kunde {n:02d} AS")
        draft_invoice(company=company, client=havbris)
        draft_invoice(company=company, client=fjell)
        draft_invoice(company=company, client=fjell)
    page = browser_page
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            csp_errors.append(message.text) if "Content Security" in message.text else None
        ),
    )
    log_in(page, owner)
    page.goto("/app/invoices/")
    expect(page.locator("tbody tr")).to_have_count(3)
    assert page.locator("select#id_client").count() == 0  # no <select> with every client

    page.get_by_label("Kunde", exact=True).press_sequentially("bris", delay=30)
    options = page.locator("#id_client_options [data-pick]")
    expect(options).to_have_count(2)  # "Alle kunder" and the one match
    expect(options.nth(1)).to_contain_text("Havbris Sjømat AS")
    screenshot(page, "invoicing-client-filter-1-suggestions")
    options.nth(1).click()
    expect(page.locator("#id_client_options [data-pick]")).to_have_count(0)
    expect(page.get_by_label("Kunde", exact=True)).to_have_value("Havbris Sjømat AS")
    page.get_by_role("button", name="Vis").click()
    page.wait_for_load_state()
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody tr").first).to_contain_text("Havbris Sjømat AS")
    assert f"client={havbris.pk}" in page.url
    expect(page.get_by_label("Kunde", exact=True)).to_have_value("Havbris Sjømat AS")
    screenshot(page, "invoicing-client-filter-2-filtered")

    # Clearing the box means all clients again.
    page.get_by_label("Kunde", exact=True).fill("")
    page.get_by_role("button", name="Vis").click()
    page.wait_for_load_state()
    expect(page.locator("tbody tr")).to_have_count(3)

    # Many matches come a page at a time.
    page.get_by_label("Kunde", exact=True).press_sequentially("annen", delay=30)
    # Focusing the box shows the first clients at once; wait for the typed text's answer.
    expect(options.nth(1)).to_contain_text("Annen kunde 00 AS")
    expect(options).to_have_count(21)
    page.get_by_role("button", name="Vis flere").click()
    expect(options).to_have_count(31)
    expect(options.last).to_contain_text("Annen kunde 29 AS")
    assert csp_errors == []
