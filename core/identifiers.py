"""Norwegian identifiers, validated by python-stdnum; Django validators on top."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from stdnum import luhn
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.no import kontonr, orgnr
from stdnum.util import get_cc_module

if TYPE_CHECKING:
    from stdnum.util import NumberValidationModule


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


def clean_foreign_vat_number(value: str) -> str:
    """A foreign VAT number with its country prefix (``SE556677889901``), or raise.

    EU numbers (``EL`` for Greece, ``XI`` for Northern Ireland) are checked by
    python-stdnum's ``eu.vat``, other countries' by stdnum's module for that country where
    it has one (``GB``, ``CH``, ...). Norwegian buyers are identified by their
    organisasjonsnummer instead. Returned compact, upper case, prefix first.
    """
    compact = "".join(ch for ch in value if ch not in " .-").upper()
    prefix = compact[:2]
    if prefix == "NO":
        raise ValidationError(
            _("Norske kunder oppgis med organisasjonsnummer, ikke som utenlandsk MVA-nummer."),
            code="norwegian_vat_number",
        )
    if len(prefix) < 2 or not prefix.isalpha():
        raise ValidationError(
            _(
                "«%(value)s»: et utenlandsk MVA-nummer begynner med landkoden, for eksempel "
                "SE556677889901, DK13585628 eller DE136695976."
            ),
            code="invalid_vat_number",
            params={"value": value},
        )
    module: NumberValidationModule | None = (
        eu_vat if prefix.lower() in eu_vat.MEMBER_STATES | {"el"} else None
    )
    module = module or get_cc_module(prefix.lower(), "vat")
    if module is None:
        raise ValidationError(
            _("«%(value)s»: MVA-numre fra landet %(country)s kan ikke kontrolleres."),
            code="unknown_vat_country",
            params={"value": value, "country": prefix},
        )
    try:
        validated = module.validate(compact).upper()
    except StdnumError as exc:
        raise ValidationError(
            _("«%(value)s» er ikke et gyldig MVA-nummer (feil format eller kontrollsiffer)."),
            code="invalid_vat_number",
            params={"value": value},
        ) from exc
    return validated if validated.startswith(prefix) else prefix + validated


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


# --- KID (kundeidentifikasjon): the OCR giro payment reference -------------------------
#
# Digits only; the last digit is the check digit, by MOD10 (Luhn) or MOD11 as agreed with
# the bank. Nets accepts 4-25 digits in total.

KID_MIN_LENGTH = 4
KID_MAX_LENGTH = 25


class KidMethod(models.TextChoices):
    NONE = "none", _("Ingen KID")
    MOD10 = "mod10", _("MOD10 (Luhn)")
    MOD11 = "mod11", _("MOD11")


class UnusableKidPayload(ValueError):
    """MOD11 gives check value 10 for this payload; banks reject the '-' check digit."""


def _kid_digits(payload: str) -> str:
    if not payload or not payload.isdigit() or not payload.isascii():
        raise ValueError(f"a KID payload is digits only, not {payload!r}")
    return payload


def kid_mod10(payload: str) -> str:
    """The full KID (payload + Luhn check digit): ``kid_mod10("1234") == "12344"``."""
    return payload + luhn.calc_check_digit(_kid_digits(payload))


def _mod11_remainder_check(payload: str) -> int:
    weights = (2, 3, 4, 5, 6, 7)
    total = sum(int(digit) * weights[i % len(weights)] for i, digit in enumerate(reversed(payload)))
    return (11 - total % 11) % 11  # 11 → 0; may be 10


def kid_mod11(payload: str) -> str:
    """The full KID (payload + MOD11 check digit, weights 2..7 from the right).

    Raises ``UnusableKidPayload`` where the check value would be 10 (the '-' digit many
    banks reject): the caller picks another payload instead.
    """
    check = _mod11_remainder_check(_kid_digits(payload))
    if check == 10:
        raise UnusableKidPayload(payload)
    return payload + str(check)


def kid_is_valid(kid: str, method: str) -> bool:
    """True if ``kid`` is 4-25 digits whose last digit is the ``method`` check digit."""
    if not kid.isascii() or not kid.isdigit():
        return False
    if not KID_MIN_LENGTH <= len(kid) <= KID_MAX_LENGTH:
        return False
    payload = kid[:-1]
    if method == KidMethod.MOD10:
        return luhn.is_valid(kid)
    if method == KidMethod.MOD11:
        return _mod11_remainder_check(payload) == int(kid[-1])
    raise ValueError(f"unknown KID method {method!r}")


def clean_kid(value: str, method: str) -> str:
    """Return the KID without spaces if valid for ``method``, else raise ValidationError."""
    kid = value.replace(" ", "")
    if not kid_is_valid(kid, method):
        raise ValidationError(
            _("«%(value)s» er ikke en gyldig KID."), code="invalid_kid", params={"value": value}
        )
    return kid
