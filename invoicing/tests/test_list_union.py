"""The list page's search read as a UNION of one query per search alternative
(``selectors.invoice_list_parts`` + ``pagination.capped_page(parts=...)``) gives exactly
the rows, order, counts and pages of the plain filter (``selectors.invoice_list``, one OR),
on SQLite and on PostgreSQL (issue 15)."""

from __future__ import annotations

import dataclasses
import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from customers.tests.factories import ClientFactory
from invoicing import pagination, selectors
from invoicing.models import REFERENCE_FIELDS, Invoice
from invoicing.pagination import capped_page
from invoicing.selectors import InvoiceFilter
from invoicing.tests.factories import draft_invoice

D = datetime.date
TODAY = D(2026, 12, 3)


def _all_pages(parts, *, per_page, cap, gather=None):
    """Every page's keys, the count and the last page, read as the list reads them
    (``InvoiceListParts.page``; a text search of the references gathered), or with
    ``gather`` as given."""
    if gather is not None:
        parts = dataclasses.replace(parts, gather=gather)
    keys, count, number = [], None, 1
    while True:
        page = parts.page(number, per_page=per_page, cap=cap)
        count = page.count
        keys += [row.pk for row in page]
        if not page.has_next:
            return keys, count, page
        number += 1


SEARCHES = [
    *("nordlys", "nordlysregnskap", "PO-4242", "po-4242", "4242", "Per", "avd 4", "zzz"),
    *("po", "as", "zz"),  # short: client names only (one part, or none)
]


def test_union_pages_equal_the_plain_filter(company_scope, varied):
    for search in SEARCHES:
        for ordering in selectors.INVOICE_ORDERINGS:
            kw = {
                "company": company_scope,
                "filters": InvoiceFilter(search=search),
                "ordering": ordering,
                "today": TODAY,
            }
            expected = [invoice.pk for invoice in selectors.invoice_list(**kw)]
            parts = selectors.invoice_list_parts(**kw)
            for gather in (False, True):
                case = (search, ordering, gather)
                keys, count, _ = _all_pages(parts, per_page=3, cap=1000, gather=gather)
                assert (case, keys, count) == (case, expected, len(expected))
                # Above the cap: no count; the pages stop at the deepest one, rows in order.
                keys, count, last = _all_pages(parts, per_page=2, cap=4, gather=gather)
                assert (case, keys) == (case, expected[:4])
                assert count == (len(expected) if len(expected) <= 4 else None)
                assert last.limited == (len(expected) > 4)
    # The searches do find rows (the comparison above is not between two empty lists).
    assert (
        len(selectors.invoice_list(company=company_scope, filters=InvoiceFilter(search="nordlys")))
        > 8
    )


def test_union_with_other_filters_equals_the_plain_filter(company_scope, varied):
    variants: list[dict[str, Any]] = [
        {"status": "draft"},
        {"status": list(selectors.OPEN_STATUSES)},
        {"overdue": True},
        {"overdue": False},
        {"date_from": D(2026, 9, 10), "date_to": D(2026, 9, 25)},
    ]
    for filters in variants:
        for search in ["nordlys", "PO-4242", "4242"]:
            kw = {
                "company": company_scope,
                "filters": InvoiceFilter(search=search, **filters),
                "today": TODAY,
            }
            expected = [invoice.pk for invoice in selectors.invoice_list(**kw)]
            keys, count, _ = _all_pages(selectors.invoice_list_parts(**kw), per_page=2, cap=1000)
            assert (filters, search, keys, count) == (filters, search, expected, len(expected))


def test_order_number_search_matches_the_whole_text_not_only_its_longest_word(
    company_scope, varied
):
    found = {
        invoice.order_number
        for invoice in selectors.invoice_list(
            company=company_scope, filters=InvoiceFilter(search="PO-4242")
        )
    }
    assert found == {"PO-4242"}  # not "XO-4242", not "PO-14242"
    parts = selectors.invoice_list_parts(
        company=company_scope, filters=InvoiceFilter(search="PO-4242")
    )
    keys, _, _ = _all_pages(parts, per_page=50, cap=1000)
    assert {row.order_number for row in parts.rows.filter(pk__in=keys)} == found


@pytest.mark.parametrize(
    ("search", "asked"),
    [("PO-4242", "4242"), ("avd 42", "dq42"), ("Avd 4242", "dq4242"), ("Per", "Per")],
)
def test_the_reference_index_is_asked_for_the_search_without_a_short_first_word(
    company_scope, varied, search, asked
):
    # The index reads the references with their words joined ("avd 42" as "avdq42"). A
    # short first word is left out while more than a trigram remains (the "PO" of every
    # order number would read millions of entries), a first word of one trigram is asked
    # for its last letter at the joint ("dq42"). The rows are the search's.
    filters = InvoiceFilter(search=search)
    parts = selectors.invoice_list_parts(company=company_scope, filters=filters)
    (part,) = parts.parts
    assert parts.gather and isinstance(part, QuerySet)
    _, params = part.query.sql_with_params()
    assert params.count(asked) == 1
    found = selectors.invoice_list(company=company_scope, filters=filters)
    texts = [" ".join(getattr(i, field) for field in REFERENCE_FIELDS) for i in found]
    assert texts and all(search.lower() in text.lower() for text in texts)


def test_a_list_page_has_its_rows_loaded_with_client(
    company_scope, varied, django_assert_num_queries
):
    parts = selectors.invoice_list_parts(
        company=company_scope, filters=InvoiceFilter(search="nordlys"), today=TODAY
    )
    page = capped_page(parts.rows, 1, parts=parts.parts)
    assert len(page) > 0
    with django_assert_num_queries(0):
        assert all(invoice.client.name for invoice in page)


@pytest.mark.parametrize(("number", "per_page", "statements"), [(1, 1000, 1), (1, 3, 2), (2, 3, 1)])
def test_a_searched_page_reads_its_keys_and_rows_in_one_statement(
    company_scope, varied, number, per_page, statements
):
    # The union's keys are a subquery of the statement that loads the page's rows. A first
    # page holding every match is that one statement; a first page with more behind it,
    # that and the count; a later page, one statement with the count in it.
    search = InvoiceFilter(search="nordlys")
    parts = selectors.invoice_list_parts(company=company_scope, filters=search, today=TODAY)
    assert len(parts.parts) > 1
    expected = selectors.invoice_list(company=company_scope, filters=search, today=TODAY)
    keys = [invoice.pk for invoice in expected]
    assert 3 < len(keys) < 1000
    with CaptureQueriesContext(connection) as queries:
        page = capped_page(parts.rows, number, per_page=per_page, parts=parts.parts)
    assert [row.pk for row in page] == keys[(number - 1) * per_page : number * per_page]
    assert page.count == len(keys)
    assert len(queries.captured_queries) == statements


@pytest.mark.parametrize(("number", "count"), [(1, True), (2, True), (9, True), (1, False)])
def test_a_gathered_search_reads_its_matches_once(company_scope, varied, number, count):
    # A text search on the references alone: its matches' keys once, sorted (the count and
    # the page's keys), then the page's rows by key. No COUNT, no second read of the
    # matches. Above the cap: those keys stand for the count, the page is read in order.
    search = InvoiceFilter(search="PO-4242")
    parts = selectors.invoice_list_parts(company=company_scope, filters=search, today=TODAY)
    assert parts.gather and len(parts.parts) == 1
    keys = [row.pk for row in selectors.invoice_list(company=company_scope, filters=search)]
    assert len(keys) == 3
    cap = 1000 if count else 2
    with CaptureQueriesContext(connection) as queries:
        page = capped_page(parts.rows, number, per_page=1, cap=cap, parts=parts.parts, gather=True)
    assert page.number == min(number, 3 if count else 2)
    assert [row.pk for row in page] == [keys[page.number - 1]]
    assert page.count == (len(keys) if count else None)
    statements = [query["sql"] for query in queries.captured_queries]
    assert len(statements) == 2
    assert not any("COUNT(" in statement.upper() for statement in statements)


@pytest.mark.parametrize("search", ["", "nordlys"])
def test_a_shaped_page_counts_without_the_shapes_join_and_shows_the_same_rows(
    company_scope, varied, search
):
    # The web list shows named tuples with the client's name; the count must not join the
    # clients for that (at 4.5 M invoices the joined count of the overdue list took 64 ms
    # instead of 3 ms, issue 15).
    selection = selectors.invoice_list_parts(
        company=company_scope, filters=InvoiceFilter(search=search), today=TODAY
    )

    with CaptureQueriesContext(connection) as queries:
        page = capped_page(
            selection.rows, 1, per_page=5, parts=selection.parts, columns=("pk", "client__name")
        )
    # The count itself (a first page's rows query carries it as a subquery).
    counting = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    counts = [re.search(r"COUNT\(\*\) FROM \(.*?\) (AS capped|piece\d)", sql) for sql in counting]
    assert counting and all(counts), counting
    assert all("customers_client" not in found.group(0) for found in counts if found), counts
    plain = capped_page(selection.rows, 1, per_page=5, parts=selection.parts)
    assert len(page) > 0
    assert [(row.pk, row.client__name) for row in page] == [
        (invoice.pk, invoice.client.name) for invoice in plain
    ]
    assert (page.count, page.has_next) == (plain.count, plain.has_next)


@pytest.mark.parametrize(
    ("search", "short"),
    [
        *(("AS", True), ("as 12", True), ("A/S", True), ("Ø", True), ("po-", True)),
        *(("avd 4", False), ("Per", False), ("12", False), ("1 2", False), ("  ", False)),
    ],
)
def test_which_searches_are_short(search, short):
    assert selectors.search_is_short(search) is short


def test_a_short_search_reads_client_names_only(company_scope, varied):
    def found(search: str) -> set[int]:
        filters = InvoiceFilter(search=search)
        return {i.pk for i in selectors.invoice_list(company=company_scope, filters=filters)}

    acme = {i.pk for i in varied if i.client.name == "Acme PO Trading"}
    order_numbers = {i.pk for i in varied if i.order_number.startswith("PO-")}
    # "po": the client "Acme PO Trading", not the order numbers "PO-..." of other clients.
    assert found("po") == acme
    assert order_numbers - acme
    # A word of three characters reads the references too.
    assert order_numbers <= found("PO-4242") | found("PO-14242")
    # No client matches: nothing (not every invoice).
    assert found("zz") == set()
    assert {i.pk for i in varied if "AS" in i.client.name} == found("as") != set()


def test_a_short_search_matching_many_clients_pages_as_the_plain_filter(
    company_scope, varied, monkeypatch
):
    # More matching clients than are written out: the clients as a subquery, one part.
    monkeypatch.setattr(selectors, "CLIENT_MATCH_LIMIT", 1)
    kw = {"company": company_scope, "filters": InvoiceFilter(search="as"), "today": TODAY}
    expected = [invoice.pk for invoice in selectors.invoice_list(**kw)]

    keys, count, _ = _all_pages(selectors.invoice_list_parts(**kw), per_page=2, cap=1000)

    assert keys == expected and count == len(expected) > 2
    assert set(expected) == {i.pk for i in varied if "AS" in i.client.name}


@pytest.mark.parametrize("search", ["as", "nordlys"])
@pytest.mark.parametrize("ordering", ["client", "-client"])
def test_many_matching_clients_sorted_by_client_name(
    company_scope, varied, monkeypatch, search, ordering
):
    # More matching clients than are written out, sorted by the client's name: the name is
    # read on the joined client (no subquery of clients). Same rows as the unsorted list,
    # in client-name order, each client's invoices newest first.
    monkeypatch.setattr(selectors, "CLIENT_MATCH_LIMIT", 1)
    kw = {"company": company_scope, "filters": InvoiceFilter(search=search), "today": TODAY}
    unsorted = {invoice.pk for invoice in selectors.invoice_list(**kw)}
    expected = [invoice.pk for invoice in selectors.invoice_list(**kw, ordering=ordering)]

    keys, count, _ = _all_pages(
        selectors.invoice_list_parts(**kw, ordering=ordering), per_page=2, cap=1000
    )

    assert keys == expected and count == len(expected) and set(keys) == unsorted
    assert {i.pk for i in varied if search.upper() in i.client.name.upper()} <= unsorted
    by_pk = {invoice.pk: invoice for invoice in varied}
    rows = [(by_pk[key].client.name, by_pk[key].invoice_date) for key in keys]
    names = [name for name, _ in rows]
    assert names == sorted(names, reverse=ordering.startswith("-")) and len(set(names)) > 1
    for name in set(names):
        dates = [date for row_name, date in rows if row_name == name]
        assert dates == sorted(dates, reverse=True)


@pytest.mark.parametrize("ordering", ["client", "-client"])
@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"status": list(selectors.OPEN_STATUSES)},
        {"date_from": D(2026, 9, 10)},
        {"search": "as"},
    ],
)
def test_deep_pages_sorted_by_client_are_read_client_by_client(
    company_scope, varied, monkeypatch, ordering, filters
):
    # Every page read by the walk (each page's start found by the running count of the
    # clients' rows), with a second client of the same name whose drafts are dated between
    # the first one's invoices.
    twin = ClientFactory(company=company_scope, name=varied[2].client.name)
    for day in (3, 18):
        draft_invoice(company=company_scope, client=twin, invoice_date=D(2026, 9, day))
    monkeypatch.setattr(pagination, "DIRECT_BELOW", 0)
    monkeypatch.setattr(selectors, "CLIENT_MATCH_LIMIT", 1)  # a short search: one part
    kw = {
        "company": company_scope,
        "filters": InvoiceFilter(**filters),
        "ordering": ordering,
        "today": TODAY,
    }
    expected = [invoice.pk for invoice in selectors.invoice_list(**kw)]
    parts = selectors.invoice_list_parts(**kw)

    keys, count, _ = _all_pages(parts, per_page=2, cap=1000)
    capped, capped_count, last = _all_pages(parts, per_page=3, cap=7)

    assert parts.walk is not None and len(expected) > 7
    assert (keys, count) == (expected, len(expected))
    assert (capped, capped_count, last.limited) == (expected[:7], None, True)
    # The order itself: client names sorted, each client's rows together.
    clients = [Invoice.objects.get(pk=key).client for key in keys]
    names = [client.name for client in clients]
    assert names == sorted(names, reverse=ordering.startswith("-"))
    runs = [
        client.pk
        for index, client in enumerate(clients)
        if index == 0 or client != clients[index - 1]
    ]
    assert len(runs) == len(set(runs))


@pytest.mark.parametrize("ordering", ["client", "-client"])
def test_a_deepest_page_past_the_end_sorted_by_client_is_the_last_page(
    company_scope, varied, monkeypatch, ordering
):
    # The deepest page is read without a count; past the rows' end the walk finds no
    # client to start in, and the list serves its last page instead of an error.
    monkeypatch.setattr(pagination, "DIRECT_BELOW", 0)
    kw = {"company": company_scope, "filters": InvoiceFilter(), "ordering": ordering}
    expected = [invoice.pk for invoice in selectors.invoice_list(**kw, today=TODAY)]
    parts = selectors.invoice_list_parts(**kw, today=TODAY)
    cap = (len(expected) + 10) // 2 * 2  # deeper than the rows, a whole number of pages

    page = capped_page(parts.rows, 10_000, per_page=2, cap=cap, parts=parts.parts, walk=parts.walk)

    last = -(-len(expected) // 2)
    assert page.number == last and page.count == len(expected)
    assert [row.pk for row in page] == expected[(last - 1) * 2 :]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's plan of a row-value index range (CI's PostgreSQL part runs it)",
)
@pytest.mark.parametrize("ordering", ["client", "-client"])
def test_a_deep_page_sorted_by_client_is_one_statement_that_reads_the_name_index(
    company_scope, varied, monkeypatch, ordering
):
    # The page's start (the clients' running count of rows) and its rows in one statement,
    # the clients read in order from the index on (company, name, id) and the page's rows
    # from its first client on as a range of it: no client before it read twice, none
    # sorted.
    monkeypatch.setattr(pagination, "DIRECT_BELOW", 0)
    parts = selectors.invoice_list_parts(
        company=company_scope, filters=InvoiceFilter(), ordering=ordering, today=TODAY
    )
    with CaptureQueriesContext(connection) as queries:
        page = capped_page(parts.rows, 3, per_page=2, parts=parts.parts, walk=parts.walk)
    # (Page 3 is not the deepest: the capped count of the list is another statement.)
    read = [q["sql"] for q in queries.captured_queries if "walked_running" in q["sql"]]
    assert len(page) == 2 and len(read) == 1
    # The rows loaded by key alone: the keys carry the filters (``pagination._by_key``).
    assert 'WHERE "invoicing_invoice"."id" IN (WITH start AS' in read[0]
    with connection.cursor() as cursor:
        # A handful of rows: whether the planner scans or sorts them depends on the table's
        # statistics of the moment (the tests before this one), not on the statement.
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
        try:
            cursor.execute(f"EXPLAIN {read[0]}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")
    assert "WindowAgg" in plan, plan
    assert plan.count("using client_name_order on customers_client") >= 2, plan
    assert re.search(r"Index Cond: .*ROW\(name, id\) [<>]= ROW\(", plan), plan


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's LATERAL read and incremental sort; SQLite reads a union's parts "
    "whole (CI's PostgreSQL part runs it)",
)
@pytest.mark.parametrize("ordering", ["client", "-client"])
def test_a_search_sorted_by_client_reads_the_matching_clients_in_order(
    company_scope, varied, ordering
):
    # The matching clients sorted first, then each one's rows as they come, until the page
    # is full: not every matching client's rows read and sorted together.
    parts = selectors.invoice_list_parts(
        company=company_scope, filters=InvoiceFilter(search="nordlys"), ordering=ordering
    )
    with CaptureQueriesContext(connection) as queries:
        capped_page(parts.rows, 1, per_page=2, parts=parts.parts)
    (keys,) = [q["sql"] for q in queries.captured_queries if "LATERAL" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {keys}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Presorted Key: customers_client_1.name, customers_client_1.id" in plan, plan


GATHER_WALK_SEARCHES = ["PO-4242", "Avd 4242", "Per Olsen", "nordlys avd", "zzzz"]


@pytest.mark.parametrize(
    ("walked", "most", "sparse"),
    [(1, 0, 10_000), (1, 0, 1), (1, 1000, 10_000), (3, 6, 2), (8, 1000, 10_000), (1000, 0, 0)],
)
def test_a_search_sorted_by_client_looked_for_in_a_walk_first_lists_the_plain_filters_rows(
    company_scope, varied, monkeypatch, walked, most, sparse
):
    # The walk's first rows (``capped_page(gather_walk=...)``) answer when they hold the
    # cap's matches and one more or are all there are, a longer walk when their share
    # says it reaches them, the gathered read otherwise: walks too short for every search,
    # long enough for some, and longer than the list. Same rows, count and pages.
    monkeypatch.setattr(pagination, "GATHER_WALK", walked)
    monkeypatch.setattr(pagination, "GATHER_WALK_MOST", most)
    monkeypatch.setattr(pagination, "SPARSE_MOST", sparse)
    variants: list[dict[str, Any]] = [
        {},
        {"status": "paid"},
        {"status": "draft"},
        {"date_from": D(2026, 9, 10)},
        {"client": varied[0].client},
    ]
    for search in GATHER_WALK_SEARCHES:
        for ordering in ("client", "-client"):
            for filters in variants:
                kw = {
                    "company": company_scope,
                    "filters": InvoiceFilter(search=search, **filters),
                    "ordering": ordering,
                    "today": TODAY,
                }
                expected = [invoice.pk for invoice in selectors.invoice_list(**kw)]
                parts = selectors.invoice_list_parts(**kw)
                assert parts.gather and parts.gather_walk is not None
                case = (search, ordering, filters)
                keys, count, _ = _all_pages(parts, per_page=2, cap=1000)
                assert (case, keys, count) == (case, expected, len(expected))
                keys, count, last = _all_pages(parts, per_page=1, cap=2)
                assert (case, keys) == (case, expected[:2])
                assert count == (len(expected) if len(expected) <= 2 else None)
                assert last.limited == (len(expected) > 2)


def _statement_kinds(queries: CaptureQueriesContext) -> list[str]:
    """What each statement of a gathered page is: the walk, whether it reached the end,
    the gathered read (found first when "sparse"), the page's rows."""
    kinds = []
    for query in queries.captured_queries:
        sql = query["sql"]
        if ") AS walked WHERE matched" in sql:
            kinds.append("walk")
        elif sql.startswith("SELECT EXISTS"):
            kinds.append("more")
        elif sql.startswith(
            ('SELECT "invoicing_invoice"."id", "invoicing_invoice".found', 'WITH "found"')
        ):
            kinds.append("sparse")
        elif sql.startswith('SELECT "invoicing_invoice"."id" FROM'):
            kinds.append("gathered")
        else:
            kinds.append("rows")
    return kinds


@pytest.mark.parametrize(
    ("walked", "most", "cap", "kinds"),
    [
        # Every row walked: the cap's three matches found, or all there are.
        (1000, 1000, 2, ["walk", "rows"]),
        (1000, 1000, 1000, ["walk", "more", "rows"]),
        # Too short a walk and none further: the matches found first, then sorted.
        (1, 0, 2, ["walk", "more", "sparse", "rows"]),
        # ... unless more are found than ``SPARSE_MOST``: then asked in the order at once.
        (1, 0, 2, ["walk", "more", "sparse", "gathered", "rows"]),
    ],
)
def test_a_search_sorted_by_client_is_answered_by_its_walk_when_it_holds_the_matches(
    company_scope, varied, monkeypatch, walked, most, cap, kinds
):
    # "PO-4242": three of the company's 21 invoices.
    monkeypatch.setattr(pagination, "GATHER_WALK", walked)
    monkeypatch.setattr(pagination, "GATHER_WALK_MOST", most)
    monkeypatch.setattr(pagination, "SPARSE_MOST", 2 if "gathered" in kinds else 10_000)
    search = InvoiceFilter(search="PO-4242")
    kw = {"company": company_scope, "filters": search, "ordering": "client", "today": TODAY}
    keys = [invoice.pk for invoice in selectors.invoice_list(**kw)]
    assert len(keys) == 3
    parts = selectors.invoice_list_parts(**kw)
    with CaptureQueriesContext(connection) as queries:
        page = parts.page(1, per_page=1, cap=cap)
    assert [row.pk for row in page] == keys[:1]
    assert page.count == (3 if cap > 3 else None)
    assert _statement_kinds(queries) == kinds


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL's plan of the found rows (CI's PostgreSQL part runs it)",
)
@pytest.mark.parametrize("sparse_most", [2, 10_000])
def test_found_matches_are_joined_and_sorted_only_when_few(
    company_scope, varied, monkeypatch, sparse_most
):
    # "PO-4242": three matches. Found first, they are counted before anything is joined;
    # more than ``SPARSE_MOST`` and no client is read, no key sorted. Few, and the clients
    # are asked for among their companies'.
    monkeypatch.setattr(pagination, "GATHER_WALK", 1)
    monkeypatch.setattr(pagination, "GATHER_WALK_MOST", 0)
    monkeypatch.setattr(pagination, "SPARSE_MOST", sparse_most)
    kw = {
        "company": company_scope,
        "filters": InvoiceFilter(search="PO-4242"),
        "ordering": "-client",
        "today": TODAY,
    }
    expected = [invoice.pk for invoice in selectors.invoice_list(**kw)]
    parts = selectors.invoice_list_parts(**kw)
    with CaptureQueriesContext(connection) as queries:
        page = parts.page(1, per_page=1, cap=1000)
    assert [row.pk for row in page] == expected[:1] and page.count == 3
    (found,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('WITH "found"')]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, TIMING OFF, COSTS OFF) {found}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    if sparse_most == 2:
        assert re.search(r"on customers_client .*\(never executed\)", plan), plan
        assert _statement_kinds(queries)[-2:] == ["gathered", "rows"]
    else:
        # (On a few rows the planner reads each client by key and filters; at scale the
        # index that starts with the company answers: bench/RESULTS.md, session 25.)
        assert "(company_id = ANY (" in plan, plan
        assert _statement_kinds(queries)[-2:] == ["sparse", "rows"]


def test_a_walk_that_found_some_matches_walks_on_as_far_as_their_share_says(
    company_scope, varied, monkeypatch
):
    # The first walk ends at the first "PO-4242" invoice in client order: one match of
    # the three a cap of two needs. Their share says the three are within 3.75 times as
    # many rows, so it walks on that far instead of asking the trigram index.
    search = InvoiceFilter(search="PO-4242")
    kw = {"company": company_scope, "filters": search, "ordering": "client", "today": TODAY}
    in_order = [
        invoice.pk for invoice in selectors.invoice_list(company=company_scope, ordering="client")
    ]
    keys = [invoice.pk for invoice in selectors.invoice_list(**kw)]
    first = in_order.index(keys[0]) + 1
    monkeypatch.setattr(pagination, "GATHER_WALK", first)
    monkeypatch.setattr(pagination, "GATHER_WALK_MOST", 1000)
    parts = selectors.invoice_list_parts(**kw)
    with CaptureQueriesContext(connection) as queries:
        page = parts.page(1, per_page=1, cap=2)
    assert [row.pk for row in page] == keys[:1]
    assert _statement_kinds(queries)[:3] == ["walk", "more", "walk"]
    reach = -(-first * 3 * 5 // 4)
    assert f"LIMIT {reach}) AS walked" in queries.captured_queries[2]["sql"]


@pytest.mark.parametrize(
    ("filters", "ordering"),
    [
        ({}, "-invoice_date"),
        ({}, "total"),
        ({"status": "sent"}, "client"),
        ({"overdue": True}, "-client"),
    ],
)
def test_only_a_search_sorted_by_client_among_all_statuses_walks_first(
    company_scope, varied, filters, ordering
):
    # Another order reads its own index, where PostgreSQL stops at the page's matches; the
    # open invoices are few enough to read (and a walk of them was planned as a sort).
    parts = selectors.invoice_list_parts(
        company=company_scope,
        filters=InvoiceFilter(search="PO-4242", **filters),
        ordering=ordering,
        today=TODAY,
    )
    assert parts.gather and parts.gather_walk is None


@pytest.mark.parametrize("limit", [0, 1, 2, 1000])
@pytest.mark.parametrize("search", ["s", "a", "as", "regnskap", "nordlys", "zz"])
def test_a_search_among_open_invoices_matching_many_clients_lists_their_invoices(
    company_scope, varied, monkeypatch, limit, search
):
    # More clients match than ``CLIENT_MATCH_LIMIT``: among open invoices the list asks for
    # the invoices of none of the other clients (when those are few enough to list, "s":
    # one other of four; "a": none), else through a subquery. The rows are the
    # invoices whose client's name or references hold the search, whichever is asked.
    monkeypatch.setattr(selectors, "CLIENT_MATCH_LIMIT", limit)
    short = selectors.search_is_short(search)
    for statuses in ([str(status) for status in selectors.OPEN_STATUSES], ["issued"]):
        status: str | list[str] = statuses if len(statuses) > 1 else statuses[0]
        in_status = Invoice.objects.filter(
            company=company_scope, kind="invoice", status__in=statuses
        )

        def holds(invoice: Invoice) -> bool:
            texts = [invoice.client.name]
            if not short:
                texts += [getattr(invoice, field) for field in REFERENCE_FIELDS]
            return any(search.lower() in text.lower() for text in texts)

        expected = sorted(
            (invoice for invoice in in_status if holds(invoice)),
            key=lambda invoice: (invoice.invoice_date, invoice.number, invoice.pk),
            reverse=True,
        )
        kw = {
            "company": company_scope,
            "filters": InvoiceFilter(search=search, status=status),
            "today": TODAY,
        }
        plain = [invoice.pk for invoice in selectors.invoice_list(**kw)]
        keys, count, _ = _all_pages(selectors.invoice_list_parts(**kw), per_page=2, cap=1000)
        case = (search, status, limit)
        assert (case, plain) == (case, [invoice.pk for invoice in expected])
        assert (case, keys, count) == (case, plain, len(plain))
    if search in ("s", "a"):
        assert plain  # the comparison is not between empty lists
