"""Crediting in Chromium: part of a line by amount, then all that remains."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in
from invoicing.models import Invoice
from invoicing.tests.factories import issued_invoice, line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_credit_an_amount_then_all_that_remains(browser_page, screenshot):
    owner = MembershipFactory(role=Role.OWNER, user__full_name="Olga Eier").user
    company = owner.memberships.get().company
    with scope(company=company):
        invoice = issued_invoice(
            company=company,
            lines=[
                line(quantity="10", unit_price="100", code="31", description="Lunsj"),
                line(quantity="0.3", unit_price="3.33", description="Porto"),
            ],
        )
    page = browser_page
    log_in(page, owner)

    page.goto(f"/app/invoices/{invoice.pk}/credit/")
    page.get_by_label("Antall eller beløp per linje").check()
    page.get_by_label("Linje 1: beløp eks. MVA å kreditere").fill("250,00")
    screenshot(page, "credit-1-by-amount")
    page.get_by_role("button", name="Utsted kreditnota").click()
    expect(page.get_by_text("Kreditnota 2 er utstedt for faktura 1.")).to_be_visible()
    expect(page.get_by_text("Kreditert beløp: Lunsj")).to_be_visible()

    page.goto(f"/app/invoices/{invoice.pk}/credit/")
    expect(page.get_by_text("resten krediteres som beløp")).to_be_visible()
    page.get_by_label("Hele det som gjenstår").check()
    page.get_by_role("button", name="Utsted kreditnota").click()
    expect(page.get_by_text("Kreditnota 3 er utstedt for faktura 1.")).to_be_visible()
    screenshot(page, "credit-2-rest")

    with scopes_disabled():
        invoice.refresh_from_db()
        assert invoice.status == Invoice.Status.CREDITED and invoice.open_balance == 0
        notes = Invoice.objects.filter(credited_invoice=invoice)
        assert sum(n.total_incl_vat for n in notes) == invoice.total_incl_vat
        assert sorted(n.total_excl_vat for n in notes) == [Decimal("250.00"), Decimal("751.00")]
