"""The retention engine's target functions (R7, design.md §5).

The rules themselves are data-category handlers (``core.personal_data.handlers.Handler``) that each
app registers in its ``privacy.py``; a handler's ``targets`` is one of the functions here
(or its own). Each selects, for a given day, the rows whose retention period is over and
says what happens to them (deleted, or anonymised where figures must stay consistent). The
daily run, the dry run and the "storage and deletion routines" document all read the one
list of handlers (``rules()``).

A rule selects on facts that no other rule changes (dates, relationship status, legal
holds), and never selects a row it has already handled, so the dry run predicts the real
run exactly and a second run finds nothing more.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.fields.files import FieldFile

from core.guards import retention_guards_lifted
from core.personal_data.handlers import Handler
from core.personal_data.retention import Context, Target
from retention.common import (
    ANALYTICS_RAW_DAYS,
    ANONYMISED_NAME,
    ENDED_INVITATION_DAYS,
    INACTIVE_ACCOUNT_DAYS,
    PRIVACY_REQUEST_DAYS,
    REDACTED_LABEL,
    UNVERIFIED_REQUEST_DAYS,
    Action,
    _aware,
    _delete,
    _manager,
    _model,
    _plain,
    primary_cutoff,
    secondary_cutoff,
)


def _files_delete(files: list[FieldFile]) -> None:
    for file in files:
        if file.name:
            file.storage.delete(file.name)


# --- Rules: web analytics, exports, requests, invitations -----------------------------------
def _analytics_targets(ctx: Context) -> Iterable[Target]:
    cutoff = ctx.today - datetime.timedelta(days=ANALYTICS_RAW_DAYS)

    def apply(pks: list[Any], ctx: Context) -> None:
        from django.db.models import Count

        page_view = _model("privacy.PageView")
        stat = _model("privacy.DailyPageStat")
        rows = page_view._default_manager.filter(pk__in=pks)
        # The anonymous day counts survive the raw events (privacy's daily task makes them
        # too; this keeps them if it did not run).
        for row in rows.values("day", "path").annotate(
            views=Count("id"), visitors=Count("visitor_hash", distinct=True)
        ):
            stat._default_manager.get_or_create(
                day=row["day"],
                path=row["path"],
                defaults={"page_views": row["views"], "unique_visitors": row["visitors"]},
            )
        _delete("privacy.PageView")(pks, ctx)

    yield Target(
        "privacy.PageView",
        Action.DELETE,
        _manager("privacy.PageView").filter(day__lt=cutoff),
        apply,
        # One batch: a day's counts are made from all of its events at once.
        batch_size=None,
    )


def _export_targets(ctx: Context) -> Iterable[Target]:
    def apply(pks: list[Any], ctx: Context) -> None:
        exports = list(_manager("privacy.DataExport").filter(pk__in=pks))
        files = [export.file for export in exports if export.file]
        _manager("privacy.DataExport").filter(pk__in=pks).delete()
        # Files go once the rows are gone for good.
        transaction.on_commit(lambda: [f.storage.delete(f.name) for f in files])

    yield Target(
        "privacy.DataExport",
        Action.DELETE,
        _manager("privacy.DataExport").filter(expires_at__lte=ctx.now),
        apply,
    )


def _request_targets(ctx: Context) -> Iterable[Target]:
    model = _manager("privacy.PrivacyRequest")
    closed = Q(
        status="closed", closed_at__lt=ctx.now - datetime.timedelta(days=PRIVACY_REQUEST_DAYS)
    )
    unverified = Q(
        status="awaiting_verification",
        received_at__lt=ctx.now - datetime.timedelta(days=UNVERIFIED_REQUEST_DAYS),
    )
    rows = model.filter(closed | unverified).exclude(user_id__in=ctx.held_user_ids)
    yield Target("privacy.PrivacyRequest", Action.DELETE, rows, _delete("privacy.PrivacyRequest"))


def _invitation_targets(ctx: Context) -> Iterable[Target]:
    ended_before = ctx.now - datetime.timedelta(days=ENDED_INVITATION_DAYS)
    rows = _manager("accounts.Invitation").filter(
        Q(accepted_at__lt=ended_before)
        | Q(revoked_at__lt=ended_before)
        | Q(expires_at__lt=ended_before)
    )
    yield Target("accounts.Invitation", Action.DELETE, rows, _delete("accounts.Invitation"))


# --- Rules: marketing profile ---------------------------------------------------------------
def users_without_active_relationship(ctx: Context) -> QuerySet:
    """Users none of whose companies has an active customer relationship today."""
    membership = _manager("accounts.Membership")
    active = membership.filter(user_id=OuterRef("pk"), company_id__in=ctx.active_company_ids)
    return _manager("accounts.User").filter(~Exists(active))


def users_who_objected() -> QuerySet:
    """Users on the suppression list, or whose latest e-mail marketing consent is withdrawn."""
    consent = _manager("privacy.ConsentRecord")
    latest = consent.filter(user_id=OuterRef("pk"), purpose="marketing_email").order_by(
        "-created_at", "-id"
    )
    suppressed = _manager("privacy.MarketingSuppression").filter(email__iexact=OuterRef("email"))
    from django.db.models import Subquery

    return (
        _manager("accounts.User")
        .annotate(latest_given=Subquery(latest.values("given")[:1]))
        .filter(Q(Exists(suppressed)) | Q(latest_given=False))
    )


def _marketing_targets(ctx: Context) -> Iterable[Target]:
    gone = users_without_active_relationship(ctx).values("pk")
    objected = users_who_objected().values("pk")
    for label in ("privacy.SegmentMembership", "marketing.CampaignRecipient"):
        rows = (
            _manager(label)
            .filter(Q(user_id__in=gone) | Q(user_id__in=objected))
            .exclude(user_id__in=ctx.held_user_ids)
        )
        if label == "marketing.CampaignRecipient":
            # A recipient being sent to right now is finished first.
            rows = rows.exclude(status="sending")
        yield Target(label, Action.DELETE, rows, _delete(label))


def _survey_targets(ctx: Context) -> Iterable[Target]:
    """Survey answers are kept until the customer relationship has ended."""
    rows = (
        _manager("backoffice.SurveyInvitation")
        .exclude(customer_id__in=ctx.active_company_ids)
        .exclude(customer_id__in=ctx.held_company_ids)
        .exclude(person_id__in=ctx.held_user_ids)
    )
    yield Target(
        "backoffice.SurveyInvitation",
        Action.DELETE,
        rows,
        _delete("backoffice.SurveyInvitation"),
    )


def _access_log_targets(ctx: Context) -> Iterable[Target]:
    """The access log (who saw whose data) is kept 3 years, then deleted."""
    from core.personal_data.inventory import RETENTION

    cutoff = ctx.now - datetime.timedelta(days=RETENTION["access_log"].days or 0)
    entries = (
        _manager("backoffice.AccessLogEntry")
        .filter(created_at__lt=cutoff)
        .exclude(customer_id__in=ctx.held_company_ids)
        .exclude(person_id__in=ctx.held_user_ids)
    )

    def apply_entries(pks: list[Any], ctx: Context) -> None:
        with retention_guards_lifted():
            for start in range(0, len(pks), 1000):
                _plain("backoffice.AccessLogEntry").filter(
                    pk__in=pks[start : start + 1000]
                )._raw_delete(connection.alias)

    yield Target("backoffice.AccessLogEntry", Action.DELETE, entries, apply_entries)
    # Elevated sessions go with the log: those over 3 years ago that no younger (kept)
    # entry points to. The older entries pointing to them were deleted just above.
    kept = _manager("backoffice.AccessLogEntry").filter(
        elevated_session_id=OuterRef("pk"), created_at__gte=cutoff
    )
    held = (
        _manager("backoffice.AccessLogEntry")
        .filter(elevated_session_id=OuterRef("pk"))
        .filter(Q(customer_id__in=ctx.held_company_ids) | Q(person_id__in=ctx.held_user_ids))
    )
    sessions = (
        _manager("backoffice.ElevatedSession")
        .filter(expires_at__lt=cutoff)
        .filter(~Exists(kept), ~Exists(held))
    )
    yield Target(
        "backoffice.ElevatedSession",
        Action.DELETE,
        sessions,
        _delete("backoffice.ElevatedSession"),
    )


def _staff_grant_targets(ctx: Context) -> Iterable[Target]:
    """Decided four-eyes grant requests are documentation like the access log: 3 years."""
    from core.personal_data.inventory import RETENTION

    cutoff = ctx.now - datetime.timedelta(days=RETENTION["access_log"].days or 0)
    rows = _manager("backoffice.StaffGrantRequest").filter(decided_at__lt=cutoff)
    yield Target(
        "backoffice.StaffGrantRequest",
        Action.DELETE,
        rows,
        _delete("backoffice.StaffGrantRequest"),
    )


# --- Rules: contacts and correspondence after the relationship ----------------------------
def _correspondence_targets(ctx: Context) -> Iterable[Target]:
    from retention import sources

    yield from sources.correspondence_targets(ctx)


# --- Rules: accounting material ------------------------------------------------------------
ISSUED_STATUSES = ("issued", "sent", "partially_paid", "paid", "credited")
PERSON_SNAPSHOT_KEYS = {
    "name": ANONYMISED_NAME,
    "address_line": "",
    "address_line2": "",
    "postcode": "",
    "city": "",
    "contact_person": "",
    "invoice_emails": [],
    "phone": "",
    "peppol_id": "",
}
COMPANY_SNAPSHOT_KEYS = {"contact_person": ""}
# Names of people on the document (the inventory's personal fields); amounts, numbers,
# lines, dates and the KID stay.
INVOICE_CLEARED = {
    "our_reference": "",
    "their_reference": "",
    "buyer_reference": "",
    "free_text": "",
    "delivery_address": "",
    "delivery_postcode": "",
    "delivery_city": "",
    "delivery_country": "",
    "issued_by": None,
}
CLEARED_SQL = (
    " our_reference = '', their_reference = '', buyer_reference = '', free_text = '',"
    " delivery_address = '', delivery_postcode = '', delivery_city = '',"
    " delivery_country = '', issued_by_id = NULL"
)


def anonymised_snapshot(snapshot: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    """The buyer snapshot without a person's data (a company's contact person only).

    Keys are set whether or not the snapshot had them, so that PostgreSQL's ``||`` does
    exactly the same."""
    keys = PERSON_SNAPSHOT_KEYS if snapshot.get("kind") == "person" else COMPANY_SNAPSHOT_KEYS
    return {**snapshot, **keys, "anonymised": today.isoformat()}


def _anonymise_invoices_sql(pks: list[Any], today: datetime.date) -> None:
    """``anonymised_snapshot`` and INVOICE_CLEARED in one statement per 5,000 rows.

    PostgreSQL merges with ``jsonb ||``, SQLite with ``json_patch`` (RFC 7396; no value
    here is null, so both only set keys)."""
    import json

    marker = {"anonymised": today.isoformat()}
    person = json.dumps({**PERSON_SNAPSHOT_KEYS, **marker})
    company = json.dumps({**COMPANY_SNAPSHOT_KEYS, **marker})
    # Both statements clear the columns of INVOICE_CLEARED.
    if connection.vendor == "postgresql":
        sql = (
            "UPDATE invoicing_invoice SET buyer_snapshot = CASE"  # noqa: S608 (constant SQL; values are parameters)
            " WHEN buyer_snapshot ->> 'kind' = 'person' THEN buyer_snapshot || %s::jsonb"
            " ELSE buyer_snapshot || %s::jsonb END," + CLEARED_SQL + " WHERE id = ANY(%s)"
        )
    else:
        sql = (
            "UPDATE invoicing_invoice SET buyer_snapshot = CASE"  # noqa: S608 (constant SQL; values are parameters)
            " WHEN json_extract(buyer_snapshot, '$.kind') = 'person'"
            " THEN json_patch(buyer_snapshot, %s) ELSE json_patch(buyer_snapshot, %s) END,"
            + CLEARED_SQL
            + " WHERE id IN (SELECT value FROM json_each(%s))"
        )
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 5000):
            chunk = list(pks[start : start + 5000])
            ids = chunk if connection.vendor == "postgresql" else json.dumps(chunk)
            cursor.execute(sql, [person, company, ids])


def _not_held(rows: QuerySet, ctx: Context, *, client: str | None = "client_id") -> QuerySet:
    rows = rows.exclude(company_id__in=ctx.held_company_ids)
    if client:
        rows = rows.exclude(**{f"{client}__in": ctx.held_client_ids})
    return rows


def _invoice_targets(ctx: Context) -> Iterable[Target]:
    cutoff = primary_cutoff(ctx.today)
    rows = _not_held(
        _manager("invoicing.Invoice")
        .exclude(status="draft")
        .filter(invoice_date__lt=cutoff)
        .exclude(buyer_snapshot__has_key="anonymised"),
        ctx,
    )

    def apply(pks: list[Any], ctx: Context) -> None:
        with retention_guards_lifted():
            _anonymise_invoices_sql(pks, ctx.today)

    yield Target("invoicing.Invoice", Action.ANONYMISE, rows, apply)


def _document_targets(ctx: Context) -> Iterable[Target]:
    """Archived PDF/EHF files of documents past the deadline (they print the buyer)."""
    cutoff = primary_cutoff(ctx.today)
    rows = _not_held(
        _manager("documents.StoredDocument").filter(
            invoice__invoice_date__lt=cutoff, invoice__status__in=ISSUED_STATUSES
        ),
        ctx,
        client="invoice__client_id",
    )

    def apply(pks: list[Any], ctx: Context) -> None:
        for start in range(0, len(pks), 1000):
            chunk = _plain("documents.StoredDocument").filter(pk__in=pks[start : start + 1000])
            files = [row.file for row in chunk if row.file]
            chunk.delete()
            transaction.on_commit(functools.partial(_files_delete, files))

    yield Target("documents.StoredDocument", Action.DELETE, rows, apply)


def _payment_targets(ctx: Context) -> Iterable[Target]:
    cutoff = primary_cutoff(ctx.today)
    rows = _not_held(
        _manager("invoicing.Payment")
        .filter(date__lt=cutoff)
        .filter(~Q(reference="") | ~Q(note="") | Q(created_by__isnull=False)),
        ctx,
        client="invoice__client_id",
    )

    def apply(pks: list[Any], ctx: Context) -> None:
        with retention_guards_lifted():
            for start in range(0, len(pks), 1000):
                _plain("invoicing.Payment").filter(pk__in=pks[start : start + 1000]).update(
                    reference="", note="", created_by=None
                )

    yield Target("invoicing.Payment", Action.ANONYMISE, rows, apply)


ACCOUNTING_AUDIT_TYPES = (
    "invoicing.invoice",
    "invoicing.payment",
    "invoicing.clientbalanceentry",
    "customers.client",
)


def _audit_targets(ctx: Context) -> Iterable[Target]:
    cutoff = _aware(primary_cutoff(ctx.today))
    rows = _manager("core.AuditEntry").filter(
        object_type__in=ACCOUNTING_AUDIT_TYPES, created_at__lt=cutoff, redacted_at__isnull=True
    )
    rows = rows.exclude(company_id__in=ctx.held_company_ids)

    def apply(pks: list[Any], ctx: Context) -> None:
        from core.models import AuditEntry

        for start in range(0, len(pks), 1000):
            AuditEntry.objects.filter(pk__in=pks[start : start + 1000])._redact(
                actor_label=REDACTED_LABEL, data={}, redacted_at=ctx.now
            )

    yield Target("core.AuditEntry", Action.ANONYMISE, rows, apply)


def _client_targets(ctx: Context) -> Iterable[Target]:
    """A private person as a client: anonymised when nothing about them is still kept."""
    cutoff = primary_cutoff(ctx.today)
    invoice = _manager("invoicing.Invoice")
    recent = invoice.filter(client_id=OuterRef("pk")).filter(
        Q(invoice_date__gte=cutoff) | Q(status="draft")
    )
    rows = _not_held(
        _manager("customers.Client")
        .filter(kind="person", created_at__lt=_aware(cutoff), updated_at__lt=_aware(cutoff))
        .exclude(name=ANONYMISED_NAME)
        .filter(~Exists(recent)),
        ctx,
        client="pk",
    )

    def apply(pks: list[Any], ctx: Context) -> None:
        for start in range(0, len(pks), 1000):
            # ``update`` leaves ``updated_at`` alone: the row is not selected again anyway.
            _plain("customers.Client").filter(pk__in=pks[start : start + 1000]).update(
                **CLIENT_ANONYMISED
            )

    yield Target("customers.Client", Action.ANONYMISE, rows, apply)


def _delivery_targets(ctx: Context) -> Iterable[Target]:
    cutoff = _aware(secondary_cutoff(ctx.today))
    deliveries = _not_held(
        _manager("delivery.Delivery")
        .filter(created_at__lt=cutoff)
        .filter(~Q(recipients="") | ~Q(error="")),
        ctx,
        client="invoice__client_id",
    )

    def apply_deliveries(pks: list[Any], ctx: Context) -> None:
        for start in range(0, len(pks), 1000):
            _plain("delivery.Delivery").filter(pk__in=pks[start : start + 1000]).update(
                recipients="", error=""
            )

    yield Target("delivery.Delivery", Action.ANONYMISE, deliveries, apply_deliveries)
    items = _not_held(
        _manager("delivery.BatchItem").filter(batch__created_at__lt=cutoff).exclude(error=""),
        ctx,
        client="invoice__client_id",
    )

    def apply_items(pks: list[Any], ctx: Context) -> None:
        for start in range(0, len(pks), 1000):
            _plain("delivery.BatchItem").filter(pk__in=pks[start : start + 1000]).update(error="")

    yield Target("delivery.BatchItem", Action.ANONYMISE, items, apply_items)


# --- Rules: customers that left ------------------------------------------------------------
SELLER_SNAPSHOT_KEYS = {
    "name": ANONYMISED_NAME,
    "organization_number": "",
    "organization_number_display": "",
    "address_line": "",
    "postcode": "",
    "city": "",
    "bank_account": "",
    "bank_account_display": "",
    "iban": "",
    "bic": "",
    "email": "",
    "phone": "",
    "website": "",
}


def _anonymise_left_invoices_sql(pks: list[Any], today: datetime.date) -> None:
    """Invoices of (or, for the operator, to) a customer that left: seller and buyer both.

    Both snapshots lose every name, address and contact detail (a company buyer too: its
    seller has left, and nothing is printed again); INVOICE_CLEARED as for every invoice."""
    import json

    done = {"left_anonymised": today.isoformat()}
    buyer = json.dumps({**PERSON_SNAPSHOT_KEYS, **done})
    seller = json.dumps(SELLER_SNAPSHOT_KEYS)
    if connection.vendor == "postgresql":
        sql = (
            "UPDATE invoicing_invoice SET buyer_snapshot = buyer_snapshot || %s::jsonb,"  # noqa: S608 (constant SQL; values are parameters)
            " seller_snapshot = seller_snapshot || %s::jsonb," + CLEARED_SQL + " WHERE id = ANY(%s)"
        )
    else:
        sql = (
            "UPDATE invoicing_invoice SET buyer_snapshot = json_patch(buyer_snapshot, %s),"  # noqa: S608 (constant SQL; values are parameters)
            " seller_snapshot = json_patch(seller_snapshot, %s),"
            + CLEARED_SQL
            + " WHERE id IN (SELECT value FROM json_each(%s))"
        )
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 5000):
            chunk = list(pks[start : start + 5000])
            ids = chunk if connection.vendor == "postgresql" else json.dumps(chunk)
            cursor.execute(sql, [buyer, seller, ids])


def left_invoice_targets(ctx: Context) -> Iterable[Target]:
    rows = (
        _manager("invoicing.Invoice")
        .filter(Q(company_id__in=ctx.left_company_ids) | Q(client_id__in=ctx.left_client_ids))
        .exclude(buyer_snapshot__has_key="left_anonymised")
    )

    def apply(pks: list[Any], ctx: Context) -> None:
        with retention_guards_lifted():
            _anonymise_left_invoices_sql(pks, ctx.today)

    yield Target("invoicing.Invoice", Action.ANONYMISE, rows, apply)


# What an anonymised client record keeps: its number and kind, nothing about the person
# (the engine's rules and a company's own anonymisation, privacy.services.controllers).
CLIENT_ANONYMISED = {
    "name": ANONYMISED_NAME,
    "contact_person": "",
    "their_reference": "",
    "address_line": "",
    "address_line2": "",
    "postcode": "",
    "city": "",
    "invoice_emails": "",
    "phone": "",
    "notes": "",
    "is_active": False,
}


def left_client_targets(ctx: Context) -> Iterable[Target]:
    """Every client record of a customer that left (its own client register).

    Rows the person-client rule selects in the same run are left to it (one row, one rule:
    the dry run's counts stay those of the real run)."""
    yield _left_clients(ctx, Q(company_id__in=ctx.left_company_ids))


def operator_client_targets(ctx: Context) -> Iterable[Target]:
    """Our own client record (in our books) of a customer that left."""
    yield _left_clients(ctx, Q(pk__in=ctx.left_client_ids))


def _left_clients(ctx: Context, which: Q) -> Target:
    person_rule = next(iter(_client_targets(ctx))).queryset.values("pk")
    rows = (
        _manager("customers.Client")
        .filter(which)
        .exclude(name=ANONYMISED_NAME)
        .exclude(pk__in=person_rule)
    )

    def apply(pks: list[Any], ctx: Context) -> None:
        for start in range(0, len(pks), 1000):
            _plain("customers.Client").filter(pk__in=pks[start : start + 1000]).update(
                **CLIENT_ANONYMISED
            )

    return Target("customers.Client", Action.ANONYMISE, rows, apply)


def left_order_targets(ctx: Context) -> Iterable[Target]:
    """Orders of a customer that left lose who placed them (plan, dates and invoice stay)."""
    rows = _manager("backoffice.Order").filter(
        customer_id__in=ctx.left_company_ids, ordered_by__isnull=False
    )

    def apply(pks: list[Any], ctx: Context) -> None:
        for start in range(0, len(pks), 1000):
            _plain("backoffice.Order").filter(pk__in=pks[start : start + 1000]).update(
                ordered_by=None
            )

    yield Target("backoffice.Order", Action.ANONYMISE, rows, apply)


def _blank_values(label: str, names: Iterable[str]) -> tuple[dict[str, Any], Q]:
    """Values that erase the identifying fields among ``names``, and a filter for rows that
    still have any. Text becomes empty, a nullable link to a person None, JSON empty;
    dates, amounts and choices stay (they say nothing about anyone once names are gone)."""
    model = _model(label)
    values: dict[str, Any] = {}
    still = Q()
    for name in names:
        f = model._meta.get_field(name)
        if isinstance(f, models.Field) and f.choices:
            continue
        if isinstance(f, models.ForeignKey) and f.null:
            values[f.attname] = None
            still |= Q(**{f"{f.attname}__isnull": False})
        elif isinstance(f, models.JSONField):
            empty = f.get_default()
            values[name] = empty
            still |= ~Q(**{name: empty})
        elif isinstance(f, models.CharField | models.TextField):
            values[name] = ""
            still |= ~Q(**{name: ""})
    return values, still


def blank_personal_fields(label: str, company_field: str = "company") -> Callable[..., Any]:
    """A targets function: the inventory's personal fields of ``label`` blanked in the rows
    of customers that left."""

    def targets(ctx: Context) -> Iterable[Target]:
        from core.personal_data.inventory import declaration_for

        declaration = declaration_for(label)
        values, still = _blank_values(label, declaration.personal if declaration else ())
        if not values:
            return
        rows = _manager(label).filter(**{f"{company_field}__in": ctx.left_company_ids})
        rows = rows.filter(still)

        def apply(pks: list[Any], ctx: Context) -> None:
            for start in range(0, len(pks), 1000):
                _plain(label).filter(pk__in=pks[start : start + 1000]).update(**values)

        yield Target(label, Action.ANONYMISE, rows, apply)

    return targets


def chain(*functions: Callable[[Context], Iterable[Target]]) -> Callable[..., Any]:
    def targets(ctx: Context) -> Iterable[Target]:
        for function in functions:
            yield from function(ctx)

    return targets


def left_company_targets(ctx: Context) -> Iterable[Target]:
    """The company record itself: name, org.nr, address, contact details and bank account."""
    rows = _manager("accounts.Company").filter(pk__in=ctx.left_company_ids)
    rows = rows.exclude(organization_number__startswith="X")

    def apply(pks: list[Any], ctx: Context) -> None:
        from django.db.models import Value
        from django.db.models.functions import Cast, Concat, LPad

        for start in range(0, len(pks), 1000):
            _plain("accounts.Company").filter(pk__in=pks[start : start + 1000]).update(
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


# --- Rules: accounts, log-in records, consent ledger, activity log -------------------------
LOGIN_RECORD_DAYS = 90
ANONYMOUS_CONSENT_DAYS = 2 * 365
AUDIT_DAYS = 3 * 365


def inactive_account_targets(ctx: Context) -> Iterable[Target]:
    """Accounts unused for 3 years whose companies are no longer customers: erased as
    the person could erase them (``privacy.services.erasure.person_rows_erase``)."""
    since = ctx.now - datetime.timedelta(days=INACTIVE_ACCOUNT_DAYS)
    membership = _manager("accounts.Membership")
    in_active = membership.filter(user_id=OuterRef("pk"), company_id__in=ctx.active_company_ids)
    rows = (
        _manager("accounts.User")
        .filter(is_staff=False, is_superuser=False, date_joined__lt=since)
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=since))
        .exclude(email__endswith="@slettet.invalid")
        .exclude(pk__in=ctx.held_user_ids)
        .filter(~Exists(in_active))
    )

    def apply(pks: list[Any], ctx: Context) -> None:
        from privacy.services.erasure import person_rows_erase

        for user in _manager("accounts.User").filter(pk__in=pks):
            person_rows_erase(user=user)

    yield Target("accounts.User", Action.ANONYMISE, rows, apply)


AXES_MODELS = ("axes.AccessAttempt", "axes.AccessLog", "axes.AccessFailureLog")


def login_record_targets(ctx: Context) -> Iterable[Target]:
    cutoff = ctx.now - datetime.timedelta(days=LOGIN_RECORD_DAYS)
    for label in AXES_MODELS:
        rows = _manager(label).filter(attempt_time__lt=cutoff)
        yield Target(label, Action.DELETE, rows, _delete(label))


def anonymous_consent_targets(ctx: Context) -> Iterable[Target]:
    """Cookie choices of visitors without an account: the browser id goes after 2 years
    (the choice is asked again after 6 months); the anonymous tally stays."""
    cutoff = ctx.now - datetime.timedelta(days=ANONYMOUS_CONSENT_DAYS)
    rows = (
        _manager("privacy.ConsentRecord")
        .filter(user__isnull=True, created_at__lt=cutoff)
        .exclude(visitor_id="")
    )

    def apply(pks: list[Any], ctx: Context) -> None:
        from privacy.models import ConsentRecord

        for start in range(0, len(pks), 1000):
            ConsentRecord.objects.filter(pk__in=pks[start : start + 1000])._redact(
                visitor_id="", redacted_at=ctx.now
            )

    yield Target("privacy.ConsentRecord", Action.ANONYMISE, rows, apply)


def identified_audit_targets(ctx: Context) -> Iterable[Target]:
    """Activity-log rows not about accounting material: names and details go after 3 years."""
    from retention import sources

    cutoff = ctx.now - datetime.timedelta(days=AUDIT_DAYS)
    rows = (
        _manager("core.AuditEntry")
        .exclude(object_type__in=ACCOUNTING_AUDIT_TYPES)
        # The engine's own entries hold counts only (like its deletion log).
        .exclude(action="retention.run.completed")
        .filter(created_at__lt=cutoff, redacted_at__isnull=True)
        .exclude(company_id__in=ctx.held_company_ids)
        .exclude(actor_kind="user", actor_id__in=ctx.held_user_ids)
        # Those the correspondence rule redacts with its records (one row, one rule).
        .exclude(pk__in=sources.correspondence_audit_rows(ctx).values("pk"))
    )

    def apply(pks: list[Any], ctx: Context) -> None:
        from core.models import AuditEntry

        for start in range(0, len(pks), 1000):
            AuditEntry.objects.filter(pk__in=pks[start : start + 1000])._redact(
                actor_label=REDACTED_LABEL, data={}, redacted_at=ctx.now
            )

    yield Target("core.AuditEntry", Action.ANONYMISE, rows, apply)


def _outbox_targets(ctx: Context) -> Iterable[Target]:
    """Task outbox rows: done ones (already without arguments) and given-up ones."""
    from core.outbox import DONE_KEEP, FAILED_KEEP

    rows = _manager("core.OutboxMessage").filter(
        Q(done_at__lt=ctx.now - DONE_KEEP) | Q(failed_at__lt=ctx.now - FAILED_KEEP)
    )
    yield Target("core.OutboxMessage", Action.DELETE, rows, _delete("core.OutboxMessage"))


def rules() -> list[Handler]:
    """The rules the engine runs: the registered handlers that have retention targets."""
    from core.personal_data.handlers import retention_handlers

    return retention_handlers()


def rule(key: str) -> Handler:
    from core.personal_data.handlers import handler

    return handler(key)
