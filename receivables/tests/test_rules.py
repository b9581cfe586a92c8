"""The fee rules of norway.md §5.3, interest and § 3a compensation, table-driven."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from receivables import rules
from receivables.rules import PriorLetter

D = datetime.date
DUE = D(2026, 3, 2)


def days(n: int) -> datetime.date:
    return DUE + datetime.timedelta(days=n)


def letter(sent: int, deadline_days: int = 14, fee: bool = True) -> PriorLetter:
    return PriorLetter(sent_on=days(sent), deadline=days(sent + deadline_days), fee_bearing=fee)


FEE_CASES = [
    # (id, send day after due, deadline days, previous letters, disputed, want fee,
    #  expected may_send, expected fee, expected reason)
    ("disputed stops everything", 30, 14, [], True, True, False, False, "disputed"),
    (
        "disputed stops a late letter too",
        200,
        14,
        [letter(14)],
        True,
        True,
        False,
        False,
        "disputed",
    ),
    ("not on the due date", 0, 14, [], False, True, False, False, "not_due"),
    ("not before the due date", -3, 14, [], False, True, False, False, "not_due"),
    ("day after due: letter without fee", 1, 14, [], False, True, True, False, "too_early"),
    ("13 days after due: no fee", 13, 14, [], False, True, True, False, "too_early"),
    ("14 days after due: fee", 14, 14, [], False, True, True, True, ""),
    ("deadline under 14 days refused", 20, 13, [], False, True, False, False, "short_deadline"),
    ("company charges no fee", 20, 14, [], False, False, True, False, "no_fee_wanted"),
    (
        "earlier letter without fee does not count",
        20,
        14,
        [letter(2, fee=False)],
        False,
        True,
        True,
        True,
        "",
    ),
    (
        "second fee on the first letter's deadline: no",
        28,
        14,
        [letter(14)],
        False,
        True,
        True,
        False,
        "previous_deadline",
    ),
    (
        "second fee the day after the deadline: yes",
        29,
        14,
        [letter(14)],
        False,
        True,
        True,
        True,
        "",
    ),
    (
        "second fee when the first gave under 14 days: no",
        60,
        14,
        [letter(14, 10)],
        False,
        True,
        True,
        False,
        "previous_deadline",
    ),
    (
        "third fee within six months: no",
        60,
        14,
        [letter(14), letter(29)],
        False,
        True,
        True,
        False,
        "max_fees",
    ),
    (
        "reminder + inkassovarsel are the two fees",
        90,
        14,
        [letter(14), letter(40)],
        False,
        True,
        True,
        False,
        "max_fees",
    ),
    (
        "six months after the last fee: counting restarts",
        29 + 183,
        14,
        [letter(14), letter(29)],
        False,
        True,
        True,
        True,
        "",
    ),
    (
        "a day short of six months: no fee",
        29 + 181,
        14,
        [letter(14), letter(29)],
        False,
        True,
        True,
        False,
        "max_fees",
    ),
    (
        "after a restart the 14-day deadline rule applies again",
        29 + 190,
        14,
        [letter(14), letter(29), letter(29 + 184)],
        False,
        True,
        True,
        False,
        "previous_deadline",
    ),
    (
        "after a restart, second fee once that deadline passed",
        29 + 199,
        14,
        [letter(14), letter(29), letter(29 + 184)],
        False,
        True,
        True,
        True,
        "",
    ),
]


@pytest.mark.parametrize(
    "send,deadline,previous,disputed,want_fee,may_send,fee,reason",
    [case[1:] for case in FEE_CASES],
    ids=[case[0] for case in FEE_CASES],
)
def test_letter_fee_rules(send, deadline, previous, disputed, want_fee, may_send, fee, reason):
    decision = rules.letter_decision(
        due_date=DUE,
        send_on=days(send),
        deadline=days(send + deadline),
        previous=previous,
        disputed=disputed,
        want_fee=want_fee,
    )
    assert (decision.may_send, decision.fee, decision.reason) == (may_send, fee, reason)


@pytest.mark.parametrize(
    "sats,fee,demand",
    [
        (Decimal("700"), Decimal("35.00"), Decimal("105.00")),
        (Decimal("750"), Decimal("38.00"), Decimal("113.00")),
    ],
)
def test_fees_derived_from_inkassosats(sats, fee, demand):
    assert rules.reminder_fee(sats) == fee
    assert rules.payment_demand_fee(sats) == demand


# --- interest (hand-computed: principal × rate × days / 365, each part rounded) -----------

RATES = {
    (D(2025, 7, 1), D(2025, 12, 31)): Decimal("12.25"),
    (D(2026, 1, 1), D(2026, 6, 30)): Decimal("12.00"),
    (D(2026, 7, 1), D(2026, 12, 31)): Decimal("12.25"),
}


def rate_on(day):
    for (start, end), rate in RATES.items():
        if start <= day <= end:
            return rate
    raise rules.FigureMissing("late_interest", day)


def test_interest_within_one_half_year():
    # 10 000 × 12 % × 30 / 365 = 98.630… → 98.63
    result = rules.late_interest(
        principal=Decimal("10000.00"),
        due_date=D(2026, 3, 1),
        start_after=D(2026, 3, 1),
        until=D(2026, 3, 31),
        rate_on=rate_on,
    )
    assert [p.days for p in result.parts] == [30]
    assert result.amount == Decimal("98.63")


def test_interest_split_at_1_july():
    # due 15 Jun: 16–30 Jun 15 days at 12 % = 49.315 → 49.32;
    # 1–31 Jul 31 days at 12.25 % = 104.041 → 104.04; total 153.36
    result = rules.late_interest(
        principal=Decimal("10000.00"),
        due_date=D(2026, 6, 15),
        start_after=D(2026, 6, 15),
        until=D(2026, 7, 31),
        rate_on=rate_on,
    )
    assert [(p.days, p.rate, p.amount) for p in result.parts] == [
        (15, Decimal("12.00"), Decimal("49.32")),
        (31, Decimal("12.25"), Decimal("104.04")),
    ]
    assert result.amount == Decimal("153.36")


def test_interest_split_at_1_january():
    # 2 500 from due 20 Dec 2025 to 10 Jan 2026:
    # 21–31 Dec 11 days at 12.25 % = 9.229 → 9.23; 1–10 Jan 10 days at 12 % = 8.219 → 8.22
    result = rules.late_interest(
        principal=Decimal("2500.00"),
        due_date=D(2025, 12, 20),
        start_after=D(2025, 12, 20),
        until=D(2026, 1, 10),
        rate_on=rate_on,
    )
    assert [(p.days, p.amount) for p in result.parts] == [
        (11, Decimal("9.23")),
        (10, Decimal("8.22")),
    ]
    assert result.amount == Decimal("17.45")


def test_interest_across_both_boundaries_with_a_partial_payment():
    # 1 000 due 1 Dec 2025, 400 paid 15 Feb 2026, until 10 Jul 2026:
    # 2–31 Dec 30 d × 1000 × 12.25 % = 10.068 → 10.07
    # 1 Jan–15 Feb 46 d × 1000 × 12 % = 15.123 → 15.12
    # 16 Feb–30 Jun 135 d × 600 × 12 % = 26.630 → 26.63
    # 1–10 Jul 10 d × 600 × 12.25 % = 2.013 → 2.01
    result = rules.late_interest(
        principal=Decimal("1000.00"),
        due_date=D(2025, 12, 1),
        start_after=D(2025, 12, 1),
        until=D(2026, 7, 10),
        rate_on=rate_on,
        payments=[(D(2026, 2, 15), Decimal("400.00"))],
    )
    assert [(p.days, p.principal, p.amount) for p in result.parts] == [
        (30, Decimal("1000.00"), Decimal("10.07")),
        (46, Decimal("1000.00"), Decimal("15.12")),
        (135, Decimal("600.00"), Decimal("26.63")),
        (10, Decimal("600.00"), Decimal("2.01")),
    ]
    assert result.amount == Decimal("53.83")


def test_interest_continues_after_claimed_period_only():
    result = rules.late_interest(
        principal=Decimal("10000.00"),
        due_date=D(2026, 3, 1),
        start_after=D(2026, 3, 31),
        until=D(2026, 4, 30),
        rate_on=rate_on,
    )
    # 30 days of April at 12 % = 98.63
    assert result.amount == Decimal("98.63")
    assert result.parts[0].start == D(2026, 4, 1)


def test_interest_stops_when_paid_and_needs_a_rate():
    paid = rules.late_interest(
        principal=Decimal("100.00"),
        due_date=D(2026, 3, 1),
        start_after=D(2026, 3, 1),
        until=D(2026, 5, 1),
        rate_on=rate_on,
        payments=[(D(2026, 3, 1), Decimal("100.00"))],
    )
    assert paid.amount == Decimal("0.00")
    with pytest.raises(rules.FigureMissing):
        rules.late_interest(
            principal=Decimal("100.00"),
            due_date=D(2026, 12, 20),
            start_after=D(2026, 12, 20),
            until=D(2027, 1, 5),
            rate_on=rate_on,
        )


# --- compensation and fees do not stack ---------------------------------------------------

COMP_CASES = [
    # fee, gross fees before, claimed before, compensation → (fee part, compensation part)
    ("consumer: just the fee", "38", "0", "0", None, "38", "0"),
    ("business, first letter: fee + rest of compensation", "38", "0", "0", "460", "38", "422"),
    ("business, second fee absorbed by compensation", "38", "38", "460", "460", "0", "0"),
    ("business, compensation without fee", "0", "0", "0", "460", "0", "460"),
    ("fees already exceed compensation", "38", "500", "500", "460", "38", "0"),
    ("compensation claimed later, net of fees", "0", "76", "76", "430", "0", "354"),
]


@pytest.mark.parametrize(
    "fee,gross,claimed,comp,fee_part,comp_part",
    [c[1:] for c in COMP_CASES],
    ids=[c[0] for c in COMP_CASES],
)
def test_fee_and_compensation(fee, gross, claimed, comp, fee_part, comp_part):
    result = rules.fee_and_compensation(
        fee=Decimal(fee),
        gross_fees_before=Decimal(gross),
        claimed_before=Decimal(claimed),
        compensation=Decimal(comp) if comp is not None else None,
    )
    assert result == (Decimal(fee_part), Decimal(comp_part))


def test_allocation_principal_first():
    assert rules.allocate_payment(
        amount=Decimal("1100"),
        principal_open=Decimal("1000"),
        items_open=[Decimal("38"), Decimal("20")],
    ) == (Decimal("1000"), [Decimal("38"), Decimal("20")], Decimal("42"))
    assert rules.allocate_payment(
        amount=Decimal("1020"), principal_open=Decimal("1000"), items_open=[Decimal("38")]
    ) == (Decimal("1000"), [Decimal("20")], Decimal("0"))
