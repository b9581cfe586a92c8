from __future__ import annotations

import functools

from django.db import connection
from django.db.models import BooleanField, IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django_otp import device_classes

from accounts.models import Company, Invitation, Membership, User
from core.models import AuditEntry


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("company").order_by("company__name")


def _memberships_of_user() -> RawSQL:
    """How many companies the membership's user belongs to: a correlated count. In SQL
    because the ORM's ``Subquery(... Count ...)`` cost ~1,400 function calls to build per
    request, more than the query of its own it replaces (issue 15)."""
    quote = connection.ops.quote_name
    table, user_id = quote(Membership._meta.db_table), quote("user_id")
    # Names from the model's metadata, quoted; no values.
    return RawSQL(  # noqa: S611 - no values in it
        f"SELECT COUNT(*) FROM {table} AS {quote('other')}"  # noqa: S608
        f" WHERE {quote('other')}.{user_id} = {table}.{user_id}",
        (),
        output_field=IntegerField(),
    )


@functools.cache
def second_factor_statement(user_id_sql: str) -> tuple[str, int]:
    """``SELECT 1`` from each kind of confirmed second-factor device (django_otp's device
    models) of the user ``user_id_sql`` names (a ``%s`` parameter or a column), as one
    ``UNION ALL``, and how many ``confirmed`` parameters (``True``) it takes: what
    ``django_otp.user_has_device`` asks, in one statement. Built once per process (the
    installed device models do not change while it runs)."""
    quote = connection.ops.quote_name
    tables = [model._meta.db_table for model in device_classes()]
    # Table names from the models' metadata, quoted; the values are parameters.
    sql = " UNION ALL ".join(
        f"SELECT 1 FROM {quote(table)} WHERE {quote(table)}.{quote('user_id')} = {user_id_sql}"  # noqa: S608
        f" AND {quote(table)}.{quote('confirmed')} = %s"
        for table in tables
    )
    return sql, len(tables)


def _user_has_second_factor() -> RawSQL:
    """Whether the membership's user has a confirmed second factor: an ``EXISTS`` in the
    membership's query, so that the login gate of every app page needs no query of its
    own for it (issue 15)."""
    quote = connection.ops.quote_name
    sql, kinds = second_factor_statement(f"{quote(Membership._meta.db_table)}.{quote('user_id')}")
    if not kinds:
        return RawSQL("FALSE", (), output_field=BooleanField())
    return RawSQL(f"EXISTS ({sql})", (True,) * kinds, output_field=BooleanField())  # noqa: S611


def active_membership_for(*, user: User, company_id: int | None) -> Membership | None:
    """The membership for the chosen company, or the user's first one.

    It carries ``memberships_of_user``, the number of companies the user belongs to (the
    page chrome offers "Bytt firma" above one), and ``user_has_second_factor`` (the login
    gate), from the same query: each was a query of its own on every page (issue 15)."""
    memberships = memberships_of(user=user).annotate(
        memberships_of_user=_memberships_of_user(),
        user_has_second_factor=_user_has_second_factor(),
    )
    if company_id is not None:
        chosen = memberships.filter(company_id=company_id).first()
        if chosen is not None:
            return chosen
    return memberships.first()


def members_of(*, company: Company) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(company=company)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )


def open_invitations_of(*, company: Company) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        company=company, accepted_at=None, revoked_at=None, expires_at__gt=timezone.now()
    ).order_by("-created_at")


def audit_entries_for_company(*, company: Company) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(company=company).order_by("-created_at", "-id")
