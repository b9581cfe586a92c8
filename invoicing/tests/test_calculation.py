"""EN 16931 arithmetic: BR-CO-10..16 and BR-CO-17 for random documents."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.money import round_money
from invoicing.calculation import LineInput, compute_totals, line_net_amount

RATES = [
    ("S", Decimal("25.00")),
    ("S", Decimal("15.00")),
    ("S", Decimal("12.00")),
    ("S", Decimal("11.11")),
    ("Z", Decimal("0.00")),
    ("AE", Decimal("0.00")),
    ("E", Decimal("0.00")),
    ("O", Decimal("0.00")),
]

quantities = st.decimals(
    min_value=Decimal("-500"), max_value=Decimal("10000"), places=4, allow_nan=False
).filter(lambda q: q != 0)
prices = st.decimals(min_value=Decimal("0"), max_value=Decimal("100000"), places=2)
discounts = st.decimals(min_value=Decimal("0"), max_value=Decimal("100"), places=2)
lines_strategy = st.lists(
    st.builds(
        lambda q, p, d, cat_rate: LineInput(
            quantity=q,
            unit_price=p,
            discount_percent=d,
            vat_category=cat_rate[0],
            vat_rate=cat_rate[1],
        ),
        quantities,
        prices,
        discounts,
        st.sampled_from(RATES),
    ),
    min_size=1,
    max_size=25,
)
exchange_rates = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50"), places=6)


def test_line_net_rounds_half_up_once():
    assert line_net_amount(
        quantity=Decimal("3"), unit_price=Decimal("33.33"), discount_percent=Decimal("0")
    ) == Decimal("99.99")
    # 2.5 × 0.05 = 0.125 → 0.13 (half up), not banker's 0.12
    assert line_net_amount(
        quantity=Decimal("2.5"), unit_price=Decimal("0.05"), discount_percent=Decimal("0")
    ) == Decimal("0.13")
    # 1 × 99.99 × 0.85 = 84.9915 → 84.99
    assert line_net_amount(
        quantity=Decimal("1"), unit_price=Decimal("99.99"), discount_percent=Decimal("15")
    ) == Decimal("84.99")


def test_vat_is_rounded_once_per_group_not_per_line():
    # Three lines of 0.10 at 25 %: per line 0.025 → 0.03 each (0.09); per group 0.30 → 0.08.
    line = LineInput(
        quantity=Decimal("1"),
        unit_price=Decimal("0.10"),
        discount_percent=Decimal("0"),
        vat_category="S",
        vat_rate=Decimal("25"),
    )
    totals = compute_totals([line, line, line])
    assert totals.total_vat == Decimal("0.08")
    assert totals.total_incl_vat == Decimal("0.38")
    assert len(totals.vat_groups) == 1


def test_float_is_refused():
    with pytest.raises(TypeError):
        # the wrong type on purpose: refused at run time too
        line_net_amount(
            quantity=1.5,  # type: ignore[arg-type]
            unit_price=Decimal("1"),
            discount_percent=Decimal("0"),
        )
    with pytest.raises(TypeError):
        compute_totals([], exchange_rate=1.0)  # type: ignore[arg-type]


def test_foreign_currency_vat_in_nok_per_group():
    line = LineInput(
        quantity=Decimal("1"),
        unit_price=Decimal("100.00"),
        discount_percent=Decimal("0"),
        vat_category="S",
        vat_rate=Decimal("25.00"),
    )
    totals = compute_totals([line], exchange_rate=Decimal("11.512345"))
    assert totals.total_vat == Decimal("25.00")
    assert totals.total_vat_nok == Decimal("287.81")  # 25 × 11.512345 = 287.808625


@given(
    lines=lines_strategy,
    exchange_rate=exchange_rates,
    prepaid=st.decimals(min_value=Decimal("0"), max_value=Decimal("1000"), places=2),
)
def test_totals_obey_br_co_10_to_17(lines, exchange_rate, prepaid):
    totals = compute_totals(lines, exchange_rate=exchange_rate, prepaid=prepaid)
    # every figure is an øre amount
    for amount in (
        *totals.line_nets,
        totals.sum_of_line_nets,
        totals.total_vat,
        totals.total_incl_vat,
        totals.amount_due,
        totals.total_vat_nok,
    ):
        assert amount == round_money(amount)
    # line net per design.md §4
    for line, net in zip(lines, totals.line_nets, strict=True):
        assert net == round_money(
            line.quantity * line.unit_price * (1 - line.discount_percent / 100)
        )
    # BR-CO-10: sum of line net amounts
    assert totals.sum_of_line_nets == sum(totals.line_nets, Decimal("0"))
    # BR-CO-11/12/13: no document allowances/charges, so BT-109 = BT-106
    assert totals.total_excl_vat == totals.sum_of_line_nets
    # BR-CO-14: total VAT = Σ category VAT
    assert totals.total_vat == sum((g.vat for g in totals.vat_groups), Decimal("0"))
    # BR-CO-15: inclusive = exclusive + VAT
    assert totals.total_incl_vat == totals.total_excl_vat + totals.total_vat
    # BR-CO-16: payable = inclusive − prepaid + rounding
    assert totals.amount_due == totals.total_incl_vat - totals.prepaid + totals.rounding
    # BR-CO-17 and the breakdown: one group per (category, rate), VAT rounded once
    keys = {(line.vat_category, line.vat_rate) for line in lines}
    assert len(totals.vat_groups) == len(keys)
    for group in totals.vat_groups:
        members = [
            net
            for line, net in zip(lines, totals.line_nets, strict=True)
            if (line.vat_category, line.vat_rate) == (group.category, group.rate)
        ]
        assert group.basis == sum(members, Decimal("0"))
        assert group.vat == round_money(group.basis * group.rate / 100)
        assert group.vat_nok == round_money(group.vat * exchange_rate)
    assert sum((g.basis for g in totals.vat_groups), Decimal("0")) == totals.total_excl_vat
    assert totals.total_vat_nok == sum((g.vat_nok for g in totals.vat_groups), Decimal("0"))
