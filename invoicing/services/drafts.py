"""Drafts: create, change, duplicate and delete invoices that have no number yet."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company
from accounts.services import company_require_open
from catalog.models import Product, VatCode
from catalog.units import UNIT_CODES, Unit
from core.audit import Actor, audit_log
from core.currencies import clean_currency
from core.money import ZERO
from core.records import dataclass_of
from customers.countries import is_country_code
from customers.models import Client
from invoicing.calculation import PricedLine, line_net_amount
from invoicing.models import Invoice, InvoiceLine
from invoicing.services.common import (
    MAX_AMOUNT,
    MAX_EXCHANGE_RATE,
    MAX_QUANTITY,
    _amount_limit_text,
    _amount_text,
    _atomic_in_scope,
    _decimal_places,
    _require_draft,
    _same_company,
)


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
        if unit not in UNIT_CODES:
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
        fields, built = _validate_draft(company, header, lines_data_of(invoice.lines.all()))
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
    # A NOK invoice stores the rate 1; the header's "no rate" is None (``InvoiceHeader``).
    rate = invoice.exchange_rate if invoice.currency != "NOK" else None
    return dataclass_of(InvoiceHeader, invoice, exchange_rate=rate)


class SavedLine(PricedLine, Protocol):
    """A stored line of any kind: a draft's, a quote's or a recurring template's."""

    @property
    def product(self) -> Product | None: ...
    @property
    def description(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def vat_code(self) -> VatCode: ...


def line_data_of(line: SavedLine) -> LineData:
    """A stored line as ``LineData``: a draft's (to resubmit it with changes, its period
    kept), a quote's or a recurring template's (what the invoice made from it gets)."""
    data = LineData(
        quantity=line.quantity,
        product=line.product,
        description=line.description,
        unit=line.unit,
        unit_price=line.unit_price,
        discount_percent=line.discount_percent,
        vat_code=line.vat_code,
    )
    if isinstance(line, InvoiceLine):
        return replace(data, period_start=line.period_start, period_end=line.period_end)
    return data


def lines_data_of(lines: QuerySet[Any]) -> list[LineData]:
    """``line_data_of`` for each of ``lines`` (an invoice's, quote's or template's), in order."""
    return [
        line_data_of(line)
        for line in lines.select_related("product", "vat_code").order_by("position")
    ]


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
