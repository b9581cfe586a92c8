from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import Membership, User


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
