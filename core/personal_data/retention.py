"""What a retention run knows (``Context``) and what a rule hands it (``Target``).

The retention engine (``retention``) builds one ``Context`` at the start of a run; each
data-category handler's ``targets(ctx)`` (``core.personal_data.handlers``) yields the
``Target``s, the rows past their period and what to do with them.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

# Rows per committed batch of a real run (``retention.services``).
BATCH_SIZE = 1000


@dataclass
class Context:
    """The facts a run decides by, read once at its start."""

    today: datetime.date
    now: datetime.datetime
    # Customers (accounts.Company ids) whose relationship is active today.
    active_company_ids: frozenset[int]
    # Legal holds from open disputes: companies, clients and users whose data is kept.
    held_company_ids: frozenset[int] = frozenset()
    held_client_ids: frozenset[int] = frozenset()
    held_user_ids: frozenset[int] = frozenset()
    # Customers whose relationship ended, with the day it ended.
    ended_on: dict[int, datetime.date] = field(default_factory=dict)
    # Customers that left: not active, not held, nobody logged in for 3 years, and the
    # bookkeeping deadline of their latest document (and of ours to them) has passed.
    left_company_ids: frozenset[int] = frozenset()
    # The operator's client records (customers.Client) of those companies.
    left_client_ids: frozenset[int] = frozenset()


@dataclass
class Target:
    """Rows of one model that one rule handles in this run."""

    model: str
    action: str
    queryset: QuerySet[Any]
    # Called with the primary keys (and the context) in the real run only, once per batch
    # of ``batch_size`` keys, each batch in its own transaction (None: all in one).
    apply: Callable[[list[Any], Context], None]
    batch_size: int | None = BATCH_SIZE
