"""Balance bookkeeping: an issued document's paid amount and status, the client's credit."""

from __future__ import annotations

import datetime
from decimal import Decimal

from invoicing.models import ClientBalanceEntry, Invoice, Payment


def _derived_status(invoice: Invoice) -> str:
    """Status of an issued document from its amounts (credit notes: issued/sent)."""
    base = Invoice.Status.SENT if invoice.sent_at else Invoice.Status.ISSUED
    if invoice.is_credit_note:
        return base
    total = invoice.total_incl_vat
    if invoice.credited_amount > 0 and invoice.credited_amount >= total:
        return Invoice.Status.CREDITED
    if total - invoice.paid_amount - invoice.credited_amount <= 0:
        return Invoice.Status.PAID
    if invoice.paid_amount > 0:
        return Invoice.Status.PARTIALLY_PAID
    return base


def _save_balance(invoice: Invoice) -> None:
    invoice.status = _derived_status(invoice)
    invoice.save(update_fields=["paid_amount", "credited_amount", "status", "updated_at"])


def _balance_entry(
    invoice: Invoice,
    *,
    amount: Decimal,
    kind: str,
    date: datetime.date,
    payment: Payment | None = None,
    credit_note: Invoice | None = None,
) -> ClientBalanceEntry | None:
    """The client's credit balance row for a change of ``amount`` (unsaved; none for 0)."""
    if not amount:
        return None
    return ClientBalanceEntry(
        company_id=invoice.company_id,
        client_id=invoice.client_id,
        date=date,
        amount=amount,
        currency=invoice.currency,
        kind=kind,
        invoice=invoice,
        payment=payment,
        credit_note=credit_note,
    )


def _credit_balance_entry(
    invoice: Invoice,
    *,
    amount: Decimal,
    kind: str,
    date: datetime.date,
    payment: Payment | None = None,
    credit_note: Invoice | None = None,
) -> None:
    entry = _balance_entry(
        invoice, amount=amount, kind=kind, date=date, payment=payment, credit_note=credit_note
    )
    if entry is not None:
        entry.save()
