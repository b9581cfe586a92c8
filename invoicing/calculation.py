"""Invoice arithmetic per EN 16931, with no database access.

The one place where an invoice's figures are computed. The issue service stores its
result; the PDF and EHF renderers read the stored figures (or call this module with the
stored lines) and therefore show exactly the same amounts.

Rules (design.md §4, EN 16931 BR-CO-10..16, BR-CO-17):

- line net amount (BT-131) = round(quantity × unit price × (1 − discount % / 100), 2);
- per VAT breakdown group (category BT-118 + rate BT-119): taxable amount (BT-116) = sum
  of the line nets in the group; VAT (BT-117) = round(taxable amount × rate / 100, 2),
  rounded once per group, never per line;
- sum of line nets (BT-106) = Σ line nets (BR-CO-10); no document-level allowances or
  charges here, so total without VAT (BT-109) = BT-106 (BR-CO-13);
- total VAT (BT-110) = Σ group VAT (BR-CO-14); total with VAT (BT-112) = BT-109 + BT-110
  (BR-CO-15); amount due (BT-115) = BT-112 − prepaid (BT-113) + rounding (BT-114)
  (BR-CO-16); rounding is always 0 (no øre rounding for electronic payment, norway.md §1.5).
- Foreign currency: each group's VAT is also converted to NOK with the invoice's exchange
  rate (NOK per unit of the invoice currency) and rounded once; the NOK VAT total is the
  sum of the groups' NOK VAT, so the VAT report per code adds up to the invoice.

Decimal only; a float anywhere raises ``TypeError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from core.money import ZERO, round_money

HUNDRED = Decimal(100)
ONE = Decimal(1)


def _decimal(value: Decimal, name: str) -> Decimal:
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be Decimal, not {type(value).__name__}")
    return value


class _VatCoded(Protocol):
    @property
    def ubl_category(self) -> str: ...


class PricedLine(Protocol):
    """A stored line with a VAT code: a draft's, a quote's."""

    @property
    def quantity(self) -> Decimal: ...
    @property
    def unit_price(self) -> Decimal: ...
    @property
    def discount_percent(self) -> Decimal: ...
    @property
    def vat_code(self) -> _VatCoded: ...


@dataclass(frozen=True)
class LineInput:
    """What the arithmetic needs of one invoice line."""

    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    vat_category: str  # UBL category: S, Z, E, AE, G, O
    vat_rate: Decimal  # percent, e.g. Decimal("25.00")

    @classmethod
    def of(cls, line: PricedLine, vat_rate: Decimal) -> LineInput:
        """A stored line, with the VAT rate that applies to it."""
        return cls(
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            vat_category=line.vat_code.ubl_category,
            vat_rate=vat_rate,
        )


@dataclass(frozen=True)
class VatGroup:
    """One row of the VAT breakdown (BG-23)."""

    category: str
    rate: Decimal
    basis: Decimal  # BT-116
    vat: Decimal  # BT-117
    vat_nok: Decimal


@dataclass(frozen=True)
class Totals:
    line_nets: tuple[Decimal, ...]  # BT-131 per line, in input order
    vat_groups: tuple[VatGroup, ...]  # ordered by category, then rate descending
    sum_of_line_nets: Decimal  # BT-106
    total_excl_vat: Decimal  # BT-109
    total_vat: Decimal  # BT-110
    total_vat_nok: Decimal  # BT-111 when the currency is not NOK
    total_incl_vat: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    rounding: Decimal  # BT-114
    amount_due: Decimal  # BT-115


def line_net_amount(
    *, quantity: Decimal, unit_price: Decimal, discount_percent: Decimal
) -> Decimal:
    """BT-131: quantity × price × (1 − discount/100), rounded half-up to øre once."""
    _decimal(quantity, "quantity")
    _decimal(unit_price, "unit_price")
    _decimal(discount_percent, "discount_percent")
    return round_money(quantity * unit_price * (ONE - discount_percent / HUNDRED))


def vat_amount(*, basis: Decimal, rate: Decimal) -> Decimal:
    """BT-117: the group's taxable amount × rate / 100, rounded half-up once."""
    return round_money(_decimal(basis, "basis") * _decimal(rate, "rate") / HUNDRED)


def compute_totals(
    lines: Iterable[LineInput],
    *,
    exchange_rate: Decimal = ONE,
    prepaid: Decimal = ZERO,
) -> Totals:
    """All of a document's figures from its lines (see the module docstring)."""
    _decimal(exchange_rate, "exchange_rate")
    _decimal(prepaid, "prepaid")
    if exchange_rate <= 0:
        raise ValueError("exchange_rate must be positive")
    line_list = list(lines)
    nets = tuple(
        line_net_amount(
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
        )
        for line in line_list
    )
    bases: dict[tuple[str, Decimal], Decimal] = {}
    for line, net in zip(line_list, nets, strict=True):
        key = (line.vat_category, _decimal(line.vat_rate, "vat_rate").normalize())
        bases[key] = bases.get(key, ZERO) + net
    groups = []
    for category, rate in sorted(bases, key=lambda key: (key[0], -key[1])):
        basis = round_money(bases[(category, rate)])
        vat = vat_amount(basis=basis, rate=rate)
        groups.append(
            VatGroup(
                category=category,
                rate=rate.quantize(Decimal("0.01")),
                basis=basis,
                vat=vat,
                vat_nok=round_money(vat * exchange_rate),
            )
        )
    sum_nets = round_money(sum(nets, ZERO))
    total_vat = round_money(sum((group.vat for group in groups), ZERO))
    total_incl = sum_nets + total_vat
    return Totals(
        line_nets=nets,
        vat_groups=tuple(groups),
        sum_of_line_nets=sum_nets,
        total_excl_vat=sum_nets,
        total_vat=total_vat,
        total_vat_nok=round_money(sum((group.vat_nok for group in groups), ZERO)),
        total_incl_vat=total_incl,
        prepaid=round_money(prepaid),
        rounding=ZERO,
        amount_due=total_incl - round_money(prepaid),
    )


# --- Credit notes -----------------------------------------------------------------------------
#
# A credit note corrects part or all of an invoice. Over any sequence of credit notes the
# credited figures must never exceed the invoice's, line by line and VAT group by VAT group,
# to the øre, and crediting all that remains must leave exactly zero. Rounding each credit
# note on its own cannot promise that (three credits of 0.10 at 25 % reverse 0.03 VAT each,
# 0.09 of an invoice's 0.08), so credit-note figures are cumulative differences: what has
# been credited after this credit note, rounded once, minus what was credited before it.
# Each credit note's figures then differ from its own rounding by at most 0.01 (EN 16931
# BR-CO-17 and Peppol R120 allow that), and the sums are always exactly the invoice's.


def _same_sign_within(value: Decimal, limit: Decimal) -> bool:
    """``value`` lies between 0 and ``limit`` (inclusive), on ``limit``'s side of zero."""
    return ZERO <= value <= limit if limit >= 0 else limit <= value <= ZERO


def credit_line_net(
    *,
    quantity: Decimal,
    unit_price: Decimal,
    discount_percent: Decimal,
    line_quantity: Decimal,
    line_net: Decimal,
    credited_quantity: Decimal,
    credited_net: Decimal,
) -> Decimal:
    """BT-131 of a credit-note line that credits ``quantity`` of an invoice line.

    ``line_quantity``/``line_net`` are the invoice line's; ``credited_quantity`` and
    ``credited_net`` what earlier credit notes took of it. Crediting the rest of the
    quantity takes exactly the rest of the net; a part takes the cumulative difference.
    """
    for name, value in (
        ("quantity", quantity),
        ("unit_price", unit_price),
        ("discount_percent", discount_percent),
        ("line_quantity", line_quantity),
        ("line_net", line_net),
        ("credited_quantity", credited_quantity),
        ("credited_net", credited_net),
    ):
        _decimal(value, name)
    remaining_net = line_net - credited_net
    if credited_quantity + quantity == line_quantity:
        return remaining_net
    unit_net = unit_price * (ONE - discount_percent / HUNDRED)
    net = round_money(unit_net * (credited_quantity + quantity)) - round_money(
        unit_net * credited_quantity
    )
    # Never past what is left of the line (older credit notes were rounded on their own).
    if not _same_sign_within(net, remaining_net):
        net = remaining_net if abs(net) > abs(remaining_net) else ZERO
    return net


@dataclass(frozen=True)
class CreditedGroup:
    """One VAT group of an invoice: its figures and what earlier credit notes took of it."""

    basis: Decimal
    vat: Decimal
    vat_nok: Decimal
    credited_basis: Decimal = ZERO
    credited_vat: Decimal = ZERO
    credited_vat_nok: Decimal = ZERO


class CreditExceedsInvoice(ValueError):
    """A credit note would credit more than remains of a VAT group of the invoice."""

    def __init__(self, category: str, rate: Decimal, remaining: Decimal):
        super().__init__(f"{category} {rate}: only {remaining} remains")
        self.category, self.rate, self.remaining = category, rate, remaining


def credit_vat(
    *, group: CreditedGroup, basis: Decimal, rate: Decimal, exchange_rate: Decimal
) -> tuple[Decimal, Decimal]:
    """(VAT, VAT in NOK) of a credit note's group with taxable amount ``basis``.

    The group's basis after this credit note must not pass the invoice's
    (``CreditExceedsInvoice``). Crediting the rest of the basis takes exactly the rest
    of the VAT; a part takes round(credited basis after × rate) − VAT credited before,
    kept within what is left.
    """
    after = group.credited_basis + basis
    if not _same_sign_within(after, group.basis):
        raise CreditExceedsInvoice("", rate, group.basis - group.credited_basis)
    remaining_vat = group.vat - group.credited_vat
    remaining_nok = group.vat_nok - group.credited_vat_nok
    if after == group.basis:
        return remaining_vat, remaining_nok
    vat = vat_amount(basis=after, rate=rate) - group.credited_vat
    if not _same_sign_within(vat, remaining_vat):
        vat = remaining_vat if abs(vat) > abs(remaining_vat) else ZERO
    vat_nok = round_money((group.credited_vat + vat) * exchange_rate) - group.credited_vat_nok
    if not _same_sign_within(vat_nok, remaining_nok):
        vat_nok = remaining_nok if abs(vat_nok) > abs(remaining_nok) else ZERO
    return vat, vat_nok


@dataclass(frozen=True)
class CreditLineFigures:
    """A credit-note line whose net was fixed by ``credit_line_net`` (or an amount)."""

    net: Decimal
    vat_category: str
    vat_rate: Decimal


def compute_credit_totals(
    lines: Iterable[CreditLineFigures],
    *,
    groups: dict[tuple[str, Decimal], CreditedGroup],
    exchange_rate: Decimal = ONE,
) -> Totals:
    """A credit note's figures: its line nets as given, VAT per group by ``credit_vat``.

    ``groups`` holds the credited invoice's VAT groups keyed by (category, rate with two
    decimals). Raises ``CreditExceedsInvoice`` for a group the invoice does not have or
    that would be credited beyond the invoice.
    """
    _decimal(exchange_rate, "exchange_rate")
    line_list = list(lines)
    nets = tuple(_decimal(line.net, "net") for line in line_list)
    bases: dict[tuple[str, Decimal], Decimal] = {}
    for line in line_list:
        key = (line.vat_category, _decimal(line.vat_rate, "vat_rate").quantize(Decimal("0.01")))
        bases[key] = bases.get(key, ZERO) + line.net
    vat_groups = []
    for category, rate in sorted(bases, key=lambda key: (key[0], -key[1])):
        basis = bases[(category, rate)]
        group = groups.get((category, rate))
        if group is None:
            raise CreditExceedsInvoice(category, rate, ZERO)
        try:
            vat, vat_nok = credit_vat(
                group=group, basis=basis, rate=rate, exchange_rate=exchange_rate
            )
        except CreditExceedsInvoice as exc:
            raise CreditExceedsInvoice(category, rate, exc.remaining) from exc
        vat_groups.append(VatGroup(category, rate, basis, vat, vat_nok))
    sum_nets = sum(nets, ZERO)
    total_vat = sum((group.vat for group in vat_groups), ZERO)
    return Totals(
        line_nets=nets,
        vat_groups=tuple(vat_groups),
        sum_of_line_nets=sum_nets,
        total_excl_vat=sum_nets,
        total_vat=total_vat,
        total_vat_nok=sum((group.vat_nok for group in vat_groups), ZERO),
        total_incl_vat=sum_nets + total_vat,
        prepaid=ZERO,
        rounding=ZERO,
        amount_due=sum_nets + total_vat,
    )
