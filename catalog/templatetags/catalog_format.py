from __future__ import annotations

from decimal import Decimal

from django import template

from core.money import format_nok

register = template.Library()


@register.filter
def nok(value: Decimal | None) -> str:
    """12 345,60 (Norwegian grouping and decimal comma)."""
    return "" if value is None else format_nok(value)


@register.filter
def percent(value: Decimal | None) -> str:
    """25 %, 11,11 % (no trailing zeros, decimal comma)."""
    if value is None:
        return "–"
    text = f"{value.normalize():f}".replace(".", ",")
    return f"{text}\u00a0%"
