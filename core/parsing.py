"""Integers and ids from user text: the one parser every view, form, API and import uses.

``str.isdigit()`` is true for ``"³"``, ``"²"`` and other Unicode digits that ``int()``
refuses (and ``int()`` accepts Arabic-Indic and other decimal digits no bookkeeper
types), and a 30-digit number overflows the database column. So never ``int(value)`` on
a query parameter, form value, JSON value or CSV cell: call :func:`parse_int` or
:func:`parse_id`, which take ASCII digits only, within what the column stores, and give
``None`` for anything else (the caller decides whether that is "no filter", a 400 or a
message on the field).
"""

from __future__ import annotations

import re
from typing import Any

#: ``BigAutoField`` (every primary key) and ``BigIntegerField``.
ID_MAX = 2**63 - 1
#: ``IntegerField`` / ``PositiveIntegerField``: 32-bit on every database we run on.
INT_MAX = 2**31 - 1
INT_MIN = -(2**31)
#: ``SmallIntegerField`` / ``PositiveSmallIntegerField``.
SMALL_INT_MAX = 2**15 - 1

# ASCII only: ``\d`` would match every Unicode decimal digit.
_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_DIGITS = re.compile(r"[0-9]+")


def parse_int(value: Any, *, min_value: int = INT_MIN, max_value: int = INT_MAX) -> int | None:
    """``value`` as an int if it is one written in ASCII digits within the bounds, else None.

    Accepts an ``int`` (not ``bool``) or a string of ASCII digits with an optional sign,
    surrounding whitespace ignored. The default bounds are those of an ``IntegerField``.
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not _INTEGER.fullmatch(text):
            return None
        number = int(text)
    else:
        return None
    if not min_value <= number <= max_value:
        return None
    return number


def is_digits(text: str) -> bool:
    """True if ``text`` is one or more ASCII digits (a KID, an orgnr, an account number)."""
    return bool(_DIGITS.fullmatch(text))


def parse_id(value: Any) -> int | None:
    """A primary key from user text (1 … 2**63-1, ASCII digits), else None."""
    return parse_int(value, min_value=1, max_value=ID_MAX)


def is_id(value: Any) -> bool:
    return parse_id(value) is not None
