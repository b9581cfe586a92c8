"""Privacy inventory for the retention app: its log holds counts, never personal data."""

from __future__ import annotations

from core.personal_data.inventory import register

register(
    "retention.RetentionRun",
    personal={},
    non_personal=["id", "dry_run", "day", "started_at", "finished_at"],
)
register(
    "retention.DeletionLogEntry",
    personal={},
    non_personal=["run", "rule", "model", "action", "count", "created_at"],
)
