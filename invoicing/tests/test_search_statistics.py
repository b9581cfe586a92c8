"""The references' text search reads its trigram index, and the planner knows how many
invoices it matches (invoicing 0030, 0037, 0038).

The search asks for an expression (``selectors._joined_references``: the stored references
separated by a control character, their words joined) that must be the one the index was
built on, or
PostgreSQL can never use the index and reads the company's rows instead. The index has no
condition, so ``ANALYZE`` keeps statistics of that expression; without them the planner
guessed a fixed small share for every ``LIKE`` and at 4.5 M invoices chose a plan 50 times
slower for an order-number search (issue 15, invoicing 0023)."""

from __future__ import annotations

import json

import pytest
from django.db import connection, transaction
from django_scopes import scopes_disabled

from invoicing import selectors
from invoicing.models import REFERENCE_FIELDS, Invoice
from invoicing.tests.factories import draft_invoice

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram index, statistics"),
]


def _plan(queryset) -> dict:
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    return (json.loads(plan) if isinstance(plan, str) else plan)[0]["Plan"]


def _indexes(plan: dict) -> set[str]:
    found = {plan["Index Name"]} if "Index Name" in plan else set()
    for child in plan.get("Plans", []):
        found |= _indexes(child)
    return found


@pytest.mark.parametrize("search", ["4242", "PO-4242", "avd 4", "nordlys avd"])
def test_a_reference_search_reads_the_references_trigram_index(company_scope, search):
    for _ in range(3):
        draft_invoice(company=company_scope)
    # Every company's invoices (the index's other column aside), so that only that index
    # can answer the condition.
    with scopes_disabled():
        matching = Invoice.objects.filter(selectors._references_contain(search)).values("pk")
    with transaction.atomic(), connection.cursor() as cursor:
        # A handful of rows: without this the planner reads the table or walks a list
        # index (which depends on what other tests left in it), index or not. Only a
        # bitmap scan is left, and only an index on the expression can answer it.
        for path in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{path} = off")
        assert "invoice_references_joined_trgm" in _indexes(_plan(matching))


@pytest.mark.parametrize("field", REFERENCE_FIELDS)
def test_the_estimate_of_a_reference_search_follows_the_data(company_scope, field):
    for _ in range(40):
        draft_invoice(company=company_scope)
    # One reference of every invoice holds "ORD": a search for it matches every invoice.
    Invoice.objects.filter(company=company_scope).update(**{field: "ORD-1"})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE invoicing_invoice")
    total = Invoice.objects.filter(company=company_scope).count()
    matching = Invoice.objects.filter(selectors._references_contain("ORD")).values("pk")
    estimate = float(_plan(matching)["Plan Rows"])
    assert estimate >= total / 2, (estimate, total)


@pytest.mark.parametrize("search", ["avd 4", "ord 1"])
def test_the_check_of_the_text_as_written_leaves_the_estimate_to_the_index(company_scope, search):
    # A search of several words is the index's condition and the check of the text as
    # written. Every invoice holds it: PostgreSQL must expect a good share of them, or it
    # reads and sorts every match instead of walking the list's index to the page's
    # (a ``LIKE`` check had a default of 1 in 200 multiplied in: "avd 4" at 1 M invoices,
    # ~30 expected of 37,600, 0.2-0.3 s; issue 15).
    for _ in range(40):
        draft_invoice(company=company_scope)
    Invoice.objects.filter(company=company_scope).update(their_reference=f"{search}2")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE invoicing_invoice")
    total = Invoice.objects.filter(company=company_scope).count()
    condition = selectors._references_contain(search)
    assert len(condition) == 2  # the check and the index's condition
    matching = Invoice.objects.filter(condition).values("pk")
    estimate = float(_plan(matching)["Plan Rows"])
    assert estimate >= total / 6, (estimate, total)
