"""Retention targets of the data ``privacy/privacy.py`` declares (privacy's own, and the
accounts, companies, activity log and outbox rows that no lower app can erase alone)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q

from core.bulk import id_array
from core.personal_data.retention import (
    ANONYMISED_NAME,
    INACTIVE_ACCOUNT_DAYS,
    REDACTED_LABEL,
    Action,
    Context,
    Target,
    deleter,
    manager,
    model,
    plain,
    primary_cutoff,
    start_of,
)

ANALYTICS_RAW_DAYS = 30
UNVERIFIED_REQUEST_DAYS = 30
PRIVACY_REQUEST_DAYS = 3 * 365
ENDED_INVITATION_DAYS = 30
ANONYMOUS_CONSENT_DAYS = 2 * 365
AUDIT_DAYS = 3 * 365
# Activity-log rows about accounting material: kept as long as the material.
ACCOUNTING_AUDIT_TYPES = (
    "invoicing.invoice",
    "invoicing.payment",
    "invoicing.clientbalanceentry",
    "customers.client",
)


# --- Web analytics, exports, requests, invitations -----------------------------------------
def analytics_targets(ctx: Context) -> Iterable[Target]:
    cutoff = ctx.today - datetime.timedelta(days=ANALYTICS_RAW_DAYS)

    def apply(pks: list[Any], ctx: Context) -> None:
        page_view = model("privacy.PageView")
        stat = model("privacy.DailyPageStat")
        rows = page_view._default_manager.filter(pk__in=pks)
        # The anonymous day counts survive the raw events (privacy's daily task makes them
        # too; this keeps them if it did not run): one INSERT of the missing days and
        # paths; a day the task already counted keeps its counts (the unique day + path).
        counts = rows.values("day", "path").annotate(
            views=Count("id"), visitors=Count("visitor_hash", distinct=True)
        )
        stat._default_manager.bulk_create(
            [
                stat(
                    day=row["day"],
                    path=row["path"],
                    page_views=row["views"],
                    unique_visitors=row["visitors"],
                )
                for row in counts
            ],
            ignore_conflicts=True,
        )
        deleter("privacy.PageView")(pks, ctx)

    yield Target(
        "privacy.PageView",
        Action.DELETE,
        manager("privacy.PageView").filter(day__lt=cutoff),
        apply,
        # One batch: a day's counts are made from all of its events at once.
        batch_size=None,
    )


def export_targets(ctx: Context) -> Iterable[Target]:
    def apply(pks: list[Any], ctx: Context) -> None:
        exports = list(manager("privacy.DataExport").filter(pk__in=pks))
        files = [export.file for export in exports if export.file]
        manager("privacy.DataExport").filter(pk__in=pks).delete()
        # Files go once the rows are gone for good.
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])

    yield Target(
        "privacy.DataExport",
        Action.DELETE,
        manager("privacy.DataExport").filter(expires_at__lte=ctx.now),
        apply,
    )


def request_targets(ctx: Context) -> Iterable[Target]:
    closed = Q(
        status="closed", closed_at__lt=ctx.now - datetime.timedelta(days=PRIVACY_REQUEST_DAYS)
    )
    unverified = Q(
        status="awaiting_verification",
        received_at__lt=ctx.now - datetime.timedelta(days=UNVERIFIED_REQUEST_DAYS),
    )
    rows = (
        manager("privacy.PrivacyRequest")
        .filter(closed | unverified)
        .exclude(user_id__in=ctx.held_user_ids)
    )
    yield Target("privacy.PrivacyRequest", Action.DELETE, rows, deleter("privacy.PrivacyRequest"))


def invitation_targets(ctx: Context) -> Iterable[Target]:
    ended_before = ctx.now - datetime.timedelta(days=ENDED_INVITATION_DAYS)
    rows = manager("accounts.Invitation").filter(
        Q(accepted_at__lt=ended_before)
        | Q(revoked_at__lt=ended_before)
        | Q(expires_at__lt=ended_before)
    )
    yield Target("accounts.Invitation", Action.DELETE, rows, deleter("accounts.Invitation"))


# --- Activity log and outbox ---------------------------------------------------------------
def _redact_audit(pks: list[Any], ctx: Context) -> None:
    from core.models import AuditEntry

    # One statement per batch: a batch is already ``BATCH_SIZE`` keys (the targets below
    # keep the default ``batch_size``), one array parameter on PostgreSQL (``in_ids``).
    AuditEntry.objects.filter(pk__in_ids=id_array(pks))._redact(
        actor_label=REDACTED_LABEL, data={}, redacted_at=ctx.now
    )


def audit_targets(ctx: Context) -> Iterable[Target]:
    """Activity-log rows about accounting material: redacted with the material's deadline."""
    cutoff = start_of(primary_cutoff(ctx.today))
    rows = manager("core.AuditEntry").filter(
        object_type__in=ACCOUNTING_AUDIT_TYPES, created_at__lt=cutoff, redacted_at__isnull=True
    )
    rows = rows.exclude(company_id__in=ctx.held_company_ids)
    yield Target("core.AuditEntry", Action.ANONYMISE, rows, _redact_audit, parallel=True)


def identified_audit_targets(ctx: Context) -> Iterable[Target]:
    """Activity-log rows not about accounting material: names and details go after 3 years."""
    from backoffice.retention import correspondence_audit_rows

    cutoff = ctx.now - datetime.timedelta(days=AUDIT_DAYS)
    rows = (
        manager("core.AuditEntry")
        .exclude(object_type__in=ACCOUNTING_AUDIT_TYPES)
        # The engine's own entries hold counts only (like its deletion log).
        .exclude(action="retention.run.completed")
        .filter(created_at__lt=cutoff, redacted_at__isnull=True)
        .exclude(company_id__in=ctx.held_company_ids)
        .exclude(actor_kind="user", actor_id__in=ctx.held_user_ids)
        # Those the correspondence rule redacts with its records (one row, one rule).
        .exclude(pk__in=correspondence_audit_rows(ctx).values("pk"))
    )
    yield Target("core.AuditEntry", Action.ANONYMISE, rows, _redact_audit, parallel=True)


def outbox_targets(ctx: Context) -> Iterable[Target]:
    """Task outbox rows: done ones (already without arguments) and given-up ones."""
    from core.outbox import DONE_KEEP, FAILED_KEEP

    rows = manager("core.OutboxMessage").filter(
        Q(done_at__lt=ctx.now - DONE_KEEP) | Q(failed_at__lt=ctx.now - FAILED_KEEP)
    )
    yield Target("core.OutboxMessage", Action.DELETE, rows, deleter("core.OutboxMessage"))


# --- Accounts, consent ledger, companies that left -----------------------------------------
def inactive_account_targets(ctx: Context) -> Iterable[Target]:
    """Accounts unused for 3 years whose companies are no longer customers: erased as
    the person could erase them (``privacy.services.erasure.person_rows_erase``)."""
    since = ctx.now - datetime.timedelta(days=INACTIVE_ACCOUNT_DAYS)
    in_active = manager("accounts.Membership").filter(
        user_id=OuterRef("pk"), company_id__in=ctx.active_company_ids
    )
    rows = (
        manager("accounts.User")
        .filter(is_staff=False, is_superuser=False, date_joined__lt=since)
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=since))
        .exclude(email__endswith="@slettet.invalid")
        .exclude(pk__in=ctx.held_user_ids)
        .filter(~Exists(in_active))
    )

    def apply(pks: list[Any], ctx: Context) -> None:
        from privacy.services.erasure import person_rows_erase

        for user in manager("accounts.User").filter(pk__in=pks):
            person_rows_erase(user=user)

    yield Target("accounts.User", Action.ANONYMISE, rows, apply)


def anonymous_consent_targets(ctx: Context) -> Iterable[Target]:
    """Cookie choices of visitors without an account: the browser id goes after 2 years
    (the choice is asked again after 6 months); the anonymous tally stays."""
    cutoff = ctx.now - datetime.timedelta(days=ANONYMOUS_CONSENT_DAYS)
    rows = (
        manager("privacy.ConsentRecord")
        .filter(user__isnull=True, created_at__lt=cutoff)
        .exclude(visitor_id="")
    )

    def apply(pks: list[Any], ctx: Context) -> None:
        from privacy.models import ConsentRecord

        # One statement per batch: a batch is already ``BATCH_SIZE`` keys.
        ConsentRecord.objects.filter(pk__in=pks)._redact(visitor_id="", redacted_at=ctx.now)

    yield Target("privacy.ConsentRecord", Action.ANONYMISE, rows, apply)


def left_company_targets(ctx: Context) -> Iterable[Target]:
    """The company record itself: name, org.nr, address, contact details and bank account."""
    from django.db import models
    from django.db.models import Value
    from django.db.models.functions import Cast, Concat, LPad

    rows = manager("accounts.Company").filter(pk__in=ctx.left_company_ids)
    rows = rows.exclude(organization_number__startswith="X")

    def apply(pks: list[Any], ctx: Context) -> None:
        # One statement per batch: a batch is already ``BATCH_SIZE`` keys.
        plain("accounts.Company").filter(pk__in=pks).update(
            name=ANONYMISED_NAME,
            # Unique and never a valid org.nr (those are 9 digits): "X" + the id.
            organization_number=Concat(
                Value("X"), LPad(Cast("pk", models.CharField()), 8, Value("0"))
            ),
            address_line="",
            postcode="",
            city="",
            bank_account="",
            iban="",
            bic="",
            email="",
            phone="",
            website="",
        )

    yield Target("accounts.Company", Action.ANONYMISE, rows, apply)
