"""Money is Decimal, rounded half-up to øre; never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ORE = Decimal("0.01")
ZERO = Decimal("0.00")
NBSP = "\u00a0"


def round_money(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, not {type(amount).__name__}")
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)


def format_nok(amount: Decimal) -> str:
    """Norwegian style: thin grouping with spaces, comma decimals: 12 345,60."""
    rounded = round_money(amount)
    sign = "-" if rounded < 0 else ""
    whole, _, fraction = f"{abs(rounded):.2f}".partition(".")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{NBSP.join(groups)},{fraction}"
