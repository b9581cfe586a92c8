"""Duplicate an issued invoice in Chromium: a new draft with the same lines opens."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in
from invoicing.models import Invoice
from invoicing.tests.factories import issued_invoice, line

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_duplicate_an_invoice(browser_page, screenshot):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        original = issued_invoice(
            company=company,
            lines=[line(description="Regnskapsføring mars", unit_price="2500.00")],
        )
    page = browser_page
    log_in(page, owner)
    page.goto(f"/app/invoices/{original.pk}/")
    page.get_by_role("button", name="Dupliser").click()
    expect(page.get_by_text("Et nytt utkast med de samme linjene er laget.")).to_be_visible()
    expect(page.get_by_role("heading", name="Endre utkast")).to_be_visible()
    expect(page.locator("#id_lines-0-description")).to_have_value("Regnskapsføring mars")
    screenshot(page, "invoicing-duplicate")
    with scopes_disabled():
        copy = Invoice.objects.get(status=Invoice.Status.DRAFT)
        assert copy.client_id == original.client_id and copy.number is None
        assert copy.lines.get().unit_price == original.lines.get().unit_price
