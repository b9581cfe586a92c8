"""Retention targets of accounts' own data (named by the handlers in ``accounts/privacy.py``)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from core.personal_data.retention import Action, Context, Target, deleter, manager

LOGIN_RECORD_DAYS = 90
AXES_MODELS = ("axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog")


def login_record_targets(ctx: Context) -> Iterable[Target]:
    cutoff = ctx.now - datetime.timedelta(days=LOGIN_RECORD_DAYS)
    for label in AXES_MODELS:
        rows = manager(label).filter(attempt_time__lt=cutoff)
        yield Target(label, Action.DELETE, rows, deleter(label))
