"""Limits and input helpers shared by the back-office services."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_TEXT = 4000


def _require(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({field: message})
    return value


def _max_length(value: str, field: str, limit: int) -> None:
    if len(value) > limit:
        raise ValidationError(
            {field: _("Teksten kan ha høyst %(n)s tegn.") % {"n": limit}}, code="max_length"
        )
