"""Sending runs as one task per recipient; a claim makes sure nobody gets it twice."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=0)
def campaign_recipient_send_task(recipient_id: int) -> None:
    from marketing.services import campaign_recipient_send

    campaign_recipient_send(recipient_id=recipient_id)


@db_periodic_task(crontab(hour="4", minute="10"))
def segments_recompute() -> None:
    """Keep every rule-based segment current (after the night's retention run)."""
    from marketing.models import SegmentRule
    from marketing.services import segment_compute

    for rule in SegmentRule.objects.select_related("segment", "plan"):
        segment_compute(rule=rule)
