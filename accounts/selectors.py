from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import Company, Invitation, Membership, User
from core.models import AuditEntry


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("company").order_by("company__name")


def active_membership_for(*, user: User, company_id: int | None) -> Membership | None:
    """The membership for the chosen company, or the user's first one."""
    memberships = memberships_of(user=user)
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
