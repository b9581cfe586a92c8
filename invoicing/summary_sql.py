"""The SQL that computes ``MonthSummary`` from the documents and payments, in one place:
the migration's backfill (``invoicing/0020``), ``month_summary_rebuild`` (the check
command's repair) and ``bench.seed_scale`` run these statements.

No app imports (a migration imports this module). What counts is the rule of
``invoicing.services.summary.month_summary_add``, written as one set-based statement:
issued documents by ``invoice_date`` month (credit notes subtract), ledger payments by
payment date month, both times the invoice's exchange rate, unrounded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured

TABLE = "invoicing_monthsummary"
#: ``invoicing.models.NOT_LEDGER_METHODS`` as stored (a migration cannot import models).
NOT_LEDGER_METHODS = ("credit",)

_MONTH = {
    "postgresql": "date_trunc('month', {0})::date",
    "sqlite": "date({0}, 'start of month')",
}
_IN_COMPANIES = {
    "postgresql": "{0} = ANY(%s)",
    "sqlite": "{0} IN (SELECT value FROM json_each(%s))",
}


def _company_filter(vendor: str, column: str, company_ids: Sequence[int] | None) -> str:
    return "" if company_ids is None else " AND " + _IN_COMPANIES[vendor].format(column)


def recount(vendor: str, company_ids: Sequence[int] | None = None) -> tuple[str, list[Any]]:
    """(sql, params) of a SELECT of (company_id, month, invoiced, paid) as the documents
    and payments of ``company_ids`` (None: all) say they are."""
    if vendor not in _MONTH:
        # The project runs on these two databases only (settings, CI); say so plainly.
        raise ImproperlyConfigured(
            f"The monthly summary's SQL is written for PostgreSQL and SQLite, not {vendor}."
        )
    ids: list[Any] = []
    if company_ids is not None:
        ids = [list(company_ids) if vendor == "postgresql" else json.dumps(list(company_ids))]
    month = _MONTH[vendor]
    methods = ", ".join("%s" for _ in NOT_LEDGER_METHODS)
    sql = (
        "SELECT company_id, month, SUM(invoiced), SUM(paid) FROM ("  # noqa: S608 (constant SQL; values are parameters)
        f" SELECT d.company_id AS company_id, {month.format('d.invoice_date')} AS month,"
        " CASE WHEN d.kind = 'credit_note' THEN -d.total_incl_vat ELSE d.total_incl_vat END"
        " * d.exchange_rate AS invoiced, 0 AS paid"
        " FROM invoicing_invoice d WHERE d.status <> 'draft'"
        + _company_filter(vendor, "d.company_id", company_ids)
        + " UNION ALL"  # noqa: S608 (constant SQL; values are parameters)
        f" SELECT p.company_id, {month.format('p.date')}, 0, p.amount * i.exchange_rate"
        " FROM invoicing_payment p JOIN invoicing_invoice i ON i.id = p.invoice_id"
        f" WHERE p.method NOT IN ({methods})"
        + _company_filter(vendor, "p.company_id", company_ids)
        + ") AS t GROUP BY company_id, month"
    )
    return sql, [*ids, *NOT_LEDGER_METHODS, *ids]


def rebuild_statements(
    vendor: str, company_ids: Sequence[int] | None = None
) -> list[tuple[str, list[Any]]]:
    """(sql, params) that replace the summary rows of ``company_ids`` (None: all) with
    what the documents and payments say (``recount``). Run them in one transaction."""
    select, params = recount(vendor, company_ids)
    ids = params[: 0 if company_ids is None else 1]
    delete = f"DELETE FROM {TABLE} WHERE 1 = 1" + _company_filter(vendor, "company_id", company_ids)  # noqa: S608 (constant SQL)
    insert = f"INSERT INTO {TABLE} (company_id, month, invoiced, paid) " + select
    return [(delete, ids), (insert, params)]


def rebuild(cursor: Any, vendor: str, company_ids: Sequence[int] | None = None) -> None:
    """Run ``rebuild_statements`` on ``cursor`` (a migration's or the default connection's)."""
    for sql, params in rebuild_statements(vendor, company_ids):
        cursor.execute(sql, params)
