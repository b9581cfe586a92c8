"""The only code that changes invoices, credit notes, number series and payments.

Every function is keyword-only, runs in one ``transaction.atomic`` inside the tenant scope
of the company it works on, writes its ``core.audit`` entry in that transaction, and raises
``django.core.exceptions.ValidationError`` (Norwegian, translated; keyed by field where
there is one, ``lines`` for line problems) for anything the user got wrong.

Callers (views, API, tasks) fetch objects through scoped querysets first; the services
check again that everything they are given belongs to the same company.

Overview::

    invoicing_settings_update(company=, actor=, ...)      -> InvoicingSettings
    invoice_create_draft(company=, actor=, header=, lines=) -> Invoice (draft, no number)
    invoice_update_draft(invoice=, actor=, header=, lines=) -> Invoice (lines replaced)
    invoice_delete_draft(invoice=, actor=)                 -> None
    invoice_duplicate(invoice=, actor=)                    -> Invoice (a new draft, same lines)
    invoice_issue(invoice=, actor=)                        -> Invoice (number, KID, snapshot)
    invoice_mark_sent(invoice=, actor=)                    -> Invoice
    invoice_credit(invoice=, actor=, lines=None, ...)      -> Invoice (issued credit note)
    payment_register(invoice=, actor=, amount=, date=, ...) -> Payment
    payment_register_many(company=, actor=, payments=[PaymentData]) -> [Payment] (bulk)
    payment_reverse(payment=, actor=, date=None, note="")  -> Payment (the reversal entry)

After an issue commits, ``invoicing.hooks`` calls the registered receivers (PDF, e-mail,
EHF later).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_scopes import scope

from accounts.models import Company, Membership, Role
from accounts.services import company_require_open, payment_details_notify
from catalog.models import Product, VatCode
from catalog.selectors import vat_rate_on
from catalog.units import Unit
from core.audit import Actor, AuditRecord, audit_log, audit_log_many
from core.bulk import bulk_insert, bulk_set
from core.currencies import clean_currency
from core.identifiers import (
    KID_MAX_LENGTH,
    KID_MIN_LENGTH,
    KidMethod,
    UnusableKidPayload,
    kid_mod10,
    kid_mod11,
)
from core.models import AuditEntry
from core.money import ZERO, format_nok
from core.peppol import participant_id_problem
from customers.countries import is_country_code
from customers.models import Client
from invoicing import hooks
from invoicing.calculation import (
    CreditedGroup,
    CreditExceedsInvoice,
    CreditLineFigures,
    LineInput,
    Totals,
    compute_credit_totals,
    compute_totals,
    credit_line_net,
    line_net_amount,
)
from invoicing.models import (
    MAX_DAYS_AHEAD_LIMIT,
    ClientBalanceEntry,
    Invoice,
    InvoiceLine,
    InvoiceVatLine,
    InvoicingSettings,
    NumberSeries,
    Payment,
)
from invoicing.selectors import (
    PAYMENT_OVERPAYMENT_MARGIN,
    client_credit_balance,
    client_credit_balances,
    credited_vat_groups,
    invoice_creditable_lines,
    payment_duplicate_key,
    payment_overpayment,
    payment_recent_duplicate_exists,
    payment_recent_duplicate_keys,
    vat_rate_date,
)

REVERSE_CHARGE = VatCode.Category.REVERSE_CHARGE
OPEN_STATUSES = (Invoice.Status.ISSUED, Invoice.Status.SENT, Invoice.Status.PARTIALLY_PAID)
MAX_QUANTITY = Decimal("9999999999")
# Every stored amount must come back from the database exactly. SQLite keeps decimals as
# 64-bit floats, which Django reads back with 15 significant digits; with 2 decimals that
# is 13 digits before the comma. Unit prices, line amounts, totals and the VAT in NOK are
# capped here (the one rule; forms and the API get it from the services).
MAX_AMOUNT = Decimal("9999999999999.99")
# Exchange rates have 6 decimals; 15 significant digits leave 9 before the comma.
MAX_EXCHANGE_RATE = Decimal("999999999.999999")


# --- Input data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceHeader:
    """Everything of a draft except its lines. ``None`` means "the default":

    - ``invoice_date``: today;
    - ``due_date``: invoice date + the client's payment terms;
    - ``delivery_date``: the invoice date, unless a delivery period is given;
    - ``their_reference``: the client's "deres referanse";
    - ``exchange_rate``: 1 for NOK; required (NOK per unit) for any other currency.
    """

    client: Client
    invoice_date: datetime.date | None = None
    due_date: datetime.date | None = None
    delivery_date: datetime.date | None = None
    delivery_period_start: datetime.date | None = None
    delivery_period_end: datetime.date | None = None
    our_reference: str = ""
    their_reference: str | None = None
    buyer_reference: str = ""
    order_number: str = ""
    currency: str = "NOK"
    exchange_rate: Decimal | None = None
    free_text: str = ""
    is_prepayment: bool = False
    # Place of delivery when not the buyer's address (blank: the buyer's address).
    delivery_address: str = ""
    delivery_postcode: str = ""
    delivery_city: str = ""
    delivery_country: str = ""


@dataclass(frozen=True)
class LineData:
    """One draft line. With a ``product``, ``None`` fields take the product's values."""

    quantity: Decimal
    product: Product | None = None
    description: str = ""
    unit: str | None = None
    unit_price: Decimal | None = None
    discount_percent: Decimal = ZERO
    vat_code: VatCode | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None


@dataclass(frozen=True)
class CreditLine:
    """Credit part of one line of the original invoice, by quantity or by amount.

    By quantity (returned goods, hours not worked): ``quantity`` units at the line's price
    and discount, with the sign of the original line; ``None`` credits all that remains.
    By amount (a price reduction, a goodwill credit): ``amount`` is the net amount
    excl. VAT to credit, with the sign of the line's net amount; the credit-note line
    says 1 "rs" × that amount, at the line's VAT code and rate. Give one of the two.
    """

    original_line: InvoiceLine
    quantity: Decimal | None = None
    amount: Decimal | None = None


# --- Helpers --------------------------------------------------------------------------------


@contextmanager
def _atomic_in_scope(company: Company) -> Iterator[None]:
    with scope(company=company), transaction.atomic():
        yield


def _user_id(actor: Actor) -> int | None:
    return actor.id if actor.kind == AuditEntry.ActorKind.USER else None


def _ensure_settings(company: Company) -> InvoicingSettings:
    settings_row, _created = InvoicingSettings.objects.get_or_create(company=company)
    return settings_row


def _series(company: Company, kind: str) -> NumberSeries:
    series, _created = NumberSeries.objects.get_or_create(company=company, kind=kind)
    return series


def _series_kind_for(settings_row: InvoicingSettings, document_kind: str) -> str:
    if (
        document_kind == Invoice.Kind.CREDIT_NOTE
        and settings_row.credit_note_numbering
        == InvoicingSettings.CreditNoteNumbering.SEPARATE_SERIES
    ):
        return NumberSeries.Kind.CREDIT_NOTE
    return NumberSeries.Kind.INVOICE


def _same_company(obj: Any, company: Company, field: str) -> None:
    if obj is not None and obj.company_id != company.pk:
        raise ValidationError({field: _("Finnes ikke.")}, code="not_found")


def _decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _amount_text(value: Decimal) -> str:
    return formats.number_format(value, decimal_pos=_decimal_places(value), force_grouping=True)


def _amount_limit_text(what: str) -> str:
    return _(
        "%(what)s kan ikke være større enn %(max)s (det største beløpet som lagres nøyaktig)"
    ) % {"what": what, "max": _amount_text(MAX_AMOUNT)}


def totals_limit_problem(totals: Totals) -> str | None:
    """The message when a document's figures could not all be stored exactly (any total,
    VAT group or VAT in NOK above ``MAX_AMOUNT``), else None. Issuing refuses such a
    document; the editor's live totals show the same message before that."""
    amounts = (
        totals.total_excl_vat,
        totals.total_vat,
        totals.total_incl_vat,
        totals.total_vat_nok,
        *(group.vat_nok for group in totals.vat_groups),
        *(group.basis for group in totals.vat_groups),
    )
    if any(abs(amount) > MAX_AMOUNT for amount in amounts):
        return _amount_limit_text(_("Fakturaens beløp")) + "."
    return None


def _require_draft(invoice: Invoice) -> None:
    if not invoice.is_draft:
        raise ValidationError(
            _("Fakturaen er utstedt og kan ikke endres eller slettes. Lag en kreditnota."),
            code="not_draft",
        )


# --- Settings -------------------------------------------------------------------------------


def invoicing_settings_update(
    *,
    company: Company,
    actor: Actor,
    first_invoice_number: int | None = None,
    credit_note_numbering: str | None = None,
    first_credit_note_number: int | None = None,
    kid_method: str | None = None,
    kid_length: int | None = None,
    default_payment_terms_days: int | None = None,
    max_days_ahead: int | None = None,
) -> InvoicingSettings:
    """Change the settings given (``None``: unchanged).

    The first number of a series can be chosen only until the series' first document is
    issued; after that no one can change numbering. The credit-note numbering can change
    only until the first credit note is issued.
    """
    with _atomic_in_scope(company):
        settings_row = _ensure_settings(company)
        settings_row = InvoicingSettings.objects.select_for_update().get(pk=settings_row.pk)
        kid_before = {"kid_method": settings_row.kid_method, "kid_length": settings_row.kid_length}
        errors: dict[str, str] = {}
        changes: dict[str, Any] = {}

        def set_first_number(series_kind: str, value: int, field: str) -> None:
            if value < 1 or value > 10**15:
                errors[field] = _("Første nummer må være et positivt heltall.")
                return
            series = NumberSeries.objects.select_for_update().get(
                pk=_series(company, series_kind).pk
            )
            if series.first_number == value:
                return
            if series.is_used:
                errors[field] = _(
                    "Nummerserien er tatt i bruk; første nummer kan ikke endres lenger."
                )
                return
            series.first_number = value
            series.next_number = value
            series.save(update_fields=["first_number", "next_number"])
            changes[field] = value

        if first_invoice_number is not None:
            set_first_number(
                NumberSeries.Kind.INVOICE, first_invoice_number, "first_invoice_number"
            )

        if (
            credit_note_numbering is not None
            and credit_note_numbering != settings_row.credit_note_numbering
        ):
            if credit_note_numbering not in InvoicingSettings.CreditNoteNumbering.values:
                errors["credit_note_numbering"] = _("Ugyldig valg.")
            elif Invoice.objects.credit_notes().issued().exists():
                errors["credit_note_numbering"] = _(
                    "Det er utstedt kreditnotaer; nummereringen av kreditnotaer kan ikke "
                    "endres lenger."
                )
            else:
                settings_row.credit_note_numbering = credit_note_numbering
                changes["credit_note_numbering"] = credit_note_numbering

        if first_credit_note_number is not None:
            if (
                settings_row.credit_note_numbering
                != InvoicingSettings.CreditNoteNumbering.SEPARATE_SERIES
            ):
                errors["first_credit_note_number"] = _(
                    "Kreditnotaer nummereres i fakturaserien; velg egen serie først."
                )
            else:
                set_first_number(
                    NumberSeries.Kind.CREDIT_NOTE,
                    first_credit_note_number,
                    "first_credit_note_number",
                )

        if kid_method is not None and kid_method != settings_row.kid_method:
            if kid_method not in KidMethod.values:
                errors["kid_method"] = _("Ugyldig valg.")
            else:
                settings_row.kid_method = kid_method
                changes["kid_method"] = kid_method
        if kid_length is not None and kid_length != settings_row.kid_length:
            if not KID_MIN_LENGTH <= kid_length <= KID_MAX_LENGTH:
                errors["kid_length"] = _("KID-lengden må være mellom %(min)s og %(max)s.") % {
                    "min": KID_MIN_LENGTH,
                    "max": KID_MAX_LENGTH,
                }
            else:
                settings_row.kid_length = kid_length
                changes["kid_length"] = kid_length
        if (
            default_payment_terms_days is not None
            and default_payment_terms_days != settings_row.default_payment_terms_days
        ):
            if not 0 <= default_payment_terms_days <= 365:
                errors["default_payment_terms_days"] = _(
                    "Betalingsfristen må være mellom 0 og 365 dager."
                )
            else:
                settings_row.default_payment_terms_days = default_payment_terms_days
                changes["default_payment_terms_days"] = default_payment_terms_days
        if max_days_ahead is not None and max_days_ahead != settings_row.max_days_ahead:
            if not 0 <= max_days_ahead <= MAX_DAYS_AHEAD_LIMIT:
                errors["max_days_ahead"] = _(
                    "Antall dager fram i tid må være mellom 0 og %(max)s."
                ) % {"max": MAX_DAYS_AHEAD_LIMIT}
            else:
                settings_row.max_days_ahead = max_days_ahead
                changes["max_days_ahead"] = max_days_ahead

        if errors:
            raise ValidationError(errors)
        settings_row.save()
        kid_changes = {f: (kid_before[f], changes[f]) for f in kid_before if f in changes}
        if kid_changes:
            # KID settings decide how payments are matched: every owner is told.
            changes["payment_details"] = payment_details_notify(
                company=company, actor=actor, changes=kid_changes
            )
        if changes:
            audit_log(
                action="invoicing.settings.updated",
                actor=actor,
                company=company,
                target=settings_row,
                data=changes,
            )
        return settings_row


# --- Reported VAT terms ----------------------------------------------------------------------


def _last_day_of_month(day: datetime.date) -> bool:
    return (day + datetime.timedelta(days=1)).day == 1


def _date_text(day: datetime.date) -> str:
    return formats.date_format(day, "SHORT_DATE_FORMAT")


def _format_money(amount: Decimal) -> str:
    return formats.number_format(amount, 2, use_l10n=True, force_grouping=True)


def vat_term_mark_reported(
    *, company: Company, actor: Actor, through: datetime.date
) -> InvoicingSettings:
    """Record that VAT is reported up to and including ``through`` (a term's last day).

    From then on no invoice or credit note can be dated on or before ``through`` (their
    VAT would belong to a term already reported). The date only moves forward; marking
    the same date again changes nothing. A term closed by mistake is reopened by an owner
    with ``vat_term_reopen``.
    """
    with _atomic_in_scope(company):
        settings_row = _ensure_settings(company)
        settings_row = InvoicingSettings.objects.select_for_update().get(pk=settings_row.pk)
        current = settings_row.vat_reported_through
        if current is not None and through == current:
            return settings_row
        if current is not None and through < current:
            raise ValidationError(
                {
                    "through": ValidationError(
                        _(
                            "MVA er allerede rapportert til og med %(current)s. En rapportert "
                            "termin kan bare gjenåpnes av en eier, med en begrunnelse."
                        )
                        % {"current": _date_text(current)},
                        code="not_forward",
                    )
                }
            )
        if not _last_day_of_month(through):
            raise ValidationError(
                {
                    "through": ValidationError(
                        _("En MVA-termin slutter på den siste dagen i en måned."),
                        code="not_term_end",
                    )
                }
            )
        if through >= timezone.localdate():
            raise ValidationError(
                {
                    "through": ValidationError(
                        _("En termin kan bare markeres som rapportert etter at den er slutt."),
                        code="term_not_ended",
                    )
                }
            )
        settings_row.vat_reported_through = through
        settings_row.save(update_fields=["vat_reported_through", "updated_at"])
        audit_log(
            action="invoicing.vat_term.reported",
            actor=actor,
            company=company,
            target=settings_row,
            data={
                "through": through.isoformat(),
                "previous": current.isoformat() if current else None,
            },
        )
        return settings_row


def vat_term_reopen(
    *, company: Company, actor: Actor, through: datetime.date | None, reason: str
) -> InvoicingSettings:
    """Move the reported-through date back (``None``: no term reported), by an owner.

    For a term marked as reported by mistake. Only an owner of the company may do it,
    and must say why; the audit entry keeps the old and new dates and the reason. If the
    term really was reported, documents dated in it afterwards need a corrected VAT
    return (tilleggsmelding) — the reason should say how that is handled.
    """
    with _atomic_in_scope(company):
        is_owner = (
            actor.kind == AuditEntry.ActorKind.USER
            and Membership.objects.filter(
                company=company, user_id=actor.id, role=Role.OWNER
            ).exists()
        )
        if not is_owner:
            raise ValidationError(
                _("Bare en eier av firmaet kan gjenåpne en rapportert MVA-termin."),
                code="not_owner",
            )
        settings_row = _ensure_settings(company)
        settings_row = InvoicingSettings.objects.select_for_update().get(pk=settings_row.pk)
        current = settings_row.vat_reported_through
        errors: dict[str, str] = {}
        reason = reason.strip()
        if not reason:
            errors["reason"] = _("Skriv hvorfor terminen gjenåpnes.")
        elif len(reason) > 500:
            errors["reason"] = _("Begrunnelsen kan ha høyst 500 tegn.")
        if current is None:
            errors["through"] = _("Ingen MVA-termin er markert som rapportert.")
        elif through is not None and through >= current:
            errors["through"] = _(
                "Velg en dato før %(current)s; for å gå videre, marker terminen som rapportert."
            ) % {"current": _date_text(current)}
        elif through is not None and not _last_day_of_month(through):
            errors["through"] = _("En MVA-termin slutter på den siste dagen i en måned.")
        if errors:
            raise ValidationError(errors)
        assert current is not None
        settings_row.vat_reported_through = through
        settings_row.save(update_fields=["vat_reported_through", "updated_at"])
        audit_log(
            action="invoicing.vat_term.reopened",
            actor=actor,
            company=company,
            target=settings_row,
            data={
                "through": through.isoformat() if through else None,
                "previous": current.isoformat(),
                "reason": reason,
            },
        )
        return settings_row


# --- Drafts ---------------------------------------------------------------------------------


def _currency_problem(currency: str) -> str:
    try:
        clean_currency(currency)
    except ValidationError as exc:
        return exc.messages[0]
    return ""


def _validate_header(company: Company, header: InvoiceHeader) -> dict[str, Any]:
    """The draft's header fields with defaults applied, or ValidationError."""
    client = header.client
    _same_company(client, company, "client")
    errors: dict[str, str] = {}
    invoice_date = header.invoice_date or timezone.localdate()
    due_date = header.due_date or invoice_date + datetime.timedelta(days=client.payment_terms_days)
    if due_date < invoice_date:
        errors["due_date"] = _("Forfallsdatoen kan ikke være før fakturadatoen.")
    start, end = header.delivery_period_start, header.delivery_period_end
    delivery_date = header.delivery_date
    if (start is None) != (end is None):
        errors["delivery_period_end" if end is None else "delivery_period_start"] = _(
            "En leveringsperiode trenger både fra- og til-dato."
        )
    elif start is not None and end is not None:
        if end < start:
            errors["delivery_period_end"] = _("Perioden kan ikke slutte før den begynner.")
        if delivery_date is not None:
            errors["delivery_date"] = _("Oppgi enten leveringsdato eller leveringsperiode.")
    elif delivery_date is None:
        delivery_date = invoice_date
    currency = (header.currency or "").strip().upper()
    exchange_rate = header.exchange_rate
    currency_problem = _currency_problem(currency)
    if currency_problem:
        errors["currency"] = currency_problem
    elif currency == "NOK":
        if exchange_rate not in (None, Decimal(1)):
            errors["exchange_rate"] = _("Fakturaer i NOK har ingen valutakurs.")
        exchange_rate = Decimal(1)
    elif exchange_rate is None or exchange_rate <= 0:
        errors["exchange_rate"] = _(
            "En faktura i utenlandsk valuta trenger valutakursen til NOK, fordi "
            "merverdiavgiften også skal oppgis i NOK."
        )
    elif _decimal_places(exchange_rate) > 6:
        errors["exchange_rate"] = _("Valutakursen kan ha høyst seks desimaler.")
    elif exchange_rate > MAX_EXCHANGE_RATE:
        errors["exchange_rate"] = _("Valutakursen kan ikke være større enn %(max)s.") % {
            "max": _amount_text(MAX_EXCHANGE_RATE)
        }
    if errors:
        raise ValidationError(errors)
    return {
        "client": client,
        "invoice_date": invoice_date,
        "due_date": due_date,
        "delivery_date": delivery_date,
        "delivery_period_start": start,
        "delivery_period_end": end,
        "our_reference": header.our_reference.strip(),
        "their_reference": (
            client.their_reference if header.their_reference is None else header.their_reference
        ).strip(),
        "buyer_reference": header.buyer_reference.strip(),
        "order_number": header.order_number.strip(),
        "currency": currency,
        "exchange_rate": exchange_rate,
        "free_text": header.free_text.strip(),
        "is_prepayment": bool(header.is_prepayment),
        **_delivery_place(header, errors_to_raise=True),
    }


DELIVERY_PLACE_FIELDS = (
    "delivery_address",
    "delivery_postcode",
    "delivery_city",
    "delivery_country",
)


def _delivery_place(header: InvoiceHeader, *, errors_to_raise: bool) -> dict[str, str]:
    """The place of delivery, stripped; a country needs a street or city with it."""
    place = {name: getattr(header, name).strip() for name in DELIVERY_PLACE_FIELDS}
    place["delivery_country"] = place["delivery_country"].upper()
    errors: dict[str, str] = {}
    country = place["delivery_country"]
    if country and not is_country_code(country):
        # The clients' list: a code outside it would fail the EHF's BR-CL-14 at issue.
        errors["delivery_country"] = _(
            "«%(value)s» er ikke en landkode (ISO 3166, to bokstaver, for eksempel NO)."
        ) % {"value": country}
    if (place["delivery_postcode"] or country) and not (
        place["delivery_address"] or place["delivery_city"]
    ):
        errors["delivery_address"] = _("Oppgi adresse eller poststed for leveringsstedet.")
    if errors and errors_to_raise:
        raise ValidationError(errors)
    if place["delivery_address"] or place["delivery_city"]:
        place["delivery_country"] = country or "NO"
    return place


def _build_lines(company: Company, lines: Sequence[LineData]) -> list[InvoiceLine]:
    """Unsaved ``InvoiceLine`` objects (no invoice yet), or ValidationError on ``lines``."""
    built: list[InvoiceLine] = []
    errors: list[str] = []
    for position, data in enumerate(lines, start=1):
        product = data.product
        if product is not None and product.company_id != company.pk:
            errors.append(_("Linje %(n)s: produktet finnes ikke.") % {"n": position})
            continue
        quantity = data.quantity
        unit_price = (
            data.unit_price
            if data.unit_price is not None
            else (product.unit_price if product else None)
        )
        vat_code = data.vat_code or (product.vat_code if product else None)
        unit = data.unit or (product.unit if product else Unit.PIECE)
        description = data.description.strip()
        problems = []
        if not description and product is None:
            problems.append(_("beskrivelse eller produkt må fylles ut"))
        if not isinstance(quantity, Decimal) or quantity == 0:
            problems.append(_("antall må være et tall forskjellig fra 0"))
        elif _decimal_places(quantity) > 4 or abs(quantity) > MAX_QUANTITY:
            problems.append(_("antall kan ha høyst fire desimaler"))
        if unit_price is None:
            problems.append(_("enhetspris mangler"))
        elif unit_price < 0 or _decimal_places(unit_price) > 2:
            problems.append(
                _("enhetsprisen må være et beløp på 0 eller mer med høyst to desimaler")
            )
        elif unit_price > MAX_AMOUNT:
            problems.append(_amount_limit_text(_("enhetsprisen")))
        discount = data.discount_percent
        if not (ZERO <= discount <= 100) or _decimal_places(discount) > 2:
            problems.append(_("rabatten må være mellom 0 og 100 %"))
        if vat_code is None:
            problems.append(_("MVA-kode mangler"))
        if unit not in Unit.values:
            problems.append(_("ukjent enhet"))
        if (data.period_start is None) != (data.period_end is None) or (
            data.period_start and data.period_end and data.period_end < data.period_start
        ):
            problems.append(_("perioden må ha en fra-dato som ikke er etter til-datoen"))
        if problems:
            errors.append(
                _("Linje %(n)s: %(problems)s.") % {"n": position, "problems": "; ".join(problems)}
            )
            continue
        assert unit_price is not None and vat_code is not None
        net = line_net_amount(quantity=quantity, unit_price=unit_price, discount_percent=discount)
        if abs(net) > MAX_AMOUNT:
            errors.append(
                _("Linje %(n)s: %(problems)s.")
                % {"n": position, "problems": _amount_limit_text(_("linjebeløpet"))}
            )
            continue
        built.append(
            InvoiceLine(
                company=company,
                position=position,
                product=product,
                description=description,
                quantity=quantity,
                unit=unit,
                unit_price=unit_price,
                discount_percent=discount,
                vat_code=vat_code,
                period_start=data.period_start,
                period_end=data.period_end,
                net_amount=net,
            )
        )
    if errors:
        raise ValidationError({"lines": errors})
    return built


def lines_validate(*, company: Company, lines: Sequence[LineData]) -> list[InvoiceLine]:
    """The invoice line rules, for other documents built from lines (quotes, templates):
    unsaved ``InvoiceLine`` objects with ``net_amount``, or ValidationError on ``lines``."""
    return _build_lines(company, lines)


def invoice_duplicate(*, invoice: Invoice, actor: Actor) -> Invoice:
    """A new draft for the same client with the same lines (texts, prices, VAT codes).

    Dates start afresh (today, the client's terms); the references and free text are kept.
    Works for drafts and issued invoices alike; credit notes are not duplicated.
    """
    company = invoice.company
    with _atomic_in_scope(company):
        if invoice.is_credit_note:
            raise ValidationError(_("Kreditnotaer kan ikke dupliseres."), code="credit_note")
        header = InvoiceHeader(
            client=invoice.client,
            our_reference=invoice.our_reference,
            their_reference=invoice.their_reference,
            buyer_reference=invoice.buyer_reference,
            order_number=invoice.order_number,
            currency=invoice.currency,
            exchange_rate=invoice.exchange_rate if invoice.currency != "NOK" else None,
            free_text=invoice.free_text,
            **{name: getattr(invoice, name) for name in DELIVERY_PLACE_FIELDS},
        )
        lines = [
            line_data_of(line)
            for line in invoice.lines.select_related("product", "vat_code").order_by("position")
        ]
        fields, built = _validate_draft(company, header, lines)
        copy = Invoice.objects.create(company=company, kind=Invoice.Kind.INVOICE, **fields)
        _save_lines(copy, built)
        audit_log(
            action="invoicing.invoice.duplicated",
            actor=actor,
            company=company,
            target=copy,
            data={"source": invoice.pk, "source_number": invoice.number, "lines": len(built)},
        )
        return copy


def _validate_draft(
    company: Company, header: InvoiceHeader, lines: Sequence[LineData]
) -> tuple[dict[str, Any], list[InvoiceLine]]:
    """Header fields and unsaved lines; one ValidationError with all problems."""
    errors: dict[str, Any] = {}
    fields: dict[str, Any] = {}
    built: list[InvoiceLine] = []
    try:
        fields = _validate_header(company, header)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        built = _build_lines(company, lines)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    return fields, built


def _save_lines(invoice: Invoice, lines: list[InvoiceLine]) -> None:
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)


def invoice_create_draft(
    *, company: Company, actor: Actor, header: InvoiceHeader, lines: Sequence[LineData] = ()
) -> Invoice:
    """A new draft invoice (no number). Lines may be added later with ``invoice_update_draft``."""
    company_require_open(company=company)
    with _atomic_in_scope(company):
        fields, built = _validate_draft(company, header, lines)
        invoice = Invoice.objects.create(company=company, kind=Invoice.Kind.INVOICE, **fields)
        _save_lines(invoice, built)
        audit_log(
            action="invoicing.invoice.draft_created",
            actor=actor,
            company=company,
            target=invoice,
            data={"client": fields["client"].number, "lines": len(built)},
        )
        return invoice


def invoice_header_of(invoice: Invoice) -> InvoiceHeader:
    """The draft's current header, to change a few fields with ``dataclasses.replace``."""
    return InvoiceHeader(
        client=invoice.client,
        invoice_date=invoice.invoice_date,
        due_date=invoice.due_date,
        delivery_date=invoice.delivery_date,
        delivery_period_start=invoice.delivery_period_start,
        delivery_period_end=invoice.delivery_period_end,
        our_reference=invoice.our_reference,
        their_reference=invoice.their_reference,
        buyer_reference=invoice.buyer_reference,
        order_number=invoice.order_number,
        currency=invoice.currency,
        exchange_rate=invoice.exchange_rate if invoice.currency != "NOK" else None,
        free_text=invoice.free_text,
        is_prepayment=invoice.is_prepayment,
        **{name: getattr(invoice, name) for name in DELIVERY_PLACE_FIELDS},
    )


def line_data_of(line: InvoiceLine) -> LineData:
    """A saved line as ``LineData`` (to resubmit a draft's lines with changes)."""
    return LineData(
        quantity=line.quantity,
        product=line.product,
        description=line.description,
        unit=line.unit,
        unit_price=line.unit_price,
        discount_percent=line.discount_percent,
        vat_code=line.vat_code,
        period_start=line.period_start,
        period_end=line.period_end,
    )


def _lock_draft(invoice: Invoice) -> Invoice:
    locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
    _require_draft(locked)
    return locked


def invoice_update_draft(
    *, invoice: Invoice, actor: Actor, header: InvoiceHeader, lines: Sequence[LineData]
) -> Invoice:
    """Replace a draft's header and all its lines (the lines are replaced as a whole)."""
    company = invoice.company
    with _atomic_in_scope(company):
        locked = _lock_draft(invoice)
        if locked.is_credit_note:
            raise ValidationError(_("Kreditnotaer utstedes direkte og har ingen utkast."))
        fields, built = _validate_draft(company, header, lines)
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        locked.lines.all().delete()
        _save_lines(locked, built)
        audit_log(
            action="invoicing.invoice.draft_updated",
            actor=actor,
            company=company,
            target=locked,
            data={"client": fields["client"].number, "lines": len(built)},
        )
        return locked


def invoice_delete_draft(*, invoice: Invoice, actor: Actor) -> None:
    """Delete a draft. Issued invoices are never deleted (credit them instead)."""
    company = invoice.company
    with _atomic_in_scope(company):
        locked = _lock_draft(invoice)
        audit_log(
            action="invoicing.invoice.draft_deleted",
            actor=actor,
            company=company,
            target=locked,
            data={"client": locked.client.number},
        )
        locked.delete()


# --- Issue ----------------------------------------------------------------------------------


def seller_snapshot(company: Company) -> dict[str, Any]:
    """What an issued document says about the seller (frozen at issue)."""
    return {
        "name": company.name,
        "organization_number": company.organization_number,
        "organization_number_display": company.organization_number_display,
        "vat_registered": company.vat_registered,
        "in_foretaksregisteret": company.in_foretaksregisteret,
        "address_line": company.address_line,
        "postcode": company.postcode,
        "city": company.city,
        "country": company.country,
        "bank_account": company.bank_account,
        "bank_account_display": company.bank_account_display,
        "iban": company.iban,
        "bic": company.bic,
        "email": company.email,
        "phone": company.phone,
        "website": company.website,
    }


def buyer_snapshot(client: Client, *, reverse_charge: bool) -> dict[str, Any]:
    """What an issued document says about the buyer (frozen at issue)."""
    return {
        "client_number": client.number,
        "kind": client.kind,
        "name": client.name,
        "organization_number": client.organization_number,
        "vat_number": client.vat_number,
        # A reverse-charge buyer is VAT-registered; its orgnr is printed with "MVA".
        "vat_registered": reverse_charge,
        "address_line": client.address_line,
        "address_line2": client.address_line2,
        "postcode": client.postcode,
        "city": client.city,
        "country": client.country,
        "contact_person": client.contact_person,
        "invoice_emails": client.invoice_email_list,
        "phone": client.phone,
        "peppol_id": client.peppol_id,
        "language": client.language,
        "delivery_channel": client.delivery_channel,
        "prices_incl_vat": client.prices_include_vat,
    }


def _kid_for(
    *, settings_row: InvoicingSettings, client_number: int, invoice_number: int, invoice_pk: int
) -> str:
    """Client number + invoice number, zero-padded to the company's fixed KID length.

    Payload = client number, zeros, invoice number (KID length − 1 digits), then the
    MOD10/MOD11 check digit. Where MOD11 gives check value 10 (no valid digit), the next
    candidate puts a variant digit 1..9 right after the client number. The KID is unique
    among the company's open invoices (issued, sent, partially paid): a candidate already
    on one of them is skipped too. Invoice numbers are unique, so a clash can only come
    from a payload that fills the whole KID; with no candidate left the issue is refused
    with a message asking for a longer KID, and no number is used.
    """
    if settings_row.kid_method == KidMethod.NONE:
        return ""
    make = kid_mod10 if settings_row.kid_method == KidMethod.MOD10 else kid_mod11
    payload_length = settings_row.kid_length - 1
    client_part, number_part = str(client_number), str(invoice_number)
    for variant in ["", *"123456789"]:
        head = client_part + variant
        if len(head) + len(number_part) > payload_length:
            break
        try:
            kid = make(head + number_part.zfill(payload_length - len(head)))
        except UnusableKidPayload:
            continue
        taken = (
            Invoice.objects.filter(kid=kid, kind=Invoice.Kind.INVOICE, status__in=OPEN_STATUSES)
            .exclude(pk=invoice_pk)
            .exists()
        )
        if not taken:
            return kid
    raise ValidationError(
        _(
            "KID-lengden (%(length)s siffer) er for kort for kundenummer %(client)s og "
            "fakturanummer %(number)s. Velg en lengre KID i fakturainnstillingene."
        )
        % {"length": settings_row.kid_length, "client": client_number, "number": invoice_number},
        code="kid_too_short",
    )


def _check_issue_rules(
    invoice: Invoice, lines: list[InvoiceLine], settings_row: InvoicingSettings
) -> None:
    company = invoice.company
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    date_field = "credit_date" if invoice.is_credit_note else "invoice_date"
    client = invoice.client
    has_address = bool(
        client.address_line.strip()
        and client.city.strip()
        and (client.postcode.strip() or client.country != "NO")
    )
    if not has_address and not client.organization_number:
        add(
            "client",
            _(
                "Kunden %(name)s mangler adresse. En faktura må vise kjøperens navn og adresse, "
                "eller organisasjonsnummer (bokføringsforskriften § 5-1-1 nr. 2). Legg inn "
                "adresse (gate, postnummer og poststed) på kunden."
            )
            % {"name": client.name},
        )
    if client.peppol_id:
        peppol_problem = participant_id_problem(client.peppol_id)
        if peppol_problem:
            add("client", _("Kundens Peppol-ID: %(problem)s") % {"problem": peppol_problem})
    today = timezone.localdate()
    latest = today + datetime.timedelta(days=settings_row.max_days_ahead)
    if invoice.invoice_date > latest:
        add(
            date_field,
            _(
                "Datoen %(date)s er mer enn %(days)s dager fram i tid. Velg en tidligere dato, "
                "eller endre grensen i fakturainnstillingene."
            )
            % {"date": _date_text(invoice.invoice_date), "days": settings_row.max_days_ahead},
        )
    if not invoice.is_credit_note and not invoice.is_prepayment:
        delivered = invoice.delivery_period_end or invoice.delivery_date
        if delivered is not None and delivered > invoice.invoice_date:
            add(
                "delivery_period_end" if invoice.delivery_period_end else "delivery_date",
                _(
                    "Leveringen (%(delivered)s) er etter fakturadatoen (%(date)s). En faktura "
                    "utstedes ikke før levering (merverdiavgiftsloven § 15-10); er dette en "
                    "forskuddsfaktura, merk den som det."
                )
                % {"delivered": _date_text(delivered), "date": _date_text(invoice.invoice_date)},
            )
    for line in lines:
        # BR-CL-23: the EHF's unit codes are UN/ECE Rec 20/21 codes; every unit the
        # service offers is one. A draft saved through the services has one of them, but
        # a line from before a unit was withdrawn (or written around the services) may not.
        if line.unit not in Unit.values:
            add(
                "lines",
                _(
                    "Linje %(n)s: enheten «%(unit)s» er ikke en av enhetene fakturaen kan ha "
                    "(UN/ECE-anbefaling 20/21). Velg en enhet på linjen."
                )
                % {"n": line.position, "unit": line.unit},
            )
    period_start, period_end = invoice.delivery_period_start, invoice.delivery_period_end
    for line in lines:
        if line.period_start is None or line.period_end is None:
            continue
        if period_start is not None and period_end is not None:
            if line.period_start < period_start or line.period_end > period_end:
                add(
                    "lines",
                    _(
                        "Linje %(n)s: perioden %(start)s–%(end)s må ligge innenfor fakturaens "
                        "leveringsperiode %(period_start)s–%(period_end)s."
                    )
                    % {
                        "n": line.position,
                        "start": _date_text(line.period_start),
                        "end": _date_text(line.period_end),
                        "period_start": _date_text(period_start),
                        "period_end": _date_text(period_end),
                    },
                )
        elif (
            not invoice.is_credit_note
            and not invoice.is_prepayment
            and line.period_end > invoice.invoice_date
        ):
            add(
                "lines",
                _(
                    "Linje %(n)s: perioden slutter %(end)s, etter fakturadatoen. Fakturer når "
                    "perioden er levert, eller merk fakturaen som forskuddsfaktura."
                )
                % {"n": line.position, "end": _date_text(line.period_end)},
            )
    reported = settings_row.vat_reported_through
    if reported is not None and invoice.invoice_date <= reported:
        add(
            date_field,
            _(
                "MVA er rapportert til og med %(reported)s, så dokumentet kan ikke dateres "
                "%(date)s. Bruk en dato etter %(reported)s."
            )
            % {"reported": _date_text(reported), "date": _date_text(invoice.invoice_date)},
        )

    if not company.organization_number:
        add("__all__", _("Firmaet mangler organisasjonsnummer; det må stå på fakturaen."))
    if not company.bank_account:
        add("__all__", _("Firmaet mangler kontonummer for innbetaling."))
    if not lines:
        add("lines", _("Fakturaen har ingen linjer."))
    if invoice.due_date < invoice.invoice_date:
        add("due_date", _("Forfallsdatoen kan ikke være før fakturadatoen."))
    if invoice.delivery_date is None and invoice.delivery_period_end is None:
        add("delivery_date", _("Oppgi leveringsdato eller leveringsperiode."))
    if invoice.currency != "NOK" and not invoice.exchange_rate:
        add("exchange_rate", _("Valutakursen til NOK mangler."))
    if invoice.currency != "NOK" and not invoice.is_credit_note and not company.iban:
        # A payer abroad pays to an IBAN (with BIC); the invoice and its EHF must say it.
        add(
            "currency",
            _(
                "En faktura i %(currency)s betales fra utlandet og må vise firmaets IBAN og "
                "BIC. Legg dem inn under firmaets betalingsopplysninger først."
            )
            % {"currency": invoice.currency},
        )
    for line in lines:
        code = line.vat_code
        if not company.vat_registered and not code.allowed_without_vat_registration:
            add(
                "lines",
                _(
                    "Linje %(n)s: firmaet er ikke registrert i Merverdiavgiftsregisteret og kan "
                    "ikke bruke MVA-kode %(code)s; bruk kode 7 (ingen MVA-behandling)."
                )
                % {"n": line.position, "code": code.code},
            )
        if code.ubl_category == REVERSE_CHARGE and not invoice.client.organization_number:
            add(
                "client",
                _(
                    "Linje %(n)s har omvendt avgiftsplikt (kode %(code)s); kunden må ha "
                    "organisasjonsnummer."
                )
                % {"n": line.position, "code": code.code},
            )
    categories = {line.vat_code.ubl_category for line in lines}
    if VatCode.Category.OUTSIDE_SCOPE in categories and len(categories) > 1:
        # EN 16931 BR-O-11: a document not subject to VAT has no other VAT category.
        add(
            "lines",
            _(
                "Salg utenfor merverdiavgiftsloven (kode 7) kan ikke stå på samme faktura som "
                "andre MVA-koder. Lag en egen faktura for disse linjene."
            ),
        )
    if errors:
        raise ValidationError(errors)


def _freeze_lines(invoice: Invoice, lines: list[InvoiceLine]) -> list[LineInput]:
    """Fix each line's texts, rate and amount; return the calculation inputs."""
    inputs = []
    for line in lines:
        if line.product_id is not None:
            product = line.product
            assert product is not None
            if not line.description:
                line.description = product.name
            line.item_number = product.number
        line.vat_category = line.vat_code.ubl_category
        if line.vat_rate is None or not invoice.is_credit_note:
            # Credit-note lines keep the rate of the line they credit.
            line.vat_rate = vat_rate_on(
                vat_code=line.vat_code, on=vat_rate_date(invoice=invoice, line=line)
            )
        if not invoice.is_credit_note:
            # Credit-note lines keep the net their credit computed (cumulative rounding).
            line.net_amount = line_net_amount(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
            )
        inputs.append(
            LineInput(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                vat_category=line.vat_category,
                vat_rate=line.vat_rate,
            )
        )
    return inputs


def _issue(invoice: Invoice, actor: Actor, *, totals: Totals | None = None) -> Invoice:
    """Issue a locked draft; the caller holds the transaction and the scope.

    ``totals``: a credit note's figures as ``invoice_credit`` computed them against the
    invoice it credits; an invoice's are computed here from its lines.
    """
    company = invoice.company
    settings_row = _ensure_settings(company)
    if invoice.is_credit_note:
        # Which series credit notes use may change until the first one is issued; the
        # lock keeps that change from racing this issue (lock order: invoice, settings,
        # series, the same as invoicing_settings_update's settings, series).
        settings_row = InvoicingSettings.objects.select_for_update().get(pk=settings_row.pk)
    series = _series(company, _series_kind_for(settings_row, invoice.kind))
    lines = list(invoice.lines.select_related("vat_code", "product").order_by("position"))
    _check_issue_rules(invoice, lines, settings_row)
    inputs = _freeze_lines(invoice, lines)
    if totals is None:
        totals = compute_totals(inputs, exchange_rate=invoice.exchange_rate)
    if totals.total_incl_vat < 0:
        raise ValidationError(
            {"lines": [_("Summen kan ikke være negativ. Lag en kreditnota i stedet.")]},
            code="negative_total",
        )

    too_large = totals_limit_problem(totals)
    if too_large:
        raise ValidationError({"lines": [too_large]}, code="amount_too_large")

    # The number: lock the series row; this transaction holds it until commit.
    series = NumberSeries.objects.select_for_update().get(pk=series.pk)
    # Number order is date order: not dated before the series' last issued document.
    previous = (
        Invoice.objects.filter(series=series, number__isnull=False)
        .order_by("-number")
        .values_list("number", "invoice_date")
        .first()
    )
    if previous is not None and invoice.invoice_date < previous[1]:
        raise ValidationError(
            {
                "credit_date" if invoice.is_credit_note else "invoice_date": _(
                    "Datoen kan ikke være før datoen på forrige dokument i nummerserien "
                    "(nr. %(number)s, %(date)s): numrene skal følge datoene."
                )
                % {"number": previous[0], "date": _date_text(previous[1])}
            },
            code="date_before_previous",
        )
    number = series.next_number
    series.next_number = number + 1
    series.save(update_fields=["next_number"])

    reverse_charge = any(line.vat_category == REVERSE_CHARGE for line in lines)
    for line in lines:
        line.save(
            update_fields=["description", "item_number", "vat_category", "vat_rate", "net_amount"]
        )
    codes_by_group: dict[tuple[str, Decimal], list[VatCode]] = {}
    for line in lines:
        key = (line.vat_category, Decimal(line.vat_rate).quantize(Decimal("0.01")))
        codes_by_group.setdefault(key, [])
        if line.vat_code not in codes_by_group[key]:
            codes_by_group[key].append(line.vat_code)
    vat_lines = []
    for group in totals.vat_groups:
        codes = codes_by_group[(group.category, group.rate)]
        vat_lines.append(
            InvoiceVatLine(
                company=company,
                invoice=invoice,
                vat_category=group.category,
                vat_rate=group.rate,
                basis=group.basis,
                vat=group.vat,
                vat_nok=group.vat_nok,
                vat_codes=[code.code for code in codes],
                exemption_reason_code=codes[0].exemption_reason_code,
                exemption_reason=codes[0].exemption_reason,
                invoice_text=next((c.invoice_text for c in codes if c.invoice_text), ""),
            )
        )
    InvoiceVatLine.objects.bulk_create(vat_lines)

    invoice.series = series
    invoice.number = number
    invoice.seller_snapshot = seller_snapshot(company)
    invoice.buyer_snapshot = buyer_snapshot(invoice.client, reverse_charge=reverse_charge)
    invoice.total_excl_vat = totals.total_excl_vat
    invoice.total_vat = totals.total_vat
    invoice.total_incl_vat = totals.total_incl_vat
    invoice.total_vat_nok = totals.total_vat_nok
    invoice.issued_at = timezone.now()
    invoice.issued_by_id = _user_id(actor)
    invoice.status = Invoice.Status.ISSUED
    if invoice.kind == Invoice.Kind.INVOICE:
        invoice.kid = _kid_for(
            settings_row=settings_row,
            client_number=invoice.client.number,
            invoice_number=number,
            invoice_pk=invoice.pk,
        )
        invoice.status = _derived_status(invoice)
    invoice.save()
    problems = hooks.issue_problems(invoice=invoice, lines=lines, vat_lines=vat_lines)
    if problems:
        raise ValidationError({"__all__": problems}, code="invalid_document")
    # Receivers record their work in this transaction (the outbox): a rolled-back issue
    # leaves none, a committed one loses none even when the task queue is down.
    hooks.document_issued(invoice_id=invoice.pk)
    return invoice


def invoice_issue(*, invoice: Invoice, actor: Actor) -> Invoice:
    """Issue a draft invoice: one transaction takes the next number and fixes the content.

    Locks the invoice and the number series row (``select_for_update``), checks the legal
    rules, snapshots seller, buyer and line texts, fixes each line's VAT rate (the rate in
    force on the delivery date), computes the totals and VAT breakdown (EN 16931) and the
    KID, and writes the audit entry. If anything fails, nothing is saved and no number is
    used. After commit, ``invoicing.hooks`` receivers run.
    """
    company = invoice.company
    company_require_open(company=company)
    with _atomic_in_scope(company):
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if not locked.is_draft:
            raise ValidationError(
                _("Fakturaen er allerede utstedt med nummer %(number)s.")
                % {"number": locked.number},
                code="already_issued",
            )
        if locked.is_credit_note:
            raise ValidationError(_("Kreditnotaer utstedes med invoice_credit."))
        issued = _issue(locked, actor)
        audit_log(
            action="invoicing.invoice.issued",
            actor=actor,
            company=company,
            target=issued,
            data={
                "number": issued.number,
                "total_incl_vat": str(issued.total_incl_vat),
                "currency": issued.currency,
                "kid": issued.kid,
            },
        )
        return issued


def invoice_mark_sent(*, invoice: Invoice, actor: Actor) -> Invoice:
    """Record that the invoice or credit note was sent (e-mail, EHF, printed)."""
    company = invoice.company
    with _atomic_in_scope(company):
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.is_draft:
            raise ValidationError(_("Et utkast kan ikke sendes; utsted det først."))
        if locked.sent_at is None:
            locked.sent_at = timezone.now()
            locked.status = _derived_status(locked)
            locked.save(update_fields=["sent_at", "status", "updated_at"])
            audit_log(
                action="invoicing.invoice.sent",
                actor=actor,
                company=company,
                target=locked,
                data={"number": locked.number},
            )
        return locked


# --- Balance bookkeeping ---------------------------------------------------------------------


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


# --- Credit notes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _PlannedCreditLine:
    line: InvoiceLine
    quantity: Decimal
    net: Decimal
    by_amount: bool


def _plan_credit_lines(
    original: Invoice, lines: Sequence[CreditLine] | None
) -> list[_PlannedCreditLine]:
    """The credit-note lines for ``lines`` (None: all that remains); ValidationError if not."""
    creditable = {item.line.pk: item for item in invoice_creditable_lines(invoice=original)}
    planned: list[_PlannedCreditLine] = []
    if lines is None:
        for item in creditable.values():
            if not item.is_open:
                continue
            if item.by_amount_only or item.remaining_quantity == 0:
                planned.append(_PlannedCreditLine(item.line, ZERO, item.remaining_net, True))
            else:
                planned.append(
                    _PlannedCreditLine(
                        item.line, item.remaining_quantity, item.remaining_net, False
                    )
                )
        return planned

    errors: list[str] = []
    seen: set[int] = set()
    for credit_line in lines:
        item = creditable.get(credit_line.original_line.pk)
        if item is None:
            errors.append(_("Linjen hører ikke til fakturaen som krediteres."))
            continue
        line, n = item.line, item.line.position
        if line.pk in seen:
            errors.append(_("Linje %(n)s er oppgitt to ganger.") % {"n": n})
            continue
        seen.add(line.pk)
        if credit_line.amount is not None and credit_line.quantity is not None:
            errors.append(
                _("Linje %(n)s: krediter enten antall eller beløp, ikke begge.") % {"n": n}
            )
            continue
        if not item.is_open:
            errors.append(_("Linje %(n)s er allerede kreditert fullt ut.") % {"n": n})
            continue
        if credit_line.amount is not None:
            amount = credit_line.amount
            same_sign = (amount > 0) == (item.remaining_net > 0)
            if amount == 0 or not same_sign or _decimal_places(amount) > 2:
                errors.append(_("Linje %(n)s: ugyldig beløp å kreditere.") % {"n": n})
            elif abs(amount) > abs(item.remaining_net):
                errors.append(
                    _(
                        "Linje %(n)s: du kan ikke kreditere mer enn det som gjenstår "
                        "(%(left)s eks. MVA)."
                    )
                    % {"n": n, "left": format_nok(item.remaining_net)}
                )
            else:
                planned.append(_PlannedCreditLine(line, ZERO, amount, True))
            continue
        if item.by_amount_only:
            errors.append(
                _(
                    "Linje %(n)s er delvis kreditert som beløp; krediter resten som beløp "
                    "(høyst %(left)s eks. MVA)."
                )
                % {"n": n, "left": format_nok(item.remaining_net)}
            )
            continue
        left = item.remaining_quantity
        quantity = left if credit_line.quantity is None else credit_line.quantity
        same_sign = (quantity > 0) == (line.quantity > 0)
        if quantity == 0 or not same_sign or _decimal_places(quantity) > 4:
            errors.append(_("Linje %(n)s: ugyldig antall å kreditere.") % {"n": n})
            continue
        if abs(quantity) > abs(left):
            errors.append(
                _("Linje %(n)s: du kan ikke kreditere mer enn det som gjenstår (%(left)s).")
                % {"n": n, "left": left.normalize()}
            )
            continue
        net = credit_line_net(
            quantity=quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            line_quantity=line.quantity,
            line_net=line.net_amount,
            credited_quantity=item.credited_quantity,
            credited_net=item.credited_net,
        )
        if net == 0:
            errors.append(
                _("Linje %(n)s: %(q)s gir 0,00 å kreditere; krediter et større antall.")
                % {"n": n, "q": quantity.normalize()}
            )
            continue
        planned.append(_PlannedCreditLine(line, quantity, net, False))
    if errors:
        raise ValidationError({"lines": errors})
    return planned


def _refuse_not_positive(total: Decimal) -> None:
    raise ValidationError(
        {
            "lines": [
                _(
                    "Kreditnotaen ville bli på %(total)s. En kreditnota må kreditere et beløp "
                    "over 0,00; et fradrag alene krediteres ikke."
                )
                % {"total": format_nok(total)}
            ]
        },
        code="credit_not_positive",
    )


def _credit_totals(original: Invoice, planned: list[_PlannedCreditLine]) -> Totals:
    """The credit note's totals; ValidationError where it would exceed the invoice."""
    net = sum((item.net for item in planned), ZERO)
    if net <= 0:
        _refuse_not_positive(net)
    credited = credited_vat_groups(invoice=original)
    groups = {}
    for vat_line in original.vat_lines.all():
        key = (vat_line.vat_category, Decimal(vat_line.vat_rate).quantize(Decimal("0.01")))
        basis, vat, vat_nok = credited.get(key, (ZERO, ZERO, ZERO))
        groups[key] = CreditedGroup(
            basis=vat_line.basis,
            vat=vat_line.vat,
            vat_nok=vat_line.vat_nok,
            credited_basis=basis,
            credited_vat=vat,
            credited_vat_nok=vat_nok,
        )
    try:
        totals = compute_credit_totals(
            [
                CreditLineFigures(
                    net=item.net,
                    vat_category=item.line.vat_category,
                    vat_rate=item.line.vat_rate or ZERO,
                )
                for item in planned
            ],
            groups=groups,
            exchange_rate=original.exchange_rate,
        )
    except CreditExceedsInvoice as exc:
        raise ValidationError(
            {
                "lines": [
                    _(
                        "MVA-gruppen %(category)s %(rate)s %% kan ikke krediteres for mer enn "
                        "det som gjenstår av den på fakturaen (%(left)s eks. MVA). Krediter "
                        "også fradragslinjene i gruppen."
                    )
                    % {
                        "category": exc.category,
                        "rate": exc.rate.normalize(),
                        "left": format_nok(exc.remaining),
                    }
                ]
            },
            code="credit_exceeds_invoice",
        ) from exc
    if totals.total_incl_vat <= 0:
        _refuse_not_positive(totals.total_incl_vat)
    already = sum((group.credited_basis for group in groups.values()), ZERO)
    if already + totals.total_excl_vat > original.total_excl_vat:
        raise ValidationError(
            {
                "lines": [
                    _(
                        "Kreditnotaene kan til sammen ikke kreditere mer enn fakturaen "
                        "(%(left)s eks. MVA gjenstår). Krediter også fradragslinjene."
                    )
                    % {"left": format_nok(original.total_excl_vat - already)}
                ]
            },
            code="credit_exceeds_invoice",
        )
    return totals


def invoice_credit(
    *,
    invoice: Invoice,
    actor: Actor,
    lines: Sequence[CreditLine] | None = None,
    credit_date: datetime.date | None = None,
    free_text: str = "",
) -> Invoice:
    """Issue a credit note for ``invoice`` at once, with its own number.

    Without ``lines``, everything not yet credited is credited (a full credit note).
    With lines, each credits part of an original line by quantity (at that line's price
    and discount) or by amount, at the line's VAT code and rate. Nobody can credit more
    than remains, per line, per VAT group or in total, and a credit note is never 0.00.
    The figures are cumulative (``invoicing.calculation.credit_line_net``/``credit_vat``):
    the credit notes of an invoice add up to at most the invoice, and crediting all that
    remains leaves every VAT group at exactly zero. The number comes from the invoice
    series or the separate credit-note series, as configured. What the credit note takes
    off the open balance reduces it; what exceeds the open balance (the invoice was
    already paid) goes to the client's credit balance.
    """
    company = invoice.company
    with _atomic_in_scope(company):
        original = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if original.is_credit_note:
            raise ValidationError(_("En kreditnota kan ikke krediteres."), code="credit_of_credit")
        if original.is_draft:
            raise ValidationError(
                _("Et utkast krediteres ikke; det kan endres eller slettes."), code="draft"
            )
        planned = _plan_credit_lines(original, lines)
        if not planned:
            raise ValidationError(
                _("Fakturaen er allerede kreditert fullt ut."), code="nothing_to_credit"
            )
        totals = _credit_totals(original, planned)

        credit_date = credit_date or timezone.localdate()
        if credit_date < original.invoice_date:
            raise ValidationError(
                {"credit_date": _("Kreditnotaen kan ikke dateres før fakturaen den krediterer.")}
            )
        credit_note = Invoice.objects.create(
            company=company,
            kind=Invoice.Kind.CREDIT_NOTE,
            client=original.client,
            credited_invoice=original,
            invoice_date=credit_date,
            due_date=credit_date,
            delivery_date=original.delivery_date,
            delivery_period_start=original.delivery_period_start,
            delivery_period_end=original.delivery_period_end,
            our_reference=original.our_reference,
            their_reference=original.their_reference,
            buyer_reference=original.buyer_reference,
            order_number=original.order_number,
            currency=original.currency,
            exchange_rate=original.exchange_rate,
            free_text=free_text.strip(),
        )
        language = original.buyer_snapshot.get("language") or "nb"
        InvoiceLine.objects.bulk_create(
            [
                _credit_note_line(credit_note, position, item, language)
                for position, item in enumerate(
                    sorted(planned, key=lambda item: (item.line.position, item.by_amount)),
                    start=1,
                )
            ]
        )
        credit_note = _issue(credit_note, actor, totals=totals)

        # Against the original: the open balance first, then what was paid.
        amount = credit_note.total_incl_vat
        open_balance = original.total_incl_vat - original.paid_amount - original.credited_amount
        to_open = min(amount, max(open_balance, ZERO))
        beyond = amount - to_open
        from_paid = min(beyond, original.paid_amount)
        original.paid_amount -= from_paid
        original.credited_amount += to_open + from_paid
        _save_balance(original)
        # Paid money now owed back to the client.
        _credit_balance_entry(
            original,
            amount=beyond,
            kind=ClientBalanceEntry.Kind.CREDIT_NOTE,
            date=credit_date,
            credit_note=credit_note,
        )
        audit_log(
            action="invoicing.credit_note.issued",
            actor=actor,
            company=company,
            target=credit_note,
            data={
                "number": credit_note.number,
                "credits_invoice": original.number,
                "total_incl_vat": str(amount),
                "to_client_credit": str(beyond),
                "full": lines is None,
                "by_amount": [item.line.position for item in planned if item.by_amount],
            },
        )
        return credit_note


def _credit_note_line(
    credit_note: Invoice, position: int, item: _PlannedCreditLine, language: str
) -> InvoiceLine:
    line = item.line
    common = {
        "company": credit_note.company,
        "invoice": credit_note,
        "position": position,
        "product": line.product,
        "item_number": line.item_number,
        "vat_code": line.vat_code,
        "vat_rate": line.vat_rate,
        "period_start": line.period_start,
        "period_end": line.period_end,
        "credited_line": line,
        "net_amount": item.net,
    }
    if not item.by_amount:
        return InvoiceLine(
            **common,
            description=line.description,
            quantity=item.quantity,
            unit=line.unit,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
        )
    with translation.override(language):
        label = _("Kreditert beløp")
    return InvoiceLine(
        **common,
        description=f"{label}: {line.description}"[:500],
        quantity=Decimal(1) if item.net > 0 else Decimal(-1),
        unit=Unit.LUMP_SUM,
        unit_price=abs(item.net),
        discount_percent=ZERO,
        credited_by_amount=True,
    )


# --- Payments --------------------------------------------------------------------------------


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
    if method not in Payment.Method.values:
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
    if not confirm_duplicate and is_recent_duplicate(reference):
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
    with _atomic_in_scope(company):
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
            planned = _plan_payment(
                locked=locked,
                actor=actor,
                amount=data.amount,
                date=data.date,
                method=data.method,
                reference=data.reference,
                confirm_overpayment=confirm_overpayment,
                confirm_duplicate=confirm_duplicate,
                credit_available=lambda key=key: credit.get(key, ZERO),
                is_recent_duplicate=lambda ref, data=data: (
                    payment_duplicate_key(
                        invoice_id=data.invoice_id,
                        amount=data.amount,
                        date=data.date,
                        reference=ref,
                    )
                    in recent
                ),
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


__all__ = [
    "CreditLine",
    "InvoiceHeader",
    "LineData",
    "PaymentData",
    "invoice_create_draft",
    "invoice_credit",
    "invoice_delete_draft",
    "invoice_header_of",
    "invoice_issue",
    "invoice_mark_sent",
    "invoice_update_draft",
    "invoicing_settings_update",
    "line_data_of",
    "payment_register",
    "payment_register_many",
    "payment_reverse",
    "vat_term_mark_reported",
    "vat_term_reopen",
]
