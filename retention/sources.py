"""What the retention run reads from the back office: relationship status and legal holds.

The back office owns both (``backoffice.selectors``); this module only turns them into the
sets of ids a run decides by, once per run.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from retention.rules import CORRESPONDENCE_DAYS_AFTER_END, Action, Context, Target, _delete

# Back-office records about the contact with a customer, by the date field that matters.
CORRESPONDENCE_MODELS = (
    "backoffice.Interaction",
    "backoffice.LegalHold",
    "backoffice.Complaint",
    "backoffice.CreditCheck",
    "backoffice.FinancingUse",
)


def build_context(*, today: datetime.date, now: datetime.datetime | None = None) -> Context:
    from backoffice.models import CustomerAccount
    from backoffice.selectors import active_customers, legal_holds_for

    now = now or timezone.now()
    active = frozenset(active_customers(on=today).values_list("pk", flat=True))
    holds = list(legal_holds_for(on=now).values("customer_id", "person_id"))
    held_companies = frozenset(h["customer_id"] for h in holds)
    membership = apps.get_model("accounts.Membership")._base_manager
    held_users = frozenset(h["person_id"] for h in holds if h["person_id"]) | frozenset(
        membership.filter(company_id__in=held_companies).values_list("user_id", flat=True)
    )
    # The operator's own invoices to a held customer are held too.
    held_clients = frozenset(
        CustomerAccount.objects.filter(customer_id__in=held_companies).values_list(
            "client_id", flat=True
        )
    )
    return Context(
        today=today,
        now=now,
        active_company_ids=active,
        held_company_ids=held_companies,
        held_client_ids=held_clients,
        held_user_ids=held_users,
    )


def _ended_long_enough(ctx: Context) -> list[int]:
    """Customers whose relationship ended at least the configured time ago."""
    from backoffice.selectors import customers, relationship_status

    with_records: set[int] = set()
    for label in CORRESPONDENCE_MODELS:
        model = apps.get_model(label)
        with_records |= set(model._base_manager.values_list("customer_id", flat=True).distinct())
    candidates = with_records - set(ctx.active_company_ids) - set(ctx.held_company_ids)
    limit = ctx.today - datetime.timedelta(days=CORRESPONDENCE_DAYS_AFTER_END)
    result = []
    for company in customers().filter(pk__in=candidates):
        if company.pk not in ctx.ended_on:
            status = relationship_status(company, on=ctx.today)
            ctx.ended_on[company.pk] = status.ends_on or datetime.date.min
        if ctx.ended_on[company.pk] <= limit:
            result.append(company.pk)
    return result


def correspondence_targets(ctx: Context) -> Iterable[Target]:
    ended = _ended_long_enough(ctx)
    for label in CORRESPONDENCE_MODELS:
        rows: Any = apps.get_model(label)._base_manager.filter(customer_id__in=ended)
        if label == "backoffice.LegalHold":
            # Released holds go first: they point at the complaints deleted next.
            rows = rows.filter(released_at__isnull=False)
        if label == "backoffice.Complaint":
            # An open complaint or dispute is never deleted (a dispute holds data anyway).
            rows = rows.exclude(status="open")
            rows = rows.exclude(holds__released_at__isnull=True, holds__isnull=False)
        rows = rows.exclude(Q(person_id__in=ctx.held_user_ids)) if _has_person(label) else rows
        yield Target(label, Action.DELETE, rows, _delete(label))


def _has_person(label: str) -> bool:
    model = apps.get_model(label)
    return any(f.name == "person" for f in model._meta.concrete_fields)
