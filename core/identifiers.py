"""Norwegian identifiers, validated by python-stdnum; Django validators on top."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import kontonr, orgnr


def clean_orgnr(value: str) -> str:
    """Return the 9 digits of a valid organisasjonsnummer or raise ValidationError."""
    try:
        return orgnr.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _("«%(value)s» er ikke et gyldig organisasjonsnummer (9 siffer med kontrollsiffer)."),
            code="invalid_orgnr",
            params={"value": value},
        ) from exc


def clean_kontonr(value: str) -> str:
    """Return the 11 digits of a valid Norwegian bank account number or raise."""
    digits = "".join(ch for ch in value if ch not in " .")
    try:
        validated = kontonr.validate(digits)
    except StdnumError as exc:
        raise ValidationError(
            _("«%(value)s» er ikke et gyldig kontonummer (11 siffer med kontrollsiffer)."),
            code="invalid_kontonr",
            params={"value": value},
        ) from exc
    if len(validated) != 11:
        raise ValidationError(
            _("Kontonummeret må ha 11 siffer."), code="invalid_kontonr", params={"value": value}
        )
    return validated


def validate_orgnr(value: str) -> None:
    clean_orgnr(value)


def validate_kontonr(value: str) -> None:
    clean_kontonr(value)


def format_orgnr(value: str) -> str:
    """999 999 999"""
    return orgnr.format(value)


def format_kontonr(value: str) -> str:
    """XXXX.XX.XXXXX"""
    return kontonr.format(value)


def kontonr_to_iban(value: str) -> str:
    return kontonr.to_iban(value)
