"""Huey tasks of recurring invoices."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from recurring import services

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(minute="15", hour="5"))
def run_recurring_invoices() -> None:
    """Every morning (05:15): make the invoices of every period that has started, and retry
    the periods that failed. Running it twice, or in two workers at once, makes nothing
    twice (see ``recurring.services``)."""
    summary = services.recurring_run_due()
    logger.info(
        "Recurring invoices: %s made, %s failed, %s retried",
        summary.created,
        summary.failed,
        summary.retried,
    )
