"""Huey tasks of receivables: the daily reminder run and letter delivery (idempotent)."""

from __future__ import annotations

import logging

from django_scopes import scope
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from accounts.models import Company

logger = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="6", minute="15"))
@lock_task("receivables-reminders")
def reminders_daily() -> None:
    """Every morning: send the reminders that are due in every company that wants them."""
    from receivables.services import reminders_run_all

    reminders_run_all()


@db_task()
def deliver_letters(company_id: int, letter_ids: list[int]) -> None:
    """E-mail each pending letter once (a letter already sent is left alone)."""
    from receivables.delivery import deliver_letter
    from receivables.models import Letter

    with scope(company=Company.objects.get(pk=company_id)):
        pending = Letter.objects.filter(pk__in=letter_ids, delivery=Letter.Delivery.PENDING)
        for letter in pending.select_related("invoice__client"):
            deliver_letter(letter)
