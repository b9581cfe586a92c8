"""Payments: register one or many, and reverse a mistaken one."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company
from core.audit import Actor, AuditRecord, audit_log, audit_log_many
from core.bulk import bulk_insert, bulk_set
from core.money import ZERO
from invoicing.models import ClientBalanceEntry, Invoice, Payment
from invoicing.selectors import (
    PAYMENT_OVERPAYMENT_MARGIN,
    client_credit_balance,
    client_credit_balances,
    payment_duplicate_key,
    payment_overpayment,
    payment_recent_duplicate_exists,
    payment_recent_duplicate_keys,
)
from invoicing.services.balance import (
    _balance_entry,
    _credit_balance_entry,
    _derived_status,
    _save_balance,
)
from invoicing.services.common import (
    MAX_AMOUNT,
    _amount_limit_text,
    _atomic_in_scope,
    _decimal_places,
    _format_money,
    _user_id,
)
from invoicing.services.summary import month_summary_add, month_summary_batch, open_part

#: ``Payment.Method.values`` once (the enum builds that list anew on every access).
_METHODS = frozenset(Payment.Method.values)


@dataclass(frozen=True)
class PaymentData:
    """One payment for ``payment_register_many``: ``payment_register``'s arguments."""

    invoice_id: int
    amount: Decimal
    date: datetime.date
    method: str = Payment.Method.BANK
    reference: str = ""


@dataclass
class _PlannedPayment:
    payment: Payment
    entries: list[ClientBalanceEntry]
    audit_data: dict[str, Any]


def _plan_payment(
    *,
    locked: Invoice,
    actor: Actor,
    amount: Decimal,
    date: datetime.date,
    method: str,
    reference: str,
    confirm_overpayment: bool,
    confirm_duplicate: bool,
    credit_available: Callable[[], Decimal],
    is_recent_duplicate: Callable[[str], bool],
) -> _PlannedPayment:
    """THE payment rules, for ``payment_register`` and ``payment_register_many`` alike.

    ``locked`` is the locked invoice; its paid amount and status are updated in memory and
    the payment and credit balance rows are returned unsaved (the caller writes them: one
    by one, or in bulk). Raises ValidationError as ``payment_register`` documents.
    """
    errors: dict[str, Any] = {}
    if locked.is_draft or locked.is_credit_note:
        raise ValidationError(
            _("Innbetalinger registreres bare på utstedte fakturaer."), code="not_payable"
        )
    if not isinstance(amount, Decimal) or amount <= 0 or _decimal_places(amount) > 2:
        errors["amount"] = _("Beløpet må være større enn 0, med høyst to desimaler.")
    elif amount > MAX_AMOUNT:
        errors["amount"] = _amount_limit_text(_("Beløpet")) + "."
    if method not in _METHODS:
        errors["method"] = _("Ugyldig betalingsmåte.")
    if errors:
        raise ValidationError(errors)
    if method == Payment.Method.CREDIT_BALANCE:
        available = credit_available()
        if amount > locked.open_balance or amount > available:
            raise ValidationError(
                {
                    "amount": _(
                        "Kunden har %(available)s til gode, og fakturaen har %(open)s "
                        "åpent; beløpet kan ikke være større."
                    )
                    % {"available": available, "open": locked.open_balance}
                }
            )
    reference = reference.strip()
    over = payment_overpayment(invoice=locked, amount=amount)
    if over > PAYMENT_OVERPAYMENT_MARGIN and not confirm_overpayment:
        errors["confirm_overpayment"] = ValidationError(
            _(
                "Beløpet %(amount)s er %(over)s mer enn det som er åpent (%(open)s). "
                "Det overskytende føres til kundens tilgodehavende. Bekreft at beløpet "
                "er riktig for å registrere det."
            )
            % {
                "amount": _format_money(amount),
                "over": _format_money(over),
                "open": _format_money(max(locked.open_balance, ZERO)),
            },
            code="overpayment",
        )
    # Only money received can be registered twice by mistake; a use of the client's own
    # credit is bounded by that credit instead, and is never a copy of a bank payment.
    if (
        method != Payment.Method.CREDIT_BALANCE
        and not confirm_duplicate
        and is_recent_duplicate(reference)
    ):
        errors["confirm_duplicate"] = ValidationError(
            _(
                "En innbetaling på %(amount)s med samme dato og referanse ble nettopp "
                "registrert på denne fakturaen. Bekreft at dette er en ny innbetaling "
                "for å registrere den."
            )
            % {"amount": _format_money(amount)},
            code="duplicate",
        )
    if errors:
        raise ValidationError(errors)
    applied = min(amount, max(locked.open_balance, ZERO))
    payment = Payment(
        company_id=locked.company_id,
        invoice=locked,
        date=date,
        amount=amount,
        applied_amount=applied,
        to_credit_amount=amount - applied,
        method=method,
        reference=reference,
        created_by_id=_user_id(actor),
    )
    locked.paid_amount += applied
    locked.status = _derived_status(locked)
    entries = []
    if method == Payment.Method.CREDIT_BALANCE:
        entries.append(
            _balance_entry(
                locked,
                amount=-amount,
                kind=ClientBalanceEntry.Kind.APPLIED,
                date=date,
                payment=payment,
            )
        )
    entries.append(
        _balance_entry(
            locked,
            amount=amount - applied,
            kind=ClientBalanceEntry.Kind.OVERPAYMENT,
            date=date,
            payment=payment,
        )
    )
    return _PlannedPayment(
        payment=payment,
        entries=[entry for entry in entries if entry is not None],
        audit_data={
            "invoice": locked.number,
            "amount": str(amount),
            "to_client_credit": str(amount - applied),
            "method": method,
            "confirmed_overpayment": over > PAYMENT_OVERPAYMENT_MARGIN,
            "confirmed_duplicate": confirm_duplicate,
        },
    )


def payment_register(
    *,
    invoice: Invoice,
    actor: Actor,
    amount: Decimal,
    date: datetime.date,
    method: str = Payment.Method.BANK,
    reference: str = "",
    confirm_overpayment: bool = False,
    confirm_duplicate: bool = False,
) -> Payment:
    """Register a (partial) payment of an issued invoice, in the invoice's currency.

    What exceeds the open balance goes to the client's credit balance. Method
    ``credit`` pays from that credit balance instead of new money.

    Two slips are refused unless the caller confirms them (the error is keyed by the
    keyword to set, so a form or the API can ask):

    - ``confirm_overpayment``: the amount exceeds the open balance by more than
      ``PAYMENT_OVERPAYMENT_MARGIN`` (a typo such as 99 999 for 999);
    - ``confirm_duplicate``: a payment with the same amount, date and reference was
      registered on this invoice within ``PAYMENT_DUPLICATE_WINDOW`` and is not reversed
      (a double click, a file imported twice). A caller with its own idempotency (a bank
      file import keyed by the bank's archive reference) passes ``True``.

    Many payments at once (a bank file): ``payment_register_many``, same rules.
    """
    company = invoice.company
    with _atomic_in_scope(company):
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        before = open_part(locked)
        planned = _plan_payment(
            locked=locked,
            actor=actor,
            amount=amount,
            date=date,
            method=method,
            reference=reference,
            confirm_overpayment=confirm_overpayment,
            confirm_duplicate=confirm_duplicate,
            credit_available=lambda: client_credit_balance(
                client=locked.client, currency=locked.currency
            ),
            is_recent_duplicate=lambda ref: payment_recent_duplicate_exists(
                invoice=locked, amount=amount, date=date, reference=ref
            ),
        )
        planned.payment.save()
        _save_balance(locked)
        for entry in planned.entries:
            entry.save()
        month_summary_add(
            company_id=company.pk, payments=[planned.payment], balances=[(before, locked)]
        )
        audit_log(
            action="invoicing.payment.registered",
            actor=actor,
            company=company,
            target=planned.payment,
            data=planned.audit_data,
        )
        return planned.payment


#: Payments per chunk in ``payment_register_many``: each chunk costs one query per kind
#: of row (lock, duplicates, credit balances, payments, invoices, ledger, audit).
PAYMENT_CHUNK = 2000
_BALANCE_FIELDS = (
    "company_id",
    "kind",
    "status",
    "number",
    "client_id",
    "currency",
    "total_incl_vat",
    "paid_amount",
    "credited_amount",
    "sent_at",
    "exchange_rate",  # read only: the dashboard's summary (month_summary_add)
    "due_date",  # read only: the open receivables (month_summary_add)
)


def payment_register_many(
    *,
    company: Company,
    actor: Actor,
    payments: Sequence[PaymentData],
    confirm_overpayment: bool = False,
    confirm_duplicate: bool = False,
) -> list[Payment]:
    """Register many payments (a bank file) with ``payment_register``'s rules and results:
    the same Payment, credit balance and audit rows, the same invoice balances and status,
    in the given order (two payments of one invoice: the second sees what the first left).

    Set-based: chunks of ``PAYMENT_CHUNK`` payments, each with one query per kind of row
    (lock the invoices, recent duplicates, credit balances when needed, insert payments,
    update invoices, insert ledger rows, insert audit entries), all in one transaction.
    Any refused payment refuses them all (nothing is written); the error's keys are
    ``payments.<index>.<field>``. Returns the payments in the order given.
    """
    result: list[Payment] = []
    with _atomic_in_scope(company), month_summary_batch():
        for start in range(0, len(payments), PAYMENT_CHUNK):
            result.extend(
                _register_chunk(
                    company=company,
                    actor=actor,
                    payments=payments[start : start + PAYMENT_CHUNK],
                    offset=start,
                    confirm_overpayment=confirm_overpayment,
                    confirm_duplicate=confirm_duplicate,
                )
            )
    return result


def _register_chunk(
    *,
    company: Company,
    actor: Actor,
    payments: Sequence[PaymentData],
    offset: int,
    confirm_overpayment: bool,
    confirm_duplicate: bool,
) -> list[Payment]:
    ids = sorted({p.invoice_id for p in payments})
    invoices = {
        invoice.pk: invoice
        for invoice in Invoice.objects.select_for_update()
        .filter(company=company, pk__in=ids)
        .only(*_BALANCE_FIELDS)
        .order_by("pk")
    }
    before = {pk: open_part(invoice) for pk, invoice in invoices.items()}
    recent = (
        set() if confirm_duplicate else payment_recent_duplicate_keys(invoice_ids=list(invoices))
    )
    credit: dict[tuple[int, str], Decimal] = {}
    if any(p.method == Payment.Method.CREDIT_BALANCE for p in payments):
        credit = client_credit_balances(client_ids=sorted({i.client_id for i in invoices.values()}))
    planned_all: list[_PlannedPayment] = []
    for index, data in enumerate(payments, start=offset):
        locked = invoices.get(data.invoice_id)
        try:
            if locked is None:
                raise ValidationError({"invoice": _("Fakturaen finnes ikke.")})
            key = (locked.client_id, locked.currency)

            def credit_available(key: tuple[int, str] = key) -> Decimal:
                return credit.get(key, ZERO)

            def is_recent_duplicate(ref: str, data: PaymentData = data) -> bool:
                candidate = payment_duplicate_key(
                    invoice_id=data.invoice_id, amount=data.amount, date=data.date, reference=ref
                )
                return candidate in recent

            planned = _plan_payment(
                locked=locked,
                actor=actor,
                amount=data.amount,
                date=data.date,
                method=data.method,
                reference=data.reference,
                confirm_overpayment=confirm_overpayment,
                confirm_duplicate=confirm_duplicate,
                credit_available=credit_available,
                is_recent_duplicate=is_recent_duplicate,
            )
        except ValidationError as exc:
            errors = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
            raise ValidationError(
                {
                    ".".join(filter(None, ("payments", str(index), name))): messages
                    for name, messages in errors.items()
                }
            ) from exc
        # What the next payment of this chunk sees, as if this one were in the database.
        payment = planned.payment
        recent.add(
            payment_duplicate_key(
                invoice_id=locked.pk,
                amount=payment.amount,
                date=payment.date,
                reference=payment.reference,
            )
        )
        for entry in planned.entries:
            credit[key] = credit.get(key, ZERO) + entry.amount
        planned_all.append(planned)
    new_payments = [planned.payment for planned in planned_all]
    for payment in new_payments:  # Payment.save()'s check, which a bulk insert skips
        if payment.amount != payment.applied_amount + payment.to_credit_amount:
            raise ValueError("applied_amount + to_credit_amount must equal amount")
    bulk_insert(new_payments)
    now = timezone.now()
    touched = [invoices[pk] for pk in sorted({p.invoice_id for p in new_payments})]
    for invoice in touched:
        invoice.updated_at = now  # bulk_update does not run auto_now
    balance_fields = ["paid_amount", "status", "updated_at"]
    assert Invoice.MUTABLE_FIELDS.issuperset(balance_fields)  # what bulk_set may change
    bulk_set(touched, balance_fields)
    bulk_insert([entry for planned in planned_all for entry in planned.entries])
    month_summary_add(
        company_id=company.pk,
        payments=new_payments,
        balances=[(before[invoice.pk], invoice) for invoice in touched],
    )
    audit_log_many(
        actor=actor,
        company=company,
        records=[
            AuditRecord("invoicing.payment.registered", planned.payment, planned.audit_data)
            for planned in planned_all
        ],
    )
    return new_payments


def payment_reverse(
    *, payment: Payment, actor: Actor, date: datetime.date | None = None, note: str = ""
) -> Payment:
    """Reverse a mistaken payment with a reversal entry (payments are never deleted).

    The reversal mirrors how the payment was split when it was registered: its
    ``applied_amount`` comes off what was paid on the invoice and its
    ``to_credit_amount`` (the overpayment) off the client's credit balance. Other
    payments are untouched. If a credit note has since moved paid money from the invoice
    to the credit balance, the part no longer on the invoice comes off the credit balance
    instead (the invoice's paid amount never goes below zero); the credit balance may
    then go below zero (the client owes it).
    """
    company = payment.company
    with _atomic_in_scope(company):
        invoice = Invoice.objects.select_for_update().get(pk=payment.invoice_id)
        before = open_part(invoice)
        original = Payment.objects.select_for_update().get(pk=payment.pk)
        if original.is_reversal:
            raise ValidationError(_("En tilbakeføring kan ikke tilbakeføres."), code="reversal")
        if Payment.objects.filter(reverses=original).exists():
            raise ValidationError(
                _("Innbetalingen er allerede tilbakeført."), code="already_reversed"
            )
        date = date or timezone.localdate()
        amount = original.amount
        from_paid = min(original.applied_amount, invoice.paid_amount)
        from_credit = amount - from_paid
        reversal = Payment.objects.create(
            company=company,
            invoice=invoice,
            date=date,
            amount=-amount,
            applied_amount=-from_paid,
            to_credit_amount=-from_credit,
            method=original.method,
            reference=original.reference,
            reverses=original,
            note=note.strip(),
            created_by_id=_user_id(actor),
        )
        invoice.paid_amount -= from_paid
        _save_balance(invoice)
        credit_change = -from_credit
        if original.method == Payment.Method.CREDIT_BALANCE:
            credit_change += amount  # the credit used returns to the client
        _credit_balance_entry(
            invoice,
            amount=credit_change,
            kind=ClientBalanceEntry.Kind.REVERSAL,
            date=date,
            payment=reversal,
        )
        month_summary_add(company_id=company.pk, payments=[reversal], balances=[(before, invoice)])
        audit_log(
            action="invoicing.payment.reversed",
            actor=actor,
            company=company,
            target=reversal,
            data={
                "invoice": invoice.number,
                "reverses": original.pk,
                "amount": str(amount),
                "from_invoice": str(from_paid),
                "from_client_credit": str(from_credit),
            },
        )
        return reversal
