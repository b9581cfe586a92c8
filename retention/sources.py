"""What the retention run reads from the back office: relationship status and legal holds.

The back office owns both (``backoffice.selectors``); this module only turns them into the
sets of ids a run decides by, once per run.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db.models import CharField, Exists, OuterRef, Q
from django.db.models.functions import Cast
from django.utils import timezone

from core.personal_data.retention import Context, Target
from retention.common import (
    CORRESPONDENCE_DAYS_AFTER_END,
    INACTIVE_ACCOUNT_DAYS,
    REDACTED_LABEL,
    Action,
    _delete,
    primary_cutoff,
)

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

    if now is None:
        now = timezone.now()
        if today != timezone.localdate(now):
            # A run "as if today were" another day moves the whole clock: exports,
            # requests, invitations, log-ins and holds are judged at that day's time.
            now = timezone.make_aware(
                datetime.datetime.combine(today, timezone.localtime(now).time())
            )
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
    left = _left_companies(today=today, now=now, active=active, held=held_companies)
    left_clients = frozenset(
        CustomerAccount.objects.filter(customer_id__in=left).values_list("client_id", flat=True)
    )
    return Context(
        today=today,
        now=now,
        active_company_ids=active,
        held_company_ids=held_companies,
        held_client_ids=held_clients,
        held_user_ids=held_users,
        left_company_ids=left,
        left_client_ids=left_clients,
    )


def _left_companies(
    *, today: datetime.date, now: datetime.datetime, active: frozenset[int], held: frozenset[int]
) -> frozenset[int]:
    """Customers that left: closed by their last owner, or with no active relationship
    (statement clause 8) and registered and unused (no member logged in) for 3 years; in
    both cases without a legal hold and with no document of theirs or ours to them younger
    than the bookkeeping deadline (so their accounting records were kept for as long as the
    law requires)."""
    from backoffice.selectors import customers

    since = now - datetime.timedelta(days=INACTIVE_ACCOUNT_DAYS)
    cutoff = primary_cutoff(today)
    invoice = apps.get_model("invoicing.Invoice")._base_manager
    young = Q(invoice_date__gte=cutoff) | Q(status="draft", created_at__gte=since)
    recent_login = apps.get_model("accounts.Membership")._base_manager.filter(
        company_id=OuterRef("pk"), user__last_login__gte=since
    )
    own_documents = invoice.filter(young, company_id=OuterRef("pk"))
    # Our own invoices to the customer (its record in our books, ``CustomerAccount``).
    our_documents = invoice.filter(young, client_id=OuterRef("customer_account__client_id"))
    unused = Q(created_at__lt=since) & ~Q(pk__in=active) & ~Exists(recent_login)
    # A company its last owner closed has left whatever its relationship status says.
    rows = (
        customers()
        .exclude(pk__in=held)
        .filter(Q(closed_at__isnull=False) | unused)
        .filter(~Exists(own_documents), ~Exists(our_documents))
    )
    return frozenset(rows.values_list("pk", flat=True))


def _ended_long_enough(ctx: Context) -> list[int]:
    """Customers whose relationship ended at least the configured time ago."""
    from backoffice.selectors import NO_RELATIONSHIP, customers, relationship_statuses

    with_records: set[int] = set()
    for label in CORRESPONDENCE_MODELS:
        model = apps.get_model(label)
        with_records |= set(model._base_manager.values_list("customer_id", flat=True).distinct())
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
        rows: Any = apps.get_model(label)._base_manager.filter(customer_id__in=ended)
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


def correspondence_audit_rows(ctx: Context) -> Any:
    """Activity-log entries about the records the correspondence rule deletes."""
    condition = Q(pk__in=[])
    for label, rows in _correspondence_rows(ctx):
        ids = rows.annotate(text_id=Cast("pk", CharField())).values("text_id")
        condition |= Q(object_type=apps.get_model(label)._meta.label_lower, object_id__in=ids)
    return apps.get_model("core.AuditEntry")._base_manager.filter(
        condition, redacted_at__isnull=True
    )


def correspondence_targets(ctx: Context) -> Iterable[Target]:
    # First the log's copies (a credit check's provider, a financing partner's name), so
    # that the log does not keep what is deleted; then the records.
    def redact(pks: list[Any], ctx: Context) -> None:
        audit = apps.get_model("core.AuditEntry")
        for start in range(0, len(pks), 1000):
            audit.objects.filter(pk__in=pks[start : start + 1000])._redact(
                actor_label=REDACTED_LABEL, data={}, redacted_at=ctx.now
            )

    yield Target("core.AuditEntry", Action.ANONYMISE, correspondence_audit_rows(ctx), redact)
    for label, rows in _correspondence_rows(ctx):
        yield Target(label, Action.DELETE, rows, _delete(label))


def _has_person(label: str) -> bool:
    model = apps.get_model(label)
    return any(f.name == "person" for f in model._meta.concrete_fields)
