"""The only code that changes recurring invoice templates and makes their invoices.

Overview::

    recurring_create(company=, actor=, data=, lines=)    -> RecurringInvoice
    recurring_update(template=, actor=, data=, lines=)   -> RecurringInvoice (lines replaced)
    recurring_set_active(template=, actor=, active=)     -> RecurringInvoice
    recurring_generate(template=, actor=, today=)        -> list[RecurringRun] (new runs)
    recurring_run_retry(run=, actor=, today=)            -> RecurringRun
    recurring_run_due(today=)                            -> RunSummary (the daily job)

Invoices are made with ``invoicing.services.invoice_create_draft``, issued together with
``invoice_issue_many`` (set-based: the daily job issues a company's due periods in chunks
of ``ISSUE_CHUNK_SIZE`` per transaction) and sent with
``delivery.services.delivery_request`` (the client's channel): this module never writes an
invoice row itself.

Why a period never makes two invoices: ``recurring_generate`` locks the template row
(``select_for_update``) and reads ``next_sequence`` after the lock, so a second worker
waits and then finds nothing to do; the ``RecurringRun`` unique constraint on (template,
period start) is the backstop (a losing insert is an ``IntegrityError``, and that
transaction makes nothing).

A period whose invoice can't be made (a VAT code without a rate on the date, the seller
missing its bank account, ...) keeps its run row with status ``failed`` and the message;
the daily job retries it (up to ``AUTO_RETRIES`` attempts), the user sees it on the
template's page and can retry it there at any time.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from accounts.models import Company
from core.audit import Actor, audit_log
from core.models import AuditEntry
from core.records import dataclass_of
from customers.models import Client
from delivery.services import delivery_request
from invoicing.services import (
    InvoiceHeader,
    LineData,
    invoice_create_draft,
    invoice_issue_many,
    lines_data_of,
    lines_validate,
)
from recurring import periods
from recurring.models import (
    MAX_INTERVAL_MONTHS,
    RecurringInvoice,
    RecurringInvoiceLine,
    RecurringRun,
)

logger = logging.getLogger(__name__)

SYSTEM = Actor.system("recurring")
AUTO_RETRIES = 5  # attempts the daily job makes for a failed period; users may retry more
MAX_LINES = 100


@dataclass(frozen=True)
class TemplateData:
    """The template's fields except its lines."""

    name: str
    client: Client
    start_date: datetime.date
    interval_months: int = 1
    end_date: datetime.date | None = None
    max_count: int | None = None
    mode: str = RecurringInvoice.Mode.ISSUE
    send_automatically: bool = False
    our_reference: str = ""
    free_text: str = ""


@dataclass
class RunSummary:
    created: int = 0
    failed: int = 0
    retried: int = 0
    errors: list[str] = field(default_factory=list)


@contextmanager
def _atomic_in_scope(company: Company) -> Iterator[None]:
    with scope(company=company), transaction.atomic():
        yield


def _user_id(actor: Actor) -> int | None:
    return actor.id if actor.kind == AuditEntry.ActorKind.USER else None


def _validate(company: Company, data: TemplateData, lines: Sequence[LineData]) -> list[Any]:
    """The template's problems as one ValidationError; else the lines, checked by the invoice
    line rules (unsaved ``InvoiceLine`` objects with the product's values filled in)."""
    errors: dict[str, Any] = {}
    if data.client.company_id != company.pk:
        errors["client"] = _("Finnes ikke.")
    if not data.name.strip():
        errors["name"] = _("Gi malen et navn.")
    if not 1 <= data.interval_months <= MAX_INTERVAL_MONTHS:
        errors["interval_months"] = _("Intervallet må være mellom 1 og %(max)s måneder.") % {
            "max": MAX_INTERVAL_MONTHS
        }
    if data.end_date is not None and data.end_date < data.start_date:
        errors["end_date"] = _("Sluttdatoen kan ikke være før startdatoen.")
    if data.max_count is not None and data.max_count < 1:
        errors["max_count"] = _("Antallet må være minst 1.")
    if data.mode not in RecurringInvoice.Mode.values:
        errors["mode"] = _("Ukjent valg.")
    if data.send_automatically and data.mode != RecurringInvoice.Mode.ISSUE:
        errors["send_automatically"] = _("Bare utstedte fakturaer kan sendes automatisk.")
    built: list[Any] = []
    if not lines:
        errors["lines"] = [_("Malen trenger minst én linje.")]
    elif len(lines) > MAX_LINES:
        errors["lines"] = [_("Høyst %(max)s linjer.") % {"max": MAX_LINES}]
    else:
        try:  # the invoice line rules, so every period's invoice can be made from them
            built = lines_validate(company=company, lines=lines)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return built


def _save_lines(template: RecurringInvoice, built: Sequence[Any]) -> None:
    template.lines.all().delete()
    RecurringInvoiceLine.objects.bulk_create(
        RecurringInvoiceLine(
            company=template.company,
            template=template,
            position=line.position,
            product=line.product,
            description=line.description or (line.product.name if line.product else ""),
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            vat_code=line.vat_code,
        )
        for line in built
    )


def _schedule_next(template: RecurringInvoice) -> None:
    """``next_period_start`` of ``next_sequence``, or None when the template has ended."""
    first_day = periods.period_start(
        template.start_date, template.interval_months, template.next_sequence
    )
    within = periods.is_within(
        sequence=template.next_sequence,
        first_day=first_day,
        end_date=template.end_date,
        max_count=template.max_count,
    )
    template.next_period_start = first_day if within else None


def _apply(template: RecurringInvoice, data: TemplateData) -> None:
    template.name = data.name.strip()
    template.client = data.client
    template.interval_months = data.interval_months
    template.start_date = data.start_date
    template.end_date = data.end_date
    template.max_count = data.max_count
    template.mode = data.mode
    template.send_automatically = data.send_automatically
    template.our_reference = data.our_reference.strip()
    template.free_text = data.free_text.strip()


def recurring_create(
    *, company: Company, actor: Actor, data: TemplateData, lines: Sequence[LineData]
) -> RecurringInvoice:
    """A new template; its first period starts on ``data.start_date``."""
    with _atomic_in_scope(company):
        built = _validate(company, data, lines)
        template = RecurringInvoice(company=company, created_by_id=_user_id(actor))
        _apply(template, data)
        _schedule_next(template)
        template.save()
        _save_lines(template, built)
        audit_log(
            action="recurring.template.created",
            actor=actor,
            company=company,
            target=template,
            data={"client": data.client.number, "interval_months": data.interval_months},
        )
        return template


def recurring_update(
    *, template: RecurringInvoice, actor: Actor, data: TemplateData, lines: Sequence[LineData]
) -> RecurringInvoice:
    """Change a template; periods already made keep their invoices.

    Once a period has been made, the start date and interval are fixed (they define the
    periods); the end, count, lines and everything else may change.
    """
    company = template.company
    with _atomic_in_scope(company):
        locked = RecurringInvoice.objects.select_for_update().get(pk=template.pk)
        built = _validate(company, data, lines)
        if locked.next_sequence and (
            data.start_date != locked.start_date or data.interval_months != locked.interval_months
        ):
            raise ValidationError(
                {
                    "start_date": _(
                        "Startdato og intervall kan ikke endres etter at den første fakturaen "
                        "er laget. Avslutt malen og lag en ny."
                    )
                },
                code="periods_fixed",
            )
        _apply(locked, data)
        _schedule_next(locked)
        locked.save()
        _save_lines(locked, built)
        audit_log(
            action="recurring.template.updated",
            actor=actor,
            company=company,
            target=locked,
            data={"client": data.client.number, "lines": len(lines)},
        )
        return locked


def recurring_set_active(
    *, template: RecurringInvoice, actor: Actor, active: bool
) -> RecurringInvoice:
    """Pause or resume a template. A resumed template catches up on the periods it missed."""
    company = template.company
    with _atomic_in_scope(company):
        locked = RecurringInvoice.objects.select_for_update().get(pk=template.pk)
        if locked.is_active != active:
            locked.is_active = active
            locked.save(update_fields=["is_active", "updated_at"])
            audit_log(
                action="recurring.template.resumed" if active else "recurring.template.paused",
                actor=actor,
                company=company,
                target=locked,
                data={},
            )
        return locked


# --- Making the invoices ------------------------------------------------------------------


def recurring_data_of(template: RecurringInvoice) -> TemplateData:
    """The template's current fields (a partial update starts from them)."""
    return dataclass_of(TemplateData, template)


def recurring_lines_of(template: RecurringInvoice) -> list[LineData]:
    """The template's lines as ``LineData`` (what each invoice gets; an update keeps them)."""
    return lines_data_of(template.lines.all())


def _draft(run: RecurringRun, template: RecurringInvoice, actor: Actor, today: datetime.date):
    invoice_date = max(today, run.period_start)
    return invoice_create_draft(
        company=template.company,
        actor=actor,
        header=InvoiceHeader(
            client=template.client,
            invoice_date=invoice_date,
            delivery_period_start=run.period_start,
            delivery_period_end=run.period_end,
            # Invoiced at the start of the period it covers: a prepayment invoice
            # (the issue rules refuse a delivery after the invoice date otherwise).
            is_prepayment=run.period_end > invoice_date,
            our_reference=template.our_reference,
            free_text=template.free_text,
        ),
        lines=recurring_lines_of(template),
    )


def _attempt_all(
    company: Company,
    attempts: Sequence[tuple[RecurringRun, RecurringInvoice]],
    actor: Actor,
    today: datetime.date,
) -> None:
    """Make each run's invoice and record the outcome on the run rows (saved by the caller).

    The drafts are made one by one and issued together (``invoice_issue_many``: one
    transaction and one query per kind of row for up to ``ISSUE_CHUNK_SIZE`` of them, in
    period order). A period whose draft or issue is refused leaves nothing behind: when an
    issue is refused, every draft of this call is rolled back (savepoint) and the others
    are made again without it, so its draft and draft entry vanish as with a one-by-one
    issue, and no number is used.
    """
    if not attempts:
        return
    now = timezone.now()
    for run, _template in attempts:
        run.attempts += 1
        run.last_attempt_at = now
    errors: dict[int, ValidationError] = {}
    invoices: dict[int, Any] = {}
    while True:
        invoices = {}
        savepoint = transaction.savepoint()
        for index, (run, template) in enumerate(attempts):
            if index in errors:
                continue
            try:
                with transaction.atomic():
                    invoices[index] = _draft(run, template, actor, today)
            except ValidationError as exc:
                errors[index] = exc
        to_issue = [
            index for index in invoices if attempts[index][1].mode == RecurringInvoice.Mode.ISSUE
        ]
        if not to_issue:
            break
        result = invoice_issue_many(
            company=company, invoice_ids=[invoices[index].pk for index in to_issue], actor=actor
        )
        refused = {
            index: result.failed[invoices[index].pk]
            for index in to_issue
            if invoices[index].pk in result.failed
        }
        if not refused:
            issued = {invoice.pk: invoice for invoice in result.issued}
            for index in to_issue:
                invoices[index] = issued[invoices[index].pk]
            break
        errors.update(refused)
        transaction.savepoint_rollback(savepoint)
    transaction.savepoint_commit(savepoint)
    for index, (run, template) in enumerate(attempts):
        if index in errors:
            _record_failure(run, template, actor, errors[index])
        else:
            _record_invoice(run, template, actor, invoices[index])


def _record_failure(
    run: RecurringRun, template: RecurringInvoice, actor: Actor, exc: ValidationError
) -> None:
    run.status = RecurringRun.Status.FAILED
    run.error = " ".join(exc.messages)
    run.invoice = None
    audit_log(
        action="recurring.run.failed",
        actor=actor,
        company=template.company,
        target=run,
        data={
            "template": template.pk,
            "period_start": str(run.period_start),
            "error": run.error,
        },
    )


def _record_invoice(run: RecurringRun, template: RecurringInvoice, actor: Actor, invoice) -> None:
    run.invoice = invoice
    run.error = ""
    run.status = (
        RecurringRun.Status.ISSUED
        if template.mode == RecurringInvoice.Mode.ISSUE
        else RecurringRun.Status.DRAFT
    )
    if template.send_automatically and run.status == RecurringRun.Status.ISSUED:
        try:
            with transaction.atomic():
                delivery_request(
                    invoice=invoice, channel=template.client.delivery_channel, actor=actor
                )
        except ValidationError as exc:
            run.send_error = " ".join(exc.messages)
    audit_log(
        action="recurring.run.created",
        actor=actor,
        company=template.company,
        target=run,
        data={
            "template": template.pk,
            "period_start": str(run.period_start),
            "invoice": invoice.pk,
            "number": invoice.number,
            "send_error": run.send_error,
        },
    )


def _due_runs(template: RecurringInvoice, today: datetime.date) -> list[RecurringRun]:
    """Lock ``template`` and write a run row for every period started by ``today`` (the
    unique constraint: a period that exists raises ``IntegrityError``); advances it."""
    locked = (
        RecurringInvoice.objects.select_for_update()
        .select_related("client", "company")
        .get(pk=template.pk)
    )
    runs: list[RecurringRun] = []
    while (
        locked.is_active
        and locked.next_period_start is not None
        and locked.next_period_start <= today
    ):
        first_day, last_day = periods.period(
            locked.start_date, locked.interval_months, locked.next_sequence
        )
        run = RecurringRun(
            company=locked.company,
            template=locked,
            sequence=locked.next_sequence,
            period_start=first_day,
            period_end=last_day,
            status=RecurringRun.Status.FAILED,
        )
        with transaction.atomic():
            run.save()
        runs.append(run)
        locked.next_sequence += 1
        _schedule_next(locked)
    locked.save(update_fields=["next_sequence", "next_period_start", "updated_at"])
    return runs


def recurring_generate(
    *, template: RecurringInvoice, actor: Actor = SYSTEM, today: datetime.date | None = None
) -> list[RecurringRun]:
    """Make the invoices of every period of ``template`` that has started by ``today``.

    Periods are made in order, each once: one run row per period, with its invoice or its
    error. A paused or finished template makes nothing.
    """
    today = today or timezone.localdate()
    company = template.company
    with _atomic_in_scope(company):
        runs = _due_runs(template, today)
        _attempt_all(company, [(run, run.template) for run in runs], actor, today)
        for run in runs:
            run.save()
    return runs


def recurring_run_retry(
    *, run: RecurringRun, actor: Actor, today: datetime.date | None = None
) -> RecurringRun:
    """Try a failed period again (after the user fixed the cause, or by the daily job)."""
    today = today or timezone.localdate()
    company = run.company
    with _atomic_in_scope(company):
        locked = RecurringRun.objects.select_for_update().get(pk=run.pk)
        if locked.status != RecurringRun.Status.FAILED:
            raise ValidationError(_("Denne perioden er allerede fakturert."), code="not_failed")
        template = RecurringInvoice.objects.select_related("client", "company").get(
            pk=locked.template_id
        )
        _attempt_all(company, [(locked, template)], actor, today)
        locked.save()
        return locked


def _generate_for_company(
    templates: list[RecurringInvoice], today: datetime.date
) -> list[tuple[RecurringInvoice, list[RecurringRun]]]:
    """The due periods of one company's templates in one transaction, their invoices
    issued together (set-based). A template another worker is generating at the same time
    (``IntegrityError`` on its run row) is left to that worker; the others go on."""
    company = templates[0].company
    made: list[tuple[RecurringInvoice, list[RecurringRun]]] = []
    with _atomic_in_scope(company):
        for template in templates:
            try:
                with transaction.atomic():
                    runs = _due_runs(template, today)
            except IntegrityError:
                logger.info("Recurring template %s was generated by another worker", template.pk)
                continue
            made.append((template, runs))
        attempts = [(run, run.template) for _template, runs in made for run in runs]
        _attempt_all(company, attempts, SYSTEM, today)
        for run, _template in attempts:
            run.save()
    return made


def recurring_run_due(*, today: datetime.date | None = None) -> RunSummary:
    """The daily job: every active template with a period due, then the failed periods.

    Each company is its own transaction (its invoices issued together), so one company's
    problem never stops the others.
    """
    today = today or timezone.localdate()
    summary = RunSummary()
    with scopes_disabled():
        due = list(
            RecurringInvoice.objects.filter(is_active=True, next_period_start__lte=today)
            .select_related("company")
            .order_by("pk")
        )
        failed = list(
            RecurringRun.objects.filter(
                status=RecurringRun.Status.FAILED,
                attempts__lt=AUTO_RETRIES,
                template__is_active=True,
            )
            .select_related("company")
            .order_by("pk")
        )
    retry_ids = {run.pk for run in failed}
    by_company: dict[int, list[RecurringInvoice]] = {}
    for template in due:
        by_company.setdefault(template.company_id, []).append(template)
    for templates in by_company.values():
        for template, runs in _generate_for_company(templates, today):
            for run in runs:
                retry_ids.discard(run.pk)
                if run.status == RecurringRun.Status.FAILED:
                    summary.failed += 1
                    summary.errors.append(f"{template.pk}: {run.error}")
                else:
                    summary.created += 1
    for run in failed:
        if run.pk not in retry_ids:
            continue
        try:
            retried = recurring_run_retry(run=run, actor=SYSTEM, today=today)
        except ValidationError:
            continue  # fixed meanwhile (by a user's retry)
        summary.retried += 1
        if retried.status == RecurringRun.Status.FAILED:
            summary.failed += 1
            summary.errors.append(f"{run.template_id}: {retried.error}")
    return summary
