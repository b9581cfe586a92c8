from __future__ import annotations

from django.db import connection
from django.db.models import IntegerField, QuerySet
from django.db.models.expressions import RawSQL
from django.utils import timezone

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


def active_membership_for(*, user: User, company_id: int | None) -> Membership | None:
    """The membership for the chosen company, or the user's first one.

    It carries ``memberships_of_user``, the number of companies the user belongs to (the
    page chrome offers "Bytt firma" above one), from the same query: the chrome asked
    ``user.memberships.count()`` in a query of its own on every page (issue 15)."""
    memberships = memberships_of(user=user).annotate(memberships_of_user=_memberships_of_user())
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
