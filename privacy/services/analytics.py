"""First-party page-view analytics: salted daily hashes, aggregated and dropped."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from privacy.models import (
    AnalyticsSalt,
    DailyPageStat,
    PageView,
)
from privacy.retention import ANALYTICS_RAW_DAYS


def _salt_for(day: datetime.date) -> str:
    salt = AnalyticsSalt.objects.filter(day=day).values_list("salt", flat=True).first()
    if salt:
        return salt
    try:
        with transaction.atomic():
            return AnalyticsSalt.objects.create(day=day, salt=secrets.token_hex(32)).salt
    except IntegrityError:
        return AnalyticsSalt.objects.get(day=day).salt


def visitor_hash(*, visitor_id: str, day: datetime.date) -> str:
    return hashlib.sha256(f"{_salt_for(day)}:{visitor_id}".encode()).hexdigest()


def page_view_record(*, visitor_id: str, path: str) -> PageView:
    """One page view: the route, the day and today's salted hash of the visitor id."""
    day = timezone.localdate()
    return PageView.objects.create(
        day=day, path=path[:300], visitor_hash=visitor_hash(visitor_id=visitor_id, day=day)
    )


@transaction.atomic
def analytics_retention_run(*, today: datetime.date | None = None) -> dict[str, int]:
    """Aggregate finished days, drop raw events after 30 days and old daily salts."""
    from django.db.models import Count

    today = today or timezone.localdate()
    aggregated = 0
    done_days = PageView.objects.filter(day__lt=today).values_list("day", flat=True).distinct()
    for day in set(done_days):
        for row in (
            PageView.objects.filter(day=day)
            .values("path")
            .annotate(views=Count("id"), visitors=Count("visitor_hash", distinct=True))
        ):
            DailyPageStat.objects.update_or_create(
                day=day,
                path=row["path"],
                defaults={"page_views": row["views"], "unique_visitors": row["visitors"]},
            )
            aggregated += 1
    cutoff = today - datetime.timedelta(days=ANALYTICS_RAW_DAYS)
    deleted, _detail = PageView.objects.filter(day__lt=cutoff).delete()
    salts, _detail = AnalyticsSalt.objects.filter(day__lt=today).delete()
    return {"aggregated": aggregated, "deleted": deleted, "salts_deleted": salts}
