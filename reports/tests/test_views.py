"""Report pages: personas, bad input, and what each page shows."""

from __future__ import annotations

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scope
from openpyxl import load_workbook

from invoicing.models import InvoicingSettings
from invoicing.tests.factories import ClientFactory, issued_invoice, line

pytestmark = pytest.mark.django_db

READ_PAGES = [
    reverse("reports:index"),
    reverse("reports:ledger"),
    reverse("reports:ageing"),
    reverse("reports:vat"),
    reverse("reports:sales"),
]
EXPORT_PAGES = [
    reverse("reports:exports"),
    reverse("reports:export_table", args=["invoices", "csv"])
    + "?date_from=2026-01-01&date_to=2026-12-31",
    reverse("reports:export_table", args=["lines", "xlsx"])
    + "?date_from=2026-01-01&date_to=2026-12-31",
    reverse("reports:export_zip"),
    reverse("reports:saft"),
    reverse("reports:saft_download") + "?date_from=2026-01-01&date_to=2026-12-31",
    reverse("reports:settings"),
]


@pytest.fixture
def sales(company_scope):
    client = ClientFactory(company=company_scope, name="Havbris AS", number=501)
    first = issued_invoice(
        company=company_scope,
        client=client,
        invoice_date=datetime.date(2026, 3, 2),
        lines=[
            line(quantity="2", unit_price="1000.00", code="3"),
            line(unit_price="200.00", code="31"),
        ],
    )
    second = issued_invoice(
        company=company_scope,
        client=client,
        invoice_date=datetime.date(2026, 4, 2),
        lines=[line(quantity="1", unit_price="300.00", code="5", description='=HYPERLINK("x")')],
    )
    return first, second


@pytest.mark.parametrize("url", READ_PAGES + EXPORT_PAGES)
def test_anonymous_is_sent_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("url", READ_PAGES)
def test_every_member_sees_the_reports(member_client, accountant_client, owner_client, url, sales):
    for visitor in (member_client, accountant_client, owner_client):
        assert visitor.get(url).status_code == 200


@pytest.mark.parametrize("url", EXPORT_PAGES)
def test_exports_are_for_owner_admin_and_accountant(member_client, accountant_client, url, sales):
    assert member_client.get(url).status_code == 403
    assert accountant_client.get(url).status_code == 200


def test_member_sees_no_export_links(member_client, accountant_client):
    assert (
        reverse("reports:exports")
        not in member_client.get(reverse("reports:index")).content.decode()
    )
    assert (
        reverse("reports:exports")
        in accountant_client.get(reverse("reports:index")).content.decode()
    )


def test_outsider_sees_none_of_the_company(outsider_client, sales):
    first, _second = sales
    page = outsider_client.get(reverse("reports:ledger"), {"date_to": "2026-12-31"})
    assert page.status_code == 200 and "Havbris" not in page.content.decode()
    drill = outsider_client.get(
        reverse("reports:ageing_invoices"), {"date": "2026-12-31", "client": first.client_id}
    )
    assert drill.status_code == 404
    ledger_of_client = outsider_client.get(reverse("reports:ledger"), {"client": first.client_id})
    assert ledger_of_client.status_code == 404  # another company's client
    assert "Havbris" not in ledger_of_client.content.decode()
    garbage = outsider_client.get(reverse("reports:ledger"), {"client": "x1"})
    assert garbage.status_code == 400


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (reverse("reports:ledger"), {"date_from": "2026-05-01", "date_to": "2026-01-01"}),
        (reverse("reports:ledger"), {"date_to": "31.12.2026x"}),
        (reverse("reports:ledger"), {"currency": "XXX"}),
        (reverse("reports:ageing"), {"date": "not a date"}),
        (reverse("reports:ageing_invoices"), {"date": "2026-01-01", "bucket": "d999"}),
        (reverse("reports:vat"), {"year": "1800"}),
        (reverse("reports:vat"), {"date_from": "2026-02-01", "date_to": "2026-01-01"}),
        (reverse("reports:sales"), {"by": "weather"}),
        (reverse("reports:sales"), {"date_from": "0001-01-01"}),
        (reverse("reports:export_table", args=["invoices", "csv"]), {"date_from": "x"}),
        (reverse("reports:saft_download"), {"date_from": "2026-12-31", "date_to": "2026-01-01"}),
    ],
)
def test_bad_input_is_a_400_with_a_message(accountant_client, url, params):
    response = accountant_client.get(url, params)
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_unknown_export_is_404(accountant_client):
    assert (
        accountant_client.get(reverse("reports:export_table", args=["secrets", "csv"])).status_code
        == 404
    )
    assert (
        accountant_client.get(reverse("reports:export_table", args=["invoices", "pdf"])).status_code
        == 404
    )


def test_ledger_page_shows_balances(owner_client, sales):
    first, second = sales
    page = owner_client.get(
        reverse("reports:ledger"), {"date_to": "2026-12-31", "client": first.client_id}
    )
    body = page.content.decode()
    total = first.total_incl_vat + second.total_incl_vat
    from invoicing.templatetags.invoicing_tags import money

    assert money(total) in body and "Havbris" in body


def test_ledger_rows_link_to_the_clients_ledger_of_the_same_period(owner_client, sales):
    first, _second = sales
    period = {"date_from": "2026-01-01", "date_to": "2026-12-31", "currency": "NOK"}
    body = owner_client.get(reverse("reports:ledger"), period).content.decode()
    link = "?date_from=2026-01-01&amp;date_to=2026-12-31&amp;currency=NOK&amp;client="
    assert f'<a href="{link}{first.client_id}">' in body
    # Without a start: the ledger as of the end date.
    body = owner_client.get(reverse("reports:ledger"), {"date_to": "2026-12-31"}).content.decode()
    assert f'<a href="?date_to=2026-12-31&amp;currency=NOK&amp;client={first.client_id}">' in body


def test_vat_page_shows_codes_and_mark_reported(owner_client, member_client, sales, company):
    page = owner_client.get(reverse("reports:vat"), {"year": "2026", "term": "2"})
    body = page.content.decode()
    assert 'id="vat-code-3"' in body and "Merk Termin 2 2026 som rapportert" in body
    assert (
        "Merk Termin"
        not in member_client.get(
            reverse("reports:vat"), {"year": "2026", "term": "2"}
        ).content.decode()
    )
    assert (
        member_client.post(
            reverse("reports:vat_mark_reported"), {"through": "2026-04-30"}
        ).status_code
        == 403
    )
    done = owner_client.post(reverse("reports:vat_mark_reported"), {"through": "2026-04-30"})
    assert done.status_code == 302
    with scope(company=company):
        assert InvoicingSettings.objects.get(company=company).vat_reported_through == datetime.date(
            2026, 4, 30
        )
    after = owner_client.get(reverse("reports:vat"), {"year": "2026", "term": "2"}).content.decode()
    assert 'id="term-status"><span class="badge badge-success">' in after


def test_only_a_whole_term_can_be_marked(owner_client, company):
    owner_client.post(reverse("reports:vat_mark_reported"), {"through": "2026-04-15"})
    with scope(company=company):
        assert not InvoicingSettings.objects.filter(
            company=company, vat_reported_through__isnull=False
        ).exists()


def test_sales_page_has_an_accessible_chart_and_table(owner_client, sales):
    body = owner_client.get(
        reverse("reports:sales"), {"date_from": "2026-01-01", "date_to": "2026-12-31"}
    ).content.decode()
    assert 'role="img"' in body and '<title id="sales-chart-title">' in body
    assert 'id="sales-table"' in body and "2026-03" in body
    by_client = owner_client.get(
        reverse("reports:sales"),
        {"date_from": "2026-01-01", "date_to": "2026-12-31", "by": "client"},
    )
    assert "Havbris AS (501)" in by_client.content.decode()


def test_csv_export_neutralises_formulas(accountant_client, sales):
    response = accountant_client.get(
        reverse("reports:export_table", args=["lines", "csv"]),
        {"date_from": "2026-01-01", "date_to": "2026-12-31"},
    )
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    assert "'=HYPERLINK" in content and ";=HYPERLINK" not in content


def test_xlsx_export_holds_the_invoices(accountant_client, sales):
    response = accountant_client.get(
        reverse("reports:export_table", args=["invoices", "xlsx"]),
        {"date_from": "2026-01-01", "date_to": "2026-12-31"},
    )
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert sheet is not None
    rows = list(sheet.values)
    assert rows[0][0] == "Fakturanummer"
    assert sorted(str(row[0]) for row in rows[1:]) == sorted(str(i.number) for i in sales)
    assert {Decimal(str(row[10])) for row in rows[1:]} == {i.total_incl_vat for i in sales}


def test_company_zip_has_everything(accountant_client, sales):
    response = accountant_client.get(reverse("reports:export_zip"))
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {
        "kunder.csv",
        "produkter.csv",
        "fakturaer.csv",
        "kreditnotaer.csv",
        "innbetalinger.csv",
        "fakturalinjer.csv",
        "saft.xml",
    } <= names
    assert "Havbris AS" in archive.read("kunder.csv").decode("utf-8")
    from reports.tests.saft_support import xsd_errors

    assert xsd_errors(archive.read("saft.xml")) == []


def test_saft_download_is_valid(accountant_client, sales):
    from reports.tests.saft_support import xsd_errors

    response = accountant_client.get(
        reverse("reports:saft_download"), {"date_from": "2026-01-01", "date_to": "2026-12-31"}
    )
    assert response["Content-Type"] == "application/xml"
    assert xsd_errors(b"".join(response.streaming_content)) == []


def test_settings_change_accounts_and_term(accountant_client, company):
    from reports.selectors import account_mapping, report_settings_for

    data = {"vat_term": "yearly"}
    with scope(company=company):
        for code, row in account_mapping(company=company).items():
            data[f"revenue_{code}"] = row.revenue_account
            data[f"vat_{code}"] = row.vat_account
    data["revenue_3"] = "3020"
    assert accountant_client.post(reverse("reports:settings"), data).status_code == 302
    with scope(company=company):
        assert account_mapping(company=company)["3"].revenue_account == "3020"
        assert report_settings_for(company=company).vat_term == "yearly"
    data["revenue_3"] = "9999"
    bad = accountant_client.post(reverse("reports:settings"), data)
    assert bad.status_code == 400
    with scope(company=company):
        assert account_mapping(company=company)["3"].revenue_account == "3020"


def test_vat_codes_and_accounts_are_named_in_the_page_language(owner, owner_client, sales):
    vat = owner_client.get(reverse("reports:vat"), {"year": "2026", "term": "2"}).content.decode()
    settings_page = owner_client.get(reverse("reports:settings")).content.decode()
    assert "Utgående MVA, alminnelig sats" in vat
    assert "3 Utgående MVA, alminnelig sats" in settings_page
    assert "3000 Salgsinntekt handelsvarer, avgiftspliktig, høy sats" in settings_page
    owner.language = "en"
    owner.save()
    vat = owner_client.get(reverse("reports:vat"), {"year": "2026", "term": "2"}).content.decode()
    settings_page = owner_client.get(reverse("reports:settings")).content.decode()
    assert "Output VAT, standard rate" in vat and "Utgående" not in vat
    assert "3 Output VAT, standard rate" in settings_page
    assert "3000 Sales revenue, merchandise, subject to VAT, high rate" in settings_page
    assert "2700 Output VAT, high rate" in settings_page
    assert "Salgsinntekt" not in settings_page and "Utgående" not in settings_page


def test_getting_started_links_only_to_pages_the_member_may_open(
    company, owner_client, accountant_client, member_client
):
    def checklist(client):
        body = client.get(reverse("dashboard")).content.decode()
        return body.split('class="getting-started"', 1)[1].split("</section>", 1)[0]

    manager_pages = [reverse("documents:logo"), reverse("invoicing:settings")]
    editor_pages = [reverse("customers:create"), reverse("invoicing:create")]
    owner = checklist(owner_client)
    assert all(f'href="{page}"' in owner for page in manager_pages + editor_pages)
    # An accountant may add clients and invoices, not change the company's settings.
    accountant = checklist(accountant_client)
    assert all(f'href="{page}"' in accountant for page in editor_pages)
    assert not any(page in accountant for page in manager_pages)
    assert "Logo" in accountant  # the step is there, without a link
    assert "href=" not in checklist(member_client)


def test_dashboard_has_the_reports_panel(owner_client, sales):
    body = owner_client.get(reverse("dashboard")).content.decode()
    assert 'id="stat-paid-month"' in body and 'id="dashboard-chart-title"' in body
    assert reverse("reports:index") in body


def test_dashboard_shows_outstanding_once(owner_client, sales, company):
    """Outstanding and overdue in NOK are invoicing's cards; the reports panel adds only
    what is open in other currencies, and only when there is some."""
    body = owner_client.get(reverse("dashboard")).content.decode()
    assert body.count('id="stat-open"') == 1 and body.count('id="stat-overdue"') == 1
    assert "stat-outstanding-nok" not in body and "stat-overdue-nok" not in body
    assert "stat-outstanding-foreign" not in body
    with scope(company=company):
        issued_invoice(
            company=company,
            invoice_date=datetime.date(2026, 4, 10),
            currency="EUR",
            exchange_rate=Decimal("11.50"),
            lines=[line(quantity="1", unit_price="100.00", code="3")],
        )
    body = owner_client.get(reverse("dashboard")).content.decode()
    assert body.count('id="stat-open"') == 1
    assert 'id="stat-outstanding-foreign">NOK 1\xa0437,50<' in body  # EUR 125.00 × 11.50


def test_ageing_rows_link_each_client_and_bucket_to_its_invoices(owner_client, sales, company):
    import html
    import re

    from invoicing.templatetags.invoicing_tags import money

    first, second = sales
    odd = ClientFactory(company=company, name="<b>Ås & Co</b>", number=502)
    third = issued_invoice(
        company=company,
        client=odd,
        invoice_date=datetime.date(2026, 6, 1),
        lines=[line(unit_price="100.00", code="3")],
    )
    body = owner_client.get(
        reverse("reports:ageing"), {"date": "2026-06-15", "currency": "NOK"}
    ).content.decode()
    assert "&lt;b&gt;Ås &amp; Co&lt;/b&gt;" in body and "<b>Ås" not in body
    drill = reverse("reports:ageing_invoices")
    row = re.search(
        rf'<tr><th scope="row"><a href="[^"]*client={first.client_id}".*?</tr>', body, re.S
    )
    assert row is not None
    cells = re.findall(r'<td class="num">(.*?)</td>', row.group(0))
    assert len(cells) == 9 and "–" in cells[:5]  # five buckets, total, items, credit, net
    assert cells[5] == money(first.total_incl_vat + second.total_incl_vat) == cells[8]
    shown: set[int | None] = set()
    for href in re.findall(r'href="([^"]*&amp;bucket=\w+)"', row.group(0)):
        assert href.startswith(f"{drill}?date=2026-06-15&amp;currency=NOK&amp;client=")
        drilled = owner_client.get(html.unescape(href)).content.decode()
        shown |= {n for n in (first.number, second.number, third.number) if f">{n}</a>" in drilled}
    assert shown == {first.number, second.number}


def test_ageing_and_its_drill_down_show_the_fees_open_on_an_invoice(owner_client, company):
    from invoicing.templatetags.invoicing_tags import money
    from receivables.models import ReceivableItem

    client = ClientFactory(company=company, name="Fjord & <Fisk>", number=503)
    invoice = issued_invoice(company=company, client=client, invoice_date=datetime.date(2026, 3, 1))
    with scope(company=company):
        ReceivableItem.objects.create(
            company=company,
            invoice=invoice,
            client=client,
            kind="reminder_fee",
            date=datetime.date(2026, 4, 1),
            amount=Decimal("35.00"),
        )
    query = {"date": "2026-04-30", "currency": "NOK"}
    ageing = owner_client.get(reverse("reports:ageing"), query).content.decode()
    drilled = owner_client.get(
        reverse("reports:ageing_invoices"), {**query, "client": client.pk}
    ).content.decode()
    claim = money(invoice.total_incl_vat + Decimal("35.00"))
    for body in (ageing, drilled):
        assert "Fjord &amp; &lt;Fisk&gt;" in body and '<td class="num">35,00</td>' in body
        assert f'<td class="num">{claim}</td>' in body
    detail = reverse("invoicing:detail", args=[invoice.pk])
    assert f'<a href="{detail}">{invoice.number}</a>' in drilled
    assert f"<td>{invoice.due_date:%d.%m.%Y}</td>" in drilled
