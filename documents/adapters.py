"""From an invoice (or credit note) in the database to the ``InvoiceDocument`` it prints.

An issued document is built only from what was frozen at issue: the seller and buyer
snapshots, the frozen lines (texts, rates, nets) and the stored VAT breakdown and totals.
Nothing live (the company's or client's current data) can leak into it. A draft
preview is built from live data and the same arithmetic, and has no number.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import translation

from catalog.models import VatCode
from catalog.selectors import vat_rate_on
from catalog.units import Unit
from documents.document import (
    Address,
    DocumentLine,
    DocumentReference,
    InvoiceDocument,
    Party,
    Totals,
    VatSubtotal,
)
from invoicing.calculation import LineInput, compute_totals
from invoicing.calculation import Totals as CalculatedTotals
from invoicing.models import Invoice, InvoiceLine, InvoiceVatLine
from invoicing.selectors import vat_rate_date
from invoicing.services import buyer_snapshot, seller_snapshot
from invoicing.texts import payment_note_for

SCHEME_NO_ORGNR = "0192"


def _seller(snapshot: dict[str, Any], our_reference: str) -> Party:
    orgnr = snapshot.get("organization_number", "")
    country = snapshot.get("country") or "NO"
    return Party(
        name=snapshot.get("name", ""),
        address=Address(
            line1=snapshot.get("address_line", ""),
            postcode=snapshot.get("postcode", ""),
            city=snapshot.get("city", ""),
            country=country,
        ),
        organization_number=orgnr,
        vat_registered=bool(snapshot.get("vat_registered")),
        in_foretaksregisteret=bool(snapshot.get("in_foretaksregisteret")),
        email=snapshot.get("email", ""),
        phone=snapshot.get("phone", ""),
        contact_name=our_reference,
        peppol_id=f"{SCHEME_NO_ORGNR}:{orgnr}" if orgnr and country == "NO" else "",
    )


def _buyer(snapshot: dict[str, Any]) -> Party:
    orgnr = snapshot.get("organization_number", "")
    country = snapshot.get("country") or "NO"
    emails = snapshot.get("invoice_emails") or []
    peppol_id = snapshot.get("peppol_id", "")
    if not peppol_id and orgnr and country == "NO":
        peppol_id = f"{SCHEME_NO_ORGNR}:{orgnr}"
    return Party(
        name=snapshot.get("name", ""),
        address=Address(
            line1=snapshot.get("address_line", ""),
            line2=snapshot.get("address_line2", ""),
            postcode=snapshot.get("postcode", ""),
            city=snapshot.get("city", ""),
            country=country,
        ),
        organization_number=orgnr,
        vat_registered=bool(snapshot.get("vat_registered")),
        email=emails[0] if emails else "",
        phone=snapshot.get("phone", ""),
        contact_name=snapshot.get("contact_person", ""),
        peppol_id=peppol_id,
        is_person=snapshot.get("kind") == "person",
        foreign_vat_id=snapshot.get("vat_number", ""),
    )


def seller_party(snapshot: dict[str, Any], our_reference: str = "") -> Party:
    """The seller ``Party`` of a seller snapshot (``invoicing.services.seller_snapshot``)."""
    return _seller(snapshot, our_reference)


def buyer_party(snapshot: dict[str, Any]) -> Party:
    """The buyer ``Party`` of a buyer snapshot (``invoicing.services.buyer_snapshot``)."""
    return _buyer(snapshot)


def _vat_label(code: VatCode | None, language: str) -> str:
    if code is None:
        return ""
    return code.name_in(language)


@functools.lru_cache(maxsize=256)
def unit_label(code: str, language: str) -> str:
    """The unit's printed name in the document's language (not the request's). Kept per
    (code, language): the catalogues do not change while the process runs, and switching
    the language for each line cost 8 µs a line at issue."""
    try:
        unit = Unit(code)
    except ValueError:
        return code
    with translation.override(language):
        return str(unit.label)


def _document_line(
    line: InvoiceLine, *, rate: Decimal, net: Decimal, language: str
) -> DocumentLine:
    return DocumentLine(
        position=line.position,
        description=line.description or (line.product.name if line.product else ""),
        quantity=line.quantity,
        unit_code=line.unit,
        unit_label=unit_label(line.unit, language),
        unit_price=line.unit_price,
        discount_percent=line.discount_percent,
        line_net=net,
        vat_code=line.vat_code.code,
        vat_category=line.vat_code.ubl_category,
        vat_rate=rate,
        product_number=line.item_number or (line.product.number if line.product else ""),
        period_start=line.period_start,
        period_end=line.period_end,
    )


def _issued_figures(
    invoice: Invoice,
    lines: list[InvoiceLine],
    codes: dict[str, VatCode],
    language: str,
    vat_lines: list[InvoiceVatLine],
) -> tuple[tuple[DocumentLine, ...], tuple[VatSubtotal, ...], tuple[str, ...]]:
    document_lines = tuple(
        _document_line(
            line, rate=line.vat_rate or Decimal("0.00"), net=line.net_amount, language=language
        )
        for line in lines
    )
    subtotals = []
    legal_texts: list[str] = []
    for vat_line in vat_lines:
        code = vat_line.vat_codes[0] if vat_line.vat_codes else ""
        subtotals.append(
            VatSubtotal(
                vat_category=vat_line.vat_category,
                vat_rate=vat_line.vat_rate,
                taxable_amount=vat_line.basis,
                tax_amount=vat_line.vat,
                tax_amount_nok=vat_line.vat_nok,
                vat_code=code,
                label=_vat_label(codes.get(code), language),
                exemption_reason_code=vat_line.exemption_reason_code,
                exemption_reason=vat_line.exemption_reason,
            )
        )
        if vat_line.invoice_text and vat_line.invoice_text not in legal_texts:
            legal_texts.append(vat_line.invoice_text)
    return document_lines, tuple(subtotals), tuple(legal_texts)


def _draft_figures(
    invoice: Invoice, lines: list[InvoiceLine], language: str
) -> tuple[tuple[DocumentLine, ...], tuple[VatSubtotal, ...], tuple[str, ...], Any]:
    rates = [
        vat_rate_on(vat_code=line.vat_code, on=vat_rate_date(invoice=invoice, line=line))
        for line in lines
    ]
    totals = compute_totals(
        [LineInput.of(line, rate) for line, rate in zip(lines, rates, strict=True)],
        exchange_rate=invoice.exchange_rate,
    )
    document_lines = tuple(
        _document_line(line, rate=rate, net=net, language=language)
        for line, rate, net in zip(lines, rates, totals.line_nets, strict=True)
    )
    subtotals, legal_texts = vat_subtotals(
        totals, [(line.vat_code, rate) for line, rate in zip(lines, rates, strict=True)], language
    )
    return document_lines, subtotals, legal_texts, totals


def vat_subtotals(
    totals: CalculatedTotals, codes: Iterable[tuple[VatCode, Decimal]], language: str
) -> tuple[tuple[VatSubtotal, ...], tuple[str, ...]]:
    """The VAT breakdown of a document computed from its lines (a draft's, a quote's): one
    subtotal per VAT group of ``totals``, named by the first line's VAT code of that
    category and rate (``codes``: each line's code and rate), and the codes' legal texts,
    each once."""
    code_of_group: dict[tuple[str, Decimal], VatCode] = {}
    for vat_code, rate in codes:
        code_of_group.setdefault((vat_code.ubl_category, rate), vat_code)
    subtotals = []
    legal_texts: list[str] = []
    for group in totals.vat_groups:
        code = code_of_group.get((group.category, group.rate))
        subtotals.append(
            VatSubtotal(
                vat_category=group.category,
                vat_rate=group.rate,
                taxable_amount=group.basis,
                tax_amount=group.vat,
                tax_amount_nok=group.vat_nok,
                vat_code=code.code if code else "",
                label=_vat_label(code, language),
                exemption_reason_code=code.exemption_reason_code if code else "",
                exemption_reason=code.exemption_reason if code else "",
            )
        )
        if code and code.invoice_text and code.invoice_text not in legal_texts:
            legal_texts.append(code.invoice_text)
    return tuple(subtotals), tuple(legal_texts)


def for_documents(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    """``invoices`` with everything their documents need: a fixed number of queries for
    any number of invoices (the archiving task loads a whole chunk with one set)."""
    return invoices.select_related("client", "company", "credited_invoice").prefetch_related(
        Prefetch(
            "lines",
            queryset=InvoiceLine.objects.select_related("vat_code", "product").order_by("position"),
        ),
        "vat_lines",
    )


def load_for_document(invoice_id: int) -> Invoice:
    """The invoice with everything the document needs, in a fixed number of queries."""
    return for_documents(Invoice.objects.all()).get(pk=invoice_id)


def document_from_invoice(
    invoice: Invoice,
    *,
    lines: list[InvoiceLine] | None = None,
    vat_lines: list[InvoiceVatLine] | None = None,
) -> InvoiceDocument:
    """The ``InvoiceDocument`` of ``invoice``: frozen data if issued, a preview if a draft.

    ``lines`` and ``vat_lines`` may be given when the caller holds them already (the
    issue transaction); otherwise they are read from the invoice (prefetched by
    ``load_for_document``).
    """
    lines = list(invoice.lines.all()) if lines is None else lines
    if invoice.is_draft:
        reverse_charge = any(
            line.vat_code.ubl_category == VatCode.Category.REVERSE_CHARGE for line in lines
        )
        seller_data = seller_snapshot(invoice.company)
        buyer_data = buyer_snapshot(invoice.client, reverse_charge=reverse_charge)
    else:
        seller_data, buyer_data = invoice.seller_snapshot, invoice.buyer_snapshot
    language = buyer_data.get("language") or "nb"

    if invoice.is_draft:
        document_lines, subtotals, legal_texts, computed = _draft_figures(invoice, lines, language)
        totals = Totals(
            line_extension=computed.sum_of_line_nets,
            tax_exclusive=computed.total_excl_vat,
            tax=computed.total_vat,
            tax_inclusive=computed.total_incl_vat,
            tax_nok=computed.total_vat_nok if invoice.currency != "NOK" else None,
        )
    else:
        # The VAT codes of the breakdown are those of the lines (loaded with them).
        codes = {line.vat_code.code: line.vat_code for line in lines}
        document_lines, subtotals, legal_texts = _issued_figures(
            invoice,
            lines,
            codes,
            language,
            list(invoice.vat_lines.all()) if vat_lines is None else vat_lines,
        )
        totals = Totals(
            line_extension=invoice.total_excl_vat,
            tax_exclusive=invoice.total_excl_vat,
            tax=invoice.total_vat,
            tax_inclusive=invoice.total_incl_vat,
            tax_nok=invoice.total_vat_nok if invoice.currency != "NOK" else None,
        )

    if invoice.is_credit_note:
        note_to_pay = ""
    elif invoice.is_draft:
        note_to_pay = payment_note_for(company=invoice.company, language=language)
    else:
        # Frozen at issue; an invoice issued before there were notes has none.
        note_to_pay = seller_data.get("payment_note", "")

    credited = None
    if invoice.is_credit_note and invoice.credited_invoice is not None:
        original = invoice.credited_invoice
        credited = DocumentReference(number=str(original.number), issue_date=original.invoice_date)

    return InvoiceDocument(
        kind="credit_note" if invoice.is_credit_note else "invoice",
        number=None if invoice.is_draft else str(invoice.number),
        issue_date=invoice.invoice_date,
        due_date=None if invoice.is_credit_note else invoice.due_date,
        seller=_seller(seller_data, invoice.our_reference),
        buyer=_buyer(buyer_data),
        lines=document_lines,
        vat_subtotals=subtotals,
        totals=totals,
        currency=invoice.currency,
        exchange_rate=invoice.exchange_rate if invoice.currency != "NOK" else None,
        delivery_date=invoice.delivery_date,
        period_start=invoice.delivery_period_start,
        period_end=invoice.delivery_period_end,
        client_number=str(buyer_data.get("client_number", "")),
        our_reference=invoice.our_reference,
        their_reference=invoice.their_reference,
        buyer_reference=invoice.buyer_reference,
        order_reference=invoice.order_number,
        delivery_address=(
            Address(
                line1=invoice.delivery_address,
                postcode=invoice.delivery_postcode,
                city=invoice.delivery_city,
                country=invoice.delivery_country or "NO",
            )
            if invoice.delivery_address or invoice.delivery_city
            else None
        ),
        note=invoice.free_text,
        legal_texts=legal_texts,
        payment_note=note_to_pay,
        kid=invoice.kid,
        bank_account=seller_data.get("bank_account", ""),
        iban=seller_data.get("iban", ""),
        bic=seller_data.get("bic", ""),
        language=language,
        # Not in snapshots of invoices issued before the setting existed: as printed then.
        prices_include_vat=bool(buyer_data.get("prices_incl_vat", False)),
        credited=credited,
        prepayment=invoice.is_prepayment and not invoice.is_credit_note,
    )
