"""Reads shared by views, the API, services, tasks and other apps (reports)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import Company
from core.money import ZERO, round_money
from receivables import rules
from receivables.models import (
    BankImport,
    BankTransaction,
    CollectionCase,
    Dispute,
    Letter,
    ReceivableItem,
    ReminderSettings,
    StatutoryFigure,
)

# --- statutory figures --------------------------------------------------------------------


def figure_on(*, kind: str, on: datetime.date) -> Decimal:
    """The figure of ``kind`` in force on ``on``; ``rules.FigureMissing`` if none is."""
    value = (
        StatutoryFigure.objects.filter(kind=kind, valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .values_list("value", flat=True)
        .first()
    )
    if value is None:
        raise rules.FigureMissing(kind, on)
    return value


def reminder_fee_on(on: datetime.date) -> Decimal:
    return rules.reminder_fee(figure_on(kind=StatutoryFigure.Kind.INKASSOSATS, on=on))


def payment_demand_fee_on(on: datetime.date) -> Decimal:
    return rules.payment_demand_fee(figure_on(kind=StatutoryFigure.Kind.INKASSOSATS, on=on))


def interest_rate_on(on: datetime.date) -> Decimal:
    return figure_on(kind=StatutoryFigure.Kind.LATE_INTEREST, on=on)


def compensation_on(on: datetime.date) -> Decimal:
    return figure_on(kind=StatutoryFigure.Kind.COMPENSATION, on=on)


class RateTable:
    """Late-interest rates loaded once (a reminder run covers many invoices)."""

    def __init__(self) -> None:
        self._rows = list(
            StatutoryFigure.objects.filter(kind=StatutoryFigure.Kind.LATE_INTEREST)
            .order_by("-valid_from")
            .values_list("valid_from", "valid_to", "value")
        )

    @property
    def first_day(self) -> datetime.date | None:
        """The first day a rate is in force (None: no rate at all)."""
        return self._rows[-1][0] if self._rows else None

    def __call__(self, on: datetime.date) -> Decimal:
        for start, end, value in self._rows:
            if start <= on and (end is None or on <= end):
                return value
        raise rules.FigureMissing(StatutoryFigure.Kind.LATE_INTEREST, on)


def figures_list() -> QuerySet[StatutoryFigure]:
    return StatutoryFigure.objects.all()


# --- settings, disputes ------------------------------------------------------------------


def reminder_settings_for(*, company: Company) -> ReminderSettings:
    """The company's settings (unsaved defaults if it has none yet)."""
    row = ReminderSettings.objects.filter(company=company).first()
    return row or ReminderSettings(company=company)


def open_dispute(*, invoice: Any) -> Dispute | None:
    return Dispute.objects.filter(invoice=invoice, resolved_at__isnull=True).first()


def disputed_invoice_ids(*, invoice_ids: Iterable[int]) -> set[int]:
    return set(
        Dispute.objects.filter(
            invoice_id__in=list(invoice_ids), resolved_at__isnull=True
        ).values_list("invoice_id", flat=True)
    )


# --- receivable items (the ledger reads these) ---------------------------------------------


def receivable_items_for(
    *,
    company: Company,
    client: Any = None,
    invoice: Any = None,
    date_from: datetime.date | None = None,
    date_to: datetime.date | None = None,
    include_waived: bool = True,
) -> QuerySet[ReceivableItem]:
    """Fee, compensation and interest claims (outside the VAT base), oldest first.

    For the client's ledger: each item is a debit of ``amount`` on ``date``; its
    ``allocations`` (``ItemAllocation``: date, amount) are the credits; a waived item
    (``waived_at``) is credited in full on that day. Call inside the company's scope.
    """
    qs = ReceivableItem.objects.filter(company=company).select_related("invoice")
    if client is not None:
        qs = qs.filter(client=client)
    if invoice is not None:
        qs = qs.filter(invoice=invoice)
    if date_from is not None:
        qs = qs.filter(date__gte=date_from)
    if date_to is not None:
        qs = qs.filter(date__lte=date_to)
    if not include_waived:
        qs = qs.filter(waived_at__isnull=True)
    return qs.prefetch_related("allocations").order_by("date", "id")


def open_items_of(*, invoice: Any) -> list[ReceivableItem]:
    """The invoice's items still owed, oldest first (the allocation order)."""
    return [
        item
        for item in ReceivableItem.objects.filter(invoice=invoice, waived_at__isnull=True).order_by(
            "date", "id"
        )
        if item.open_amount > 0
    ]


@dataclass(frozen=True)
class InvoiceReceivables:
    """What the invoice page and the invoice API show about collection."""

    disputed: bool
    dispute: Dispute | None
    letters: list[Letter]
    fees: list[ReceivableItem]
    interest: list[ReceivableItem]
    collection: CollectionCase | None
    accrued_interest: Decimal  # not yet claimed, up to today
    items_open: Decimal

    @property
    def items(self) -> list[ReceivableItem]:
        return sorted(self.fees + self.interest, key=lambda i: (i.date, i.pk))


def invoice_receivables(*, invoice: Any, today: datetime.date) -> InvoiceReceivables:
    items = list(ReceivableItem.objects.filter(invoice=invoice).order_by("date", "id"))
    fees = [i for i in items if i.kind != ReceivableItem.Kind.INTEREST]
    interest = [i for i in items if i.kind == ReceivableItem.Kind.INTEREST]
    dispute = open_dispute(invoice=invoice)
    try:
        accrued = accrued_interest(invoice=invoice, until=today, claimed=interest)
    except rules.FigureMissing:
        accrued = ZERO
    return InvoiceReceivables(
        disputed=dispute is not None,
        dispute=dispute,
        letters=list(Letter.objects.filter(invoice=invoice).order_by("sent_on", "id")),
        fees=fees,
        interest=interest,
        collection=CollectionCase.objects.filter(invoice=invoice).first(),
        accrued_interest=accrued,
        items_open=round_money(sum((i.open_amount for i in items), ZERO)),
    )


def principal_payments(*, invoice: Any) -> list[tuple[datetime.date, Decimal]]:
    """(date, amount) of what reduced the principal after issue: payments applied to it
    and credit notes (by their date)."""
    rows: list[tuple[datetime.date, Decimal]] = [
        (p.date, p.applied_amount) for p in invoice.payments.all()
    ]
    rows += [
        (c.invoice_date, c.total_incl_vat) for c in invoice.credit_notes.exclude(status="draft")
    ]
    return rows


def accrued_interest(
    *,
    invoice: Any,
    until: datetime.date,
    claimed: Iterable[ReceivableItem] | None = None,
    rate_on: Any = None,
    payments: list[tuple[datetime.date, Decimal]] | None = None,
) -> Decimal:
    """Late interest not yet claimed as an item, from the due date (or the end of the
    last claimed period) up to ``until``."""
    return interest_since_claimed(
        invoice=invoice, until=until, claimed=claimed, rate_on=rate_on, payments=payments
    ).amount


def interest_since_claimed(
    *,
    invoice: Any,
    until: datetime.date,
    claimed: Iterable[ReceivableItem] | None = None,
    rate_on: Any = None,
    payments: list[tuple[datetime.date, Decimal]] | None = None,
) -> rules.Interest:
    if claimed is None:
        claimed = ReceivableItem.objects.filter(invoice=invoice, kind=ReceivableItem.Kind.INTEREST)
    ends = [i.interest_to for i in claimed if i.interest_to is not None]
    start_after = max([invoice.due_date, *ends])
    return rules.late_interest(
        principal=invoice.total_incl_vat,
        due_date=invoice.due_date,
        start_after=start_after,
        until=until,
        rate_on=rate_on or interest_rate_on,
        payments=payments if payments is not None else principal_payments(invoice=invoice),
    )


# --- bank imports -------------------------------------------------------------------------


def letter_document(*, content: dict[str, Any], invoice: Any) -> dict[str, Any]:
    """What a letter's PDF and e-mail show: its frozen ``content`` with the seller and
    buyer of its ``invoice``. Letters reference the invoice's snapshots (an issued invoice
    never changes) instead of copying ~2 kB of them into every letter; letters written
    before that carry their own copy, which wins."""
    if "seller" in content:
        return content
    return {
        **content,
        "seller": invoice.seller_snapshot or {},
        "buyer": invoice.buyer_snapshot or {},
    }


def bank_imports(*, company: Company) -> QuerySet[BankImport]:
    return BankImport.objects.filter(company=company).order_by("-created_at", "-id")


def unmatched_transactions(*, company: Company) -> QuerySet[BankTransaction]:
    return (
        BankTransaction.objects.filter(company=company, status=BankTransaction.Status.UNMATCHED)
        .select_related("invoice", "bank_import")
        .order_by("booking_date", "id")
    )


def set_aside_transactions(*, company: Company) -> QuerySet[BankTransaction]:
    return BankTransaction.objects.filter(
        company=company, status=BankTransaction.Status.SET_ASIDE
    ).order_by("-resolved_at", "-id")


def unmatched_totals(*, company: Company) -> list[tuple[str, int, Decimal]]:
    """(currency, count, sum) of the money waiting in the unmatched queue."""
    rows = (
        BankTransaction.objects.filter(company=company, status=BankTransaction.Status.UNMATCHED)
        .values_list("currency")
        .annotate(n=Count("id"), total=Sum("amount"))
        .order_by("currency")
    )
    return [(currency, n, round_money(Decimal(total or 0))) for currency, n, total in rows]
