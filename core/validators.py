"""Validators shared by several apps."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Line breaks and other control characters: in a value that reaches an e-mail header (the
# sender name, a subject built from a company name) they would start a new header.
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029]")


def validate_single_line(value: str) -> None:
    """Refuse line breaks and control characters (header injection) with a clear message."""
    if value and _CONTROL.search(value):
        raise ValidationError(
            _("Feltet kan ikke inneholde linjeskift eller andre kontrolltegn."),
            code="single_line",
        )
