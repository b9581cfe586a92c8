"""Dated statutory figures: seeded from norway.md §5.1–5.2; a missing figure is an error."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from receivables import rules, selectors
from receivables.models import StatutoryFigure

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "on,fee,demand,rate,compensation",
    [
        (D(2025, 3, 1), "35.00", "105.00", "12.50", "470.00"),
        (D(2025, 12, 31), "35.00", "105.00", "12.25", "460.00"),
        (D(2026, 1, 1), "38.00", "113.00", "12.00", "460.00"),
        (D(2026, 7, 1), "38.00", "113.00", "12.25", "430.00"),
    ],
)
def test_seeded_figures(on, fee, demand, rate, compensation):
    assert selectors.reminder_fee_on(on) == Decimal(fee)
    assert selectors.payment_demand_fee_on(on) == Decimal(demand)
    assert selectors.interest_rate_on(on) == Decimal(rate)
    assert selectors.compensation_on(on) == Decimal(compensation)


def test_a_date_without_a_figure_is_an_error_not_a_guess():
    # The half-year rates end on 31 Dec 2026: 2027 needs new figures from staff.
    with pytest.raises(rules.FigureMissing) as exc:
        selectors.interest_rate_on(D(2027, 1, 1))
    assert exc.value.kind == "late_interest"
    with pytest.raises(rules.FigureMissing):
        selectors.compensation_on(D(2027, 2, 1))
    with pytest.raises(rules.FigureMissing):
        selectors.reminder_fee_on(D(2019, 1, 1))
    with pytest.raises(rules.FigureMissing):
        selectors.RateTable()(D(2027, 1, 1))


def test_a_new_figure_applies_from_its_date():
    StatutoryFigure.objects.create(
        kind="late_interest",
        valid_from=D(2027, 1, 1),
        valid_to=D(2027, 6, 30),
        value=Decimal("11.75"),
    )
    assert selectors.interest_rate_on(D(2027, 3, 1)) == Decimal("11.75")
    assert selectors.RateTable()(D(2027, 6, 30)) == Decimal("11.75")
