"""The only code that changes quotes (tilbud).

Overview::

    quote_create(company=, actor=, data=, lines=)       -> Quote (numbered at once)
    quote_update(quote=, actor=, data=, lines=)         -> Quote (until it is sent)
    quote_send(quote=, actor=)                          -> Quote (e-mail with PDF and link)
    quote_mark_sent(quote=, actor=)                     -> Quote (handed over otherwise)
    quote_decide(quote=, actor=, accept=, by_client=, note="") -> Quote
    quote_convert(quote=, actor=)                       -> Invoice (a draft)
    quote_email_execute(quote_id=)                      -> None (the Huey task's work)

Numbers come from ``QuoteNumberSeries``, locked with ``select_for_update`` in the creating
transaction (as invoicing's ``NumberSeries``): a rolled-back creation uses no number, and
quotes are never deleted, so the series has no gaps. Lines follow the invoice line rules
(``invoicing.services.lines_validate``) and the figures the invoice arithmetic
(``invoicing.calculation.compute_totals``) at the VAT rate in force on the quote date.

Converting makes a draft invoice with ``invoicing.services.invoice_create_draft``; this
module never writes invoice rows.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scope

from accounts.models import Company
from accounts.services import company_require_open
from catalog.selectors import vat_rate_on
from core.audit import Actor, audit_log
from core.currencies import clean_currency
from core.models import AuditEntry
from core.outbox import outbox_enqueue
from customers.models import Client
from invoicing.calculation import LineInput, compute_totals
from invoicing.models import Invoice
from invoicing.services import (
    InvoiceHeader,
    LineData,
    invoice_create_draft,
    lines_data_of,
    lines_validate,
)
from quotes.models import Quote, QuoteLine, QuoteNumberSeries

logger = logging.getLogger(__name__)

MAX_VALIDITY_DAYS = 366


@dataclass(frozen=True)
class QuoteData:
    client: Client
    quote_date: datetime.date | None = None  # None: today
    valid_until: datetime.date | None = None  # None: quote date + 30 days
    our_reference: str = ""
    their_reference: str | None = None  # None: the client's
    free_text: str = ""
    currency: str = "NOK"  # any invoiceable ISO 4217 code (core.currencies)


DEFAULT_VALIDITY = datetime.timedelta(days=30)


@contextmanager
def _atomic_in_scope(company: Company) -> Iterator[None]:
    with scope(company=company), transaction.atomic():
        yield


def _user_id(actor: Actor) -> int | None:
    return actor.id if actor.kind == AuditEntry.ActorKind.USER else None


def _header(company: Company, data: QuoteData) -> dict[str, object]:
    errors: dict[str, str] = {}
    if data.client.company_id != company.pk:
        errors["client"] = _("Finnes ikke.")
    quote_date = data.quote_date or timezone.localdate()
    valid_until = data.valid_until or quote_date + DEFAULT_VALIDITY
    if valid_until < quote_date:
        errors["valid_until"] = _("Gyldig til kan ikke være før tilbudsdatoen.")
    elif (valid_until - quote_date).days > MAX_VALIDITY_DAYS:
        errors["valid_until"] = _("Et tilbud kan gjelde i høyst ett år.")
    try:
        currency = clean_currency(data.currency)
    except ValidationError as exc:
        errors["currency"] = exc.messages[0]
    if errors:
        raise ValidationError(errors)
    their_reference = (
        data.client.their_reference if data.their_reference is None else data.their_reference
    )
    return {
        "currency": currency,
        "client": data.client,
        "quote_date": quote_date,
        "valid_until": valid_until,
        "our_reference": data.our_reference.strip(),
        "their_reference": their_reference.strip(),
        "free_text": data.free_text.strip(),
    }


def _priced_lines(
    company: Company, quote_date: datetime.date, lines: Sequence[LineData]
) -> tuple[list[QuoteLine], object]:
    """Unsaved quote lines with rate and net, and the totals (EN 16931, as invoices)."""
    if not lines:
        raise ValidationError({"lines": [_("Tilbudet trenger minst én linje.")]})
    built = lines_validate(company=company, lines=lines)
    rates = []
    problems = []
    for position, line in enumerate(built, start=1):
        try:
            rates.append(vat_rate_on(vat_code=line.vat_code, on=quote_date))
        except ValidationError as exc:
            problems.append(
                _("Linje %(n)s: %(problem)s") % {"n": position, "problem": " ".join(exc.messages)}
            )
    if problems:
        raise ValidationError({"lines": problems})
    totals = compute_totals(
        [LineInput.of(line, rate) for line, rate in zip(built, rates, strict=True)],
        exchange_rate=Decimal(1),
    )
    if totals.total_incl_vat < 0:
        raise ValidationError({"lines": [_("Summen av et tilbud kan ikke være negativ.")]})
    quote_lines = [
        QuoteLine(
            company=company,
            position=line.position,
            product=line.product,
            description=line.description or (line.product.name if line.product else ""),
            quantity=line.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            vat_code=line.vat_code,
            vat_rate=rate,
            net_amount=net,
        )
        for line, rate, net in zip(built, rates, totals.line_nets, strict=True)
    ]
    return quote_lines, totals


def _validated(
    company: Company, data: QuoteData, lines: Sequence[LineData]
) -> tuple[dict[str, object], list[QuoteLine], object]:
    errors: dict[str, list[str]] = {}
    fields: dict[str, object] = {}
    quote_lines: list[QuoteLine] = []
    totals: object = None
    try:
        fields = _header(company, data)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    quote_date = fields.get("quote_date") or data.quote_date or timezone.localdate()
    try:
        quote_lines, totals = _priced_lines(company, quote_date, lines)  # type: ignore[arg-type]
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return fields, quote_lines, totals


def _store(quote: Quote, quote_lines: list[QuoteLine], totals: object) -> None:
    quote.total_excl_vat = totals.total_excl_vat  # type: ignore[attr-defined]
    quote.total_vat = totals.total_vat  # type: ignore[attr-defined]
    quote.total_incl_vat = totals.total_incl_vat  # type: ignore[attr-defined]
    quote.save()
    quote.lines.all().delete()
    for line in quote_lines:
        line.quote = quote
    QuoteLine.objects.bulk_create(quote_lines)


def quote_create(
    *, company: Company, actor: Actor, data: QuoteData, lines: Sequence[LineData]
) -> Quote:
    """A new quote with the next number of the company's quote series."""
    company_require_open(company=company)
    with _atomic_in_scope(company):
        fields, quote_lines, totals = _validated(company, data, lines)
        series, _created = QuoteNumberSeries.objects.get_or_create(company=company)
        series = QuoteNumberSeries.objects.select_for_update().get(pk=series.pk)
        number = series.next_number
        series.next_number = number + 1
        series.save(update_fields=["next_number"])
        quote = Quote(company=company, number=number, created_by_id=_user_id(actor), **fields)
        _store(quote, quote_lines, totals)
        audit_log(
            action="quotes.quote.created",
            actor=actor,
            company=company,
            target=quote,
            data={
                "number": number,
                "client": quote.client.number,
                "total_incl_vat": str(quote.total_incl_vat),
            },
        )
        return quote


def _lock(quote: Quote) -> Quote:
    return Quote.objects.select_for_update().select_related("client").get(pk=quote.pk)


def quote_update(
    *, quote: Quote, actor: Actor, data: QuoteData, lines: Sequence[LineData]
) -> Quote:
    """Change a quote that has not been sent yet (the client has not seen it)."""
    company = quote.company
    with _atomic_in_scope(company):
        locked = _lock(quote)
        if locked.status != Quote.Status.DRAFT:
            raise ValidationError(
                _("Tilbudet er sendt og kan ikke endres. Lag et nytt tilbud."), code="not_draft"
            )
        fields, quote_lines, totals = _validated(company, data, lines)
        for name, value in fields.items():
            setattr(locked, name, value)
        _store(locked, quote_lines, totals)
        audit_log(
            action="quotes.quote.updated",
            actor=actor,
            company=company,
            target=locked,
            data={"number": locked.number, "total_incl_vat": str(locked.total_incl_vat)},
        )
        return locked


def _require_open(quote: Quote, today: datetime.date) -> None:
    if quote.status not in Quote.OPEN_STATUSES:
        raise ValidationError(
            _("Tilbudet er allerede %(status)s.") % {"status": quote.get_status_display().lower()},
            code="closed",
        )


def _freeze_parties(quote: Quote) -> None:
    """Take the seller and buyer snapshots the first time the quote goes out (a quote sent
    again keeps what was offered first)."""
    if quote.seller_snapshot is not None:
        return
    from quotes.documents import parties_now

    quote.seller_snapshot, quote.buyer_snapshot = parties_now(quote)


def quote_send(*, quote: Quote, actor: Actor) -> Quote:
    """E-mail the quote (PDF and the link to accept or decline) to the client's addresses.

    The e-mail goes out after commit, in a Huey task; the quote is sent from now on.
    """
    company = quote.company
    with _atomic_in_scope(company):
        locked = _lock(quote)
        today = timezone.localdate()
        _require_open(locked, today)
        if locked.is_expired(today=today):
            raise ValidationError(
                _("Tilbudet gikk ut %(date)s. Lag et nytt tilbud.")
                % {"date": locked.valid_until.strftime("%d.%m.%Y")},
                code="expired",
            )
        recipients = locked.client.invoice_email_list
        if not recipients:
            raise ValidationError(
                _("Kunden har ingen e-postadresse. Legg den inn på kunden først."),
                code="no_email",
            )
        if locked.email_status in (Quote.EmailStatus.QUEUED, Quote.EmailStatus.SENDING):
            raise ValidationError(_("Tilbudet er allerede i kø for e-post."), code="queued")
        locked.status = Quote.Status.SENT
        locked.sent_at = locked.sent_at or timezone.now()
        _freeze_parties(locked)
        locked.email_status = Quote.EmailStatus.QUEUED
        locked.email_recipients = ", ".join(recipients)
        locked.email_error = ""
        locked.save()
        audit_log(
            action="quotes.quote.email_requested",
            actor=actor,
            company=company,
            target=locked,
            data={"number": locked.number, "recipients": locked.email_recipients},
        )

        outbox_enqueue(task="quotes.tasks.send_quote_email", args=[company.pk, locked.pk])
        return locked


def quote_mark_sent(*, quote: Quote, actor: Actor) -> Quote:
    """Record that the quote was handed to the client some other way (printed, by hand)."""
    company = quote.company
    with _atomic_in_scope(company):
        locked = _lock(quote)
        if locked.status == Quote.Status.DRAFT:
            locked.status = Quote.Status.SENT
            locked.sent_at = timezone.now()
            _freeze_parties(locked)
            locked.save(
                update_fields=[
                    "status",
                    "sent_at",
                    "seller_snapshot",
                    "buyer_snapshot",
                    "updated_at",
                ]
            )
            audit_log(
                action="quotes.quote.sent",
                actor=actor,
                company=company,
                target=locked,
                data={"number": locked.number},
            )
        return locked


def quote_decide(
    *, quote: Quote, actor: Actor, accept: bool, by_client: bool = False, note: str = ""
) -> Quote:
    """Accept or decline an open quote.

    By the client (the signed link): only a sent quote, on or before its valid-until
    date. By a user (who heard from the client): any open quote, also after it expired.
    """
    company = quote.company
    with _atomic_in_scope(company):
        locked = _lock(quote)
        today = timezone.localdate()
        _require_open(locked, today)
        if by_client:
            if locked.status != Quote.Status.SENT:
                raise ValidationError(_("Tilbudet er ikke sendt."), code="not_sent")
            if locked.is_expired(today=today):
                raise ValidationError(
                    _("Tilbudet gikk ut %(date)s og kan ikke lenger aksepteres.")
                    % {"date": locked.valid_until.strftime("%d.%m.%Y")},
                    code="expired",
                )
        locked.status = Quote.Status.ACCEPTED if accept else Quote.Status.DECLINED
        locked.decided_at = timezone.now()
        locked.decided_by = Quote.DecidedBy.CLIENT_LINK if by_client else Quote.DecidedBy.USER
        locked.decision_note = note.strip()[:500]
        locked.save()
        audit_log(
            action="quotes.quote.accepted" if accept else "quotes.quote.declined",
            actor=actor,
            company=company,
            target=locked,
            data={
                "number": locked.number,
                "by": locked.decided_by,
                "note": locked.decision_note,
            },
        )
        return locked


def quote_convert(*, quote: Quote, actor: Actor, exchange_rate: Decimal | None = None) -> Invoice:
    """A draft invoice with the quote's client, lines and references (one click).

    A quote in another currency than NOK makes an invoice in that currency, which needs
    ``exchange_rate`` (NOK per unit, for the VAT in NOK: the invoice rule); a quote has none.

    An accepted quote, or an open one (converting records the acceptance by the user).
    A declined or already invoiced quote is refused.
    """
    company = quote.company
    with _atomic_in_scope(company):
        locked = _lock(quote)
        if locked.status in (Quote.Status.DECLINED, Quote.Status.INVOICED):
            raise ValidationError(
                _("Tilbudet er %(status)s og kan ikke faktureres.")
                % {"status": locked.get_status_display().lower()},
                code="closed",
            )
        lines = lines_data_of(locked.lines.all())
        invoice = invoice_create_draft(
            company=company,
            actor=actor,
            header=InvoiceHeader(
                client=locked.client,
                our_reference=locked.our_reference,
                their_reference=locked.their_reference,
                order_number=_("Tilbud %(number)s") % {"number": locked.number},
                free_text=locked.free_text,
                currency=locked.currency,
                exchange_rate=exchange_rate if locked.currency != "NOK" else None,
            ),
            lines=lines,
        )
        if locked.status in Quote.OPEN_STATUSES:
            locked.decided_at = timezone.now()
            locked.decided_by = Quote.DecidedBy.USER
        locked.status = Quote.Status.INVOICED
        locked.invoice = invoice
        locked.save()
        audit_log(
            action="quotes.quote.invoiced",
            actor=actor,
            company=company,
            target=locked,
            data={"number": locked.number, "invoice": invoice.pk},
        )
        return invoice


# --- The e-mail (the Huey task's work) --------------------------------------------------------


def quote_email_execute(*, quote_id: int) -> None:
    """Send the queued e-mail once: the claim is a conditional UPDATE queued -> sending."""
    from quotes import email as quote_email

    claimed = Quote.objects.filter(pk=quote_id, email_status=Quote.EmailStatus.QUEUED).update(
        email_status=Quote.EmailStatus.SENDING
    )
    if not claimed:
        return
    quote = Quote.objects.select_related("client", "company").get(pk=quote_id)
    error = ""
    try:
        message = quote_email.build(quote)
        quote_email.transmit(message)
    except Exception as exc:
        logger.warning("Quote %s e-mail failed: %s", quote_id, exc)
        error = str(exc) or type(exc).__name__
    with transaction.atomic():
        Quote.objects.filter(pk=quote_id).update(
            email_status=Quote.EmailStatus.FAILED if error else Quote.EmailStatus.SENT,
            email_error=error[:2000],
        )
        audit_log(
            action="quotes.quote.email_failed" if error else "quotes.quote.emailed",
            actor=Actor.system("quotes"),
            company=quote.company,
            target=quote,
            data={"number": quote.number, "error": error[:500]},
        )
