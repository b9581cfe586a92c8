"""One rule for amounts shown to people: grouped thousands, nb or en style."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.csvfiles import format_decimal
from core.money import format_money, format_nok


@pytest.mark.parametrize(
    ("amount", "nb", "en"),
    [
        ("10439.2", "10\u00a0439,20", "10,439.20"),
        ("0", "0,00", "0.00"),
        ("999.995", "1\u00a0000,00", "1,000.00"),
        ("-1234567.891", "-1\u00a0234\u00a0567,89", "-1,234,567.89"),
        ("12.5", "12,50", "12.50"),
    ],
)
def test_amounts_are_grouped_in_both_languages(amount, nb, en):
    assert format_money(Decimal(amount)) == nb
    assert format_money(Decimal(amount), language="nb") == nb
    assert format_money(Decimal(amount), language="en") == en
    assert format_nok(Decimal(amount)) == nb


def test_money_must_be_decimal():
    with pytest.raises(TypeError):
        format_money(10439.2)  # type: ignore[arg-type]


def test_csv_amounts_stay_machine_readable():
    # Exports are for spreadsheets and bookkeeping imports: no grouping, whatever the size.
    assert format_decimal(Decimal("10439.20")) == "10439,20"


@pytest.mark.parametrize(
    ("amount", "nb"),
    [("-0.004", "0,00"), ("-0.005", "-0,01"), ("999", "999,00"), ("1000", "1\u00a0000,00")],
)
def test_nb_edges_sign_and_grouping(amount, nb):
    assert format_money(Decimal(amount)) == nb
