"""Country codes (ISO 3166-1 alpha-2) and their names, from pycountry's copy of the ISO list
(the same package gives the ISO 4217 currencies in ``core.currencies``), plus XK (Kosovo):
user-assigned, but used by the EU and by Peppol participants (the EHF writes it as 1A).
"""

from __future__ import annotations

import functools
import gettext

import pycountry
from django.utils.translation import get_language

ISO_3166_ALPHA2: frozenset[str] = frozenset(country.alpha_2 for country in pycountry.countries)
COUNTRY_CODES: frozenset[str] = ISO_3166_ALPHA2 | {"XK"}

NORWAY = "NO"
_KOSOVO = "Kosovo"
# The neighbours most clients are in, first in the choice list after Norway.
_FIRST = ("NO", "SE", "DK", "FI", "IS", "DE", "GB")


def is_country_code(value: str) -> bool:
    return value in COUNTRY_CODES


@functools.cache
def _names(language: str) -> dict[str, str]:
    locale = {"nb": "nb_NO", "nn": "nn"}.get(language)
    translate = (
        gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[locale]).gettext
        if locale
        else str
    )
    names = {
        country.alpha_2: translate(getattr(country, "common_name", None) or country.name)
        for country in pycountry.countries
    }
    names["XK"] = _KOSOVO
    return names


_NORWEGIAN_ORDER = str.maketrans({"Æ": "z{", "Ø": "z|", "Å": "z}", "æ": "z{", "ø": "z|", "å": "z}"})


def _sort_key(name: str) -> str:
    # Æ, Ø, Å come last and in that order (Unicode puts Å first).
    return name.translate(_NORWEGIAN_ORDER).casefold()


def _active_names() -> dict[str, str]:
    return _names((get_language() or "nb").split("-")[0])


def country_name(code: str) -> str:
    """The country's name in the active language ("Norge", "Sverige"); an unknown code
    as it is."""
    return _active_names().get(code, code)


def country_choices() -> list[tuple[str, str]]:
    """(code, name) in the active language: Norway and the neighbours first, then by name."""
    names = _active_names()
    rest = sorted((code for code in names if code not in _FIRST), key=lambda c: _sort_key(names[c]))
    return [(code, names[code]) for code in (*_FIRST, *rest)]
