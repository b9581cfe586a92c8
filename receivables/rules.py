"""The collection rules as pure functions (no database): fees, interest, compensation.

Sources: ``../shared/docs/norway.md`` §5 (inkassoloven 1988 § 9, inkassoforskriften § 1-2,
forsinkelsesrenteloven §§ 2, 3, 3a). Every figure comes in as an argument: the dated
figures live in ``StatutoryFigure`` (``selectors.figure_on``).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from core.dates import add_months
from core.money import ZERO, round_money

FEE_EARLIEST_DAYS = 14  # a fee only if the letter is sent ≥ 14 days after the due date
MIN_DEADLINE_DAYS = 14  # a fee-bearing letter gives ≥ 14 days to pay (inkassovarsel: law)
MAX_FEE_LETTERS = 2  # at most two fee-bearing letters per claim ...
FEE_RESTART_MONTHS = 6  # ... counted again six months after the last one
DAYS_IN_YEAR = Decimal(365)
#: Interest runs from the day after the due date (or after the last day already claimed).
INTEREST_FROM_NEXT_DAY = datetime.timedelta(days=1)


class FigureMissing(LookupError):
    """No statutory figure covers the date: refuse rather than guess."""

    def __init__(self, kind: str, on: datetime.date) -> None:
        super().__init__(f"No statutory figure '{kind}' in force on {on.isoformat()}.")
        self.kind = kind
        self.on = on


# --- figures -----------------------------------------------------------------------------


def whole_kroner(amount: Decimal) -> Decimal:
    """Round to the nearest krone, halves up (inkassoforskriften § 1-2: 37.50 → 38)."""
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP).quantize(Decimal("0.01"))


def reminder_fee(inkassosats: Decimal) -> Decimal:
    """Purregebyr, and the creditor's own inkassovarsel fee: 1/20 of the inkassosats."""
    return whole_kroner(inkassosats / 20)


def payment_demand_fee(inkassosats: Decimal) -> Decimal:
    """Betalingsoppfordring by the creditor (egeninkasso): 3/20 of the inkassosats."""
    return whole_kroner(inkassosats * 3 / 20)


# --- fees: ONE rule ------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorLetter:
    """A reminder or inkassovarsel already sent for the claim."""

    sent_on: datetime.date
    deadline: datetime.date
    fee_bearing: bool


@dataclass(frozen=True)
class LetterDecision:
    """May a letter be sent on that day, and may it carry a fee?

    ``reason`` says why the fee (or the letter) is refused: ``disputed``, ``not_due``,
    ``too_early`` (< 14 days after the due date), ``short_deadline`` (< 14 days to pay),
    ``max_fees`` (two fee-bearing letters already, within six months), ``previous_deadline``
    (the previous fee-bearing letter's deadline has not passed, or it gave < 14 days).
    """

    may_send: bool
    fee: bool
    reason: str = ""


def letter_decision(
    *,
    due_date: datetime.date,
    send_on: datetime.date,
    deadline: datetime.date,
    previous: Sequence[PriorLetter] = (),
    disputed: bool = False,
    want_fee: bool = True,
) -> LetterDecision:
    """The fee rules of norway.md §5.3, in one place (reminders and inkassovarsel alike).

    - nothing is sent for a disputed claim, nor on or before the due date;
    - a letter gives at least 14 days to pay (inkassoloven § 9 for the varsel; for a
      reminder it is what makes a second fee possible, so we require it of every letter);
    - a fee only if the letter is sent ≥ 14 days after the due date;
    - at most two fee-bearing letters; counting restarts six months after the last
      fee-bearing letter;
    - a second fee only after the first fee-bearing letter's deadline (≥ 14 days) passed.
    """
    if disputed:
        return LetterDecision(False, False, "disputed")
    if send_on <= due_date:
        return LetterDecision(False, False, "not_due")
    if (deadline - send_on).days < MIN_DEADLINE_DAYS:
        return LetterDecision(False, False, "short_deadline")
    if not want_fee:
        return LetterDecision(True, False, "no_fee_wanted")
    if (send_on - due_date).days < FEE_EARLIEST_DAYS:
        return LetterDecision(True, False, "too_early")
    counted: list[PriorLetter] = []
    for letter in sorted((p for p in previous if p.fee_bearing), key=lambda p: p.sent_on):
        if counted and add_months(counted[-1].sent_on, FEE_RESTART_MONTHS) <= letter.sent_on:
            counted = []
        counted.append(letter)
    if counted and add_months(counted[-1].sent_on, FEE_RESTART_MONTHS) <= send_on:
        counted = []
    if len(counted) >= MAX_FEE_LETTERS:
        return LetterDecision(True, False, "max_fees")
    if counted:
        first = counted[-1]
        if (first.deadline - first.sent_on).days < MIN_DEADLINE_DAYS or send_on <= first.deadline:
            return LetterDecision(True, False, "previous_deadline")
    return LetterDecision(True, True, "")


# --- § 3a compensation and fees do not stack ----------------------------------------------


def fee_and_compensation(
    *,
    fee: Decimal,
    gross_fees_before: Decimal,
    claimed_before: Decimal,
    compensation: Decimal | None,
) -> tuple[Decimal, Decimal]:
    """Split what a new letter may add into (fee, compensation).

    ``fee``: the statutory fee of this letter (0 if it bears none); ``gross_fees_before``:
    the statutory fees of earlier fee-bearing letters; ``claimed_before``: what was
    actually claimed before as fees and compensation (not waived); ``compensation``: the
    § 3a standardkompensasjon when it may be claimed (business debtor, company wants it),
    else ``None``.

    Fees and compensation do not stack (forsinkelsesrenteloven § 3a: fees already claimed
    are deducted from it and vice versa), so altogether the debtor owes at most
    max(compensation, Σ fees). A consumer owes the fees.
    """
    target = gross_fees_before + fee
    if compensation is not None:
        target = max(target, compensation)
    additional = max(target - claimed_before, ZERO)
    fee_part = min(fee, additional)
    return fee_part, additional - fee_part


# --- late interest -------------------------------------------------------------------------


@dataclass(frozen=True)
class InterestPart:
    start: datetime.date  # first interest day
    end: datetime.date  # last interest day (inclusive)
    days: int
    rate: Decimal
    principal: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Interest:
    parts: tuple[InterestPart, ...] = field(default_factory=tuple)

    @property
    def amount(self) -> Decimal:
        return sum((part.amount for part in self.parts), ZERO)


def _next_boundary(day: datetime.date) -> datetime.date:
    """The next 1 January or 1 July after ``day``."""
    if day.month < 7:
        return datetime.date(day.year, 7, 1)
    return datetime.date(day.year + 1, 1, 1)


def late_interest(
    *,
    principal: Decimal,
    due_date: datetime.date,
    start_after: datetime.date,
    until: datetime.date,
    rate_on: Callable[[datetime.date], Decimal],
    payments: Sequence[tuple[datetime.date, Decimal]] = (),
) -> Interest:
    """Simple forsinkelsesrente on the open principal, for the days after ``start_after``
    (the due date, or the end of interest already claimed) up to and including ``until``.

    A day *d* bears interest when *d* is after the due date, at the rate in force on *d*
    (a new half-year rate applies to existing claims too, so parts split at 1 January and
    1 July), on the principal minus the payments dated before *d* (a payment on day *p*
    stops interest after *p*). Actual days / 365. Each part is rounded to øre half-up and
    the interest is the sum of the rounded parts (as printed on the letter).
    """
    start = max(start_after, due_date) + INTEREST_FROM_NEXT_DAY
    if until < start:
        return Interest()
    changes = sorted((d, a) for d, a in payments if a)
    parts: list[InterestPart] = []
    day = start
    while day <= until:
        open_principal = principal - sum((a for d, a in changes if d < day), ZERO)
        next_change = min(
            (d + datetime.timedelta(days=1) for d, _a in changes if d >= day), default=None
        )
        end = min(until, _next_boundary(day) - datetime.timedelta(days=1))
        if next_change is not None and next_change <= end:
            end = next_change - datetime.timedelta(days=1)
        days = (end - day).days + 1
        if open_principal > 0:
            rate = rate_on(day)
            amount = round_money(open_principal * rate / 100 * days / DAYS_IN_YEAR)
            if parts and parts[-1].rate == rate and parts[-1].principal == open_principal:
                prev = parts.pop()
                days_total = prev.days + days
                amount = round_money(open_principal * rate / 100 * days_total / DAYS_IN_YEAR)
                parts.append(
                    InterestPart(prev.start, end, days_total, rate, open_principal, amount)
                )
            else:
                parts.append(InterestPart(day, end, days, rate, open_principal, amount))
        day = end + datetime.timedelta(days=1)
    return Interest(tuple(parts))


# --- allocation of a payment --------------------------------------------------------------


def allocate_payment(
    *, amount: Decimal, principal_open: Decimal, items_open: Sequence[Decimal]
) -> tuple[Decimal, list[Decimal], Decimal]:
    """Split a received amount into (principal, each item in order, surplus).

    Principal first, then the additional claims in the order given (oldest first): the
    consumer-friendly order (the debtor's principal stops bearing interest first); see
    docs/receivables.md. The surplus goes to the client's credit balance.
    """
    to_principal = min(amount, max(principal_open, ZERO))
    rest = amount - to_principal
    parts = []
    for open_amount in items_open:
        part = min(rest, max(open_amount, ZERO))
        parts.append(part)
        rest -= part
    return to_principal, parts, rest
