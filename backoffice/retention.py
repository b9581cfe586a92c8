"""Retention targets of the back office's records (named by the handlers in
``backoffice/privacy.py``): surveys, the access log, correspondence after the relationship,
and orders of customers that left."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Cast

from core.guards import retention_guards_lifted
from core.personal_data.retention import (
    REDACTED_LABEL,
    Action,
    Context,
    Target,
    deleter,
    manager,
    model,
    plain,
    updater,
)

# A configurable time after the relationship ended for contacts and correspondence.
CORRESPONDENCE_DAYS_AFTER_END = getattr(settings, "RETENTION_CORRESPONDENCE_DAYS", 365)
# Back-office records about the contact with a customer, by the date field that matters.
CORRESPONDENCE_MODELS = (
    "backoffice.Interaction",
    "backoffice.LegalHold",
    "backoffice.Complaint",
    "backoffice.CreditCheck",
    "backoffice.FinancingUse",
)


def survey_targets(ctx: Context) -> Iterable[Target]:
    """Survey answers are kept until the customer relationship has ended."""
    rows = (
        manager("backoffice.SurveyInvitation")
        .exclude(customer_id__in=ctx.active_company_ids)
        .exclude(customer_id__in=ctx.held_company_ids)
        .exclude(person_id__in=ctx.held_user_ids)
    )
    yield Target(
        "backoffice.SurveyInvitation", Action.DELETE, rows, deleter("backoffice.SurveyInvitation")
    )


def _access_log_cutoff(ctx: Context) -> datetime.datetime:
    from core.personal_data.inventory import RETENTION

    return ctx.now - datetime.timedelta(days=RETENTION["access_log"].days or 0)


def access_log_targets(ctx: Context) -> Iterable[Target]:
    """The access log (who saw whose data) is kept 3 years, then deleted."""
    cutoff = _access_log_cutoff(ctx)
    entries = (
        manager("backoffice.AccessLogEntry")
        .filter(created_at__lt=cutoff)
        .exclude(customer_id__in=ctx.held_company_ids)
        .exclude(person_id__in=ctx.held_user_ids)
    )

    def apply_entries(pks: list[Any], ctx: Context) -> None:
        # One statement per batch: a batch is already ``BATCH_SIZE`` keys.
        with retention_guards_lifted():
            plain("backoffice.AccessLogEntry").filter(pk__in=pks)._raw_delete(connection.alias)

    yield Target("backoffice.AccessLogEntry", Action.DELETE, entries, apply_entries)
    # Elevated sessions go with the log: those over 3 years ago that no younger (kept)
    # entry points to. The older entries pointing to them were deleted just above.
    kept = manager("backoffice.AccessLogEntry").filter(
        elevated_session_id=OuterRef("pk"), created_at__gte=cutoff
    )
    held = (
        manager("backoffice.AccessLogEntry")
        .filter(elevated_session_id=OuterRef("pk"))
        .filter(Q(customer_id__in=ctx.held_company_ids) | Q(person_id__in=ctx.held_user_ids))
    )
    sessions = (
        manager("backoffice.ElevatedSession")
        .filter(expires_at__lt=cutoff)
        .filter(~Exists(kept), ~Exists(held))
    )
    yield Target(
        "backoffice.ElevatedSession", Action.DELETE, sessions, deleter("backoffice.ElevatedSession")
    )


def staff_grant_targets(ctx: Context) -> Iterable[Target]:
    """Decided four-eyes grant requests are documentation like the access log: 3 years."""
    rows = manager("backoffice.StaffGrantRequest").filter(decided_at__lt=_access_log_cutoff(ctx))
    yield Target(
        "backoffice.StaffGrantRequest",
        Action.DELETE,
        rows,
        deleter("backoffice.StaffGrantRequest"),
    )


# --- Contacts and correspondence after the relationship ------------------------------------
def _ended_long_enough(ctx: Context) -> list[int]:
    """Customers whose relationship ended at least the configured time ago."""
    from backoffice.selectors import NO_RELATIONSHIP, customers, relationship_statuses

    with_records: set[int] = set()
    for label in CORRESPONDENCE_MODELS:
        with_records |= set(manager(label).values_list("customer_id", flat=True).distinct())
    candidates = with_records - set(ctx.active_company_ids) - set(ctx.held_company_ids)
    limit = ctx.today - datetime.timedelta(days=CORRESPONDENCE_DAYS_AFTER_END)
    found = list(customers().filter(pk__in=candidates).values_list("pk", flat=True))
    # Every status still unknown in one set-based call (three queries), not one per customer.
    unknown = [pk for pk in found if pk not in ctx.ended_on]
    if unknown:
        statuses = relationship_statuses(unknown, on=ctx.today)
        for pk in unknown:
            ends_on = statuses.get(pk, NO_RELATIONSHIP).ends_on
            ctx.ended_on[pk] = ends_on or datetime.date.min
    return [pk for pk in found if ctx.ended_on[pk] <= limit]


def _correspondence_rows(ctx: Context) -> list[tuple[str, Any]]:
    ended = _ended_long_enough(ctx)
    result = []
    for label in CORRESPONDENCE_MODELS:
        rows: Any = manager(label).filter(customer_id__in=ended)
        if label == "backoffice.LegalHold":
            # Released holds go first: they point at the complaints deleted next.
            rows = rows.filter(released_at__isnull=False)
        if label == "backoffice.Complaint":
            # An open complaint or dispute is never deleted (a dispute holds data anyway).
            rows = rows.exclude(status="open")
            rows = rows.exclude(holds__released_at__isnull=True, holds__isnull=False)
        rows = rows.exclude(Q(person_id__in=ctx.held_user_ids)) if _has_person(label) else rows
        result.append((label, rows))
    return result


def correspondence_audit_rows(ctx: Context) -> QuerySet[Any]:
    """Activity-log entries about the records the correspondence rule deletes."""
    condition = Q(pk__in=[])
    for label, rows in _correspondence_rows(ctx):
        ids = rows.annotate(text_id=Cast("pk", CharField())).values("text_id")
        condition |= Q(object_type=model(label)._meta.label_lower, object_id__in=ids)
    return manager("core.AuditEntry").filter(condition, redacted_at__isnull=True)


def correspondence_targets(ctx: Context) -> Iterable[Target]:
    # First the log's copies (a credit check's provider, a financing partner's name), so
    # that the log does not keep what is deleted; then the records.
    def redact(pks: list[Any], ctx: Context) -> None:
        from core.models import AuditEntry

        # One statement per batch: a batch is already ``BATCH_SIZE`` keys.
        AuditEntry.objects.filter(pk__in=pks)._redact(
            actor_label=REDACTED_LABEL, data={}, redacted_at=ctx.now
        )

    yield Target("core.AuditEntry", Action.ANONYMISE, correspondence_audit_rows(ctx), redact)
    for label, rows in _correspondence_rows(ctx):
        yield Target(label, Action.DELETE, rows, deleter(label))


def _has_person(label: str) -> bool:
    return any(f.name == "person" for f in model(label)._meta.concrete_fields)


# --- Customers that left -------------------------------------------------------------------
def left_order_targets(ctx: Context) -> Iterable[Target]:
    """Orders of a customer that left lose who placed them (plan, dates and invoice stay)."""
    rows = manager("backoffice.Order").filter(
        customer_id__in=ctx.left_company_ids, ordered_by__isnull=False
    )
    yield Target(
        "backoffice.Order", Action.ANONYMISE, rows, updater("backoffice.Order", ordered_by=None)
    )
