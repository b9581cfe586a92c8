"""What an invoice or credit note says, independent of how it is rendered.

The PDF renderer and the EHF builder both render one ``InvoiceDocument``, built from
the issued invoice's snapshot (``documents.adapters``), so the two always show the
same parties, lines and figures. Amounts are Decimal, already rounded to øre.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

from core.money import round_money

DocumentKind = Literal["invoice", "credit_note", "quote"]


@dataclass(frozen=True)
class Address:
    line1: str = ""
    line2: str = ""
    postcode: str = ""
    city: str = ""
    country: str = "NO"  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class Party:
    name: str
    address: Address = field(default_factory=Address)
    organization_number: str = ""  # 9 digits for a Norwegian enterprise, else ""
    vat_registered: bool = False  # seller: in Merverdiavgiftsregisteret ("MVA")
    in_foretaksregisteret: bool = False
    email: str = ""
    phone: str = ""
    contact_name: str = ""
    # Peppol participant id "scheme:value", e.g. "0192:999999999"; "" if none.
    peppol_id: str = ""
    is_person: bool = False
    # A foreign buyer's VAT number with its country prefix (SE556677889901), else "".
    foreign_vat_id: str = ""

    @property
    def vat_id(self) -> str:
        """NO999999999MVA for a VAT-registered Norwegian enterprise, else the foreign VAT
        number (if any), else ""."""
        if self.vat_registered and self.organization_number and self.address.country == "NO":
            return f"NO{self.organization_number}MVA"
        return self.foreign_vat_id


@dataclass(frozen=True)
class DocumentLine:
    position: int
    description: str
    quantity: Decimal
    unit_code: str  # UN/ECE Recommendation 20, e.g. "EA", "HUR"
    unit_label: str  # as printed: "stk", "t"
    unit_price: Decimal  # excl. VAT, before discount
    discount_percent: Decimal  # 0 when none
    line_net: Decimal  # round(quantity × unit price × (1 − discount/100), 2)
    vat_code: str  # SAF-T standard code: "3", "31", ...
    vat_category: str  # UBL/UNCL5305: S, Z, E, AE, G, O
    vat_rate: Decimal  # percent, e.g. Decimal("25.00")
    product_number: str = ""
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None

    @property
    def gross_amount(self) -> Decimal:
        """quantity × unit price, unrounded."""
        return self.quantity * self.unit_price

    @property
    def discount_amount(self) -> Decimal:
        """The line allowance (BT-136): what the discount took off, in øre."""
        return round_money(self.gross_amount) - self.line_net

    @property
    def unit_price_incl_vat(self) -> Decimal:
        """The unit price with the line's VAT, to øre: shown to consumers, never summed."""
        return round_money(self.unit_price * (1 + self.vat_rate / 100))

    @property
    def line_amount_incl_vat(self) -> Decimal:
        """The line net with the line's VAT, to øre: shown to consumers. The VAT of record
        is computed per rate on the sum of line nets (EN 16931), so these may differ from
        the totals by an øre of rounding."""
        return round_money(self.line_net * (1 + self.vat_rate / 100))


@dataclass(frozen=True)
class VatSubtotal:
    vat_category: str
    vat_rate: Decimal
    taxable_amount: Decimal  # sum of line nets in this category and rate
    tax_amount: Decimal  # in the document currency
    tax_amount_nok: Decimal  # the same in NOK (bokføringsforskriften § 5-1-1 nr. 6)
    vat_code: str = ""
    label: str = ""  # e.g. "Utgående MVA, alminnelig sats"
    exemption_reason_code: str = ""  # VATEX code where the rules want one
    exemption_reason: str = ""


@dataclass(frozen=True)
class Totals:
    line_extension: Decimal  # BT-106: sum of line nets
    tax_exclusive: Decimal  # BT-109
    tax: Decimal  # BT-110
    tax_inclusive: Decimal  # BT-112
    prepaid: Decimal = Decimal("0.00")  # BT-113
    payable: Decimal | None = None  # BT-115; tax_inclusive − prepaid when None
    tax_nok: Decimal | None = None  # VAT in NOK for a foreign-currency invoice

    @property
    def amount_due(self) -> Decimal:
        return self.payable if self.payable is not None else self.tax_inclusive - self.prepaid


@dataclass(frozen=True)
class DocumentReference:
    """The invoice a credit note corrects."""

    number: str
    issue_date: datetime.date


@dataclass(frozen=True)
class InvoiceDocument:
    kind: DocumentKind
    number: str | None  # None for a draft preview
    issue_date: datetime.date
    due_date: datetime.date | None
    seller: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    vat_subtotals: tuple[VatSubtotal, ...]
    totals: Totals
    currency: str = "NOK"
    exchange_rate: Decimal | None = None  # NOK per one unit of currency
    delivery_date: datetime.date | None = None
    period_start: datetime.date | None = None
    period_end: datetime.date | None = None
    client_number: str = ""
    our_reference: str = ""
    their_reference: str = ""
    buyer_reference: str = ""
    order_reference: str = ""
    note: str = ""  # free text
    legal_texts: tuple[str, ...] = ()  # e.g. the reverse-charge sentence
    payment_note: str = ""  # under the payment details; also the EHF's payment terms
    kid: str = ""
    bank_account: str = ""  # 11-digit kontonummer
    iban: str = ""
    bic: str = ""
    language: str = "nb"
    credited: DocumentReference | None = None
    # Print line prices and amounts incl. VAT (for a consumer); the VAT breakdown stays.
    prices_include_vat: bool = False
    # Where the goods or services were delivered, when not the buyer's address
    # (bokføringsforskriften § 5-1-1 nr. 4); None: the buyer's address.
    delivery_address: Address | None = None
    valid_until: datetime.date | None = None  # quotes: the last day the offer stands
    prepayment: bool = False  # a prepayment invoice (forskuddsfaktura, EHF type code 386)

    @property
    def is_draft(self) -> bool:
        return self.number is None

    @property
    def is_credit_note(self) -> bool:
        return self.kind == "credit_note"

    @property
    def is_quote(self) -> bool:
        """A quote (tilbud): no payment details, a valid-until date instead of a due date."""
        return self.kind == "quote"
