"""The rows of GET /api/v1/invoices/ and /credit-notes/ exactly as clients read them: every
field, its format (amounts as decimal strings, dates ISO) and the order of the keys, for
drafts (with lines, without, in a currency, with no VAT rate on their date), issued,
overdue, part-paid, paid and credited invoices and a credit note; and the page links."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework import serializers

from invoicing import services
from invoicing.api.invoices import ROW_COLUMNS, InvoiceListSerializer
from invoicing.models import Invoice
from invoicing.selectors import InvoiceFilter, invoice_list
from invoicing.tests.factories import ClientFactory, draft_invoice, issued_invoice, line

pytestmark = pytest.mark.django_db

INVOICES = "/api/v1/invoices/"
CREDIT_NOTES = "/api/v1/credit-notes/"
D = datetime.date
DAY = datetime.timedelta(days=1)


@pytest.fixture
def documents(company_scope, actor):
    """One document of each kind the list shows, each on its own date (the list's order
    is then the same on every database)."""
    company = company_scope
    today = timezone.localdate()
    fjord = ClientFactory(company=company, number=42, name="Fjord Bygg AS")
    acme = ClientFactory(company=company, number=7, name="Acme «Ære» & Co")
    services.invoicing_settings_update(
        company=company, actor=actor, kid_method="mod10", kid_length=10
    )
    docs = {}
    docs["draft"] = draft_invoice(
        company=company,
        client=fjord,
        invoice_date=today,
        lines=[
            line(quantity="2.5", unit_price="199.90", discount="10"),
            line(unit_price="80.00", code="31"),
            line(quantity="-1", unit_price="12.34", code="5"),
        ],
    )
    docs["empty_draft"] = draft_invoice(
        company=company, client=acme, invoice_date=today - DAY, lines=[]
    )
    docs["euro_draft"] = draft_invoice(
        company=company,
        client=acme,
        invoice_date=today - 2 * DAY,
        currency="EUR",
        exchange_rate=Decimal("11.4567"),
        lines=[line(quantity="3", unit_price="33.33")],
    )
    docs["rateless_draft"] = draft_invoice(
        company=company, client=acme, invoice_date=D(2004, 6, 30)
    )
    docs["credited"] = issued_invoice(
        company=company, client=acme, invoice_date=today - 43 * DAY, lines=[line()]
    )
    docs["paid"] = issued_invoice(
        company=company, client=fjord, invoice_date=today - 42 * DAY, lines=[line()]
    )
    services.payment_register(
        invoice=docs["paid"], actor=actor, amount=Decimal("125.00"), date=today
    )
    docs["part_paid"] = issued_invoice(
        company=company, client=fjord, invoice_date=today - 41 * DAY, lines=[line()]
    )
    services.payment_register(
        invoice=docs["part_paid"], actor=actor, amount=Decimal("25.50"), date=today
    )
    docs["overdue"] = issued_invoice(
        company=company,
        client=acme,
        invoice_date=today - 40 * DAY,
        lines=[line(unit_price="1000.00"), line(unit_price="500.00", code="31")],
    )
    docs["issued"] = issued_invoice(
        company=company, client=fjord, invoice_date=today - 3 * DAY, lines=[line()]
    )
    docs["credit_note"] = services.invoice_credit(invoice=docs["credited"], actor=actor)
    for document in docs.values():
        document.refresh_from_db()
    return docs


FIELDS = [
    "id",
    "kind",
    "status",
    "number",
    "client",
    "client_name",
    "client_number",
    "invoice_date",
    "due_date",
    "currency",
    "total_excl_vat",
    "total_vat",
    "total_incl_vat",
    "paid_amount",
    "credited_amount",
    "open_balance",
    "overdue",
    "kid",
    "credited_invoice",
]


def _row(document, *, totals, paid="0.00", credited="0.00", balance="0.00", overdue=False):
    """The row of ``document``: what it stores, and the figures and flags given (as the
    list must show them), in the list's field order."""
    client = document.client
    excl, vat, incl = totals
    values = {
        "id": document.pk,
        "kind": document.kind,
        "status": document.status,
        "number": document.number,
        "client": client.pk,
        "client_name": client.name,
        "client_number": client.number,
        "invoice_date": document.invoice_date.isoformat(),
        "due_date": document.due_date.isoformat(),
        "currency": document.currency,
        "total_excl_vat": excl,
        "total_vat": vat,
        "total_incl_vat": incl,
        "paid_amount": paid,
        "credited_amount": credited,
        "open_balance": balance,
        "overdue": overdue,
        "kid": document.kid,
        "credited_invoice": document.credited_invoice_id,
    }
    assert list(values) == FIELDS
    return values


def _body(results, count=None, next_link=None, previous=None):
    return {
        "count": len(results) if count is None else count,
        "next": next_link,
        "previous": previous,
        "results": results,
        "count_is_capped": False,
    }


def _as_rendered(body):
    """The bytes the API's JSON renderer writes for ``body`` (compact, UTF-8, key order
    kept): comparing bytes pins the order of the keys and the types of the values too."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def test_the_invoice_list_shows_every_kind_of_row_as_before(api_client, documents):
    d = documents
    rows = [
        _row(d["draft"], totals=("517.44", "124.45", "641.89")),
        _row(d["empty_draft"], totals=("0.00", "0.00", "0.00")),
        _row(d["euro_draft"], totals=("99.99", "25.00", "124.99")),
        _row(d["issued"], totals=("100.00", "25.00", "125.00"), balance="125.00"),
        _row(
            d["overdue"],
            totals=("1500.00", "325.00", "1825.00"),
            balance="1825.00",
            overdue=True,
        ),
        _row(
            d["part_paid"],
            totals=("100.00", "25.00", "125.00"),
            paid="25.50",
            balance="99.50",
            overdue=True,
        ),
        _row(d["paid"], totals=("100.00", "25.00", "125.00"), paid="125.00"),
        _row(d["credited"], totals=("100.00", "25.00", "125.00"), credited="125.00"),
        _row(d["rateless_draft"], totals=(None, None, None)),
    ]
    # What the rows say beyond the documents' own fields.
    assert [row["kid"] for row in rows[3:8]] == [
        "4200000059",
        "7000000047",
        "4200000034",
        "4200000026",
        "7000000013",
    ]
    assert [row["status"] for row in rows] == [
        *["draft"] * 3,
        "issued",
        "issued",
        "partially_paid",
        "paid",
        "credited",
        "draft",
    ]
    assert rows[1]["client_name"] == "Acme «Ære» & Co" and rows[0]["number"] is None
    response = api_client.get(INVOICES)
    assert response.status_code == 200
    assert response.json() == _body(rows)
    assert response.content == _as_rendered(_body(rows))


def test_the_credit_note_list_shows_its_row_as_before(api_client, documents):
    note = documents["credit_note"]
    row = _row(note, totals=("100.00", "25.00", "125.00"))
    assert row["kind"] == "credit_note" and row["credited_invoice"] == documents["credited"].pk
    assert row["number"] == 6 and row["kid"] == ""
    response = api_client.get(CREDIT_NOTES)
    assert response.status_code == 200
    assert response.content == _as_rendered(_body([row]))


def test_the_page_links_keep_the_query(api_client, documents):
    def get(**params):
        response = api_client.get(INVOICES, params)
        assert response.status_code == 200
        body = response.json()
        return body["count"], body["next"], body["previous"], [r["id"] for r in body["results"]]

    d = documents
    base = "http://testserver/api/v1/invoices/"
    assert get(page_size="4") == (
        9,
        f"{base}?page=2&page_size=4",
        None,
        [d[name].pk for name in ("draft", "empty_draft", "euro_draft", "issued")],
    )
    assert get(page_size="4", page="2") == (
        9,
        f"{base}?page=3&page_size=4",
        f"{base}?page_size=4",
        [d[name].pk for name in ("overdue", "part_paid", "paid", "credited")],
    )
    # The last page of a search: no next link; the previous one keeps the search.
    assert get(page_size="4", page="last", search="Acme") == (
        5,
        None,
        f"{base}?page_size=4&search=Acme",
        [d["rateless_draft"].pk],
    )
    assert get(page_size="2", page="2", status="draft") == (
        4,
        None,
        f"{base}?page_size=2&status=draft",
        [d["euro_draft"].pk, d["rateless_draft"].pk],
    )


def _list_queries(api_client, **params):
    """The queries of one list request, but the API token's own (its last use)."""
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(INVOICES, params)
    assert response.status_code == 200
    sql = [query["sql"] for query in queries if "api_apitoken" not in query["sql"]]
    return len(response.json()["results"]), sql


def test_a_page_costs_the_same_queries_however_many_rows_it_has(api_client, documents):
    few, few_queries = _list_queries(api_client, page_size=2)
    many, many_queries = _list_queries(api_client, page_size=9)
    assert (few, many) == (2, 9)
    # Drafts on both pages (their lines are read); more drafts and more VAT codes and
    # dates on the longer one, in the same queries. A first page reads its rows and the
    # capped count in one statement.
    assert len(few_queries) == len(many_queries)
    assert sum("COUNT(" in sql for sql in few_queries) == 1
    assert sum("invoicing_invoiceline" in sql for sql in many_queries) == 1
    # The rows' columns only: no invoice's JSON snapshots, no client's address.
    assert not [sql for sql in many_queries if "snapshot" in sql or "address_line" in sql]


def test_a_page_without_drafts_reads_no_lines(api_client, documents):
    rows, queries = _list_queries(api_client, status="issued")
    assert rows == 2
    assert not [sql for sql in queries if "invoicing_invoiceline" in sql or "vatrate" in sql]


def test_the_written_out_row_is_what_the_declared_fields_give(documents):
    """``InvoiceListSerializer`` writes its rows out for speed, from named rows of
    ``ROW_COLUMNS``; its fields are the schema. The row written out says what DRF's walk
    through the fields says of the whole invoice, for every kind of row (a field added to
    one only fails here)."""
    company = documents["draft"].company
    invoices = [
        *invoice_list(company=company),
        *invoice_list(company=company, filters=InvoiceFilter(kind=Invoice.Kind.CREDIT_NOTE)),
    ]
    assert len(invoices) == len(documents)
    rows = Invoice.objects.filter(pk__in=[invoice.pk for invoice in invoices])
    named = {row.pk: row for row in rows.values_list(*ROW_COLUMNS, named=True)}
    written = InvoiceListSerializer([named[invoice.pk] for invoice in invoices], many=True).data
    declared = InvoiceListSerializer(context={})
    generic = [serializers.ModelSerializer.to_representation(declared, row) for row in invoices]
    assert [list(row.items()) for row in written] == [list(row.items()) for row in generic]
