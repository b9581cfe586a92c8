"""What the retention rules share: the bookkeeping periods, the constants several rules
read, and small helpers to reach a model by label and delete its rows.

``retention.rules`` and ``retention.sources`` both import from here (and never from each
other at import time), so neither depends on the other to load.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone

from core.personal_data.handlers import Action as _HandlerAction
from core.personal_data.retention import Context

ANONYMISED_NAME = "Anonymisert"
REDACTED_LABEL = "[slettet]"
# A configurable time after the relationship ended for contacts and correspondence.
CORRESPONDENCE_DAYS_AFTER_END = getattr(settings, "RETENTION_CORRESPONDENCE_DAYS", 365)
ANALYTICS_RAW_DAYS = 30
UNVERIFIED_REQUEST_DAYS = 30
PRIVACY_REQUEST_DAYS = 3 * 365
ENDED_INVITATION_DAYS = 30


# The handlers' actions (core.personal_data.handlers), for the target functions.
Action = _HandlerAction


# --- Periods -------------------------------------------------------------------------------
def primary_cutoff(today: datetime.date) -> datetime.date:
    """Primary documentation (bokføringsloven § 13): 5 years after the fiscal year's end.

    Material dated before the returned day has passed its deadline: a document from year
    Y is kept until 31.12.Y+5 (calendar fiscal year).
    """
    return datetime.date(today.year - 5, 1, 1)


def secondary_cutoff(today: datetime.date) -> datetime.date:
    """Secondary documentation: 3.5 years after the fiscal year's end (30.06.Y+4)."""
    if today > datetime.date(today.year, 6, 30):
        return datetime.date(today.year - 3, 1, 1)
    return datetime.date(today.year - 4, 1, 1)


def primary_deadline(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + 5, 12, 31)


def secondary_deadline(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + 4, 6, 30)


def _aware(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def _manager(label: str) -> models.Manager:
    return _model(label)._base_manager


def _delete(label: str) -> Callable[[list[Any], Context], None]:
    def apply(pks: list[Any], ctx: Context) -> None:
        for start in range(0, len(pks), 1000):
            _manager(label).filter(pk__in=pks[start : start + 1000]).delete()

    return apply


def _plain(label: str) -> QuerySet:
    model = _model(label)
    return models.QuerySet(model=model)


# The unused-account rule's period (``accounts``); the correspondence rule reads it too.
INACTIVE_ACCOUNT_DAYS = 3 * 365
