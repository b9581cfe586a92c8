"""The SQL that computes ``MonthSummary``, ``LedgerMonth``, ``SalesMonth`` and
``OpenReceivable`` from the documents and payments, in one place: the migrations' backfills
(``invoicing/0020``, ``0028``, ``0032``, ``0034``), ``month_summary_rebuild`` (the check
command's repair) and ``bench.seed_scale`` run these statements, and ``month_summary_add``
adds just-issued documents to ``SalesMonth`` with ``sales_add_statement``.

No app imports (a migration imports this module). What counts is the rule of
``invoicing.services.summary.month_summary_add``, written as one set-based statement:
issued documents by ``invoice_date`` month (credit notes subtract), ledger payments by
payment date month, both times the invoice's exchange rate, unrounded; and per client and
currency, the ledger's debits and credits of both in the document currency; and per
client and per product, the documents' net sales in NOK.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured

TABLE = "invoicing_monthsummary"
SUMMARY_COLUMNS = ("company_id", "month", "invoiced", "paid", "invoiced_excl_vat")
LEDGER_TABLE = "invoicing_ledgermonth"
LEDGER_COLUMNS = (
    "company_id",
    "client_id",
    "currency",
    "month",
    "documents_debit",
    "documents_credit",
    "payments_debit",
    "payments_credit",
)
#: ``invoicing.models.NOT_LEDGER_METHODS`` as stored (a migration cannot import models).
NOT_LEDGER_METHODS = ("credit",)
SALES_TABLE = "invoicing_salesmonth"
SALES_COLUMNS = ("company_id", "dimension", "item", "month", "amount", "documents")
#: ``SalesMonth.item`` of the lines without a product.
NO_PRODUCT = 0
OPEN_TABLE = "invoicing_openreceivable"
OPEN_COLUMNS = ("company_id", "currency", "due_date", "count", "amount")
#: ``Invoice.OPEN_STATUSES`` as stored.
OPEN_STATUSES = ("issued", "sent", "partially_paid")

_MONTH = {
    "postgresql": "date_trunc('month', {0})::date",
    "sqlite": "date({0}, 'start of month')",
}
_IN_IDS = {
    "postgresql": "{0} = ANY(%s)",
    "sqlite": "{0} IN (SELECT value FROM json_each(%s))",
}


def _company_filter(vendor: str, column: str, company_ids: Sequence[int] | None) -> str:
    return "" if company_ids is None else " AND " + _IN_IDS[vendor].format(column)


def _known(vendor: str) -> None:
    if vendor not in _MONTH:
        # The project runs on these two databases only (settings, CI); say so plainly.
        raise ImproperlyConfigured(
            f"The monthly summary's SQL is written for PostgreSQL and SQLite, not {vendor}."
        )


def _ids(vendor: str, ids: Sequence[int] | None) -> list[Any]:
    """The companies (or documents) as one parameter (none when all)."""
    if ids is None:
        return []
    return [list(ids) if vendor == "postgresql" else json.dumps(list(ids))]


def recount(
    vendor: str, company_ids: Sequence[int] | None = None, *, excl_vat: bool = True
) -> tuple[str, list[Any]]:
    """(sql, params) of a SELECT of ``SUMMARY_COLUMNS`` (company_id, month, invoiced, paid,
    invoiced_excl_vat) as the documents and payments of ``company_ids`` (None: all) say
    they are. ``excl_vat=False``: without the last column, for migration ``0020``, which
    ran before it existed (``0033`` added it)."""
    _known(vendor)
    ids = _ids(vendor, company_ids)
    month = _MONTH[vendor]
    methods = ", ".join("%s" for _ in NOT_LEDGER_METHODS)
    sign = "CASE WHEN d.kind = 'credit_note' THEN -1 ELSE 1 END"
    sums = "SUM(invoiced), SUM(paid)" + (", SUM(invoiced_excl_vat)" if excl_vat else "")
    sql = (
        f"SELECT company_id, month, {sums} FROM ("  # noqa: S608 (constant SQL; values are parameters)
        f" SELECT d.company_id AS company_id, {month.format('d.invoice_date')} AS month,"
        f" {sign} * d.total_incl_vat * d.exchange_rate AS invoiced, 0 AS paid,"
        f" {sign} * d.total_excl_vat * d.exchange_rate AS invoiced_excl_vat"
        " FROM invoicing_invoice d WHERE d.status <> 'draft'"
        + _company_filter(vendor, "d.company_id", company_ids)
        + " UNION ALL"  # noqa: S608 (constant SQL; values are parameters)
        f" SELECT p.company_id, {month.format('p.date')}, 0, p.amount * i.exchange_rate, 0"
        " FROM invoicing_payment p JOIN invoicing_invoice i ON i.id = p.invoice_id"
        f" WHERE p.method NOT IN ({methods})"
        + _company_filter(vendor, "p.company_id", company_ids)
        + ") AS t GROUP BY company_id, month"
    )
    return sql, [*ids, *NOT_LEDGER_METHODS, *ids]


def ledger_recount(vendor: str, company_ids: Sequence[int] | None = None) -> tuple[str, list[Any]]:
    """(sql, params) of a SELECT of ``LEDGER_COLUMNS`` as the documents and payments of
    ``company_ids`` (None: all) say they are: the rule of ``LedgerMonth`` (an entry of
    amount ≥ 0 a debit, below 0 a credit; a document's amount its total, negative for a
    credit note; a ledger payment's its amount negated), by client, currency and month."""
    _known(vendor)
    ids = _ids(vendor, company_ids)
    month = _MONTH[vendor]
    methods = ", ".join("%s" for _ in NOT_LEDGER_METHODS)
    document = "CASE WHEN d.kind = 'credit_note' THEN -d.total_incl_vat ELSE d.total_incl_vat END"
    payment = "-p.amount"
    sql = (
        f"SELECT company_id, client_id, currency, month, SUM(dd), SUM(dc), SUM(pd), SUM(pc) FROM ("  # noqa: S608 (constant SQL; values are parameters)
        f" SELECT d.company_id AS company_id, d.client_id AS client_id, d.currency AS currency,"
        f" {month.format('d.invoice_date')} AS month,"
        f" CASE WHEN {document} >= 0 THEN {document} ELSE 0 END AS dd,"
        f" CASE WHEN {document} < 0 THEN {document} ELSE 0 END AS dc, 0 AS pd, 0 AS pc"
        " FROM invoicing_invoice d WHERE d.status <> 'draft'"
        + _company_filter(vendor, "d.company_id", company_ids)
        + " UNION ALL"  # noqa: S608 (constant SQL; values are parameters)
        f" SELECT p.company_id, i.client_id, i.currency, {month.format('p.date')}, 0, 0,"
        f" CASE WHEN {payment} >= 0 THEN {payment} ELSE 0 END,"
        f" CASE WHEN {payment} < 0 THEN {payment} ELSE 0 END"
        " FROM invoicing_payment p JOIN invoicing_invoice i ON i.id = p.invoice_id"
        f" WHERE p.method NOT IN ({methods})"
        + _company_filter(vendor, "p.company_id", company_ids)
        + ") AS t GROUP BY company_id, client_id, currency, month"
    )
    return sql, [*ids, *NOT_LEDGER_METHODS, *ids]


def open_recount(vendor: str, company_ids: Sequence[int] | None = None) -> tuple[str, list[Any]]:
    """(sql, params) of a SELECT of ``OPEN_COLUMNS`` as the invoices of ``company_ids``
    (None: all) say they are: the open invoices (``OPEN_STATUSES``; not credit notes) and
    their open balance, by currency and due date."""
    _known(vendor)
    statuses = ", ".join("%s" for _ in OPEN_STATUSES)
    sql = (
        "SELECT company_id, currency, due_date, COUNT(*),"  # noqa: S608 (constant SQL; values are parameters)
        " SUM(total_incl_vat - paid_amount - credited_amount) FROM invoicing_invoice"
        f" WHERE kind = 'invoice' AND status IN ({statuses})"
        + _company_filter(vendor, "company_id", company_ids)
        + " GROUP BY company_id, currency, due_date"
    )
    return sql, [*OPEN_STATUSES, *_ids(vendor, company_ids)]


def sales_recount(
    vendor: str,
    company_ids: Sequence[int] | None = None,
    *,
    document_ids: Sequence[int] | None = None,
) -> tuple[str, list[Any]]:
    """(sql, params) of a SELECT of ``SALES_COLUMNS`` as the issued documents of
    ``company_ids`` (None: all) and their lines say they are, in key order: the rule of
    ``SalesMonth`` (per client a document's total excl. VAT, per product (0: none) a
    line's net amount, each times the document's exchange rate, negative for a credit
    note). ``document_ids``: only these documents (``month_summary_add``'s upsert of the
    documents it is given)."""
    _known(vendor)
    month = _MONTH[vendor].format("d.invoice_date")
    sign = "CASE WHEN d.kind = 'credit_note' THEN -1 ELSE 1 END"
    documents = "" if document_ids is None else " AND " + _IN_IDS[vendor].format("d.id")
    companies = _company_filter(vendor, "d.company_id", company_ids)
    chosen = [*_ids(vendor, document_ids), *_ids(vendor, company_ids)]
    sql = (
        "SELECT company_id, dimension, item, month, SUM(amount), SUM(documents) FROM ("  # noqa: S608 (constant SQL; values are parameters)
        f" SELECT d.company_id AS company_id, 'client' AS dimension, d.client_id AS item,"
        f" {month} AS month, {sign} * d.total_excl_vat * d.exchange_rate AS amount,"
        " 1 AS documents FROM invoicing_invoice d WHERE d.status <> 'draft'"
        + documents
        + companies
        + " UNION ALL"  # noqa: S608 (constant SQL; values are parameters)
        f" SELECT d.company_id, 'product', COALESCE(l.product_id, {NO_PRODUCT}), {month},"
        f" {sign} * l.net_amount * d.exchange_rate, 0"
        " FROM invoicing_invoiceline l JOIN invoicing_invoice d ON d.id = l.invoice_id"
        " WHERE d.status <> 'draft'"
        + documents
        + companies
        + ") AS t GROUP BY company_id, dimension, item, month"
        " ORDER BY company_id, dimension, item, month"
    )
    return sql, [*chosen, *chosen]


def _replace(
    vendor: str,
    company_ids: Sequence[int] | None,
    table: str,
    columns: Sequence[str],
    select: tuple[str, list[Any]],
) -> list[tuple[str, list[Any]]]:
    ids = _ids(vendor, company_ids)
    delete = f"DELETE FROM {table} WHERE 1 = 1" + _company_filter(vendor, "company_id", company_ids)  # noqa: S608 (constant SQL)
    sql, params = select
    return [(delete, ids), (f"INSERT INTO {table} ({', '.join(columns)}) " + sql, params)]


def rebuild_statements(
    vendor: str, company_ids: Sequence[int] | None = None, *, excl_vat: bool = True
) -> list[tuple[str, list[Any]]]:
    """(sql, params) that replace the ``MonthSummary`` rows of ``company_ids`` (None: all)
    with what the documents and payments say (``recount``). Run them in one transaction."""
    columns = SUMMARY_COLUMNS if excl_vat else SUMMARY_COLUMNS[:4]
    select = recount(vendor, company_ids, excl_vat=excl_vat)
    return _replace(vendor, company_ids, TABLE, columns, select)


def ledger_rebuild_statements(
    vendor: str, company_ids: Sequence[int] | None = None
) -> list[tuple[str, list[Any]]]:
    """``rebuild_statements`` for ``LedgerMonth`` (``ledger_recount``)."""
    select = ledger_recount(vendor, company_ids)
    return _replace(vendor, company_ids, LEDGER_TABLE, LEDGER_COLUMNS, select)


def open_rebuild_statements(
    vendor: str, company_ids: Sequence[int] | None = None
) -> list[tuple[str, list[Any]]]:
    """``rebuild_statements`` for ``OpenReceivable`` (``open_recount``)."""
    select = open_recount(vendor, company_ids)
    return _replace(vendor, company_ids, OPEN_TABLE, OPEN_COLUMNS, select)


def sales_rebuild_statements(
    vendor: str, company_ids: Sequence[int] | None = None
) -> list[tuple[str, list[Any]]]:
    """``rebuild_statements`` for ``SalesMonth`` (``sales_recount``)."""
    select = sales_recount(vendor, company_ids)
    return _replace(vendor, company_ids, SALES_TABLE, SALES_COLUMNS, select)


def sales_add_statement(vendor: str, document_ids: Sequence[int]) -> tuple[str, list[Any]]:
    """(sql, params) that add the issued documents ``document_ids`` (and their lines) to
    ``SalesMonth``: ``sales_recount`` of them, upserted in key order (one lock order for
    every writer), each sum added to what the row holds."""
    sql, params = sales_recount(vendor, document_ids=document_ids)
    # SQLite reads "ON CONFLICT" after a SELECT's last clause as its own; a WHERE ends it.
    upsert = (
        f"INSERT INTO {SALES_TABLE} ({', '.join(SALES_COLUMNS)})"  # noqa: S608 (constant SQL; values are parameters)
        f" SELECT * FROM ({sql}) AS counted WHERE 1 = 1"
        " ON CONFLICT (company_id, dimension, month, item) DO UPDATE SET"
        f" amount = {SALES_TABLE}.amount + excluded.amount,"
        f" documents = {SALES_TABLE}.documents + excluded.documents"
    )
    return upsert, params


def rebuild(
    cursor: Any, vendor: str, company_ids: Sequence[int] | None = None, *, excl_vat: bool = True
) -> None:
    """Run ``rebuild_statements`` on ``cursor`` (a migration's or the default connection's)."""
    for sql, params in rebuild_statements(vendor, company_ids, excl_vat=excl_vat):
        cursor.execute(sql, params)


def ledger_rebuild(cursor: Any, vendor: str, company_ids: Sequence[int] | None = None) -> None:
    """Run ``ledger_rebuild_statements`` on ``cursor``."""
    for sql, params in ledger_rebuild_statements(vendor, company_ids):
        cursor.execute(sql, params)


def sales_rebuild(cursor: Any, vendor: str, company_ids: Sequence[int] | None = None) -> None:
    """Run ``sales_rebuild_statements`` on ``cursor``."""
    for sql, params in sales_rebuild_statements(vendor, company_ids):
        cursor.execute(sql, params)


def open_rebuild(cursor: Any, vendor: str, company_ids: Sequence[int] | None = None) -> None:
    """Run ``open_rebuild_statements`` on ``cursor``."""
    for sql, params in open_rebuild_statements(vendor, company_ids):
        cursor.execute(sql, params)
