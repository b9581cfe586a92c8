"""Product usage (R1b): count feature uses of consenting users per day."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from backoffice.hooks import usage_consenting
from backoffice.models import UsageStat
from core.models import AuditEntry

# Feature -> the audit action that counts as one use of it.
USAGE_FEATURES: dict[str, str] = {
    "invoice_issued": "invoicing.invoice.issued",
    "invoice_draft_created": "invoicing.invoice.draft_created",
    "credit_note_issued": "invoicing.credit_note.issued",
    "payment_registered": "invoicing.payment.registered",
    "client_created": "customers.client.created",
    "product_created": "catalog.product.created",
}


@transaction.atomic
def usage_aggregate(*, day: datetime.date) -> list[UsageStat]:
    """Count each feature's uses on ``day`` (local time) into ``UsageStat``.

    Only actions of users who consented to product analytics count (the purpose's legal
    basis is consent). Only the counts are stored: no user, company or token ids.
    Re-running a day replaces its numbers.
    """
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tzinfo=tz)
    end = start + datetime.timedelta(days=1)
    entries = AuditEntry.objects.filter(
        created_at__gte=start,
        created_at__lt=end,
        action__in=list(USAGE_FEATURES.values()),
        actor_kind=AuditEntry.ActorKind.USER,
    )
    actor_ids = set(entries.values_list("actor_id", flat=True).distinct())
    allowed = usage_consenting({a for a in actor_ids if a is not None})
    counted = (
        entries.filter(actor_id__in=allowed)
        .values("action")
        .annotate(n=Count("id"), companies=Count("company", distinct=True))
    )
    by_action = {row["action"]: row for row in counted}
    stats = []
    for feature, action in USAGE_FEATURES.items():
        row = by_action.get(action, {"n": 0, "companies": 0})
        stat, _created = UsageStat.objects.update_or_create(
            day=day, feature=feature, defaults={"count": row["n"], "companies": row["companies"]}
        )
        stats.append(stat)
    return stats
