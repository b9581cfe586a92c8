"""A user sets up a recurring invoice in Chromium, and the template's first period is
invoiced from its page."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in
from invoicing.models import Invoice
from invoicing.tests.factories import ClientFactory
from invoicing.tests.test_browser_invoicing import choose_client
from recurring.models import RecurringInvoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_a_recurring_template_and_invoice_its_first_period(browser_page, screenshot):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        fjellbekk = ClientFactory(company=company, number=12, name="Fjellbekk Kafé AS")
    page = browser_page
    log_in(page, owner)
    page.goto("/app/")
    page.locator(".site-nav summary", has_text="Salg").click()  # the menu group
    page.get_by_role("link", name="Repeterende").click()
    expect(page.get_by_role("heading", name="Repeterende fakturaer")).to_be_visible()
    page.get_by_role("button", name="Ny repeterende faktura").click()

    start = timezone.localdate().replace(day=1)
    page.get_by_label("Navn på malen").fill("Månedlig leie")
    choose_client(page, fjellbekk)
    page.select_option("#id_interval", "3")
    page.fill("#id_start_date", start.isoformat())
    page.fill("#id_max_count", "4")
    page.check("#id_send_automatically")
    page.fill("#id_lines-0-description", "Leie av lokale")
    page.fill("#id_lines-0-unit_price", "9 000,00")
    page.select_option("#id_lines-0-vat_code", "3")
    page.get_by_role("button", name="Lagre malen").click()

    expect(page.get_by_role("heading", name="Månedlig leie")).to_be_visible()
    expect(page.get_by_text("Malen er lagret.")).to_be_visible()
    assert "hver 3. måned" in page.locator("dl.details").inner_text()
    screenshot(page, "recurring-1-template")

    page.get_by_role("button", name="Fakturer perioder som har begynt nå").click()
    expect(page.get_by_text("1 faktura laget.")).to_be_visible()
    row = page.locator("tbody tr").last
    expect(row).to_contain_text("Utstedt")
    assert start.strftime("%d.%m.%Y") in row.inner_text()
    screenshot(page, "recurring-2-run")

    row.get_by_role("link").click()
    expect(page.locator("#invoice-status")).to_be_visible()
    with scopes_disabled():
        template = RecurringInvoice.objects.get()
        assert template.interval_months == 3 and template.max_count == 4
        invoice = Invoice.objects.get()
        assert invoice.number == 1 and invoice.total_incl_vat == Decimal("11250.00")
        assert invoice.delivery_period_start == start
        # three months from the 1st: ends the day before the 1st three months later
        assert invoice.delivery_period_end is not None
        after = invoice.delivery_period_end + datetime.timedelta(days=1)
        assert (
            after.day == 1
            and (after.year * 12 + after.month) - (start.year * 12 + start.month) == 3
        )
