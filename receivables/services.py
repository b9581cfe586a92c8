"""Every change in receivables: keyword-only, one transaction, audited.

Rules live in ``receivables.rules`` (pure); figures in ``StatutoryFigure``. Payments are
registered through ``invoicing.services.payment_register`` only (never a Payment row here).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, router, transaction
from django.db.models import Count, Max, Q
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_scopes import scope

from accounts.models import Company
from core.audit import Actor, AuditRecord, audit_log, audit_log_many
from core.bulk import bulk_insert, bulk_set, id_array, insert_rows
from core.identifiers import format_kontonr
from core.money import ZERO, round_money
from core.outbox import outbox_enqueue
from customers.models import Client
from invoicing import services as invoicing_services
from invoicing.models import Invoice, Payment
from invoicing.selectors import OPEN_STATUSES
from receivables import rules, selectors
from receivables.bankfiles import ParsedTransaction, parse_bank_file
from receivables.models import (
    BankImport,
    BankTransaction,
    CollectionCase,
    Dispute,
    ItemAllocation,
    Letter,
    ReceivableItem,
    ReminderSettings,
    StatutoryFigure,
)

logger = logging.getLogger(__name__)

FEE_KINDS = (ReceivableItem.Kind.REMINDER_FEE, ReceivableItem.Kind.NOTICE_FEE)


@contextmanager
def _atomic_in_scope(company: Company) -> Iterator[None]:
    with scope(company=company), transaction.atomic():
        yield


def _user_id(actor: Actor) -> int | None:
    return actor.id if actor.kind == "user" else None


def _figure_missing_text(kind: str, on: datetime.date) -> str:
    """What the user is told when no figure of ``kind`` is in force on ``on``."""
    return _(
        "Det finnes ingen lovfastsatt sats «%(kind)s» for %(date)s. Satsen må legges inn "
        "i backoffice før dette kan beregnes."
    ) % {"kind": StatutoryFigure.Kind(kind).label, "date": on.strftime("%d.%m.%Y")}


def _figure_error(exc: rules.FigureMissing) -> ValidationError:
    return ValidationError(_figure_missing_text(exc.kind, exc.on), code="figure_missing")


#: Invoice numbers a group of held reminders lists (its count covers them all).
HELD_LISTED = 20


@dataclass
class HeldReminders:
    """Invoices the reminder run leaves out because a statutory figure their letter needs
    is missing (``rules.FigureMissing``), for one kind of figure: the earliest date it is
    missing for, how many invoices, and the first ``HELD_LISTED`` of their numbers.

    The run sends every other reminder; these wait until staff enter the figure in the
    back office (nothing is guessed). One open invoice that fell due before the first
    late-interest rate in the table stopped the whole run, for every client of the
    company: at scale, 658 candidates due in December 2024 stopped 51,000 others.
    """

    kind: str
    on: datetime.date
    count: int = 0
    numbers: list[int] = field(default_factory=list)

    def message(self) -> str:
        held = ngettext(
            "%(count)s faktura purres ikke før satsen er lagt inn.",
            "%(count)s fakturaer purres ikke før satsen er lagt inn.",
            self.count,
        ) % {"count": intcomma(self.count)}
        return f"{_figure_missing_text(self.kind, self.on)} {held}"


class _Holds(dict[str, HeldReminders]):
    """``HeldReminders`` by kind of figure, as a run finds them."""

    def hold(self, *, kind: str, on: datetime.date, number: int | None) -> None:
        held = self.setdefault(kind, HeldReminders(kind=kind, on=on))
        held.on = min(held.on, on)
        held.count += 1
        if number is not None and len(held.numbers) < HELD_LISTED:
            held.numbers.append(number)


# --- statutory figures (operator staff) ----------------------------------------------------


def figure_save(
    *,
    actor: Actor,
    kind: str,
    valid_from: datetime.date,
    valid_to: datetime.date | None,
    value: Decimal,
    source: str = "",
    figure: StatutoryFigure | None = None,
) -> StatutoryFigure:
    """Add or correct a dated statutory figure. Periods of one kind may not overlap."""
    if kind not in StatutoryFigure.Kind.values:
        raise ValidationError({"kind": _("Ukjent type sats.")})
    if value is None or value < 0:
        raise ValidationError({"value": _("Verdien kan ikke være negativ.")})
    if valid_to is not None and valid_to < valid_from:
        raise ValidationError({"valid_to": _("Sluttdatoen kan ikke være før startdatoen.")})
    with transaction.atomic():
        others = StatutoryFigure.objects.select_for_update().filter(kind=kind)
        if figure is not None:
            others = others.exclude(pk=figure.pk)
        far = datetime.date.max
        for other in others:
            if valid_from <= (other.valid_to or far) and other.valid_from <= (valid_to or far):
                raise ValidationError(
                    {
                        "valid_from": _("Perioden overlapper satsen som gjelder fra %(date)s.")
                        % {"date": other.valid_from.strftime("%d.%m.%Y")}
                    }
                )
        before = None
        if figure is None:
            figure = StatutoryFigure(kind=kind)
        else:
            before = {"valid_from": str(figure.valid_from), "value": str(figure.value)}
        figure.kind = kind
        figure.valid_from = valid_from
        figure.valid_to = valid_to
        figure.value = value
        figure.source = source.strip()[:300]
        figure.save()
        audit_log(
            action="receivables.figure.saved",
            actor=actor,
            target=figure,
            data={
                "kind": kind,
                "valid_from": str(valid_from),
                "valid_to": str(valid_to) if valid_to else None,
                "value": str(value),
                "before": before,
            },
        )
        return figure


# --- settings -----------------------------------------------------------------------------

SETTINGS_FIELDS = (
    "enabled",
    "reminder1_days",
    "reminder2_days",
    "deadline_days",
    "charge_fee",
    "add_interest",
    "claim_compensation",
    "email_text_nb",
    "email_text_en",
)


def reminder_settings_update(*, company: Company, actor: Actor, **values: Any) -> ReminderSettings:
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown settings: {sorted(unknown)}")
    with _atomic_in_scope(company):
        row, _created = ReminderSettings.objects.select_for_update().get_or_create(company=company)
        for name, value in values.items():
            setattr(row, name, value)
        if row.reminder2_days <= row.reminder1_days:
            raise ValidationError({"reminder2_days": _("Purring 2 må komme senere enn purring 1.")})
        if row.deadline_days < rules.MIN_DEADLINE_DAYS:
            raise ValidationError({"deadline_days": _("Fristen må være minst 14 dager.")})
        row.full_clean()
        row.save()
        audit_log(
            action="receivables.settings.updated",
            actor=actor,
            company=company,
            target=row,
            data={name: str(value) for name, value in values.items()},
        )
        return row


# --- disputes ----------------------------------------------------------------------------


def invoice_dispute(*, invoice: Invoice, actor: Actor, reason: str) -> Dispute:
    """Mark the invoice disputed: no reminders, fees, notices or collection until resolved."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Skriv hva kunden har innvendt.")})
    if len(reason) > 1000:
        raise ValidationError({"reason": _("Begrunnelsen kan være høyst 1000 tegn.")})
    company = invoice.company
    with _atomic_in_scope(company):
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.is_draft or locked.is_credit_note:
            raise ValidationError(
                _("Bare utstedte fakturaer kan bestrides."), code="not_disputable"
            )
        if Dispute.objects.filter(invoice=locked, resolved_at__isnull=True).exists():
            raise ValidationError(_("Fakturaen er allerede bestridt."), code="already_disputed")
        dispute = Dispute.objects.create(
            company=company, invoice=locked, reason=reason, opened_by_id=_user_id(actor)
        )
        audit_log(
            action="receivables.invoice.disputed",
            actor=actor,
            company=company,
            target=locked,
            data={"invoice": locked.number, "reason": reason},
        )
        return dispute


def dispute_resolve(*, invoice: Invoice, actor: Actor, resolution: str = "") -> Dispute:
    company = invoice.company
    with _atomic_in_scope(company):
        dispute = (
            Dispute.objects.select_for_update()
            .filter(invoice=invoice, resolved_at__isnull=True)
            .first()
        )
        if dispute is None:
            raise ValidationError(_("Fakturaen er ikke bestridt."), code="not_disputed")
        dispute.resolved_at = timezone.now()
        dispute.resolved_by_id = _user_id(actor)
        dispute.resolution = (resolution or "").strip()[:1000]
        dispute.save()
        audit_log(
            action="receivables.invoice.dispute_resolved",
            actor=actor,
            company=company,
            target=invoice,
            data={"invoice": invoice.number, "resolution": dispute.resolution},
        )
        return dispute


# --- waiving -----------------------------------------------------------------------------


def item_waive(*, item: ReceivableItem, actor: Actor, reason: str = "") -> ReceivableItem:
    company = item.company
    with _atomic_in_scope(company):
        locked = ReceivableItem.objects.select_for_update().get(pk=item.pk)
        if locked.is_waived:
            raise ValidationError(_("Kravet er allerede frafalt."), code="already_waived")
        if locked.open_amount <= 0:
            raise ValidationError(_("Kravet er allerede betalt."), code="already_paid")
        locked.waived_at = timezone.now()
        locked.waived_by_id = _user_id(actor)
        locked.waive_reason = (reason or "").strip()[:500]
        locked.save()
        audit_log(
            action="receivables.item.waived",
            actor=actor,
            company=company,
            target=locked,
            data={
                "invoice": locked.invoice.number,
                "kind": locked.kind,
                "amount": str(locked.amount),
                "open": str(locked.amount - locked.paid_amount),
                "reason": locked.waive_reason,
            },
        )
        return locked


# --- letters (planning is shared by the preview, the page and the daily run) --------------


@dataclass(slots=True)
class InvoiceFacts:
    """What planning and freezing a letter read of an invoice and its client: built from
    the model for one letter (``of``), from plain rows for the thousands of a reminder run
    (``_plan_reminders``: no model instances)."""

    pk: int
    company_id: int
    client_id: int
    number: int | None
    currency: str
    invoice_date: datetime.date
    due_date: datetime.date
    total_incl_vat: Decimal
    paid_amount: Decimal
    credited_amount: Decimal
    open_balance: Decimal  # Invoice.open_balance
    kid: str
    client_is_company: bool
    client_name: str
    language: str  # the buyer snapshot's, else the client's
    bank_account: str  # of the seller snapshot ("" if none)
    bank_account_display: str
    iban: str

    @classmethod
    def of(cls, invoice: Invoice) -> InvoiceFacts:
        seller = invoice.seller_snapshot or {}
        return cls(
            pk=invoice.pk,
            company_id=invoice.company_id,
            client_id=invoice.client_id,
            number=invoice.number,
            currency=invoice.currency,
            invoice_date=invoice.invoice_date,
            due_date=invoice.due_date,
            total_incl_vat=invoice.total_incl_vat,
            paid_amount=invoice.paid_amount,
            credited_amount=invoice.credited_amount,
            open_balance=invoice.open_balance,
            kid=invoice.kid,
            client_is_company=invoice.client.kind == Client.Kind.COMPANY,
            client_name=invoice.client.name,
            language=(invoice.buyer_snapshot or {}).get("language") or invoice.client.language,
            bank_account=seller.get("bank_account", ""),
            bank_account_display=seller.get("bank_account_display")
            or (format_kontonr(seller["bank_account"]) if seller.get("bank_account") else ""),
            iban=seller.get("iban", ""),
        )


@dataclass
class PlannedLetter:
    """What a letter would contain if sent on ``send_on`` (nothing saved)."""

    invoice: InvoiceFacts
    kind: str
    send_on: datetime.date
    deadline: datetime.date
    decision: rules.LetterDecision
    fee: Decimal = ZERO
    gross_fee: Decimal = ZERO
    compensation: Decimal = ZERO
    interest: rules.Interest = field(default_factory=rules.Interest)
    earlier_open: Decimal = ZERO  # fees/interest of earlier letters still owed
    sequence: int = 1

    @property
    def principal_open(self) -> Decimal:
        return self.invoice.open_balance

    @property
    def total(self) -> Decimal:
        return round_money(
            self.principal_open
            + self.fee
            + self.compensation
            + self.interest.amount
            + self.earlier_open
        )


@dataclass
class _InvoiceState:
    letters: list[Letter] = field(default_factory=list)
    items: list[ReceivableItem] = field(default_factory=list)
    payments: list[tuple[datetime.date, Decimal]] = field(default_factory=list)


def _states(invoice_ids: Sequence[int]) -> dict[int, _InvoiceState]:
    """Letters, items and principal payments of many invoices in a few queries."""
    states: dict[int, _InvoiceState] = defaultdict(_InvoiceState)
    chunk = 5000
    for start in range(0, len(invoice_ids), chunk):
        ids = id_array(invoice_ids[start : start + chunk])
        # Only what the rules read (a letter's frozen content is large).
        for letter in (
            Letter.objects.filter(invoice_id__in_ids=ids)
            .only("id", "invoice_id", "kind", "sent_on", "deadline", "fee_bearing")
            .order_by("sent_on", "id")
        ):
            states[letter.invoice_id].letters.append(letter)
        for item in (
            ReceivableItem.objects.filter(invoice_id__in_ids=ids)
            .only(
                "id",
                "invoice_id",
                "kind",
                "amount",
                "paid_amount",
                "waived_at",
                "interest_to",
                "details",
            )
            .order_by("date", "id")
        ):
            states[item.invoice_id].items.append(item)
        for inv_id, date, applied in Payment.objects.filter(invoice_id__in_ids=ids).values_list(
            "invoice_id", "date", "applied_amount"
        ):
            states[inv_id].payments.append((date, applied))
        for inv_id, date, total in (
            Invoice.objects.filter(credited_invoice_id__in_ids=ids)
            .exclude(status=Invoice.Status.DRAFT)
            .values_list("credited_invoice_id", "invoice_date", "total_incl_vat")
        ):
            states[inv_id].payments.append((date, total))
    return states


def _plan(
    *,
    invoice: InvoiceFacts,
    kind: str,
    send_on: datetime.date,
    settings_row: ReminderSettings,
    state: _InvoiceState,
    disputed: bool,
    fee_amount: Decimal | None,
    compensation_amount: Decimal | None,
    rate_on: Any,
) -> PlannedLetter:
    """Plan one letter: the fee decision (rules.letter_decision), fee vs § 3a, interest."""
    deadline = send_on + datetime.timedelta(days=settings_row.deadline_days)
    previous = [
        rules.PriorLetter(sent_on=lt.sent_on, deadline=lt.deadline, fee_bearing=lt.fee_bearing)
        for lt in state.letters
    ]
    decision = rules.letter_decision(
        due_date=invoice.due_date,
        send_on=send_on,
        deadline=deadline,
        previous=previous,
        disputed=disputed,
        want_fee=settings_row.charge_fee,
    )
    planned = PlannedLetter(
        invoice=invoice,
        kind=kind,
        send_on=send_on,
        deadline=deadline,
        decision=decision,
        sequence=len(state.letters) + 1,
    )
    if not decision.may_send:
        return planned
    live_items = [i for i in state.items if not i.is_waived]
    planned.earlier_open = round_money(sum((i.open_amount for i in live_items), ZERO))
    gross_before = sum(
        (Decimal(str(i.details.get("gross", i.amount))) for i in live_items if i.kind in FEE_KINDS),
        ZERO,
    )
    claimed_before = sum(
        (i.amount for i in live_items if i.kind in (*FEE_KINDS, ReceivableItem.Kind.COMPENSATION)),
        ZERO,
    )
    in_nok = invoice.currency == "NOK"  # the statutory amounts are NOK
    fee = fee_amount if (decision.fee and fee_amount is not None and in_nok) else ZERO
    compensation = (
        compensation_amount
        if settings_row.claim_compensation and invoice.client_is_company and in_nok
        else None
    )
    planned.fee, planned.compensation = rules.fee_and_compensation(
        fee=fee,
        gross_fees_before=gross_before,
        claimed_before=claimed_before,
        compensation=compensation,
    )
    planned.gross_fee = fee
    planned.decision = rules.LetterDecision(
        decision.may_send, decision.fee and fee > 0, decision.reason
    )
    if settings_row.add_interest:
        ends = [i.interest_to for i in state.items if i.interest_to is not None]
        planned.interest = rules.late_interest(
            principal=invoice.total_incl_vat,
            due_date=invoice.due_date,
            start_after=max([invoice.due_date, *ends]),
            until=send_on,
            rate_on=rate_on,
            payments=state.payments,
        )
    return planned


def _fee_figures(send_on: datetime.date) -> tuple[Decimal, Decimal | None]:
    fee = selectors.reminder_fee_on(send_on)
    try:
        compensation: Decimal | None = selectors.compensation_on(send_on)
    except rules.FigureMissing:
        compensation = None
    return fee, compensation


def letter_plan(
    *,
    invoice: Invoice,
    kind: str,
    send_on: datetime.date,
    settings_row: ReminderSettings | None = None,
) -> PlannedLetter:
    """The preview of one letter (raises ValidationError if a figure is missing)."""
    settings_row = settings_row or selectors.reminder_settings_for(company=invoice.company)
    state = _states([invoice.pk])[invoice.pk]
    try:
        fee, compensation = _fee_figures(send_on)
        return _plan(
            invoice=InvoiceFacts.of(invoice),
            kind=kind,
            send_on=send_on,
            settings_row=settings_row,
            state=state,
            disputed=selectors.open_dispute(invoice=invoice) is not None,
            fee_amount=fee,
            compensation_amount=compensation,
            rate_on=selectors.RateTable(),
        )
    except rules.FigureMissing as exc:
        raise _figure_error(exc) from exc


def _open_invoices(company: Company) -> Any:
    return (
        Invoice.objects.filter(company=company, kind=Invoice.Kind.INVOICE, status__in=OPEN_STATUSES)
        .exclude(pk__in=Dispute.objects.filter(resolved_at__isnull=True).values("invoice_id"))
        .exclude(pk__in=CollectionCase.objects.values("invoice_id"))
    )


#: Invoices per chunk of the reminder run: planned, locked and written together, in one
#: transaction (one query per kind of row), so memory stays flat over 100,000 invoices.
REMINDER_CHUNK = 5000
REMINDER_FIRST_CHUNK = 50  # the fewest invoices ``reminders_due_first`` checks at a time


def _reminder_candidates(
    company: Company, today: datetime.date, settings_row: ReminderSettings, holds: _Holds
) -> list[int]:
    """Ids of the invoices that may get an automatic reminder today, in sending order.

    Only a narrowing in SQL of what ``_plan_reminders`` checks again (and decides): no
    letter yet, or exactly one reminder whose deadline has passed ``reminder2_days``
    after the due date. Invoices reminded already (most of them, most days) cost nothing.

    With interest on, an invoice due so early that its interest starts before the first
    late-interest rate in the table is held (``holds``) without being planned: every
    reminder of it would need a rate that is missing, and a backlog of old claims would
    otherwise be read and planned chunk by chunk, each only to fail, before the page found
    the reminders it can send. (``_plan_reminders`` holds any other invoice whose letter
    needs a missing figure, e.g. one half-year missing in the middle of the table.)
    """
    first_cutoff = today - datetime.timedelta(days=settings_row.reminder1_days)
    second_cutoff = today - datetime.timedelta(days=settings_row.reminder2_days)
    candidates = (
        _open_invoices(company)
        .filter(due_date__lte=first_cutoff)
        .annotate(
            n_letters=Count("letters"),
            n_reminders=Count("letters", filter=Q(letters__kind=Letter.Kind.REMINDER)),
            last_deadline=Max("letters__deadline"),
        )
        .filter(
            Q(n_letters=0)
            | Q(
                n_letters=1,
                n_reminders=1,
                last_deadline__lt=today,
                due_date__lte=second_cutoff,
            )
        )
        .order_by("due_date", "number")
    )
    first_rate = selectors.RateTable().first_day if settings_row.add_interest else None
    ids = []
    for pk, due_date, number in candidates.values_list("pk", "due_date", "number"):
        starts = due_date + rules.INTEREST_FROM_NEXT_DAY
        if first_rate is not None and starts < first_rate:
            holds.hold(kind=StatutoryFigure.Kind.LATE_INTEREST, on=starts, number=number)
        else:
            ids.append(pk)
    return ids


def _plan_reminders(
    company: Company,
    today: datetime.date,
    settings_row: ReminderSettings,
    invoice_ids: Sequence[int],
    holds: _Holds,
) -> list[PlannedLetter]:
    """The reminders due today for these invoices (the rules, in Python). An invoice whose
    letter needs a missing figure is held (``holds``); a figure every letter needs (today's
    fee) missing is an error (``ValidationError``)."""
    first_cutoff = today - datetime.timedelta(days=settings_row.reminder1_days)
    invoices = _facts(
        _open_invoices(company)
        .filter(pk__in_ids=id_array(invoice_ids), due_date__lte=first_cutoff)
        .order_by("due_date", "number")
    )
    if not invoices:
        return []
    states = _states([inv.pk for inv in invoices])
    try:
        fee, compensation = _fee_figures(today)
        rate_on = selectors.RateTable()
        planned: list[PlannedLetter] = []
        for invoice in invoices:
            if invoice.open_balance <= 0:
                continue
            state = states[invoice.pk]
            reminders = [lt for lt in state.letters if lt.kind == Letter.Kind.REMINDER]
            if len(state.letters) != len(reminders) or len(reminders) >= 2:
                continue  # an inkassovarsel was sent, or both reminders: manual from here
            if len(reminders) == 1:
                if (today - invoice.due_date).days < settings_row.reminder2_days:
                    continue
                if today <= reminders[0].deadline:
                    continue
            try:
                plan = _plan(
                    invoice=invoice,
                    kind=Letter.Kind.REMINDER,
                    send_on=today,
                    settings_row=settings_row,
                    state=state,
                    disputed=False,
                    fee_amount=fee,
                    compensation_amount=compensation,
                    rate_on=rate_on,
                )
            except rules.FigureMissing as exc:
                holds.hold(kind=exc.kind, on=exc.on, number=invoice.number)
                continue
            if plan.decision.may_send:
                planned.append(plan)
        return planned
    except rules.FigureMissing as exc:
        raise _figure_error(exc) from exc


def _facts(invoices: Any) -> list[InvoiceFacts]:
    """``InvoiceFacts.of`` for every invoice of the queryset, from one query of plain
    values: of the snapshots (~2 kB per invoice to read and decode) only the language and
    the account, as the database extracts them."""
    facts: list[InvoiceFacts] = []
    draft, credit_note = Invoice.Status.DRAFT, Invoice.Kind.CREDIT_NOTE
    for (
        pk,
        company_id,
        client_id,
        number,
        kind,
        status,
        currency,
        invoice_date,
        due_date,
        total,
        paid,
        credited,
        kid,
        client_kind,
        client_name,
        client_language,
        language,
        account,
        display,
        iban,
    ) in invoices.values_list(
        "pk",
        "company_id",
        "client_id",
        "number",
        "kind",
        "status",
        "currency",
        "invoice_date",
        "due_date",
        "total_incl_vat",
        "paid_amount",
        "credited_amount",
        "kid",
        "client__kind",
        "client__name",
        "client__language",
        KT("buyer_snapshot__language"),
        KT("seller_snapshot__bank_account"),
        KT("seller_snapshot__bank_account_display"),
        KT("seller_snapshot__iban"),
    ):
        facts.append(
            InvoiceFacts(
                pk=pk,
                company_id=company_id,
                client_id=client_id,
                number=number,
                currency=currency,
                invoice_date=invoice_date,
                due_date=due_date,
                total_incl_vat=total,
                paid_amount=paid,
                credited_amount=credited,
                open_balance=(
                    ZERO if status == draft or kind == credit_note else total - paid - credited
                ),
                kid=kid,
                client_is_company=client_kind == Client.Kind.COMPANY,
                client_name=client_name,
                language=language or client_language,
                bank_account=account or "",
                bank_account_display=display or (format_kontonr(account) if account else ""),
                iban=iban or "",
            )
        )
    return facts


def reminders_due(
    *, company: Company, today: datetime.date, settings_row: ReminderSettings | None = None
) -> list[PlannedLetter]:
    """The reminders the daily run would send today.

    Reminder 1: ``reminder1_days`` after the due date, no letter yet. Reminder 2:
    ``reminder2_days`` after the due date, one letter sent, and its deadline passed.
    Disputed invoices and invoices sent to collection get nothing.
    """
    return _reminders_due(company, today, settings_row, limit=None).letters


@dataclass(frozen=True)
class FirstDueReminders:
    """``reminders_due_first``: the first reminders due today, and how many invoices after
    them may get one too (``waiting``: not yet checked against the rules, so at most that
    many more letters); ``held``: the invoices held for a missing figure among those
    checked (``HeldReminders``, by kind of figure)."""

    letters: list[PlannedLetter]
    waiting: int
    held: list[HeldReminders] = field(default_factory=list)


def reminders_due_first(*, company: Company, today: datetime.date, limit: int) -> FirstDueReminders:
    """The first ``limit`` reminders ``reminders_due`` lists (the "send now" page), planned
    only as far as they go: a company that turns reminders on with a backlog (52,000
    overdue invoices of a big company) waited 4.6 s for every one of them to be planned,
    and 11 s for the page that listed them (issue 15)."""
    return _reminders_due(company, today, None, limit=limit)


def _reminders_due(
    company: Company,
    today: datetime.date,
    settings_row: ReminderSettings | None,
    *,
    limit: int | None,
) -> FirstDueReminders:
    """The candidates planned in order, chunk by chunk: all of them (``limit`` None, in
    chunks of ``REMINDER_CHUNK``), or until ``limit`` letters are planned."""
    settings_row = settings_row or selectors.reminder_settings_for(company=company)
    holds = _Holds()
    ids = _reminder_candidates(company, today, settings_row, holds)
    planned: list[PlannedLetter] = []
    checked = 0
    while checked < len(ids) and (limit is None or len(planned) < limit):
        # The rules drop a few candidates (a payment since, a letter today): read a few more.
        size = REMINDER_CHUNK if limit is None else max(limit - len(planned), REMINDER_FIRST_CHUNK)
        chunk = ids[checked : checked + size]
        planned.extend(_plan_reminders(company, today, settings_row, chunk, holds))
        checked += len(chunk)
    held = list(holds.values())
    if limit is None:
        return FirstDueReminders(letters=planned, waiting=0, held=held)
    return FirstDueReminders(
        letters=planned[:limit],
        waiting=len(ids) - checked + max(len(planned) - limit, 0),
        held=held,
    )


def letter_content(plan: PlannedLetter) -> dict[str, Any]:
    """What a letter freezes at sending. The seller and buyer are not copied: they are the
    invoice's snapshots, which never change once issued (``selectors.letter_document``
    adds them for the PDF and e-mail); of them only the language and the account to pay
    to are read (``InvoiceFacts``)."""
    invoice = plan.invoice
    return {
        "kind": plan.kind,
        "sequence": plan.sequence,
        "language": invoice.language,
        "invoice_number": invoice.number,
        "invoice_date": invoice.invoice_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "currency": invoice.currency,
        "amount": str(invoice.total_incl_vat),
        "paid": str(invoice.paid_amount),
        "credited": str(invoice.credited_amount),
        "principal_open": str(plan.principal_open),
        "fee": str(plan.fee),
        "compensation": str(plan.compensation),
        "interest": str(plan.interest.amount),
        "interest_parts": [
            {
                "from": part.start.isoformat(),
                "to": part.end.isoformat(),
                "days": part.days,
                "rate": str(part.rate),
                "principal": str(part.principal),
                "amount": str(part.amount),
            }
            for part in plan.interest.parts
        ],
        "earlier_open": str(plan.earlier_open),
        "total": str(plan.total),
        "sent_on": plan.send_on.isoformat(),
        "deadline": plan.deadline.isoformat(),
        "kid": invoice.kid,
        "bank_account": invoice.bank_account,
        "bank_account_display": invoice.bank_account_display,
        "iban": invoice.iban,
    }


def _save_letters(plans: Sequence[PlannedLetter], actor: Actor) -> list[Letter]:
    """Write the letters and their items in bulk (the caller holds the transaction): plain
    rows (``insert_rows``), no model instance per row until the letters are written."""
    created_at = timezone.now()
    user_id = _user_id(actor)
    pending = Letter.Delivery.PENDING.value
    contents = [letter_content(plan) for plan in plans]
    rows = [
        (
            plan.invoice.company_id,
            plan.invoice.pk,
            str(plan.kind),
            plan.send_on,
            plan.deadline,
            plan.decision.fee,
            content,
            pending,
            created_at,
            user_id,
        )
        for plan, content in zip(plans, contents, strict=True)
    ]
    letter_ids = insert_rows(Letter, _LETTER_COLUMNS, rows, returning=True)
    # The items as plain rows too (250,000 of them in a 100,000-letter run).
    items: list[tuple[Any, ...]] = []
    reminder_fee = ReceivableItem.Kind.REMINDER_FEE.value
    notice_fee = ReceivableItem.Kind.NOTICE_FEE.value
    compensation = ReceivableItem.Kind.COMPENSATION.value
    interest = ReceivableItem.Kind.INTEREST.value
    for plan, content, letter_id in zip(plans, contents, letter_ids, strict=True):
        invoice = plan.invoice
        base = (
            invoice.company_id,
            invoice.pk,
            invoice.client_id,
            plan.send_on,
            invoice.currency,
            letter_id,
        )
        if plan.decision.fee:
            fee_kind = notice_fee if plan.kind == Letter.Kind.COLLECTION_NOTICE else reminder_fee
            items.append((*base, fee_kind, plan.fee, None, None, {"gross": str(plan.gross_fee)}))
        if plan.compensation > 0:
            items.append((*base, compensation, plan.compensation, None, None, {}))
        if plan.interest.parts:
            items.append(
                (
                    *base,
                    interest,
                    plan.interest.amount,
                    plan.interest.parts[0].start,
                    plan.interest.parts[-1].end,
                    {"parts": content["interest_parts"]},
                )
            )
    insert_rows(ReceivableItem, _ITEM_COLUMNS, items)
    # The saved letters as the ORM would load them (positional: the cheap way in).
    alias = router.db_for_write(Letter)
    return [
        Letter.from_db(alias, _LETTER_FIELDS, (letter_id, *row[:8], "", *row[8:]))
        for letter_id, row in zip(letter_ids, rows, strict=True)
    ]


_LETTER_COLUMNS = (
    "company_id",
    "invoice_id",
    "kind",
    "sent_on",
    "deadline",
    "fee_bearing",
    "content",
    "delivery",
    "created_at",
    "created_by_id",
)
#: Letter's columns in model order: ``_save_letters`` adds the id and an empty
#: ``delivery_error`` to a row of ``_LETTER_COLUMNS``.
_LETTER_FIELDS = ["id", *_LETTER_COLUMNS[:8], "delivery_error", *_LETTER_COLUMNS[8:]]
_ITEM_COLUMNS = (
    "company_id",
    "invoice_id",
    "client_id",
    "date",
    "currency",
    "letter_id",
    "kind",
    "amount",
    "interest_from",
    "interest_to",
    "details",
)


def _schedule_delivery(company_id: int, letter_ids: list[int]) -> None:
    if not letter_ids:
        return

    outbox_enqueue(task="receivables.tasks.deliver_letters", args=[company_id, list(letter_ids)])


def letter_send(
    *,
    invoice: Invoice,
    actor: Actor,
    kind: str = Letter.Kind.REMINDER,
    send_on: datetime.date | None = None,
) -> Letter:
    """Send one reminder or inkassovarsel now (a letter the rules allow, with the fee they
    allow); delivered by e-mail after commit when the client has an address."""
    if kind not in Letter.Kind.values:
        raise ValidationError({"kind": _("Ukjent brevtype.")})
    company = invoice.company
    send_on = send_on or timezone.localdate()
    with _atomic_in_scope(company):
        locked = Invoice.objects.select_for_update().select_related("client").get(pk=invoice.pk)
        if locked.is_draft or locked.is_credit_note or locked.open_balance <= 0:
            raise ValidationError(
                _("Det er ingenting å purre på denne fakturaen."), code="not_open"
            )
        if CollectionCase.objects.filter(invoice=locked).exists():
            raise ValidationError(_("Fakturaen er sendt til inkasso."), code="in_collection")
        plan = letter_plan(invoice=locked, kind=kind, send_on=send_on)
        if not plan.decision.may_send:
            messages = {
                "disputed": _("Fakturaen er bestridt: ingen purringer før innsigelsen er avklart."),
                "not_due": _("Fakturaen har ikke forfalt ennå."),
                "short_deadline": _("Fristen må være minst 14 dager."),
            }
            raise ValidationError(
                messages.get(plan.decision.reason, _("Brevet kan ikke sendes.")),
                code=plan.decision.reason,
            )
        (letter,) = _save_letters([plan], actor)
        audit_log(
            action=f"receivables.letter.{kind}",
            actor=actor,
            company=company,
            target=locked,
            data={
                "invoice": locked.number,
                "letter": letter.pk,
                "fee": str(plan.fee),
                "compensation": str(plan.compensation),
                "interest": str(plan.interest.amount),
                "fee_refused": plan.decision.reason,
            },
        )
        _schedule_delivery(company.pk, [letter.pk])
        return letter


def reminders_run(
    *,
    company: Company,
    actor: Actor,
    today: datetime.date | None = None,
    invoice_ids: Iterable[int] | None = None,
) -> list[Letter]:
    """Send every reminder due today (optionally only for ``invoice_ids``), in bulk.

    Chunks of ``REMINDER_CHUNK`` invoices, each in its own transaction: plan, lock, write
    the letters and their items with one INSERT per kind, one audit entry, delivery after
    commit. A run that stops halfway keeps the chunks it finished; the next run (the same
    day or later) sends the rest and never a second letter the same day.
    """
    today = today or timezone.localdate()
    holds = _Holds()
    with scope(company=company):
        settings_row = selectors.reminder_settings_for(company=company)
        ids = _reminder_candidates(company, today, settings_row, holds)
    if invoice_ids is not None:
        wanted = set(invoice_ids)
        ids = [pk for pk in ids if pk in wanted]
    letters: list[Letter] = []
    for start in range(0, len(ids), REMINDER_CHUNK):
        letters.extend(
            _reminders_chunk(
                company, actor, today, settings_row, ids[start : start + REMINDER_CHUNK], holds
            )
        )
    for held in holds.values():
        # The reminders page says the same to the company; this is for the operator.
        logger.warning(
            "reminder run of company %s held %s invoices: no figure %s for %s",
            company.pk,
            held.count,
            held.kind,
            held.on.isoformat(),
        )
    return letters


def _reminders_chunk(
    company: Company,
    actor: Actor,
    today: datetime.date,
    settings_row: ReminderSettings,
    ids: Sequence[int],
    holds: _Holds,
) -> list[Letter]:
    with _atomic_in_scope(company):
        # Lock the invoices (in a stable order) so a concurrent run cannot send twice;
        # then plan from what is committed, skipping invoices that got a letter today.
        list(
            Invoice.objects.select_for_update()
            .filter(pk__in_ids=id_array(ids))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        already = set(
            Letter.objects.filter(invoice_id__in_ids=id_array(ids), sent_on=today).values_list(
                "invoice_id", flat=True
            )
        )
        plans = [
            plan
            for plan in _plan_reminders(company, today, settings_row, ids, holds)
            if plan.invoice.pk not in already
        ]
        if not plans:
            return []
        letters = _save_letters(plans, actor)
        audit_log(
            action="receivables.reminders.run",
            actor=actor,
            company=company,
            data={
                "date": today.isoformat(),
                "letters": len(letters),
                "fees": str(sum((p.fee for p in plans), ZERO)),
                "invoices": [p.invoice.number for p in plans[:1000]],
            },
        )
        _schedule_delivery(company.pk, [letter.pk for letter in letters])
        return letters


def reminders_run_all(*, today: datetime.date | None = None) -> dict[int, int]:
    """The daily job: every company with automatic reminders on. A company whose run fails
    (e.g. today's fee is missing) is logged and skipped; the others still run. Invoices
    held for a missing figure (``HeldReminders``) are logged by ``reminders_run``."""
    from django_scopes import scopes_disabled

    with scopes_disabled():
        companies = list(
            Company.objects.filter(
                pk__in=ReminderSettings.objects.filter(enabled=True).values("company_id")
            )
        )
    result: dict[int, int] = {}
    for company in companies:
        try:
            letters = reminders_run(company=company, actor=Actor.system("reminders"), today=today)
        except ValidationError:
            logger.exception("reminder run failed for company %s", company.pk)
            continue
        result[company.pk] = len(letters)
    return result


def letter_delivered(*, letter: Letter, status: str, error: str = "") -> None:
    with _atomic_in_scope(letter.company):
        Letter.objects.filter(pk=letter.pk).update(delivery=status, delivery_error=error[:500])


# --- collection --------------------------------------------------------------------------


def collection_mark(
    *, invoice: Invoice, actor: Actor, agency_name: str, sent_on: datetime.date
) -> CollectionCase:
    """The claim was handed to a collection agency (after an inkassovarsel's deadline)."""
    agency_name = (agency_name or "").strip()
    if not agency_name:
        raise ValidationError({"agency_name": _("Skriv navnet på inkassobyrået.")})
    company = invoice.company
    with _atomic_in_scope(company):
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.is_draft or locked.is_credit_note or locked.open_balance <= 0:
            raise ValidationError(_("Fakturaen har ingen åpen saldo."), code="not_open")
        if Dispute.objects.filter(invoice=locked, resolved_at__isnull=True).exists():
            raise ValidationError(
                _("Fakturaen er bestridt: den kan ikke sendes til inkasso."), code="disputed"
            )
        if CollectionCase.objects.filter(invoice=locked).exists():
            raise ValidationError(
                _("Fakturaen er allerede sendt til inkasso."), code="in_collection"
            )
        notice = (
            Letter.objects.filter(invoice=locked, kind=Letter.Kind.COLLECTION_NOTICE)
            .order_by("-sent_on")
            .first()
        )
        if notice is None:
            raise ValidationError(
                _("Send et inkassovarsel først (inkassoloven § 9)."), code="no_notice"
            )
        if sent_on <= notice.deadline:
            raise ValidationError(
                {
                    "sent_on": _("Fristen i inkassovarselet løper til %(date)s.")
                    % {"date": notice.deadline.strftime("%d.%m.%Y")}
                }
            )
        case = CollectionCase.objects.create(
            company=company,
            invoice=locked,
            agency_name=agency_name[:200],
            sent_on=sent_on,
            created_by_id=_user_id(actor),
        )
        audit_log(
            action="receivables.invoice.sent_to_collection",
            actor=actor,
            company=company,
            target=locked,
            data={"invoice": locked.number, "agency": agency_name, "sent_on": str(sent_on)},
        )
        return case


# --- payments: principal first, then fees and interest ----------------------------------


@dataclass
class ClaimPayment:
    """Money received for one invoice (``claims_register``'s input)."""

    invoice_id: int
    amount: Decimal
    date: datetime.date
    method: str = Payment.Method.BANK
    reference: str = ""
    bank_transaction: BankTransaction | None = None
    payment: Payment | None = field(default=None, init=False)  # the result


#: Claims per chunk in ``claims_register`` (one query per kind of row and chunk).
CLAIM_CHUNK = 2000


def claims_register(*, company: Company, actor: Actor, claims: Sequence[ClaimPayment]) -> None:
    """Register money received for invoices, in bulk: each amount covers the invoice's
    principal first (through ``invoicing.services.payment_register_many``, never a Payment
    row here), then its open fees/compensation/interest oldest first; a surplus goes to
    the client's credit balance (as an overpayment of the invoice). Several claims of one
    invoice are taken in order. Sets each claim's ``payment`` (None when all of it went to
    the items).

    Money that was received is registered as received: overpayments are confirmed, and
    the caller's own key (a bank transaction's archive reference) keeps a transaction from
    counting twice.
    """
    # The dashboard's month rows are locked once, after every chunk's invoices.
    with _atomic_in_scope(company), invoicing_services.month_summary_batch():
        for start in range(0, len(claims), CLAIM_CHUNK):
            _claims_chunk(company, actor, claims[start : start + CLAIM_CHUNK])


def _claims_chunk(company: Company, actor: Actor, claims: Sequence[ClaimPayment]) -> None:
    ids = sorted({c.invoice_id for c in claims})
    # Lock first (the same order as payment_register_many), then read what is open.
    principal_open = {
        pk: (
            ZERO
            if status == Invoice.Status.DRAFT or kind != Invoice.Kind.INVOICE
            else total - paid - credited
        )
        for pk, status, kind, total, paid, credited in Invoice.objects.select_for_update()
        .filter(company=company, pk__in_ids=ids)
        .order_by("pk")
        .values_list("pk", "status", "kind", "total_incl_vat", "paid_amount", "credited_amount")
    }
    open_items: dict[int, list[ReceivableItem]] = defaultdict(list)
    for item in ReceivableItem.objects.filter(
        invoice_id__in_ids=ids, waived_at__isnull=True
    ).order_by("date", "id"):
        if item.open_amount > 0:
            open_items[item.invoice_id].append(item)
    to_register: list[tuple[ClaimPayment, invoicing_services.PaymentData]] = []
    allocations: list[ItemAllocation] = []
    changed: dict[int, ReceivableItem] = {}
    # (invoice id, {item id: amount}) of each claim that paid reminder items.
    items_paid: list[tuple[int, dict[str, str]]] = []
    for claim in claims:
        items = [i for i in open_items[claim.invoice_id] if i.open_amount > 0]
        to_principal, parts, surplus = rules.allocate_payment(
            amount=claim.amount,
            principal_open=principal_open.get(claim.invoice_id, ZERO),
            items_open=[i.open_amount for i in items],
        )
        if to_principal + surplus > 0 or claim.invoice_id not in principal_open:
            principal_open[claim.invoice_id] = (
                principal_open.get(claim.invoice_id, ZERO) - to_principal
            )
            to_register.append(
                (
                    claim,
                    invoicing_services.PaymentData(
                        invoice_id=claim.invoice_id,
                        amount=to_principal + surplus,
                        date=claim.date,
                        method=claim.method,
                        reference=claim.reference,
                    ),
                )
            )
        paid_items = {}
        for item, part in zip(items, parts, strict=True):
            if part <= 0:
                continue
            item.paid_amount += part
            changed[item.pk] = item
            paid_items[str(item.pk)] = str(part)
            allocations.append(
                ItemAllocation(
                    company=company,
                    item=item,
                    date=claim.date,
                    amount=part,
                    bank_transaction=claim.bank_transaction,
                )
            )
        if paid_items:
            items_paid.append((claim.invoice_id, paid_items))
    if to_register:
        payments = invoicing_services.payment_register_many(
            company=company,
            actor=actor,
            payments=[data for _claim, data in to_register],
            confirm_overpayment=True,
            confirm_duplicate=all(c.bank_transaction is not None for c, _d in to_register),
        )
        for (claim, _data), payment in zip(to_register, payments, strict=True):
            claim.payment = payment
    if allocations:
        bulk_insert(allocations)
        bulk_set(list(changed.values()), ["paid_amount"])
        numbers = dict(Invoice.objects.filter(pk__in_ids=ids).values_list("pk", "number"))
        audit_log_many(
            actor=actor,
            company=company,
            records=[
                AuditRecord(
                    "receivables.items.paid",
                    Invoice(pk=invoice_id),  # without loading it
                    {"invoice": numbers[invoice_id], "items": paid},
                )
                for invoice_id, paid in items_paid
            ],
        )


def claim_payment_register(
    *,
    invoice: Invoice,
    actor: Actor,
    amount: Decimal,
    date: datetime.date,
    method: str = Payment.Method.BANK,
    reference: str = "",
    bank_transaction: BankTransaction | None = None,
) -> Payment | None:
    """``claims_register`` for one amount: principal first, then the open fees,
    compensation and interest, a surplus to the client's credit balance. Returns the
    invoicing Payment (None if everything went to the items)."""
    claim = ClaimPayment(
        invoice_id=invoice.pk,
        amount=amount,
        date=date,
        method=method,
        reference=reference,
        bank_transaction=bank_transaction,
    )
    try:
        claims_register(company=invoice.company, actor=actor, claims=[claim])
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        # One payment: its errors under payment_register's own names.
        raise ValidationError(
            {
                name.removeprefix("payments.0").removeprefix(".") or NON_FIELD_ERRORS: errors
                for name, errors in exc.error_dict.items()
            }
        ) from exc
    return claim.payment


# --- bank files --------------------------------------------------------------------------


@dataclass
class _Target:
    invoice_id: int
    principal_open: Decimal
    items_open: Decimal
    is_open: bool
    currency: str = "NOK"


def _targets_by_kid(company: Company, kids: set[str]) -> dict[str, _Target]:
    """One query per chunk: the issued invoice of each KID (an open one preferred)."""
    found: dict[str, _Target] = {}
    kid_list = sorted(kids)
    for start in range(0, len(kid_list), 5000):
        rows = (
            Invoice.objects.filter(
                company=company, kind=Invoice.Kind.INVOICE, kid__in=kid_list[start : start + 5000]
            )
            .exclude(status=Invoice.Status.DRAFT)
            .values_list(
                "pk",
                "kid",
                "status",
                "total_incl_vat",
                "paid_amount",
                "credited_amount",
                "currency",
            )
        )
        for pk, kid, status, total, paid, credited, currency in rows:
            is_open = status in OPEN_STATUSES
            current = found.get(kid)
            if current is not None and (current.is_open or not is_open):
                continue
            found[kid] = _Target(pk, max(total - paid - credited, ZERO), ZERO, is_open, currency)
    ids = [t.invoice_id for t in found.values()]
    items_open: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for start in range(0, len(ids), 5000):
        for inv_id, amount, paid in ReceivableItem.objects.filter(
            invoice_id__in_ids=ids[start : start + 5000], waived_at__isnull=True
        ).values_list("invoice_id", "amount", "paid_amount"):
            items_open[inv_id] += max(amount - paid, ZERO)
    for target in found.values():
        target.items_open = items_open[target.invoice_id]
    return found


def _classify(tx: ParsedTransaction, targets: dict[str, _Target]) -> tuple[str, _Target | None]:
    if not tx.kid:
        return BankTransaction.Outcome.NO_KID, None
    target = targets.get(tx.kid)
    if target is None:
        return BankTransaction.Outcome.UNKNOWN_KID, None
    if tx.currency != target.currency:
        # A NOK amount paid with the KID of a EUR invoice is not so many euros: the user
        # registers what it settles in the invoice's currency on the invoice's page.
        return BankTransaction.Outcome.OTHER_CURRENCY, target
    owed = target.principal_open + target.items_open
    if not target.is_open and target.items_open <= 0:
        return BankTransaction.Outcome.NOT_OPEN, target
    if tx.amount <= 0:
        return BankTransaction.Outcome.PARTIAL, target
    if tx.amount < target.principal_open:
        return BankTransaction.Outcome.PARTIAL, target
    if tx.amount > owed:
        return BankTransaction.Outcome.OVERPAID, target
    # The principal in full, and none, some or all of the fees and interest.
    return BankTransaction.Outcome.MATCHED, target


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


def bank_file_import(*, company: Company, actor: Actor, file_name: str, data: bytes) -> BankImport:
    """Import a bank file: each new transaction is kept with its outcome. A KID of an open
    invoice with an amount from its open principal up to the principal with all open fees
    and interest is registered as a payment (principal first); less than the principal
    (partial), more than everything owed (overpaid), an unknown KID or none wait in the
    unmatched list for the user.

    Idempotent: a transaction whose archive reference is already known is skipped (the
    unique constraint also settles two imports running at once: the later one waits for
    the first to commit, fails on the constraint and retries, finding them all known).
    """
    try:
        fmt, parsed = parse_bank_file(data)
    except ValueError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    for attempt in range(3):
        try:
            return _import_once(company, actor, file_name, data, fmt, parsed)
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _import_once(
    company: Company,
    actor: Actor,
    file_name: str,
    data: bytes,
    fmt: str,
    parsed: list[ParsedTransaction],
) -> BankImport:
    with _atomic_in_scope(company):
        refs = [tx.archive_reference for tx in parsed]
        known: set[str] = set()
        for start in range(0, len(refs), 5000):
            known.update(
                BankTransaction.objects.filter(
                    company=company, archive_reference__in=refs[start : start + 5000]
                ).values_list("archive_reference", flat=True)
            )
        seen: set[str] = set()
        new: list[ParsedTransaction] = []
        for tx in parsed:
            if tx.archive_reference in known or tx.archive_reference in seen:
                continue
            seen.add(tx.archive_reference)
            new.append(tx)
        targets = _targets_by_kid(company, {tx.kid for tx in new if tx.kid})
        bank_import = BankImport.objects.create(
            company=company,
            file_name=(file_name or "")[:255],
            format=fmt,
            sha256=_sha256(data),
            transaction_count=len(parsed),
            duplicate_count=len(parsed) - len(new),
            created_by_id=_user_id(actor),
        )
        rows: list[BankTransaction] = []
        for tx in new:
            outcome, target = _classify(tx, targets)
            matched = outcome == BankTransaction.Outcome.MATCHED
            if matched and target is not None:
                # A second payment of the same invoice in the file sees what is left.
                paid = min(tx.amount, target.principal_open)
                target.principal_open -= paid
                target.items_open = max(target.items_open - (tx.amount - paid), ZERO)
            rows.append(
                BankTransaction(
                    company=company,
                    bank_import=bank_import,
                    archive_reference=tx.archive_reference,
                    kid=tx.kid,
                    amount=tx.amount,
                    currency=tx.currency,
                    booking_date=tx.booking_date,
                    payer_name=tx.payer_name[:200],
                    payer_account=tx.payer_account[:40],
                    message=tx.message[:500],
                    outcome=outcome,
                    status=(
                        BankTransaction.Status.MATCHED
                        if matched
                        else BankTransaction.Status.UNMATCHED
                    ),
                    invoice_id=target.invoice_id if target is not None else None,
                )
            )
        bulk_insert(rows)
        matched_rows = [r for r in rows if r.status == BankTransaction.Status.MATCHED]
        if matched_rows:
            claims = [
                ClaimPayment(
                    invoice_id=row.invoice_id,
                    amount=row.amount,
                    date=row.booking_date,
                    method=Payment.Method.KID,
                    reference=row.archive_reference,
                    bank_transaction=row,
                )
                for row in matched_rows
                if row.invoice_id is not None  # a matched row always has its invoice
            ]
            claims_register(company=company, actor=actor, claims=claims)
            for row, claim in zip(matched_rows, claims, strict=True):
                row.payment = claim.payment
            bulk_set(matched_rows, ["payment"])
        bank_import.matched_count = len(matched_rows)
        bank_import.unmatched_count = len(rows) - len(matched_rows)
        bank_import.save(update_fields=["matched_count", "unmatched_count"])
        audit_log(
            action="receivables.bank_file.imported",
            actor=actor,
            company=company,
            target=bank_import,
            data={
                "file": bank_import.file_name,
                "format": fmt,
                "transactions": len(parsed),
                "matched": bank_import.matched_count,
                "unmatched": bank_import.unmatched_count,
                "already_imported": bank_import.duplicate_count,
            },
        )
        return bank_import


def _lock_unmatched(transaction_row: BankTransaction) -> BankTransaction:
    locked = BankTransaction.objects.select_for_update().get(pk=transaction_row.pk)
    if locked.status != BankTransaction.Status.UNMATCHED:
        raise ValidationError(_("Transaksjonen er allerede avstemt."), code="already_resolved")
    return locked


def bank_transaction_assign(
    *, transaction_row: BankTransaction, actor: Actor, invoice: Invoice
) -> BankTransaction:
    """Register an unmatched bank transaction as a payment of ``invoice`` (principal first,
    then its fees and interest; a surplus to the client's credit balance)."""
    company = transaction_row.company
    with _atomic_in_scope(company):
        locked = _lock_unmatched(transaction_row)
        if invoice.company_id != company.pk or invoice.is_draft or invoice.is_credit_note:
            raise ValidationError({"invoice": _("Velg en utstedt faktura.")})
        if locked.amount <= 0:
            raise ValidationError(_("Beløpet må være større enn 0."), code="not_positive")
        if locked.currency != invoice.currency:
            raise ValidationError(
                {
                    "invoice": _(
                        "Beløpet er i %(bank)s, fakturaen i %(invoice)s. Registrer det fakturaen "
                        "er betalt med i %(invoice)s på fakturaen, og hold dette beløpet utenfor."
                    )
                    % {"bank": locked.currency, "invoice": invoice.currency}
                },
                code="other_currency",
            )
        locked.payment = claim_payment_register(
            invoice=invoice,
            actor=actor,
            amount=locked.amount,
            date=locked.booking_date,
            method=Payment.Method.KID if locked.kid else Payment.Method.BANK,
            reference=locked.archive_reference,
            bank_transaction=locked,
        )
        locked.invoice = invoice
        locked.status = BankTransaction.Status.ASSIGNED
        locked.resolved_at = timezone.now()
        locked.resolved_by_id = _user_id(actor)
        locked.save()
        audit_log(
            action="receivables.bank_transaction.assigned",
            actor=actor,
            company=company,
            target=locked,
            data={"invoice": invoice.number, "amount": str(locked.amount)},
        )
        return locked


def bank_transaction_set_aside(
    *, transaction_row: BankTransaction, actor: Actor, reason: str, note: str = ""
) -> BankTransaction:
    """Take an unmatched amount out of the queue without booking it: the money was paid
    back to the payer, or it was not a customer's payment (a transfer, a refund from a
    supplier). Nothing is registered on any invoice or client; the line is kept with the
    reason and note, and can be reopened."""
    if reason not in BankTransaction.SetAsideReason.values:
        raise ValidationError({"reason": _("Velg hvorfor beløpet holdes utenfor.")})
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": _("Merknaden kan være høyst 500 tegn.")})
    company = transaction_row.company
    with _atomic_in_scope(company):
        locked = _lock_unmatched(transaction_row)
        locked.status = BankTransaction.Status.SET_ASIDE
        locked.set_aside_reason = reason
        locked.note = note
        locked.resolved_at = timezone.now()
        locked.resolved_by_id = _user_id(actor)
        locked.save()
        audit_log(
            action="receivables.bank_transaction.set_aside",
            actor=actor,
            company=company,
            target=locked,
            data={
                "reference": locked.archive_reference,
                "amount": str(locked.amount),
                "reason": reason,
                "note": note,
            },
        )
        return locked


def bank_transaction_reopen(*, transaction_row: BankTransaction, actor: Actor) -> BankTransaction:
    """Put a line that was set aside back in the unmatched queue."""
    company = transaction_row.company
    with _atomic_in_scope(company):
        locked = BankTransaction.objects.select_for_update().get(pk=transaction_row.pk)
        if locked.status != BankTransaction.Status.SET_ASIDE:
            raise ValidationError(
                _("Bare innbetalinger som er holdt utenfor kan gjenåpnes."), code="not_set_aside"
            )
        before = {"reason": locked.set_aside_reason, "note": locked.note}
        locked.status = BankTransaction.Status.UNMATCHED
        locked.set_aside_reason = ""
        locked.note = ""
        locked.resolved_at = None
        locked.resolved_by_id = None
        locked.save()
        audit_log(
            action="receivables.bank_transaction.reopened",
            actor=actor,
            company=company,
            target=locked,
            data={"reference": locked.archive_reference, "before": before},
        )
        return locked
