"""Retention targets of the marketing profile (named by the handler in ``marketing/privacy.py``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from core.personal_data.retention import Action, Context, Target, deleter, manager


def users_without_active_relationship(ctx: Context) -> QuerySet[Any]:
    """Users none of whose companies has an active customer relationship today.

    One uncorrelated subquery of the active companies' members: correlated per user, SQLite
    searched the list of active companies again for each of 17,000 users (5 s per target)."""
    members = manager("accounts.Membership").filter(company_id__in=ctx.active_company_ids)
    return manager("accounts.User").exclude(pk__in=members.values("user_id"))


def users_who_objected() -> QuerySet[Any]:
    """Users on the suppression list, or whose latest e-mail marketing consent is withdrawn."""
    consent = manager("privacy.ConsentRecord")
    latest = consent.filter(user_id=OuterRef("pk"), purpose="marketing_email").order_by(
        "-created_at", "-id"
    )
    suppressed = manager("privacy.MarketingSuppression").filter(email__iexact=OuterRef("email"))
    return (
        manager("accounts.User")
        .annotate(latest_given=Subquery(latest.values("given")[:1]))
        .filter(Q(Exists(suppressed)) | Q(latest_given=False))
    )


def marketing_targets(ctx: Context) -> Iterable[Target]:
    gone = users_without_active_relationship(ctx).values("pk")
    objected = users_who_objected().values("pk")
    for label in ("marketing.SegmentMembership", "marketing.CampaignRecipient"):
        rows = (
            manager(label)
            .filter(Q(user_id__in=gone) | Q(user_id__in=objected))
            .exclude(user_id__in=ctx.held_user_ids)
        )
        if label == "marketing.CampaignRecipient":
            # A recipient being sent to right now is finished first.
            rows = rows.exclude(status="sending")
        yield Target(label, Action.DELETE, rows, deleter(label))
