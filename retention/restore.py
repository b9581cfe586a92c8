"""After a restore: apply the retention rules for today, as the daily task would."""

from __future__ import annotations

import datetime

from core.backup import StepResult


def retention_reapply(backup_created_at: datetime.datetime) -> StepResult:
    from retention.services import retention_run

    report = retention_run(dry_run=False)
    lines = [
        f"{result.rule}: {result.action} {result.count}"
        for result in report.results
        if result.count
    ]
    return StepResult(
        name="retention rules applied for today",
        ok=True,
        lines=lines or ["Nothing had passed its retention period."],
    )
