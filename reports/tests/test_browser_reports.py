"""The reports in Chromium: dashboard chart, ledger, ageing drill-down, VAT term marked as
reported, sales chart, an Excel and a SAF-T download, the account settings."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal

import pytest
from django_scopes import scope
from openpyxl import load_workbook
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in
from invoicing import services
from invoicing.models import InvoicingSettings
from invoicing.tests.factories import SYSTEM, ClientFactory, issued_invoice, line
from reports.tests.saft_support import xsd_errors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_accountant_uses_the_reports(browser_page, screenshot, tmp_path):
    accountant = MembershipFactory(role=Role.ACCOUNTANT, user__full_name="Rita Regnskap").user
    company = accountant.memberships.get().company
    today = datetime.date.today()
    last_year = today.year - 1
    with scope(company=company):
        client = ClientFactory(company=company, name="Havbris AS", number=501)
        first = issued_invoice(
            company=company,
            client=client,
            invoice_date=datetime.date(last_year, 3, 2),
            due_date=datetime.date(last_year, 3, 16),
            lines=[
                line(quantity="2", unit_price="1000.00", code="3"),
                line(unit_price="200.00", code="31"),
            ],
        )
        issued_invoice(
            company=company,
            client=client,
            invoice_date=datetime.date(last_year, 4, 10),
            lines=[line(unit_price="800.00", code="5")],
        )
        services.payment_register(
            invoice=first,
            actor=SYSTEM,
            amount=Decimal("1000.00"),
            date=datetime.date(last_year, 3, 20),
        )
    page = browser_page
    log_in(page, accountant)

    # Dashboard: the reports' panel with its chart, then the navigation to the reports.
    page.goto("/app/")
    expect(page.locator("#dashboard-chart-title")).to_have_count(1)
    page.get_by_role("link", name="Rapporter", exact=True).first.click()
    expect(page.get_by_role("heading", name="Rapporter", level=1)).to_be_visible()

    # Ledger of the client up to the end of last year.
    page.get_by_role("link", name="Kundereskontro").first.click()
    # The client is chosen with the type-ahead picker (no <select> with every client).
    page.locator("#id_client").press_sequentially("havb", delay=30)
    page.locator(f'#id_client_options [data-pick="{client.pk}"]').click()
    page.fill("#id_date_to", f"{last_year}-12-31")
    page.get_by_role("button", name="Vis").click()
    expect(page.locator("#ledger-closing")).to_have_text("2\u00a0530,00")  # 2530.00 + 800 − 1000
    expect(page.locator("#ledger-entries tbody tr")).to_have_count(4)  # opening + 3 entries
    # Every client's balance for the same period; a client's name opens its own ledger.
    page.goto(f"/app/reports/ledger/?date_to={last_year}-12-31")
    screenshot(page, "reports-ledger-every-client")
    page.locator("#ledger-summary").get_by_role("link", name="Havbris AS").click()
    expect(page).to_have_url(re.compile(rf"client={client.pk}$"))
    expect(page.locator("#ledger-closing")).to_have_text("2\u00a0530,00")
    expect(page.locator("#ledger-entries tbody tr")).to_have_count(4)
    screenshot(page, "reports-ledger-one-client")

    # Ageing at year end, then drill down to the invoices over 90 days.
    page.get_by_role("link", name="Aldersfordeling").first.click()
    page.fill("#id_date", f"{last_year}-12-31")
    page.get_by_role("button", name="Vis").click()
    expect(page.locator("#ageing-total")).to_have_text("2\u00a0530,00")
    # The report tabs start where the heading starts, the current one's mark on the line
    # under them (Pico's nav pulled the links 8 px out).
    heading = page.locator("h1").bounding_box()
    tab = page.locator("nav.tabs a").first.bounding_box()
    strip = page.locator("nav.tabs ul").bounding_box()
    current = page.locator('nav.tabs a[aria-current="page"]').bounding_box()
    assert heading and tab and strip and current
    assert abs(tab["x"] - heading["x"]) < 1
    assert abs(current["y"] + current["height"] - (strip["y"] + strip["height"])) <= 1
    screenshot(page, "reports-0-ageing")
    # The client's own cell over 90 days, then the column's total.
    page.locator("#ageing tbody tr", has_text="Havbris AS").locator("a").last.click()
    expect(page.locator("#ageing-invoices caption")).to_contain_text("Havbris AS")
    expect(page.locator("#ageing-invoices tbody tr")).to_have_count(2)
    page.go_back()
    page.locator("#ageing tfoot a").last.click()
    expect(page.locator("#ageing-invoices tbody tr")).to_have_count(2)
    screenshot(page, "reports-0-ageing-drill-down")

    # VAT: term 2 of last year, mark it as reported.
    page.goto(f"/app/reports/vat/?year={last_year}&term=2")
    expect(page.locator("#vat-code-3 td").nth(2)).to_have_text("2\u00a0000,00")
    page.get_by_role("button", name=f"Merk Termin 2 {last_year} som rapportert").click()
    expect(page.locator("#term-status .badge-success")).to_be_visible()
    with scope(company=company):
        assert InvoicingSettings.objects.get(company=company).vat_reported_through == datetime.date(
            last_year, 4, 30
        )
    screenshot(page, "reports-1-vat")

    # Sales per client: chart and table.
    page.goto(f"/app/reports/sales/?date_from={last_year}-01-01&date_to={last_year}-12-31")
    page.get_by_role("link", name="Per kunde").click()
    expect(page.locator("svg[role=img] rect.bar")).to_have_count(1)
    expect(page.locator("#sales-total")).to_have_text("3\u00a0000,00")
    screenshot(page, "reports-2-sales")

    # Exports: the invoices as Excel for last year.
    page.goto("/app/reports/exports/")
    page.fill("#id_date_from", f"{last_year}-01-01")
    page.fill("#id_date_to", f"{last_year}-12-31")
    page.get_by_role("button", name="Velg periode").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Fakturaer som Excel").click()
    path = tmp_path / "invoices.xlsx"
    download_info.value.save_as(path)
    sheet = load_workbook(path).active
    assert sheet is not None
    rows = list(sheet.values)
    assert len(rows) == 3 and rows[0][0] == "Fakturanummer"

    # SAF-T for last year.
    page.get_by_role("link", name="SAF-T", exact=True).click()
    page.fill("#id_date_from", f"{last_year}-01-01")
    page.fill("#id_date_to", f"{last_year}-12-31")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Last ned SAF-T-fil").click()
    saft = tmp_path / "saft.xml"
    download_info.value.save_as(saft)
    assert xsd_errors(saft.read_bytes()) == []

    # Settings: another revenue account for code 3.
    page.get_by_role("link", name="Kontoer og termin").first.click()
    page.select_option("#id_revenue_3", "3020")
    page.get_by_role("button", name="Lagre").click()
    expect(page.locator(".message-success")).to_be_visible()
    expect(page.locator("#id_revenue_3")).to_have_value("3020")
