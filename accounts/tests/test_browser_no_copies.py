"""After logging out, the browser holds no copy of what the user saw: the back button
asks the server again (and is sent to the log-in page)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from core.tests.browser import log_in
from customers.tests.factories import ClientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_back_after_logging_out_shows_no_client_data(browser_page, owner, company, screenshot):
    ClientFactory(company=company, name="Hemmelig Kunde AS")
    page = browser_page
    log_in(page, owner)
    page.goto("/app/clients/")
    # The live search (HTMX) pushes each search into the history, as a page of its own.
    page.locator("#id_q").press_sequentially("Hemmelig", delay=50)
    expect(page).to_have_url(re.compile(r"q=Hemmelig"))
    expect(page.locator("#client-results")).to_contain_text("Hemmelig Kunde AS")
    # Back, while logged in, still works: the page before the search, read again.
    page.go_back()
    expect(page).to_have_url(re.compile(r"/app/clients/$"))
    expect(page.locator("#client-results")).to_contain_text("Hemmelig Kunde AS")
    page.locator("summary", has_text="Olga Eier").click()
    page.get_by_role("button", name="Logg ut").click()
    page.wait_for_load_state()
    assert "Hemmelig Kunde AS" not in page.content()

    page.go_back()
    page.wait_for_load_state()
    # The log-in page (its "next" holds the search typed, not what it found).
    expect(page.locator("h1")).to_have_text("Logg inn")
    assert "Hemmelig Kunde AS" not in page.content()
    # Nor in the tab's storage, where HTMX kept snapshots of the pages it swapped.
    assert "Hemmelig Kunde AS" not in page.evaluate("JSON.stringify(sessionStorage)")
    screenshot(page, "accounts-back-after-logout")
