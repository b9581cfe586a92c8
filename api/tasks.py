"""Housekeeping of the API: forget idempotency keys after their 24 hours."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from api.services import idempotency_records_purge


@db_periodic_task(crontab(minute="35"))
def purge_idempotency_records() -> int:
    """Hourly: delete stored responses whose key has expired (expired keys are already
    ignored by lookups; this only keeps the table small)."""
    return idempotency_records_purge()
