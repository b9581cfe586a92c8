"""The activity log in Chromium: what happened in words, and a link to the invoice."""

from __future__ import annotations

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in
from invoicing.tests.factories import issued_invoice, line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_activity_log_tells_what_happened_and_links_the_invoice(browser_page, screenshot):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        invoice = issued_invoice(
            company=company, lines=[line(description="Rådgivning", unit_price="10439.20", code="6")]
        )
    page = browser_page
    log_in(page, owner)
    # The owner registers a payment on the invoice page...
    page.goto(f"/app/invoices/{invoice.pk}/")
    page.locator("#id_amount").fill("1 250")
    page.get_by_role("button", name="Registrer innbetaling").click()
    history = page.locator("section[aria-labelledby=audit-heading]")
    expect(history).to_contain_text(
        f"Betaling 1\u00a0250,00 NOK registrert på faktura {invoice.number}"
    )

    # ...and the activity log says so in words, with the invoice linked.
    page.goto("/app/activity/")
    table = page.locator("table")
    expect(table).to_contain_text(f"Faktura {invoice.number} utstedt (10\u00a0439,20 NOK)")
    payment = table.locator("td[data-action='invoicing.payment.registered']")
    expect(payment).to_have_text(
        f"Betaling 1\u00a0250,00 NOK registrert på faktura {invoice.number}"
    )
    expect(table).not_to_contain_text("invoicing.payment.registered")
    screenshot(page, "accounts-activity-in-words")
    payment.get_by_role("link", name=f"faktura {invoice.number}").click()
    expect(page).to_have_url(f"{page.url.split('/app/')[0]}/app/invoices/{invoice.pk}/")
    expect(page.locator("h1")).to_contain_text(str(invoice.number))
