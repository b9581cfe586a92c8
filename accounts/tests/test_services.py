"""Rules the services enforce whatever the caller (views, API, commands)."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services
from accounts.models import Invitation, Membership, Role
from accounts.tests.factories import MembershipFactory, UserFactory
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def membership(user, company):
    return Membership.objects.get(user=user, company=company)


def test_admin_cannot_revoke_an_owner_invitation(owner, admin_user, company):
    invitation = services.invitation_create(
        actor_membership=membership(owner, company),
        email="ny-eier@example.no",
        role=Role.OWNER,
        language="nb",
    )
    with pytest.raises(ValidationError):
        services.invitation_revoke(
            actor_membership=membership(admin_user, company), invitation=invitation
        )
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_invitation_for_another_address_is_not_accepted(owner, company):
    from accounts.tokens import hash_invitation_token

    Invitation.objects.create(
        company=company,
        email="riktig@example.no",
        role=Role.MEMBER,
        token_hash=hash_invitation_token("tok"),
        expires_at=timezone.now() + timedelta(days=1),
    )
    stranger = UserFactory(email="feil@example.no")
    with pytest.raises(ValidationError):
        services.invitation_accept(token="tok", user=stranger)
    assert not Membership.objects.filter(user=stranger).exists()
    assert Invitation.objects.get().accepted_at is None


def test_managers_of_one_company_cannot_manage_another(owner, outsider, company, other_company):
    outsider_ms = membership(outsider, other_company)
    with pytest.raises(ValidationError):
        services.company_update(company=company, actor_membership=outsider_ms, name="Kapret AS")
    with pytest.raises(ValidationError):
        services.membership_remove(
            actor_membership=outsider_ms, membership=membership(owner, company)
        )
    company.refresh_from_db()
    assert company.name == "Nordlys Regnskap AS"
    assert membership(owner, company).role == Role.OWNER


def test_company_update_without_changes_writes_no_audit(owner, company):
    services.company_update(
        company=company, actor_membership=membership(owner, company), name=company.name
    )
    assert not AuditEntry.objects.filter(action="accounts.company.updated").exists()


def test_unknown_role_is_refused(owner, member, company):
    with pytest.raises(ValidationError):
        services.membership_change_role(
            actor_membership=membership(owner, company),
            membership=membership(member, company),
            role="superuser",
        )


def test_second_owner_may_demote_the_first_but_not_leave_none(owner, company):
    second = MembershipFactory(company=company, role=Role.OWNER)
    services.membership_change_role(
        actor_membership=second, membership=membership(owner, company), role=Role.ADMIN
    )
    with pytest.raises(ValidationError):
        services.membership_change_role(actor_membership=second, membership=second, role=Role.ADMIN)
    assert Membership.objects.filter(company=company, role=Role.OWNER).count() == 1
