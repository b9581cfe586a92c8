"""Sending runs as one task per recipient; a claim makes sure nobody gets it twice."""

from __future__ import annotations

from huey.contrib.djhuey import db_task


@db_task(retries=0)
def campaign_recipient_send_task(recipient_id: int) -> None:
    from marketing.services import campaign_recipient_send

    campaign_recipient_send(recipient_id=recipient_id)
