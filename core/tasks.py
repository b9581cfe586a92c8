"""Huey tasks of the durable outbox (``core.outbox``)."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task, on_startup

from core import outbox

logger = logging.getLogger(__name__)


@db_task()
def outbox_run(message_id: int) -> None:
    """Run one outbox message (a second run of the same message does nothing)."""
    outbox.outbox_message_run(message_id=message_id)


@db_periodic_task(crontab(minute="*"))
def outbox_sweep() -> None:
    """Every minute: run messages whose push failed or whose task was lost, and retries."""
    result = outbox.outbox_drain()
    if result["tried"]:
        logger.info("Outbox sweep: ran %(ran)s of %(tried)s messages", result)


@on_startup()
def outbox_drain_on_startup() -> None:
    """A worker coming back after an outage first runs what waited in the outbox."""
    if HUEY.immediate:  # the test suite and DEBUG runs have no worker start-up
        return
    try:
        result = outbox.outbox_drain()
    except Exception:  # the database may still be down; the sweep will try again
        logger.warning("Outbox drain at start-up failed", exc_info=True)
        return
    logger.info("Outbox drain at start-up: ran %(ran)s of %(tried)s messages", result)
