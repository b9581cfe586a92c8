"""Sending issued invoices and credit notes: requests, attempts, retries and batches.

Life cycle of a delivery request (one user decision to send one document by one channel)::

    delivery_request / delivery_resend / batch_create
        -> Delivery attempt 1 (queued); a Huey task is enqueued after commit
    tasks.send_delivery -> delivery_execute:
        delivery_claim: conditional UPDATE queued -> sending (one winner, ever)
        transmit (SMTP or the Peppol access point), outside any transaction
        delivery_succeeded: attempt -> sent, invoice_mark_sent, audit   (one transaction)
        delivery_failed:    attempt -> failed, audit; a temporary failure creates attempt
                            n+1 (queued, due after 1, 2, 4, 8, 16 minutes) and schedules it
    tasks.requeue_deliveries (every minute): re-enqueues queued attempts whose task was
        lost, and resumes attempts stuck in "sending" (their worker died): they are
        queued again and sent with the same Message-ID

Why a retried task never sends the same request twice:

- the claim is one conditional ``UPDATE ... SET status='sending' WHERE id=%s AND
  status='queued'``: of any number of workers running the task for one attempt, exactly
  one updates the row (PostgreSQL re-checks the condition after waiting for the row
  lock; SQLite serialises writers), the others see 0 rows and do nothing;
- a request has at most one attempt that is queued, sending or sent (a partial unique
  constraint), so a new attempt exists only after the previous one failed, and no
  attempt can be queued once one is sent;
- a finished attempt is never claimed again; re-sending is a new request by a user;
- the claim's time (``started_at``) is its token: recording the outcome is conditional
  on it, so a worker whose claim was taken over (below) records nothing.

The remaining at-least-once window: the transmission and the commit of its result are
two steps. If the worker dies (or the database is unreachable) after the SMTP server
accepted the message (or the access point returned its receipt) but before
``delivery_succeeded`` commits, the attempt stays in "sending". It is minimised by

- committing the result in a short transaction straight after the transmission, with
  nothing else in between (documents are read before the claim);
- resuming such an attempt once ``STALE_SENDING`` has passed since its claim (the
  worker was killed or lost the database): the sweep puts it back to "queued" with a
  conditional UPDATE on the old claim, audits ``delivery.resumed``, and the attempt is
  sent again — at least once, never lost as "outcome unknown" that nobody retries;
- the stable Message-ID of the request (``<request-uuid@domain>``, the same in every
  attempt and every resumption), so a receiving mail system recognises the repeat in the
  one case it can happen: the peer accepted the message and the worker died before
  recording it. A peer that never sent its final 250 (the worker died during the
  transmission) discards the message, and the resumed attempt delivers it once.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope, scopes_disabled

from accounts.models import Company
from core.audit import Actor, audit_log
from core.outbox import outbox_enqueue
from core.texts import text_placeholders_check
from delivery import files
from delivery.models import (
    ACTIVE_STATUSES,
    Batch,
    BatchItem,
    Channel,
    Delivery,
    EmailTexts,
    Status,
)
from delivery.peppol import TransportError, configured_transport
from delivery.texts import FIELDS as TEXT_FIELDS
from delivery.texts import KINDS, EmailKind
from delivery.texts import defaults as texts_defaults
from documents.ehf import EhfNotPossible
from invoicing.models import Invoice
from invoicing.services import invoice_mark_sent

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
RETRY_BASE_SECONDS = 60  # 1, 2, 4, 8, 16 minutes between attempts
STALE_SENDING = datetime.timedelta(minutes=15)
REQUEUE_AFTER = datetime.timedelta(minutes=5)
# After a permanent failure the same recipients are not tried again this long.
PERMANENT_FAILURE_COOLDOWN = datetime.timedelta(minutes=30)
SYSTEM = Actor.system("delivery")


def batch_max() -> int:
    """The most invoices one send batch takes: ``SEND_BATCH_MAX``, and never fewer than a
    user may issue at once (``ISSUE_SELECTED_MAX``): the issue result offers to send all
    the invoices just issued in one batch, so the two limits are one rule, here."""
    return max(settings.SEND_BATCH_MAX, settings.ISSUE_SELECTED_MAX)


def retry_delay(attempt: int) -> int:
    """Seconds before attempt ``attempt + 1`` after attempt ``attempt`` failed."""
    return RETRY_BASE_SECONDS * 2 ** (attempt - 1)


@contextmanager
def _atomic_in_scope(company: Company) -> Iterator[None]:
    with scope(company=company), transaction.atomic():
        yield


def _enqueue_after_commit(delivery: Delivery, *, delay: int = 0) -> None:

    outbox_enqueue(
        task="delivery.tasks.send_delivery", args=[delivery.company_id, delivery.pk], delay=delay
    )


def _actor_user_id(actor: Actor) -> int | None:
    return actor.id if actor.kind == "user" else None


# --- Requests --------------------------------------------------------------------------------


def _recipients(invoice: Invoice, channel: str) -> str:
    """Who receives ``invoice`` by ``channel``; ValidationError if it can't be sent so."""
    if channel == Channel.EMAIL:
        emails = invoice.client.invoice_email_list
        if not emails:
            raise ValidationError(
                _("Kunden har ingen e-postadresse for faktura. Legg den inn på kunden først."),
                code="no_email",
            )
        return ", ".join(emails)
    if channel == Channel.EHF:
        if configured_transport() is None:
            raise ValidationError(
                _(
                    "Ingen Peppol-aksesspunkt er satt opp, så EHF-filen kan IKKE overføres. "
                    "Last ned EHF-filen og send den på annen måte."
                ),
                code="no_transport",
            )
        try:
            return files.ehf_receiver(invoice)
        except EhfNotPossible as exc:
            raise ValidationError(
                _("Kunden har ingen Peppol-adresse, så fakturaen kan ikke sendes som EHF."),
                code="no_peppol_address",
            ) from exc
    return ""


def _check_sendable(invoice: Invoice, channel: str) -> None:
    if invoice.is_draft:
        raise ValidationError(_("Et utkast kan ikke sendes; utsted det først."), code="draft")
    if channel not in Channel.values:
        raise ValidationError(_("Ukjent utsendelseskanal."), code="channel")
    if Delivery.objects.filter(invoice=invoice, status__in=ACTIVE_STATUSES).exists():
        raise ValidationError(
            _("Fakturaen er allerede i kø for utsendelse."), code="already_queued"
        )


def _check_permanent_cooldown(invoice: Invoice, channel: str, recipients: str) -> None:
    """A permanent failure (rejected address, bad header, 5xx) is not retried for a while.

    Sending the same invoice by the same channel to the same recipients again within
    ``PERMANENT_FAILURE_COOLDOWN`` would only be rejected again (and can get our sending
    address blocked); correcting the address is allowed at once.
    """
    since = timezone.now() - PERMANENT_FAILURE_COOLDOWN
    failed = (
        Delivery.objects.filter(
            invoice=invoice,
            channel=channel,
            status=Status.FAILED,
            permanent=True,
            recipients=recipients,
            finished_at__gte=since,
        )
        .order_by("-finished_at")
        .first()
    )
    if failed is None:
        return
    assert failed.finished_at is not None  # selected by finished_at__gte
    retry_at = timezone.localtime(failed.finished_at + PERMANENT_FAILURE_COOLDOWN)
    raise ValidationError(
        _(
            "Forrige sending til %(recipients)s ble avvist permanent (%(error)s). Rett "
            "adressen på kunden, eller prøv igjen etter kl. %(time)s."
        ),
        code="permanent_cooldown",
        params={
            "recipients": recipients or "-",
            "error": failed.error[:200],
            "time": retry_at.strftime("%H:%M"),
        },
    )


def _new_request(
    *,
    invoice: Invoice,
    channel: str,
    actor: Actor,
    attach_ehf: bool,
    batch_item: BatchItem | None = None,
) -> Delivery:
    """The first attempt of a new request; the caller holds the transaction and scope."""
    _check_sendable(invoice, channel)
    recipients = _recipients(invoice, channel)
    if channel != Channel.MANUAL:
        _check_permanent_cooldown(invoice, channel, recipients)
    now = timezone.now()
    delivery = Delivery.objects.create(
        company=invoice.company,
        invoice=invoice,
        channel=channel,
        request_id=uuid.uuid4(),
        attempt=1,
        due_at=now,
        recipients=recipients,
        attach_ehf=attach_ehf and channel == Channel.EMAIL,
        requested_by_id=_actor_user_id(actor),
        batch_item=batch_item,
    )
    if channel == Channel.MANUAL:
        # Nothing to transmit: the user prints or forwards the PDF and says so here.
        delivery.status = Status.SENT
        delivery.started_at = delivery.finished_at = now
        delivery.save(update_fields=["status", "started_at", "finished_at"])
        invoice_mark_sent(invoice=invoice, actor=actor)
        audit_log(
            action="delivery.sent",
            actor=actor,
            company=invoice.company,
            target=delivery,
            data={"invoice": invoice.number, "channel": channel, "attempt": 1},
        )
        return delivery
    audit_log(
        action="delivery.requested",
        actor=actor,
        company=invoice.company,
        target=delivery,
        data={
            "invoice": invoice.number,
            "channel": channel,
            "request": str(delivery.request_id),
            "batch": batch_item.batch_id if batch_item else None,
        },
    )
    delivery.enqueued_at = now
    delivery.save(update_fields=["enqueued_at"])
    _enqueue_after_commit(delivery)
    return delivery


def delivery_request(
    *, invoice: Invoice, channel: str, actor: Actor, attach_ehf: bool = False
) -> Delivery:
    """Send an issued invoice or credit note by ``channel`` (after commit, by a task).

    E-mail goes to the client's invoice addresses with the stored PDF (and the EHF file
    when ``attach_ehf``); EHF goes through the configured Peppol access point; manual
    records that the user delivers it himself and marks the invoice sent at once.
    """
    company = invoice.company
    with _atomic_in_scope(company):
        # One request at a time per invoice: a double click must not queue two.
        locked = Invoice.objects.select_for_update().select_related("client").get(pk=invoice.pk)
        return _new_request(invoice=locked, channel=channel, actor=actor, attach_ehf=attach_ehf)


def delivery_resend(
    *, delivery: Delivery, actor: Actor, attach_ehf: bool | None = None
) -> Delivery:
    """A new request for the same invoice and channel as ``delivery`` (an explicit re-send)."""
    return delivery_request(
        invoice=delivery.invoice,
        channel=delivery.channel,
        actor=actor,
        attach_ehf=delivery.attach_ehf if attach_ehf is None else attach_ehf,
    )


# --- Executing an attempt ------------------------------------------------------------------


def delivery_claim(*, delivery_id: int) -> Delivery | None:
    """Take the attempt for transmission: queued -> sending, or None if someone else has it."""
    now = timezone.now()
    with transaction.atomic():
        claimed = Delivery.objects.filter(pk=delivery_id, status=Status.QUEUED).update(
            status=Status.SENDING, started_at=now
        )
    if not claimed:
        return None
    return Delivery.objects.select_related(
        "invoice", "invoice__company", "invoice__client", "requested_by"
    ).get(pk=delivery_id)


def _actor_for(delivery: Delivery) -> Actor:
    return Actor.user(delivery.requested_by) if delivery.requested_by else SYSTEM


def delivery_execute(*, delivery_id: int) -> Delivery | None:
    """Claim and transmit one attempt; record the outcome. Safe to run any number of times."""
    queued = (
        Delivery.objects.select_related("invoice", "invoice__company")
        .filter(pk=delivery_id, status=Status.QUEUED)
        .first()
    )
    if queued is None:
        return None
    # Read (and if need be archive, once) what is to be sent before claiming, so that
    # nothing but the transmission lies between the claim and the recorded outcome.
    try:
        payload = files.payload_for(queued)
        problem = ""
    except Exception as exc:  # a document that cannot be produced: the attempt fails
        logger.exception("Delivery %s: documents not available", delivery_id)
        payload, problem = None, _("Dokumentet kunne ikke lages: %s") % exc
    delivery = delivery_claim(delivery_id=delivery_id)
    if delivery is None:
        return None
    if payload is None:
        return delivery_failed(delivery=delivery, error=problem, permanent=True)
    try:
        message_id = files.transmit(delivery, payload)
    except TransportError as exc:
        return delivery_failed(delivery=delivery, error=str(exc), permanent=exc.permanent)
    except Exception as exc:  # never leave the attempt in "sending" for a bug
        logger.exception("Delivery %s failed unexpectedly", delivery_id)
        return delivery_failed(delivery=delivery, error=repr(exc)[:1000], permanent=False)
    return delivery_succeeded(delivery=delivery, message_id=message_id)


def delivery_succeeded(*, delivery: Delivery, message_id: str) -> Delivery:
    now = timezone.now()
    with transaction.atomic():
        updated = Delivery.objects.filter(
            pk=delivery.pk, status=Status.SENDING, started_at=delivery.started_at
        ).update(status=Status.SENT, finished_at=now, message_id=message_id[:255], error="")
        if updated:
            actor = _actor_for(delivery)
            invoice_mark_sent(invoice=delivery.invoice, actor=actor)
            audit_log(
                action="delivery.sent",
                actor=actor,
                company=delivery.company,
                target=delivery,
                data={
                    "invoice": delivery.invoice.number,
                    "channel": delivery.channel,
                    "attempt": delivery.attempt,
                    "message_id": message_id[:255],
                },
            )
            _finish_batch_item(delivery, Status.SENT, "")
    delivery.refresh_from_db()
    return delivery


def delivery_failed(*, delivery: Delivery, error: str, permanent: bool) -> Delivery:
    """Record a failed attempt; a temporary failure schedules the next one with back-off."""
    now = timezone.now()
    with transaction.atomic():
        updated = Delivery.objects.filter(
            pk=delivery.pk, status=Status.SENDING, started_at=delivery.started_at
        ).update(status=Status.FAILED, finished_at=now, error=error, permanent=permanent)
        if not updated:
            delivery.refresh_from_db()
            return delivery
        retry = not permanent and delivery.attempt < MAX_ATTEMPTS
        audit_log(
            action="delivery.failed",
            actor=SYSTEM,
            company=delivery.company,
            target=delivery,
            data={
                "invoice": delivery.invoice.number,
                "channel": delivery.channel,
                "attempt": delivery.attempt,
                "error": error[:500],
                "permanent": permanent,
                "retry": retry,
            },
        )
        if retry:
            delay = retry_delay(delivery.attempt)
            following = Delivery.objects.create(
                company=delivery.company,
                invoice=delivery.invoice,
                channel=delivery.channel,
                request_id=delivery.request_id,
                attempt=delivery.attempt + 1,
                due_at=now + datetime.timedelta(seconds=delay),
                enqueued_at=now,
                recipients=delivery.recipients,
                attach_ehf=delivery.attach_ehf,
                requested_by=delivery.requested_by,
                batch_item=delivery.batch_item,
            )
            _enqueue_after_commit(following, delay=delay)
        else:
            _finish_batch_item(delivery, Status.FAILED, error)
    delivery.refresh_from_db()
    return delivery


# --- The periodic sweep --------------------------------------------------------------------


def deliveries_requeue(*, now: datetime.datetime | None = None) -> list[tuple[int, int]]:
    """Attempts whose task was lost: due, still queued, not enqueued for a while.

    Also resumes attempts stuck in "sending" for ``STALE_SENDING`` (the worker died during
    the transmission): each goes back to "queued" if its claim is still the stale one,
    and is sent again with the same Message-ID (module docstring).
    Returns (company id, delivery id) of the attempts to enqueue again.
    """
    now = now or timezone.now()
    resumed: list[tuple[int, int]] = []
    with scopes_disabled():
        stale = list(
            Delivery.objects.filter(
                status=Status.SENDING, started_at__lt=now - STALE_SENDING
            ).select_related("company", "invoice")
        )
        for delivery in stale:
            with _atomic_in_scope(delivery.company):
                taken_over = Delivery.objects.filter(
                    pk=delivery.pk, status=Status.SENDING, started_at=delivery.started_at
                ).update(status=Status.QUEUED, started_at=None, due_at=now, enqueued_at=now)
                if not taken_over:
                    continue
                assert delivery.started_at is not None  # selected by started_at__lt
                audit_log(
                    action="delivery.resumed",
                    actor=SYSTEM,
                    company=delivery.company,
                    target=delivery,
                    data={
                        "invoice": delivery.invoice.number,
                        "channel": delivery.channel,
                        "attempt": delivery.attempt,
                        "claimed_at": delivery.started_at.isoformat(),
                    },
                )
                resumed.append((delivery.company_id, delivery.pk))
        # Overdue by REQUEUE_AFTER and not enqueued since: its task is not coming.
        lost = Delivery.objects.filter(
            status=Status.QUEUED,
            due_at__lte=now - REQUEUE_AFTER,
        ).filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=now - REQUEUE_AFTER))
        found = list(lost.values_list("company_id", "pk"))
        lost.filter(pk__in=[pk for _, pk in found]).update(enqueued_at=now)
    return resumed + found


# --- Batches -------------------------------------------------------------------------------


def _finish_batch_item(delivery: Delivery, status: str, error: str) -> None:
    if delivery.batch_item_id is None:
        return
    BatchItem.objects.filter(pk=delivery.batch_item_id).update(status=status, error=error[:1000])
    batch_id = BatchItem.objects.values_list("batch_id", flat=True).get(pk=delivery.batch_item_id)
    _close_batch_if_done(batch_id)


def _close_batch_if_done(batch_id: int) -> None:
    batch = Batch.objects.select_for_update().get(pk=batch_id)
    if batch.finished_at is not None:
        return
    if batch.items.filter(status__in=ACTIVE_STATUSES).exists():
        return
    batch.finished_at = timezone.now()
    batch.save(update_fields=["finished_at"])
    counts = batch_progress(batch=batch)
    audit_log(
        action="delivery.batch.finished",
        actor=SYSTEM,
        company=batch.company,
        target=batch,
        data={"sent": counts["sent"], "failed": counts["failed"]},
    )


def batch_progress(*, batch: Batch) -> dict[str, Any]:
    total = batch.items.count()
    sent = batch.items.filter(status=Status.SENT).count()
    failed = batch.items.filter(status=Status.FAILED).count()
    return {
        "total": total,
        "sent": sent,
        "failed": failed,
        "done": sent + failed,
        "remaining": total - sent - failed,
        "finished": total == sent + failed,
    }


def batch_create(
    *, company: Company, invoice_ids: Iterable[int], actor: Actor, attach_ehf: bool = False
) -> Batch:
    """Send many issued invoices, each by its client's channel, one small task per invoice.

    Every id must be an issued invoice or credit note of ``company`` that is not already
    on its way (else ValidationError, and nothing is created). An invoice that cannot go
    by its client's channel (no e-mail address, no Peppol address or access point,
    manual delivery) becomes a failed item with the reason; the others are queued.
    """
    ids = sorted({int(pk) for pk in invoice_ids})
    if not ids:
        raise ValidationError(_("Velg minst én faktura."), code="empty")
    limit = batch_max()
    if len(ids) > limit:
        raise ValidationError(
            _("Du kan sende høyst %(max)s fakturaer om gangen.") % {"max": limit},
            code="too_many",
        )
    with _atomic_in_scope(company):
        invoices = list(
            Invoice.objects.select_for_update()
            .select_related("client")
            .filter(pk__in=ids)
            .order_by("pk")
        )
        if len(invoices) != len(ids):
            raise ValidationError(_("Noen av fakturaene finnes ikke."), code="unknown")
        drafts = [invoice for invoice in invoices if invoice.is_draft]
        if drafts:
            raise ValidationError(_("Utkast kan ikke sendes; utsted dem først."), code="draft")
        # Issued invoices only (drafts are refused above), so every one has its number.
        busy = {
            number
            for number in Delivery.objects.filter(
                invoice__in=invoices, status__in=ACTIVE_STATUSES
            ).values_list("invoice__number", flat=True)
            if number is not None
        }
        if busy:
            raise ValidationError(
                _("Disse fakturaene er allerede i kø for utsendelse: %(numbers)s")
                % {"numbers": ", ".join(str(n) for n in sorted(busy))},
                code="already_queued",
            )
        batch = Batch.objects.create(
            company=company, created_by_id=_actor_user_id(actor), attach_ehf=attach_ehf
        )
        for invoice in invoices:
            channel = invoice.client.delivery_channel
            item = BatchItem.objects.create(
                company=company, batch=batch, invoice=invoice, channel=channel
            )
            try:
                if channel == Channel.MANUAL:
                    raise ValidationError(
                        _("Kunden får fakturaer manuelt: last ned PDF-en og send den selv.")
                    )
                with transaction.atomic():
                    delivery = _new_request(
                        invoice=invoice,
                        channel=channel,
                        actor=actor,
                        attach_ehf=attach_ehf,
                        batch_item=item,
                    )
            except ValidationError as exc:
                item.status = Status.FAILED
                item.error = " ".join(exc.messages)
                item.save(update_fields=["status", "error"])
            else:
                item.request_id = delivery.request_id
                item.save(update_fields=["request_id"])
        audit_log(
            action="delivery.batch.created",
            actor=actor,
            company=company,
            target=batch,
            data={"invoices": [invoice.number for invoice in invoices]},
        )
        _close_batch_if_done(batch.pk)
    return batch


# --- The company's own e-mail texts ------------------------------------------------------------


def _email_kind(kind: str) -> EmailKind:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValidationError(_("Ukjent type e-post."), code="unknown_kind") from None


def email_texts_check(*, kind: str, values: dict[str, str]) -> dict[str, str]:
    """The texts to store for ``kind`` (a field equal to its default, or empty: ``""``,
    which follows the default), or ``ValidationError`` by field naming every placeholder
    that is not one of the kind's (``delivery.texts``), so sending never meets it."""
    email_kind = _email_kind(kind)
    errors: dict[str, list[ValidationError]] = {}
    cleaned: dict[str, str] = {}
    kind_defaults = texts_defaults(email_kind)
    for name in TEXT_FIELDS:
        # Browsers send a textarea's lines with CRLF; stored and compared with LF.
        text = (values.get(name) or "").replace("\r\n", "\n").strip()
        if text == kind_defaults[name].strip():
            text = ""  # unchanged: the default stays the default (and follows its updates)
        try:
            text_placeholders_check(text, allowed=email_kind.placeholders)
        except ValidationError as error:
            errors[name] = [error]
        missing = [
            "{" + required + "}"
            for required in email_kind.required_in_body
            if name.startswith("body_") and text and "{" + required + "}" not in text
        ]
        if missing and name not in errors:
            errors[name] = [
                ValidationError(
                    _("Teksten må ha med %(names)s."),
                    code="required_placeholder",
                    params={"names": ", ".join(missing)},
                )
            ]
        cleaned[name] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def email_texts_update(
    *, company: Company, actor: Actor, kind: str, values: dict[str, str]
) -> EmailTexts:
    """Save the company's subject and body of the e-mails of ``kind`` per language (an
    empty field: that language's default); placeholders checked by ``email_texts_check``."""
    cleaned = email_texts_check(kind=kind, values=values)
    with _atomic_in_scope(company):
        texts, _created = EmailTexts.objects.select_for_update().get_or_create(
            company=company, kind=kind
        )
        changed = [name for name in TEXT_FIELDS if getattr(texts, name) != cleaned[name]]
        for name in TEXT_FIELDS:
            setattr(texts, name, cleaned[name])
        texts.full_clean(exclude=["company"], validate_unique=False)
        texts.save()
        audit_log(
            action="delivery.email_texts.updated",
            actor=actor,
            company=company,
            target=texts,
            data={"email_kind": kind, "fields": changed},
        )
    return texts


def email_texts_reset(*, company: Company, actor: Actor, kind: str) -> None:
    """Back to the default texts of ``kind`` in every language."""
    _email_kind(kind)
    with _atomic_in_scope(company):
        EmailTexts.objects.filter(company=company, kind=kind).delete()
        audit_log(
            action="delivery.email_texts.reset",
            actor=actor,
            company=company,
            data={"email_kind": kind},
        )
