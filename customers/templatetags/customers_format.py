from __future__ import annotations

from django import template

from core.identifiers import format_orgnr

register = template.Library()


@register.filter
def orgnr(value: str) -> str:
    """999 999 999; anything that is not 9 digits is shown as stored."""
    if value and len(value) == 9 and value.isdigit():
        return format_orgnr(value)
    return value
