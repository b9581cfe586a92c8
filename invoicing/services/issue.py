"""Issue: number, KID and frozen snapshots for a draft; mark an issued document as sent."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company
from accounts.services import company_require_open
from catalog.models import VatCode
from catalog.selectors import VatRateTable, vat_rate_on
from catalog.units import UNIT_CODES
from core.audit import Actor, AuditRecord, audit_log, audit_log_many
from core.bulk import bulk_insert, bulk_set
from core.identifiers import KidMethod, UnusableKidPayload, kid_mod10, kid_mod11
from core.peppol import participant_id_problem
from customers.models import Client
from invoicing import hooks
from invoicing.calculation import LineInput, Totals, compute_totals, line_net_amount
from invoicing.models import Invoice, InvoiceLine, InvoiceVatLine, InvoicingSettings, NumberSeries
from invoicing.selectors import vat_rate_date
from invoicing.services.balance import _derived_status
from invoicing.services.common import (
    OPEN_STATUSES,
    REVERSE_CHARGE,
    _atomic_in_scope,
    _date_text,
    _ensure_settings,
    _series,
    _series_kind_for,
    _user_id,
    totals_limit_problem,
)
from invoicing.services.summary import month_summary_add
from invoicing.texts import payment_note


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


def _kid_candidates(
    *, settings_row: InvoicingSettings, client_number: int, invoice_number: int
) -> Iterator[str]:
    """The KIDs an invoice may get, best first (see ``_kid_for``)."""
    make = kid_mod10 if settings_row.kid_method == KidMethod.MOD10 else kid_mod11
    payload_length = settings_row.kid_length - 1
    client_part, number_part = str(client_number), str(invoice_number)
    for variant in ["", *"123456789"]:
        head = client_part + variant
        if len(head) + len(number_part) > payload_length:
            break
        try:
            yield make(head + number_part.zfill(payload_length - len(head)))
        except UnusableKidPayload:
            continue


def _kid_for(
    *,
    settings_row: InvoicingSettings,
    client_number: int,
    invoice_number: int,
    taken: Callable[[str], bool],
) -> str:
    """Client number + invoice number, zero-padded to the company's fixed KID length.

    Payload = client number, zeros, invoice number (KID length − 1 digits), then the
    MOD10/MOD11 check digit. Where MOD11 gives check value 10 (no valid digit), the next
    candidate puts a variant digit 1..9 right after the client number. The KID is unique
    among the company's open invoices (issued, sent, partially paid): a candidate already
    on one of them (``taken``) is skipped too. Invoice numbers are unique, so a clash can
    only come from a payload that fills the whole KID; with no candidate left the issue is
    refused with a message asking for a longer KID, and no number is used.
    """
    if settings_row.kid_method == KidMethod.NONE:
        return ""
    for kid in _kid_candidates(
        settings_row=settings_row, client_number=client_number, invoice_number=invoice_number
    ):
        if not taken(kid):
            return kid
    raise ValidationError(
        _(
            "KID-lengden (%(length)s siffer) er for kort for kundenummer %(client)s og "
            "fakturanummer %(number)s. Velg en lengre KID i fakturainnstillingene."
        )
        % {"length": settings_row.kid_length, "client": client_number, "number": invoice_number},
        code="kid_too_short",
    )


def _open_kids(kids: Iterable[str], *, exclude_pk: int | None = None) -> set[str]:
    """Which of ``kids`` an open invoice of the company (in scope) has already."""
    rows = Invoice.objects.filter(
        kid__in=list(kids), kind=Invoice.Kind.INVOICE, status__in=OPEN_STATUSES
    )
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    return set(rows.values_list("kid", flat=True))


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
        if line.unit not in UNIT_CODES:
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


# What issuing fixes on each line (saved with the rest of the issue).
FROZEN_LINE_FIELDS = ("description", "item_number", "vat_category", "vat_rate", "net_amount")
# What issuing sets on the document itself (besides ``updated_at``).
ISSUED_FIELDS = (
    "series",
    "number",
    "seller_snapshot",
    "buyer_snapshot",
    "total_excl_vat",
    "total_vat",
    "total_incl_vat",
    "total_vat_nok",
    "issued_at",
    "issued_by",
    "status",
    "kid",
)


class RateOn(Protocol):
    def __call__(self, *, vat_code: VatCode, on: datetime.date) -> Decimal: ...


def _freeze_lines(
    invoice: Invoice, lines: list[InvoiceLine], *, rate_on: RateOn = vat_rate_on
) -> list[LineInput]:
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
            line.vat_rate = rate_on(
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


def _prepare_issue(
    invoice: Invoice,
    lines: list[InvoiceLine],
    settings_row: InvoicingSettings,
    *,
    totals: Totals | None = None,
    rate_on: RateOn = vat_rate_on,
) -> Totals:
    """Everything that does not need the number: the legal rules, the frozen lines (in
    memory) and the totals, refused when negative or too large."""
    _check_issue_rules(invoice, lines, settings_row)
    inputs = _freeze_lines(invoice, lines, rate_on=rate_on)
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
    return totals


def _last_in_series(series: NumberSeries) -> tuple[int, datetime.date] | None:
    """The number and date of the series' last issued document (read under its lock)."""
    row = (
        Invoice.objects.filter(company_id=series.company_id, series=series, number__isnull=False)
        .order_by("-number")
        .values_list("number", "invoice_date")
        .first()
    )
    if row is None or row[0] is None:
        return None
    return row[0], row[1]


def _check_date_order(invoice: Invoice, previous: tuple[int, datetime.date] | None) -> None:
    """Number order is date order: not dated before the series' last issued document."""
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


def _vat_lines(invoice: Invoice, lines: list[InvoiceLine], totals: Totals) -> list[InvoiceVatLine]:
    """The VAT breakdown rows (unsaved), one per category and rate, with their codes."""
    codes_by_group: dict[tuple[str, Decimal], list[VatCode]] = {}
    for line in lines:
        assert line.vat_rate is not None  # fixed by _freeze_lines
        key = (line.vat_category, Decimal(line.vat_rate).quantize(Decimal("0.01")))
        codes_by_group.setdefault(key, [])
        if line.vat_code not in codes_by_group[key]:
            codes_by_group[key].append(line.vat_code)
    vat_lines = []
    for group in totals.vat_groups:
        codes = codes_by_group[(group.category, group.rate)]
        vat_lines.append(
            InvoiceVatLine(
                company=invoice.company,
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
    return vat_lines


def _set_issued(
    invoice: Invoice,
    *,
    lines: list[InvoiceLine],
    totals: Totals,
    series: NumberSeries,
    number: int,
    settings_row: InvoicingSettings,
    actor: Actor,
    kid_taken: Callable[[str], bool],
    now: datetime.datetime,
) -> None:
    """Number, snapshots, totals, KID and status on the document (in memory)."""
    reverse_charge = any(line.vat_category == REVERSE_CHARGE for line in lines)
    invoice.series = series
    invoice.number = number
    invoice.buyer_snapshot = buyer_snapshot(invoice.client, reverse_charge=reverse_charge)
    invoice.seller_snapshot = seller_snapshot(invoice.company)
    if invoice.kind == Invoice.Kind.INVOICE:
        # Frozen with the seller's details, so the issued PDF/EHF never change with the
        # company's text (or a new default).
        invoice.seller_snapshot["payment_note"] = payment_note(
            settings_row=settings_row, language=invoice.buyer_snapshot.get("language") or "nb"
        )
    invoice.total_excl_vat = totals.total_excl_vat
    invoice.total_vat = totals.total_vat
    invoice.total_incl_vat = totals.total_incl_vat
    invoice.total_vat_nok = totals.total_vat_nok
    invoice.issued_at = now
    invoice.issued_by_id = _user_id(actor)
    invoice.status = Invoice.Status.ISSUED
    if invoice.kind == Invoice.Kind.INVOICE:
        invoice.kid = _kid_for(
            settings_row=settings_row,
            client_number=invoice.client.number,
            invoice_number=number,
            taken=kid_taken,
        )
        invoice.status = _derived_status(invoice)


def _check_document(
    invoice: Invoice, lines: list[InvoiceLine], vat_lines: list[InvoiceVatLine]
) -> None:
    """The registered issue validators (the EHF check) on the complete document."""
    problems = hooks.issue_problems(invoice=invoice, lines=lines, vat_lines=vat_lines)
    if problems:
        raise ValidationError({"__all__": problems}, code="invalid_document")


def _issued_record(invoice: Invoice) -> AuditRecord:
    """The audit entry of an issued invoice (single and set-based issue alike)."""
    return AuditRecord(
        action="invoicing.invoice.issued",
        target=invoice,
        data={
            "number": invoice.number,
            "total_incl_vat": str(invoice.total_incl_vat),
            "currency": invoice.currency,
            "kid": invoice.kid,
        },
    )


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
    totals = _prepare_issue(invoice, lines, settings_row, totals=totals)

    # The number: lock the series row; this transaction holds it until commit.
    series = NumberSeries.objects.select_for_update().get(pk=series.pk)
    _check_date_order(invoice, _last_in_series(series))
    number = series.next_number
    series.next_number = number + 1
    series.save(update_fields=["next_number"])

    for line in lines:
        line.save(update_fields=list(FROZEN_LINE_FIELDS))
    vat_lines = _vat_lines(invoice, lines, totals)
    InvoiceVatLine.objects.bulk_create(vat_lines)
    _set_issued(
        invoice,
        lines=lines,
        totals=totals,
        series=series,
        number=number,
        settings_row=settings_row,
        actor=actor,
        kid_taken=lambda kid: bool(_open_kids([kid], exclude_pk=invoice.pk)),
        now=timezone.now(),
    )
    invoice.save()
    _check_document(invoice, lines, vat_lines)
    month_summary_add(company_id=company.pk, documents=[invoice])
    # Receivers record their work in this transaction (the outbox): a rolled-back issue
    # leaves none, a committed one loses none even when the task queue is down.
    hooks.document_issued(invoice_id=invoice.pk)
    return invoice


def _not_issuable(invoice: Invoice) -> ValidationError | None:
    """Why ``invoice_issue`` refuses this locked invoice outright, or None."""
    if not invoice.is_draft:
        return ValidationError(
            _("Fakturaen er allerede utstedt med nummer %(number)s.") % {"number": invoice.number},
            code="already_issued",
        )
    if invoice.is_credit_note:
        return ValidationError(_("Kreditnotaer utstedes med invoice_credit."))
    return None


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
        refusal = _not_issuable(locked)
        if refusal is not None:
            raise refusal
        issued = _issue(locked, actor)
        record = _issued_record(issued)
        audit_log(
            action=record.action, actor=actor, company=company, target=issued, data=record.data
        )
        return issued


@dataclass
class IssueManyResult:
    """What ``invoice_issue_many`` did: the issued invoices in number order, and for each
    draft that was not issued its id and the error ``invoice_issue`` would have raised."""

    issued: list[Invoice] = field(default_factory=list)
    failed: dict[int, ValidationError] = field(default_factory=dict)


def invoice_issue_many(
    *,
    company: Company,
    invoice_ids: Sequence[int],
    actor: Actor,
    chunk_size: int | None = None,
) -> IssueManyResult:
    """Issue many drafts of ``company``, ``chunk_size`` (``ISSUE_CHUNK_SIZE``) per transaction.

    The same result as ``invoice_issue`` on each id in the given order: the same rules,
    messages, snapshots, totals, VAT breakdown, KIDs, numbers (in that order, gapless),
    audit entries and after-issue work (``hooks.documents_issued``). A draft that fails is
    reported in ``failed`` and uses no number; the others are issued. Set-based: each
    chunk reads its drafts, lines, rates and taken KIDs with one query each, advances the
    number series once by the number issued, and writes lines, VAT lines, invoices and
    audit entries with one statement per kind of row (``core.bulk``).
    """
    company_require_open(company=company)
    size = chunk_size or django_settings.ISSUE_CHUNK_SIZE
    ids = list(dict.fromkeys(int(pk) for pk in invoice_ids))
    result = IssueManyResult()
    for start in range(0, len(ids), size):
        _issue_chunk(company, ids[start : start + size], actor, result)
    return result


def _issue_chunk(company: Company, ids: list[int], actor: Actor, result: IssueManyResult) -> None:
    with _atomic_in_scope(company):
        # A fresh copy of the seller, as ``invoice_issue`` reads it through the invoice.
        seller = Company.objects.get(pk=company.pk)
        # Locked in id order, so two overlapping batches cannot deadlock.
        locked = {
            invoice.pk: invoice
            for invoice in Invoice.objects.select_for_update(of=("self",))
            .select_related("client")
            .filter(pk__in_ids=ids)
            .order_by("pk")
        }
        drafts = []
        for pk in ids:
            invoice = locked.get(pk)
            refusal = (
                ValidationError(_("Finnes ikke."), code="not_found")
                if invoice is None
                else _not_issuable(invoice)
            )
            if refusal is not None:
                result.failed[pk] = refusal
            elif invoice is not None:
                invoice.company = seller
                drafts.append(invoice)
        if not drafts:
            return
        lines_of: dict[int, list[InvoiceLine]] = {invoice.pk: [] for invoice in drafts}
        for line in (
            InvoiceLine.objects.select_related("vat_code", "product")
            .filter(invoice_id__in_ids=list(lines_of))
            .order_by("invoice_id", "position")
        ):
            line.invoice = locked[line.invoice_id]
            lines_of[line.invoice_id].append(line)
        rates = VatRateTable(
            vat_codes=[line.vat_code for lines in lines_of.values() for line in lines]
        )
        settings_row = _ensure_settings(company)
        ready: list[tuple[Invoice, list[InvoiceLine], Totals]] = []
        for invoice in drafts:
            lines = lines_of[invoice.pk]
            try:
                totals = _prepare_issue(invoice, lines, settings_row, rate_on=rates.rate_on)
            except ValidationError as exc:
                result.failed[invoice.pk] = exc
                continue
            ready.append((invoice, lines, totals))
        if not ready:
            return

        series = _series(company, _series_kind_for(settings_row, Invoice.Kind.INVOICE))
        series = NumberSeries.objects.select_for_update().get(pk=series.pk)
        previous = _last_in_series(series)
        first = next_number = series.next_number
        # The KIDs the drafts would get if all were issued, checked in one query; a failure
        # shifts the later numbers, and a candidate not checked then is looked up alone.
        checked: set[str] = set()
        if settings_row.kid_method != KidMethod.NONE:
            for offset, (invoice, _lines, _totals) in enumerate(ready):
                checked.update(
                    _kid_candidates(
                        settings_row=settings_row,
                        client_number=invoice.client.number,
                        invoice_number=first + offset,
                    )
                )
        taken = _open_kids(checked) if checked else set()

        def kid_taken(kid: str) -> bool:
            if kid not in checked:
                checked.add(kid)
                taken.update(_open_kids([kid]))
            return kid in taken

        now = timezone.now()
        issued: list[tuple[Invoice, list[InvoiceLine], list[InvoiceVatLine]]] = []
        for invoice, lines, totals in ready:
            try:
                _check_date_order(invoice, previous)
                _set_issued(
                    invoice,
                    lines=lines,
                    totals=totals,
                    series=series,
                    number=next_number,
                    settings_row=settings_row,
                    actor=actor,
                    kid_taken=kid_taken,
                    now=now,
                )
                invoice.updated_at = now
                vat_lines = _vat_lines(invoice, lines, totals)
                _check_document(invoice, lines, vat_lines)
            except ValidationError as exc:
                result.failed[invoice.pk] = exc
                continue
            if invoice.status in OPEN_STATUSES and invoice.kid:
                # Open from now on: a later draft of the chunk cannot get the same KID.
                taken.add(invoice.kid)
            previous = (next_number, invoice.invoice_date)
            next_number += 1
            issued.append((invoice, lines, vat_lines))
        if not issued:
            return

        # Lines and VAT lines first: the database refuses them once the invoice is issued.
        bulk_set([line for _inv, lines, _vat in issued for line in lines], FROZEN_LINE_FIELDS)
        bulk_insert([vat_line for _inv, _lines, vat_lines in issued for vat_line in vat_lines])
        invoices = [invoice for invoice, _lines, _vat in issued]
        bulk_set(invoices, [*ISSUED_FIELDS, "updated_at"])
        # After the invoices: advancing by more than one needs their numbers in the series.
        series.next_number = next_number
        series.save(update_fields=["next_number"])
        month_summary_add(company_id=company.pk, documents=invoices)
        audit_log_many(
            actor=actor, company=company, records=[_issued_record(inv) for inv in invoices]
        )
        hooks.documents_issued(company_id=company.pk, invoice_ids=[inv.pk for inv in invoices])
        result.issued.extend(invoices)


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
