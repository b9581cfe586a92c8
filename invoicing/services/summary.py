"""The dashboard's per-company monthly summary (``MonthSummary``), the customer ledger's
monthly totals per client (``LedgerMonth``), the sales report's months per client and
product (``SalesMonth``) and the open receivables (``OpenReceivable``), kept in step with
the documents and payments in the same transaction that writes them.

THE rule of what a document or payment adds (``month_summary_add``; the same rule as one
set-based statement in ``invoicing.summary_sql`` for the backfill and the rebuild):

- an issued document adds its total incl. VAT times its exchange rate to ``invoiced`` of
  its ``invoice_date``'s month, and its total excl. VAT so to ``invoiced_excl_vat``; a
  credit note subtracts them;
- a ledger payment (``Payment.is_ledger_entry``: money received or its reversal, whose
  amount is negative) adds its amount times its invoice's exchange rate to ``paid`` of its
  date's month; a use of the client's credit balance adds nothing;

and, per client, currency and month (``LedgerMonth``), the customer ledger's entries in the
document currency: a document's total (an invoice's a debit, a credit note's a credit) and
a ledger payment's amount negated (money in a credit, a reversal a debit);

and, per client and per product and month (``SalesMonth``), an issued document's net sales
in NOK: its total excl. VAT per client, each line's net amount per product (0: none), both
times its exchange rate, negative for a credit note (one statement over the documents and
their lines, ``summary_sql.sales_add_statement``);

and, per currency and due date (``OpenReceivable``), the open invoices and their open
balance: an invoice's part (``open_part``) after the change replaces its part before it
(an issued invoice had none as a draft; a payment, its reversal or a credit note changes
the balance, and the status when it settles or reopens).

Callers: ``_issue`` (``invoice_issue`` and the credit notes of ``invoice_credit``),
``_issue_chunk`` (``invoice_issue_many``, recurring runs), ``payment_register``,
``_register_chunk`` (``payment_register_many``: bank files, OCR, camt, claims) and
``payment_reverse``; and the credited invoice's part of the open receivables,
``invoice_credit``. Nothing else changes an issued document's total, date or rate, a
payment (append-only), an issued document's client, currency or due date, or an invoice's
paid or credited amount, so nothing else changes the summary.

One statement per call and table (``INSERT ... ON CONFLICT DO UPDATE SET x = x + excluded.x``),
the months in order, so concurrent transactions add exactly and lock the rows in one order.
The row of a company's month stays locked until the writing transaction commits, so
writers of one company's month wait for each other (as issues of one series already do).
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction

from core.money import ZERO
from invoicing import summary_sql
from invoicing.models import Invoice, Payment, open_balance_of

#: Enough digits for a money amount (18) times a rate (18) without rounding.
_EXACT = decimal.Context(prec=40)

_UPSERT = (
    f"INSERT INTO {summary_sql.TABLE} ({', '.join(summary_sql.SUMMARY_COLUMNS)}) VALUES {{rows}}"  # noqa: S608 (constant SQL; values are parameters)
    " ON CONFLICT (company_id, month) DO UPDATE SET "
    + ", ".join(
        f"{column} = {summary_sql.TABLE}.{column} + excluded.{column}"
        for column in summary_sql.SUMMARY_COLUMNS[2:]
    )
)


_LEDGER_UPSERT = (
    f"INSERT INTO {summary_sql.LEDGER_TABLE} ({', '.join(summary_sql.LEDGER_COLUMNS)})"  # noqa: S608 (constant SQL; values are parameters)
    " VALUES {rows} ON CONFLICT (company_id, currency, month, client_id) DO UPDATE SET "
    + ", ".join(
        f"{column} = {summary_sql.LEDGER_TABLE}.{column} + excluded.{column}"
        for column in summary_sql.LEDGER_COLUMNS[4:]
    )
)
_OPEN_UPSERT = (
    f"INSERT INTO {summary_sql.OPEN_TABLE} ({', '.join(summary_sql.OPEN_COLUMNS)})"  # noqa: S608 (constant SQL; values are parameters)
    " VALUES {rows} ON CONFLICT (company_id, currency, due_date) DO UPDATE SET "
    f"count = {summary_sql.OPEN_TABLE}.count + excluded.count, "
    f"amount = {summary_sql.OPEN_TABLE}.amount + excluded.amount"
)
#: A ledger month's key: (company, currency, month, client), the upsert's conflict target
#: in its column order (the order the rows are written and locked in).
_LedgerKey = tuple[int, str, datetime.date, int]
#: An invoice's part of the open receivables (``OpenReceivable``): its currency, due date
#: and open balance; None when it has none (a draft, a credit note, settled).
OpenPart = tuple[str, datetime.date, Decimal] | None


def open_part(invoice: Invoice) -> OpenPart:
    """``invoice``'s part of the open receivables as it is now (``OpenPart``): an invoice
    (not a credit note) in ``OPEN_STATUSES`` adds itself and its balance."""
    if invoice.kind != Invoice.Kind.INVOICE or invoice.status not in Invoice.OPEN_STATUSES:
        return None
    return (invoice.currency, invoice.due_date, open_balance_of(invoice))


@dataclass
class _Deltas:
    """What a transaction adds, per company and month: [invoiced, paid, invoiced excl.
    VAT]; and per ledger month (``_LedgerKey``): [documents debit, documents credit,
    payments debit, payments credit]."""

    by_month: dict[tuple[int, datetime.date], list[Decimal]] = field(default_factory=dict)
    by_ledger_month: dict[_LedgerKey, list[Decimal]] = field(default_factory=dict)
    #: (company, currency, due date): [open invoices, open balance]
    by_due_date: dict[tuple[int, str, datetime.date], list[Decimal]] = field(default_factory=dict)
    #: the issued documents whose sales (``SalesMonth``) the write adds, from their rows
    issued: list[int] = field(default_factory=list)

    def add(
        self,
        company_id: int,
        day: datetime.date,
        invoiced: Decimal,
        paid: Decimal,
        invoiced_excl_vat: Decimal = ZERO,
    ) -> None:
        row = self.by_month.setdefault((company_id, day.replace(day=1)), [ZERO, ZERO, ZERO])
        row[0] = _EXACT.add(row[0], invoiced)
        row[1] = _EXACT.add(row[1], paid)
        row[2] = _EXACT.add(row[2], invoiced_excl_vat)

    def add_entry(self, key: _LedgerKey, amount: Decimal, *, payment: bool = False) -> None:
        """A ledger entry of ``amount`` (signed: + the client owes more): a debit when it
        is 0 or more, a credit below (``reports.ledger.signed_totals``' split)."""
        row = self.by_ledger_month.setdefault(key, [ZERO, ZERO, ZERO, ZERO])
        column = 2 * payment + (amount < 0)
        row[column] += amount

    def add_open(self, company_id: int, part: OpenPart, sign: int) -> None:
        """Add (``sign`` 1) or take away (-1) an invoice's part of the open receivables."""
        if part is None:
            return
        currency, due_date, balance = part
        row = self.by_due_date.setdefault((company_id, currency, due_date), [ZERO, ZERO])
        row[0] += sign
        row[1] += sign * balance


_batch: ContextVar[_Deltas | None] = ContextVar("month_summary_batch", default=None)


def month_summary_add(
    *,
    company_id: int,
    documents: Iterable[Invoice] = (),
    payments: Iterable[Payment] = (),
    balances: Iterable[tuple[OpenPart, Invoice]] = (),
) -> None:
    """Add just-issued ``documents`` and just-written ``payments`` (with their invoice
    loaded: its exchange rate) of one company to its months, and the issued documents to
    its open receivables; ``balances``: invoices whose balance just changed, each with its
    ``open_part`` from before the change (read once the invoice was locked). Call it inside
    the writing transaction, once per chunk, as its last write but the audit entries: from
    then on the transaction holds the company's summary rows. Inside ``month_summary_batch``
    the figures are collected and written when the batch ends."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("month_summary_add belongs in the transaction that writes the rows.")
    batch = _batch.get()
    deltas = _Deltas() if batch is None else batch
    for document in documents:
        if document.company_id != company_id or document.is_draft:
            raise ValueError(f"Not an issued document of company {company_id}: {document.pk}")
        amount = _EXACT.multiply(document.total_incl_vat, document.exchange_rate)
        excl_vat = _EXACT.multiply(document.total_excl_vat, document.exchange_rate)
        entry = document.total_incl_vat
        if document.is_credit_note:
            amount, excl_vat, entry = _EXACT.minus(amount), _EXACT.minus(excl_vat), -entry
        deltas.add(company_id, document.invoice_date, amount, ZERO, excl_vat)
        month = document.invoice_date.replace(day=1)
        deltas.add_entry((company_id, document.currency, month, document.client_id), entry)
        deltas.add_open(company_id, open_part(document), 1)  # a draft had no part
        deltas.issued.append(document.pk)
    for payment in payments:
        if payment.company_id != company_id:
            raise ValueError(f"Not a payment of company {company_id}: {payment.pk}")
        if payment.is_ledger_entry:
            invoice = payment.invoice
            amount = _EXACT.multiply(payment.amount, invoice.exchange_rate)
            deltas.add(company_id, payment.date, ZERO, amount)
            key = (company_id, invoice.currency, payment.date.replace(day=1), invoice.client_id)
            # Money in lowers what the client owes: a credit; a reversal a debit.
            deltas.add_entry(key, -payment.amount, payment=True)
    for before, invoice in balances:
        if invoice.company_id != company_id:
            raise ValueError(f"Not an invoice of company {company_id}: {invoice.pk}")
        deltas.add_open(company_id, before, -1)
        deltas.add_open(company_id, open_part(invoice), 1)
    if batch is None:
        _write(deltas)


@contextmanager
def month_summary_batch() -> Iterator[None]:
    """Collect what ``month_summary_add`` is given inside, and write it in one statement
    when the block ends without an error (inside the caller's transaction). For a service
    that locks invoices chunk after chunk in one transaction (``payment_register_many``,
    receivables' ``claims_register``): the month rows are then locked after every
    invoice, never before a later chunk's (a single payment holding one of those
    invoices and waiting for the month row would deadlock with it). Nested: the
    outermost block writes. Nothing inside may catch an error and go on after a rolled
    back savepoint: what that savepoint added would still be written."""
    if _batch.get() is not None:
        yield
        return
    deltas = _Deltas()
    token = _batch.set(deltas)
    try:
        yield
    finally:
        _batch.reset(token)
    _write(deltas)


def _write(deltas: _Deltas) -> None:
    """One upsert for every (company, month), then one for every ledger month, then one
    of the issued documents' sales per client and product, then one for every due date
    whose open receivables changed, each in key order (one lock order for all writers:
    the month rows, the ledger's, the sales', the due dates')."""
    keys = sorted(deltas.by_month)
    open_keys = sorted(key for key, row in deltas.by_due_date.items() if any(row))
    if not keys and not open_keys:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("The summary is written in the transaction that writes the rows.")
    params: list[int | str | datetime.date | Decimal] = []
    for company_id, month in keys:
        params += [company_id, month, *deltas.by_month[(company_id, month)]]
    rows = ", ".join("(%s, %s, %s, %s, %s)" for _ in keys)
    ledger_keys = sorted(deltas.by_ledger_month)
    ledger_params: list[int | str | datetime.date | Decimal] = []
    for company_id, currency, month, client_id in ledger_keys:
        sums = deltas.by_ledger_month[(company_id, currency, month, client_id)]
        ledger_params += [company_id, client_id, currency, month, *sums]
    ledger_rows = ", ".join("(%s, %s, %s, %s, %s, %s, %s, %s)" for _ in ledger_keys)
    open_params: list[int | str | datetime.date | Decimal] = []
    for key in open_keys:
        count, amount = deltas.by_due_date[key]
        open_params += [*key, int(count), amount]
    open_rows = ", ".join("(%s, %s, %s, %s, %s)" for _ in open_keys)
    with connection.cursor() as cursor:
        if keys:
            cursor.execute(_UPSERT.format(rows=rows), params)
        if ledger_keys:
            cursor.execute(_LEDGER_UPSERT.format(rows=ledger_rows), ledger_params)
        if deltas.issued:
            cursor.execute(*summary_sql.sales_add_statement(connection.vendor, deltas.issued))
        if open_keys:
            cursor.execute(_OPEN_UPSERT.format(rows=open_rows), open_params)


def month_summary_rebuild(*, company_ids: Sequence[int] | None = None) -> None:
    """Recompute the summary of ``company_ids`` (None: every company) from the documents
    and payments, set-based (``invoicing.summary_sql``): the check command's repair.

    On PostgreSQL the table is locked against other writers first (``EXCLUSIVE``: reads go
    on): a transaction that already added to it is waited for, so the recount sees its
    rows; one that adds later waits, then adds to the recounted figures. Either way its
    rows count once. Every company's writers wait while this runs."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # In the writers' order: the month rows, the ledger's, the sales', the due dates'.
            for table in (
                summary_sql.TABLE,
                summary_sql.LEDGER_TABLE,
                summary_sql.SALES_TABLE,
                summary_sql.OPEN_TABLE,
            ):
                cursor.execute(f"LOCK TABLE {table} IN EXCLUSIVE MODE")
        summary_sql.rebuild(cursor, connection.vendor, company_ids)
        summary_sql.ledger_rebuild(cursor, connection.vendor, company_ids)
        summary_sql.sales_rebuild(cursor, connection.vendor, company_ids)
        summary_sql.open_rebuild(cursor, connection.vendor, company_ids)
