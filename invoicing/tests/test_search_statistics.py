"""The planner knows how many invoices a reference search matches (invoicing 0023).

The trigram indexes the text search reads are partial (0022), and PostgreSQL keeps no
statistics of a partial index's expression; without the extended statistics of 0023 it
guessed a fixed small share for every ``UPPER(column) LIKE`` and at 4.5 M invoices chose
a plan 50 times slower for an order-number search (issue 15)."""

from __future__ import annotations

import json

import pytest
from django.db import connection

from invoicing.models import Invoice
from invoicing.tests.factories import draft_invoice

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="planner statistics"),
]

COLUMNS = ("our_reference", "their_reference", "buyer_reference", "order_number")


def _estimated_rows(sql: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return float(plan[0]["Plan"]["Plan Rows"])


@pytest.mark.parametrize("column", COLUMNS)
def test_the_estimate_of_a_reference_search_follows_the_data(company_scope, column):
    for _ in range(40):
        draft_invoice(company=company_scope)
    # Every reference holds "PO-": a search for it matches every invoice.
    Invoice.objects.filter(company=company_scope).update(
        **{name: f"PO-{index}" for index, name in enumerate(COLUMNS)}
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE invoicing_invoice")
    total = Invoice.objects.filter(company=company_scope).count()
    estimate = _estimated_rows(
        f"SELECT id FROM invoicing_invoice WHERE UPPER({column}::text) LIKE '%PO-%'"
    )
    assert estimate >= total / 2, (estimate, total)
