"""Currency codes: ISO 4217, from the maintained list in ``pycountry`` (Debian iso-codes).

Invoices may be in any current ISO 4217 currency except the codes that are not money one
can invoice in: precious metals, bond-market and accounting units, testing and "no
currency" (the X-codes below) and the fund codes (``CHE``, ``USN``, ...). This module is
the one place for the rule; the invoicing service, forms and API call it.
"""

from __future__ import annotations

import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

NOT_INVOICEABLE = frozenset(
    {
        # metals, bond-market units, SDR, sucre, ADB unit, testing, no currency
        "XAG", "XAU", "XPD", "XPT", "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA",
        "XTS", "XXX",
        # fund codes
        "BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW",
    }
)  # fmt: skip


# Every ISO 4217 alphabetic code, the non-money ones included: what an EHF's currency
# codes are checked against (BR-CL-04, BR-CL-05, PEPPOL-EN16931-CL007).
ISO_4217_CODES: frozenset[str] = frozenset(currency.alpha_3 for currency in pycountry.currencies)


def is_currency_code(code: str) -> bool:
    """True for an ISO 4217 alphabetic code (upper case) one can invoice in."""
    if len(code) != 3 or not code.isascii() or not code.isupper() or code in NOT_INVOICEABLE:
        return False
    return pycountry.currencies.get(alpha_3=code) is not None


def clean_currency(value: str) -> str:
    """The code upper-cased (``eur`` → ``EUR``), or ValidationError."""
    code = (value or "").strip().upper()
    if not is_currency_code(code):
        raise ValidationError(
            _("«%(value)s» er ikke en valutakode etter ISO 4217 (for eksempel NOK, EUR, SEK).")
            % {"value": value},
            code="invalid_currency",
        )
    return code
