"""A text search of the invoice list is checked in the list's own indexes, which carry each
invoice's status and references (``INCLUDE``, migration 0035): PostgreSQL walks them in
the list's order without reading a row of the table.

A search whose words most invoices hold ("avd 1") made the trigram index answer ~1 M
candidates at 4.5 M invoices, each read from the table: 236 ms among the open invoices of
a company with 1 M, 164 ms sorted by client. Walked index-only: 13-20 and 85 ms
(issue 15; ``bench_list_scale``)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Replace
from django.test.utils import CaptureQueriesContext

from core.tests.plans import query_plan, refresh_statistics
from invoicing import selectors, services
from invoicing.models import Invoice
from invoicing.selectors import InvoiceFilter
from invoicing.tests.factories import SYSTEM, draft_invoice

TODAY = datetime.date(2026, 12, 3)


@pytest.mark.parametrize(
    "name",
    [
        *("invoice_list", "invoice_open_list", "invoice_client_list", "invoice_client_open"),
        *("invoice_number_list", "invoice_due_list", "invoice_amount_list"),
    ],
)
def test_the_list_indexes_carry_the_references(name):
    # As one stored text (migration 0038), which a search is checked on as it is.
    index = next(i for i in Invoice._meta.indexes if i.name == name)
    assert "references_text" in index.include
    assert "status" in [*index.fields, *index.include]


@pytest.mark.django_db
def test_the_references_text_is_the_references_in_upper_case_as_stored(company_scope):
    # Written by the database with the row, on insert and on every update of a draft.
    invoice = draft_invoice(company=company_scope, our_reference="Olga Eier", order_number="po-42")
    stored = Invoice.objects.values_list("references_text", flat=True).get(pk=invoice.pk)
    assert stored == "OLGA EIER\x1f\x1f\x1fPO-42"
    Invoice.objects.filter(pk=invoice.pk).update(their_reference="Avd 4")
    stored = Invoice.objects.values_list("references_text", flat=True).get(pk=invoice.pk)
    assert stored == "OLGA EIER\x1fAVD 4\x1f\x1fPO-42"
    # Issued, the invoice keeps it, and a search finds the invoice by it.
    invoice.refresh_from_db()
    services.invoice_issue(invoice=invoice, actor=SYSTEM)
    found = selectors.invoice_list(company=company_scope, filters=InvoiceFilter(search="avd 4"))
    assert [i.pk for i in found] == [invoice.pk]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's index-only scans (SQLite has no INCLUDE; CI's PostgreSQL part runs it)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("params", "index"),
    [
        ({"q": "avd 4"}, "invoice_list"),
        ({"q": "avd 4", "status": "open"}, "invoice_open_list"),
        ({"q": "avd 4", "status": "overdue"}, "invoice_open_list"),
        # Either open invoices' index holds the amount: the matches are sorted by it.
        (
            {"q": "avd 4", "status": "open", "sort": "amount"},
            "invoice_open_list|invoice_client_open",
        ),
        ({"q": "avd 4", "sort": "client"}, "invoice_client_list"),
        ({"q": "avd 4", "status": "open", "sort": "-client"}, "invoice_client_open"),
    ],
)
def test_a_searched_list_reads_its_matches_from_the_list_index_alone(
    varied, owner_client, params, index
):
    refresh_statistics("invoicing_invoice")
    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get("/app/invoices/", params)
    assert response.status_code == 200
    # The search's matches in the list's order (``capped_page(gather=True)``): gathered,
    # or, sorted by client, found in a walk of the company's invoices in that order.
    (gathered,) = [
        q["sql"]
        for q in queries.captured_queries
        if (q["sql"].startswith('SELECT "invoicing_invoice"."id" FROM') or "AS walked" in q["sql"])
        and "LIMIT 1001" in q["sql"]
    ]
    # The search's LIKE pattern inlined. Whether the index gives the matches in the list's
    # order, not whether that beats sorting a tiny table's rows (sorted by client, PostgreSQL
    # once sorted what the client foreign key's index found, with other tests' rows about);
    # sorted by amount, the open invoices' matches are sorted (their indexes include it).
    in_order = params.get("sort") != "amount"
    plan = query_plan(gathered.replace("%", "%%"), in_order=in_order)
    assert re.search(
        rf"Index Only Scan (Backward )?using (?:{index}) on invoicing_invoice", plan
    ), plan
    # No row of the table read (the client's, for the order by name, is another table's).
    assert not re.search(r"(?<!Only )(Index|Seq) Scan .*on invoicing_invoice", plan), plan


def _joins_words(node) -> bool:
    """``node`` replaces a character by the joiner (``selectors._joined_references``)."""
    if not isinstance(node, Replace):
        return False
    replacement = node.get_source_expressions()[2]
    return getattr(replacement, "value", None) == selectors.JOINER.upper()


def _holds_expression(node, predicate) -> bool:
    """``node`` (a query's ``WHERE``) is or holds an expression ``predicate`` is true of."""
    if predicate(node):
        return True
    children = [*getattr(node, "children", ()), *node.get_source_expressions()]
    return any(_holds_expression(child, predicate) for child in children if child is not None)


@pytest.mark.parametrize(
    "filters",
    [
        {"status": list(Invoice.OPEN_STATUSES)},
        {"status": Invoice.Status.ISSUED},
        {"overdue": True},
        {"status": Invoice.Status.DRAFT},
        {},
    ],
)
@pytest.mark.parametrize(
    ("text", "ordering", "walked"),
    [
        ("avd 4", "-invoice_date", True),  # one trigram
        ("PO-4242", "client", True),  # sorted by client
        ("nordlys avd", "-client", True),
        ("PO-4242", "-invoice_date", False),
    ],
)
def test_a_search_among_open_invoices_walks_them_when_the_index_could_not_narrow_it(
    company_scope, varied, filters, text, ordering, walked
):
    # Among open invoices only, a search of one trigram or sorted by client is the
    # references' expression no index matches (the open invoices' list indexes carry
    # them); the rows are the plain filter's either way.
    search = InvoiceFilter(search=text, **filters)
    parts = selectors.invoice_list_parts(
        company=company_scope, filters=search, ordering=ordering, today=TODAY
    )
    (part,) = parts.parts
    assert isinstance(part, QuerySet)  # one part: the references (no client matches)
    open_only = filters.get("overdue") is True or (
        "status" in filters and filters["status"] != Invoice.Status.DRAFT
    )
    # The index's text is the references with their words joined (``_joined_references``).
    asks_index = _holds_expression(part.query.where, _joins_words)
    assert asks_index is not (open_only and walked)
    expected = [
        invoice.pk
        for invoice in selectors.invoice_list(
            company=company_scope, filters=search, ordering=ordering, today=TODAY
        )
    ]
    # The search finds invoices (no draft holds "PO-4242" or "nordlys avd").
    assert expected or (text != "avd 4" and filters.get("status") == Invoice.Status.DRAFT)
    page = parts.page(1, cap=100)
    assert [row.pk for row in page] == expected[:50]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("sort", ["client", "-client"])
def test_a_search_sorted_by_client_reads_the_companys_clients_in_name_order(
    varied, owner_client, sort
):
    # The walk of the company's invoices in client order (``capped_page(gather_walk=...)``)
    # joins the client of the invoice's own company: the company's clients come in name
    # order from (company, name, id), not every company's sorted (142,000 clients, ~60 ms
    # at 4.5 M invoices: "avd 1" sorted by client 92 → 23 ms).
    refresh_statistics("invoicing_invoice")
    refresh_statistics("customers_client")
    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get("/app/invoices/", {"q": "avd 4", "sort": sort})
    assert response.status_code == 200
    (gathered,) = [q["sql"] for q in queries.captured_queries if ") AS walked WHERE" in q["sql"]]
    assert '"customers_client"."company_id" = "invoicing_invoice"."company_id"' in gathered
    if connection.vendor != "postgresql":
        return  # the plan below is PostgreSQL's (CI's PostgreSQL part checks it)
    plan = query_plan(gathered.replace("%", "%%"))
    assert re.search(r"Index Cond: \(company_id = \d+\)", plan.split("customers_client")[-1]) or (
        "client_name_order" in plan
    ), plan


def test_the_open_invoices_by_status_and_number_carry_the_references():
    index = next(i for i in Invoice._meta.indexes if i.name == "invoice_open_number")
    assert list(index.fields[:3]) == ["company", "kind", "status"]
    assert "references_text" in index.include
    # The open invoices only: the condition is the open statuses, as the selectors say.
    assert index.condition == Q(status__in=list(Invoice.OPEN_STATUSES))


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's plan of a partial index (CI's PostgreSQL part runs it)",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("params", [{}, {"q": "avd 4"}])
@pytest.mark.parametrize("status", ["issued", "sent", "partially_paid"])
def test_one_open_status_sorted_by_number_reads_its_own_index(varied, owner_client, params, status):
    # Issued invoices are the newest: sorted by number from the first, the number index
    # held them only at its end (0.4-0.6 s at 1 M invoices). Their own index starts with
    # the status, in number order.
    refresh_statistics("invoicing_invoice")
    with CaptureQueriesContext(connection) as queries:
        response = owner_client.get(
            "/app/invoices/", {**params, "status": status, "sort": "number"}
        )
    assert response.status_code == 200
    (listed,) = [
        q["sql"]
        for q in queries.captured_queries
        if re.match(r'SELECT "invoicing_invoice"\."id"( AS "pk")?,? ', q["sql"])
        and "ORDER BY" in q["sql"]
        and "LIMIT" in q["sql"]
    ]
    # Whether the index reads them in order, not whether that beats sorting a tiny table's
    # rows: with other tests' rows about, PostgreSQL sorted a full scan of a small index.
    plan = query_plan(listed.replace("%", "%%"), in_order=True)
    assert "invoice_open_number" in plan, plan
