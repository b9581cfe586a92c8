"""A quote as the ``documents`` renderer's ``InvoiceDocument`` (kind ``quote``) and its PDF.

Seller and buyer: for a quote not yet sent, the live company and client data (the
preview); once sent, the snapshots taken when it was first sent (``Quote.seller_snapshot``
/ ``buyer_snapshot``), so the PDF the client can download again through the link is the
offer they were sent. Lines, rates and totals are those stored on the quote.
"""

from __future__ import annotations

from decimal import Decimal

from catalog.models import VatCode
from documents.adapters import buyer_party, seller_party, vat_subtotals
from documents.document import DocumentLine, InvoiceDocument, Totals
from documents.pdf import render_pdf
from documents.selectors import company_logo
from invoicing.calculation import LineInput, compute_totals
from invoicing.services import buyer_snapshot, seller_snapshot
from quotes.models import Quote


def _lines(quote: Quote) -> list:
    return list(quote.lines.select_related("vat_code", "product").order_by("position"))


def _reverse_charge(lines: list) -> bool:
    return any(line.vat_code.ubl_category == VatCode.Category.REVERSE_CHARGE for line in lines)


def parties_now(quote: Quote) -> tuple[dict, dict]:
    """(seller, buyer) snapshots of the company and client as they are now."""
    return (
        seller_snapshot(quote.company),
        buyer_snapshot(quote.client, reverse_charge=_reverse_charge(_lines(quote))),
    )


def document_from_quote(quote: Quote) -> InvoiceDocument:
    lines = _lines(quote)
    if quote.seller_snapshot is not None and quote.buyer_snapshot is not None:
        seller, buyer = quote.seller_snapshot, quote.buyer_snapshot
    else:
        seller = seller_snapshot(quote.company)
        buyer = buyer_snapshot(quote.client, reverse_charge=_reverse_charge(lines))
    language = buyer.get("language") or "nb"
    totals = compute_totals(
        [LineInput.of(line, line.vat_rate) for line in lines],
        exchange_rate=Decimal(1),
    )
    subtotals, legal_texts = vat_subtotals(
        totals, [(line.vat_code, line.vat_rate) for line in lines], language
    )
    return InvoiceDocument(
        kind="quote",
        number=str(quote.number),
        issue_date=quote.quote_date,
        due_date=None,
        valid_until=quote.valid_until,
        seller=seller_party(seller, quote.our_reference),
        buyer=buyer_party(buyer),
        lines=tuple(
            DocumentLine(
                position=line.position,
                description=line.description,
                quantity=line.quantity,
                unit_code=line.unit,
                unit_label=str(line.get_unit_display()),
                unit_price=line.unit_price,
                discount_percent=line.discount_percent,
                line_net=net,
                vat_code=line.vat_code.code,
                vat_category=line.vat_code.ubl_category,
                vat_rate=line.vat_rate,
                product_number=line.product.number if line.product else "",
            )
            for line, net in zip(lines, totals.line_nets, strict=True)
        ),
        vat_subtotals=tuple(subtotals),
        totals=Totals(
            line_extension=totals.sum_of_line_nets,
            tax_exclusive=totals.total_excl_vat,
            tax=totals.total_vat,
            tax_inclusive=totals.total_incl_vat,
        ),
        client_number=str(buyer.get("client_number", "")),
        our_reference=quote.our_reference,
        their_reference=quote.their_reference,
        note=quote.free_text,
        legal_texts=tuple(legal_texts),
        bank_account=seller.get("bank_account", ""),
        language=language,
        currency=quote.currency,  # a quote has no exchange rate: no NOK figures shown
    )


def quote_pdf(quote: Quote) -> bytes:
    logo = company_logo(company=quote.company)
    return render_pdf(document_from_quote(quote), logo=logo)
