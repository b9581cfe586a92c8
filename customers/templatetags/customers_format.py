from __future__ import annotations

from django import template

from core.identifiers import format_orgnr
from core.parsing import is_digits
from customers.countries import country_name

register = template.Library()


@register.filter
def orgnr(value: str) -> str:
    """999 999 999; anything that is not 9 digits is shown as stored."""
    if value and len(value) == 9 and is_digits(value):
        return format_orgnr(value)
    return value


@register.filter
def country(code: str) -> str:
    """A country code as the country's name in the page's language (``NO`` → Norge)."""
    return country_name(code)
