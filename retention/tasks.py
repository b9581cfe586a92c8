"""The daily retention run."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task


@db_periodic_task(crontab(hour="3", minute="40"))
@lock_task("retention-run")
def retention_daily() -> None:
    """Apply every retention rule once a day (after privacy's analytics aggregation)."""
    from retention.services import retention_run

    retention_run()
