"""Money is Decimal, rounded half-up to øre; never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import TypedDict


class DecimalFieldOptions(TypedDict):
    max_digits: int
    decimal_places: int


# Every stored amount: ``models.DecimalField(_("beløp"), **MONEY)``.
MONEY: DecimalFieldOptions = {"max_digits": 18, "decimal_places": 2}

ORE = Decimal("0.01")
ZERO = Decimal("0.00")
NBSP = "\u00a0"


def round_money(amount: Decimal) -> Decimal:
    if not isinstance(amount, Decimal):
        raise TypeError(f"money must be Decimal, not {type(amount).__name__}")
    return amount.quantize(ORE, rounding=ROUND_HALF_UP)


def format_money(amount: Decimal, *, language: str = "nb") -> str:
    """The one rule for an amount shown to people: two decimals with thousands grouped.

    ``nb`` (every page of the app, whatever the UI language, since the editor's fields take
    decimal commas in every language; and documents and e-mails in Norwegian):
    ``10 439,20`` with no-break spaces, so a number never wraps. ``en`` (documents and
    e-mails in English): ``10,439.20``. Machine-readable output (CSV exports, the API, EHF,
    SAF-T) never uses this: it writes plain decimals.
    """
    rounded = round_money(amount)
    if language == "en":
        return f"{rounded:,.2f}"
    # The sign apart: "-0,00" is shown as "0,00".
    sign = "-" if rounded < 0 else ""
    return sign + f"{abs(rounded):,.2f}".replace(",", NBSP).replace(".", ",")


def format_nok(amount: Decimal) -> str:
    """Norwegian style, ``10 439,20``: ``format_money`` in ``nb``."""
    return format_money(amount, language="nb")
