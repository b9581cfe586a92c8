"""The one parser for ids and integers from user text, and the guard for characters no
database column can store."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.middleware import has_forbidden_character
from core.parsing import ID_MAX, INT_MAX, INT_MIN, is_digits, is_id, parse_id, parse_int


@pytest.mark.parametrize(
    "text",
    [
        "³",
        "²",
        "¹²",
        "١٢",
        "１２",
        "𝟗",
        "⑦",
        "1²",
        "",
        " ",
        "1.0",
        "1e3",
        "0x10",
        "1_000",
        "--1",
        "+",
    ],
)
def test_unicode_digits_and_other_non_numbers_are_not_integers(text):
    assert parse_int(text) is None
    assert parse_id(text) is None


def test_ascii_integers_are_read_with_sign_and_surrounding_whitespace():
    assert parse_int("42") == 42
    assert parse_int(" 42\n") == 42
    assert parse_int("-7") == -7
    assert parse_int("+7") == 7
    assert parse_int(12) == 12
    assert parse_int(True) is None
    assert parse_int(1.0) is None
    assert parse_int(None) is None


def test_bounds_are_what_the_database_column_takes():
    assert parse_int(str(INT_MAX)) == INT_MAX
    assert parse_int(str(INT_MAX + 1)) is None
    assert parse_int(str(INT_MIN)) == INT_MIN
    assert parse_int(str(INT_MIN - 1)) is None
    assert parse_id(str(ID_MAX)) == ID_MAX
    assert parse_id(str(ID_MAX + 1)) is None
    assert parse_id("9" * 5000) is None  # no ValueError from Python's digit limit
    assert parse_id("0") is None and parse_id("-1") is None
    assert parse_int("5", min_value=0, max_value=3) is None


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.one_of(st.text(), st.integers(), st.none(), st.booleans(), st.floats()))
def test_parse_int_never_raises_and_is_always_within_bounds(value):
    number = parse_int(value)
    assert number is None or (INT_MIN <= number <= INT_MAX and type(number) is int)
    ident = parse_id(value)
    assert ident is None or 1 <= ident <= ID_MAX
    assert is_id(value) == (ident is not None)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.integers(min_value=1, max_value=ID_MAX))
def test_every_id_survives_a_round_trip_through_text(number):
    assert parse_id(str(number)) == number


def test_is_digits_is_ascii_only():
    assert is_digits("0123456789")
    assert not is_digits("") and not is_digits("³") and not is_digits("١") and not is_digits("1 2")


def test_forbidden_characters_are_nul_and_lone_surrogates_only():
    assert has_forbidden_character("a\x00b")
    assert has_forbidden_character("\ud800")
    assert not has_forbidden_character("Blåbær ³ 😀 \t\n")
