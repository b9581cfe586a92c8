"""``InvoiceDocument`` objects for the PDF and EHF tests.

``make_document(**overrides)`` gives a valid Norwegian invoice: a VAT-registered AS in
Foretaksregisteret selling to another AS, lines at 25 %, 15 % and 12 %. The VAT breakdown
and totals are always computed from the lines by EN 16931's rules (line nets rounded to
øre, VAT per category and rate on the sum of its line nets, totals from those), so a test
that changes the lines, the currency or the exchange rate gets consistent figures.

Overrides are ``InvoiceDocument`` fields; ``vat_subtotals``/``totals`` are only taken as
given when passed explicitly. ``kind="credit_note"`` gets a ``credited`` reference by
default, and lines in category AE (reverse charge) get the legal sentence.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from pypdf.generic import DictionaryObject, PdfObject

from core.identifiers import kid_mod10
from core.money import ZERO, round_money
from documents.document import (
    Address,
    DocumentLine,
    DocumentReference,
    InvoiceDocument,
    Party,
    Totals,
    VatSubtotal,
)

SELLER_ORGNR = "995525828"
BUYER_ORGNR = "988077917"
BANK_ACCOUNT = "86011117947"
REVERSE_CHARGE_TEXT = "Omvendt avgiftsplikt – Merverdiavgift ikke beregnet"

_VAT_CODES = {
    ("S", Decimal("25")): "3",
    ("S", Decimal("15")): "31",
    ("S", Decimal("12")): "33",
    ("S", Decimal("11.11")): "32",
    ("Z", Decimal("0")): "5",
    ("AE", Decimal("0")): "51",
    ("G", Decimal("0")): "52",
    ("E", Decimal("0")): "6",
    ("O", Decimal("0")): "7",
}
_VAT_LABELS = {
    "3": "Utgående MVA, alminnelig sats",
    "31": "Utgående MVA, middels sats",
    "33": "Utgående MVA, lav sats",
    "51": "Innenlandsk omsetning med omvendt avgiftsplikt",
}


def make_seller(**overrides: Any) -> Party:
    fields: dict[str, Any] = {
        "name": "Fjordlys Rådgivning AS",
        "address": Address(line1="Storgata 12", postcode="0155", city="Oslo"),
        "organization_number": SELLER_ORGNR,
        "vat_registered": True,
        "in_foretaksregisteret": True,
        "email": "faktura@fjordlys.no",
        "phone": "+47 22 33 44 55",
        "contact_name": "Åse Ødegård",
        "peppol_id": f"0192:{SELLER_ORGNR}",
    }
    fields.update(overrides)
    return Party(**fields)


def make_buyer(**overrides: Any) -> Party:
    fields: dict[str, Any] = {
        "name": "Bølgen & Søn AS",
        "address": Address(line1="Kjøpmannsgata 5", postcode="7013", city="Trondheim"),
        "organization_number": BUYER_ORGNR,
        "vat_registered": True,
        "in_foretaksregisteret": True,
        "email": "regnskap@bolgen.no",
        "contact_name": "Per Østli",
        "peppol_id": f"0192:{BUYER_ORGNR}",
    }
    fields.update(overrides)
    return Party(**fields)


def make_line(
    *,
    position: int = 1,
    description: str = "Rådgivning",
    quantity: str | Decimal = "1",
    unit_price: str | Decimal = "1000.00",
    discount_percent: str | Decimal = "0",
    vat_category: str = "S",
    vat_rate: str | Decimal = "25",
    unit_code: str = "EA",
    unit_label: str = "stk",
    **overrides: Any,
) -> DocumentLine:
    """One line with its net computed: round(quantity × price × (1 − discount/100), 2)."""
    quantity, unit_price = Decimal(quantity), Decimal(unit_price)
    discount, rate = Decimal(discount_percent), Decimal(vat_rate)
    net = round_money(quantity * unit_price * (1 - discount / 100))
    fields: dict[str, Any] = {
        "position": position,
        "description": description,
        "quantity": quantity,
        "unit_code": unit_code,
        "unit_label": unit_label,
        "unit_price": unit_price,
        "discount_percent": discount,
        "line_net": net,
        "vat_code": _VAT_CODES[(vat_category, rate.normalize())],
        "vat_category": vat_category,
        "vat_rate": rate.quantize(Decimal("0.01")),
    }
    fields.update(overrides)
    return DocumentLine(**fields)


def default_lines() -> tuple[DocumentLine, ...]:
    return (
        make_line(
            position=1,
            description="Rådgivning, prosjekt «Nordlys» – fase 1",
            quantity="7.5",
            unit_price="1250.00",
            unit_code="HUR",
            unit_label="t",
            product_number="RG-100",
        ),
        make_line(
            position=2,
            description="Smørbrød og kaffe til arbeidsmøte",
            quantity="12",
            unit_price="89.50",
            discount_percent="10",
            vat_rate="15",
        ),
        make_line(
            position=3,
            description="Hotellovernatting Ålesund, enkeltrom",
            quantity="2",
            unit_price="1195.00",
            unit_label="natt",
            unit_code="DAY",
            vat_rate="12",
        ),
    )


def reverse_charge_lines() -> tuple[DocumentLine, ...]:
    """Domestic reverse charge (SAF-T 51, category AE), e.g. building services."""
    return (
        make_line(
            position=1,
            description="Tømrerarbeid, ombygging av kontorlokaler på Økern",
            quantity="38",
            unit_price="845.00",
            unit_code="HUR",
            unit_label="t",
            vat_category="AE",
            vat_rate="0",
        ),
        make_line(
            position=2,
            description="Byggematerialer etter spesifikasjon",
            quantity="1",
            unit_price="18450.50",
            vat_category="AE",
            vat_rate="0",
        ),
    )


def compute_figures(
    lines: tuple[DocumentLine, ...],
    *,
    exchange_rate: Decimal | None = None,
    prepaid: Decimal = ZERO,
) -> tuple[tuple[VatSubtotal, ...], Totals]:
    """The VAT breakdown and totals of ``lines`` by EN 16931 (BR-CO-10..16)."""
    rate_nok = exchange_rate if exchange_rate is not None else Decimal(1)
    groups: dict[tuple[str, Decimal], list[DocumentLine]] = {}
    for line in lines:
        groups.setdefault((line.vat_category, line.vat_rate), []).append(line)
    subtotals = []
    for (category, rate), members in sorted(groups.items(), key=lambda g: (g[0][0], -g[0][1])):
        basis = round_money(sum((line.line_net for line in members), ZERO))
        tax = round_money(basis * rate / 100)
        code = members[0].vat_code
        subtotals.append(
            VatSubtotal(
                vat_category=category,
                vat_rate=rate,
                taxable_amount=basis,
                tax_amount=tax,
                tax_amount_nok=round_money(tax * rate_nok),
                vat_code=code,
                label=_VAT_LABELS.get(code, ""),
                exemption_reason_code="VATEX-EU-AE" if category == "AE" else "",
                exemption_reason=REVERSE_CHARGE_TEXT if category == "AE" else "",
            )
        )
    line_extension = round_money(sum((line.line_net for line in lines), ZERO))
    tax = round_money(sum((s.tax_amount for s in subtotals), ZERO))
    totals = Totals(
        line_extension=line_extension,
        tax_exclusive=line_extension,
        tax=tax,
        tax_inclusive=line_extension + tax,
        prepaid=round_money(prepaid),
        tax_nok=(
            round_money(sum((s.tax_amount_nok for s in subtotals), ZERO))
            if exchange_rate is not None
            else None
        ),
    )
    return tuple(subtotals), totals


def make_document(**overrides: Any) -> InvoiceDocument:
    lines = tuple(overrides.pop("lines", None) or default_lines())
    exchange_rate = overrides.get("exchange_rate")
    currency = overrides.get("currency", "NOK")
    if currency != "NOK" and exchange_rate is None:
        raise ValueError("a foreign-currency document needs exchange_rate")
    subtotals, totals = compute_figures(
        lines,
        exchange_rate=exchange_rate if currency != "NOK" else None,
        prepaid=overrides.pop("prepaid", ZERO),
    )
    kind = overrides.get("kind", "invoice")
    credit = kind == "credit_note"
    fields: dict[str, Any] = {
        "kind": kind,
        "number": "10024" if credit else "10023",
        "issue_date": datetime.date(2026, 11, 24),
        "due_date": None if credit else datetime.date(2026, 12, 8),
        "seller": make_seller(),
        "buyer": make_buyer(),
        "lines": lines,
        "vat_subtotals": subtotals,
        "totals": totals,
        "delivery_date": datetime.date(2026, 11, 20),
        "client_number": "1042",
        "our_reference": "Åse Ødegård",
        "their_reference": "Per Østli",
        "buyer_reference": "Per Østli",
        "order_reference": "PO-7781",
        "note": "Takk for oppdraget!",
        "kid": "" if credit else kid_mod10("00100230"),
        "bank_account": BANK_ACCOUNT,
        "credited": (
            DocumentReference(number="10023", issue_date=datetime.date(2026, 11, 24))
            if credit
            else None
        ),
    }
    if any(line.vat_category == "AE" for line in lines):
        fields["legal_texts"] = (REVERSE_CHARGE_TEXT,)
    fields.update(overrides)
    return InvoiceDocument(**fields)


def pdf_dict(value: PdfObject | None) -> DictionaryObject:
    """A PDF dictionary, indirect references followed (pypdf types every value as any object)."""
    assert value is not None
    resolved = value.get_object()
    assert isinstance(resolved, DictionaryObject), resolved
    return resolved
