"""A text search of the invoice list is checked in the list's own indexes, which carry each
invoice's status and references (``INCLUDE``, migration 0035): PostgreSQL walks them in
the list's order without reading a row of the table.

A search whose words most invoices hold ("avd 1") made the trigram index answer ~1 M
candidates at 4.5 M invoices, each read from the table: 236 ms among the open invoices of
a company with 1 M, 164 ms sorted by client. Walked index-only: 13-20 and 85 ms
(issue 15; ``bench_list_scale``)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.tests.plans import query_plan, refresh_statistics
from invoicing.models import REFERENCE_FIELDS, Invoice


@pytest.mark.parametrize(
    "name", ["invoice_list", "invoice_open_list", "invoice_client_list", "invoice_client_open"]
)
def test_the_list_indexes_carry_the_references(name):
    index = next(i for i in Invoice._meta.indexes if i.name == name)
    assert set(REFERENCE_FIELDS) <= set(index.include)
    assert "status" in [*index.fields, *index.include]


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
        ({"q": "avd 4", "status": "open", "sort": "amount"}, "invoice_open_list"),
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
    # The search's matches in the list's order (``capped_page(gather=True)``).
    (gathered,) = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "invoicing_invoice"."id" FROM') and "LIMIT 1001" in q["sql"]
    ]
    plan = query_plan(gathered.replace("%", "%%"))  # the search's LIKE pattern, inlined
    assert re.search(rf"Index Only Scan (Backward )?using {index} on invoicing_invoice", plan), plan
    # No row of the table read (the client's, for the order by name, is another table's).
    assert not re.search(r"(?<!Only )(Index|Seq) Scan .*on invoicing_invoice", plan), plan
