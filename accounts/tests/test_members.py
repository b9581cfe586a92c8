import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, Membership, Role, User
from accounts.tests.factories import PASSWORD, MembershipFactory, UserFactory, sudo
from accounts.tokens import hash_invitation_token
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

MEMBERS = reverse("company:members")
INVITE = reverse("company:member_invite")
NEW_PASSWORD = "velkommen-inn-2026"


def role_url(membership):
    return reverse("company:member_role", args=[membership.pk])


def remove_url(membership):
    return reverse("company:member_remove", args=[membership.pk])


def membership_of(user, company):
    return Membership.objects.get(user=user, company=company)


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def invite(client, capture, email="ny@example.no", role=Role.MEMBER):
    with capture(execute=True):
        response = client.post(INVITE, {"email": email, "role": role})
    return response


def invitation_path(message) -> str:
    found = re.search(r"https?://[^/\s]+(/account/invitation/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


# --- Personas ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, owner):
    target = membership_of(owner, owner.memberships.get().company)
    for url in (MEMBERS, INVITE, role_url(target), remove_url(target)):
        response = client.post(url) if url != MEMBERS else client.get(url)
        assert response["Location"].startswith(reverse("accounts:login"))


def test_read_only_member_and_accountant_get_403(member_client, accountant_client, owner, company):
    target = membership_of(owner, company)
    for client in (member_client, accountant_client):
        sudo(client)
        assert client.get(MEMBERS).status_code == 403
        assert client.post(INVITE, {"email": "x@example.no", "role": "member"}).status_code == 403
        assert client.post(role_url(target), {f"m{target.pk}-role": "member"}).status_code == 403
        assert client.post(remove_url(target)).status_code == 403
    assert membership_of(owner, company).role == Role.OWNER
    assert not Invitation.objects.exists()


def test_outsider_cannot_see_or_alter_the_companys_members(outsider_client, owner, member, company):
    sudo(outsider_client)
    page = outsider_client.get(MEMBERS)
    assert page.status_code == 200  # their own company's page
    assert owner.email not in page.content.decode()
    target = membership_of(member, company)
    response = outsider_client.post(role_url(target), {f"m{target.pk}-role": "admin"})
    assert response.status_code == 404
    assert outsider_client.post(remove_url(target)).status_code == 404
    invitation = Invitation.objects.create(
        company=company,
        email="x@example.no",
        role=Role.MEMBER,
        token_hash=hash_invitation_token("t"),
        expires_at=timezone.now() + timedelta(days=7),
    )
    revoke = reverse("company:invitation_revoke", args=[invitation.pk])
    assert outsider_client.post(revoke).status_code == 404
    assert membership_of(member, company).role == Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_owner_sees_members_and_the_nav_item(owner_client, owner, member):
    sudo(owner_client)
    page = owner_client.get(MEMBERS)
    assert page.status_code == 200
    body = page.content.decode()
    assert owner.email in body and member.email in body
    assert f'href="{MEMBERS}"' in owner_client.get(reverse("dashboard")).content.decode()


def test_members_nav_item_hidden_for_read_only_members(member_client):
    assert f'href="{MEMBERS}"' not in member_client.get(reverse("dashboard")).content.decode()


# --- Re-authentication --------------------------------------------------------------------


def test_changes_need_reauthentication(owner_client, member, company):
    target = membership_of(member, company)
    response = owner_client.post(role_url(target), {f"m{target.pk}-role": "admin"})
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))
    assert membership_of(member, company).role == Role.MEMBER

    back = owner_client.post(
        reverse("accounts:reauthenticate"), {"password": PASSWORD, "next": role_url(target)}
    )
    assert back["Location"] == role_url(target)
    # After re-authenticating, a GET of the action URL leads back to the list.
    assert owner_client.get(role_url(target))["Location"] == MEMBERS
    owner_client.post(role_url(target), {f"m{target.pk}-role": "admin"})
    assert membership_of(member, company).role == Role.ADMIN


# --- Roles ---------------------------------------------------------------------------------


def test_owner_changes_a_role_and_it_is_audited(owner_client, member, company):
    sudo(owner_client)
    target = membership_of(member, company)
    response = owner_client.post(role_url(target), {f"m{target.pk}-role": "accountant"})
    assert response.status_code == 302
    assert membership_of(member, company).role == Role.ACCOUNTANT
    entry = AuditEntry.objects.get(action="accounts.member.role_changed")
    assert entry.company_id == company.pk
    assert entry.data["old_role"] == "member" and entry.data["new_role"] == "accountant"


def test_last_owner_can_be_neither_demoted_nor_removed(owner_client, owner, company):
    sudo(owner_client)
    target = membership_of(owner, company)
    demote = owner_client.post(role_url(target), {f"m{target.pk}-role": "admin"})
    assert demote.status_code == 400
    assert "minst én eier" in demote.content.decode()
    remove = owner_client.post(remove_url(target))
    assert remove.status_code == 400
    assert membership_of(owner, company).role == Role.OWNER
    assert not AuditEntry.objects.filter(action__startswith="accounts.member.").exists()


def test_owner_can_step_down_when_another_owner_exists(owner_client, owner, company):
    MembershipFactory(company=company, role=Role.OWNER)
    sudo(owner_client)
    target = membership_of(owner, company)
    assert owner_client.post(role_url(target), {f"m{target.pk}-role": "admin"}).status_code == 302
    assert membership_of(owner, company).role == Role.ADMIN


def test_admin_cannot_touch_owners_or_make_one(admin_client, owner, member, company):
    sudo(admin_client)
    owner_ms = membership_of(owner, company)
    refused = admin_client.post(role_url(owner_ms), {f"m{owner_ms.pk}-role": "member"})
    assert refused.status_code == 400
    assert "Bare en eier" in refused.content.decode()
    assert admin_client.post(remove_url(owner_ms)).status_code == 400
    member_ms = membership_of(member, company)
    admin_client.post(role_url(member_ms), {f"m{member_ms.pk}-role": "owner"})
    assert membership_of(owner, company).role == Role.OWNER
    assert membership_of(member, company).role == Role.MEMBER
    # ...but may change other roles.
    admin_client.post(role_url(member_ms), {f"m{member_ms.pk}-role": "accountant"})
    assert membership_of(member, company).role == Role.ACCOUNTANT


def test_owner_removes_a_member_who_then_loses_access(owner_client, member, member_client, company):
    sudo(owner_client)
    response = owner_client.post(remove_url(membership_of(member, company)))
    assert response.status_code == 302
    assert not Membership.objects.filter(user=member, company=company).exists()
    assert AuditEntry.objects.filter(action="accounts.member.removed").count() == 1
    assert member_client.get(reverse("dashboard"))["Location"] == reverse("accounts:no_company")


# --- Invitations -------------------------------------------------------------------------


def test_invitation_is_sent_stored_hashed_and_accepted_by_a_new_person(
    owner_client, company, django_capture_on_commit_callbacks
):
    sudo(owner_client)
    response = invite(owner_client, django_capture_on_commit_callbacks, "Ny@Example.no", "admin")
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "ny@example.no"
    assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
    path = invitation_path(mail.outbox[0])
    token = path.rstrip("/").rsplit("/", 1)[1]
    assert invitation.token_hash == hash_invitation_token(token)
    assert token not in invitation.token_hash
    assert AuditEntry.objects.filter(action="accounts.invitation.sent").count() == 1
    assert "ny@example.no" in owner_client.get(MEMBERS).content.decode()

    visitor = Client()
    page = visitor.get(path)
    assert page.status_code == 200
    assert reverse("privacy_statement") in page.content.decode()
    weak = visitor.post(path, {"full_name": "Nina Ny", "password1": "kort", "password2": "kort"})
    assert weak.status_code == 400
    assert not User.objects.filter(email="ny@example.no").exists()

    done = visitor.post(
        path,
        {
            "full_name": "Nina Ny",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "accept_terms": "on",
        },
    )
    assert done.status_code == 302
    user = User.objects.get(email="ny@example.no")
    assert user.is_email_verified
    assert user.terms_acceptances.exists()
    assert membership_of(user, company).role == Role.ADMIN
    assert visitor.get(reverse("dashboard")).status_code == 200
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"accounts.invitation.accepted", "accounts.member.added"} <= actions

    used = Client().get(path)
    assert used.status_code == 400
    assert "Invitasjonen virker ikke" in used.content.decode()


def test_existing_user_accepts_while_logged_in(
    owner_client, company, django_capture_on_commit_callbacks
):
    person = UserFactory(email="kjent@example.no")
    sudo(owner_client)
    invite(owner_client, django_capture_on_commit_callbacks, "kjent@example.no", "accountant")
    path = invitation_path(mail.outbox[0])

    anonymous = Client().get(path)
    assert reverse("accounts:login") in anonymous.content.decode()

    other = Client()
    other.force_login(UserFactory(email="feil@example.no"))
    assert other.post(path).status_code == 403
    assert not Membership.objects.filter(company=company, user__email="feil@example.no").exists()

    client = Client()
    client.force_login(person)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    assert membership_of(person, company).role == Role.ACCOUNTANT


def test_expired_revoked_and_unknown_invitations_are_400(
    owner_client, company, django_capture_on_commit_callbacks
):
    sudo(owner_client)
    invite(owner_client, django_capture_on_commit_callbacks, "a@example.no")
    invite(owner_client, django_capture_on_commit_callbacks, "b@example.no")
    expired_path, revoked_path = (invitation_path(m) for m in mail.outbox)
    Invitation.objects.filter(email="a@example.no").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    revoked = Invitation.objects.get(email="b@example.no")
    response = owner_client.post(reverse("company:invitation_revoke", args=[revoked.pk]))
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="accounts.invitation.revoked").count() == 1

    for path in (expired_path, revoked_path, "/account/invitation/no-such-token/"):
        visitor = Client()
        assert visitor.get(path).status_code == 400
        data = {"full_name": "X", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
        assert visitor.post(path, {**data, "accept_terms": "on"}).status_code == 400
    assert not User.objects.filter(email__in=["a@example.no", "b@example.no"]).exists()


@pytest.mark.parametrize(
    ("email", "role"),
    [("ikke-epost", "member"), ("x" * 250 + "@e.no", "member"), ("ok@example.no", "boss")],
)
def test_bad_invitation_input_is_refused(owner_client, email, role):
    sudo(owner_client)
    response = owner_client.post(INVITE, {"email": email, "role": role})
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_cannot_invite_a_member_twice_or_an_existing_member(
    owner_client, member, django_capture_on_commit_callbacks
):
    sudo(owner_client)
    assert invite(owner_client, django_capture_on_commit_callbacks, member.email).status_code == 400
    first = invite(owner_client, django_capture_on_commit_callbacks, "ny@example.no")
    assert first.status_code == 302
    again = invite(owner_client, django_capture_on_commit_callbacks, "NY@example.no")
    assert again.status_code == 400
    assert Invitation.objects.count() == 1
    assert len(mail.outbox) == 1


def test_admin_cannot_invite_an_owner(admin_client, django_capture_on_commit_callbacks):
    sudo(admin_client)
    response = invite(admin_client, django_capture_on_commit_callbacks, "sjef@example.no", "owner")
    assert response.status_code == 400
    assert not Invitation.objects.exists()
    assert not mail.outbox


def test_invitation_email_is_in_the_invitees_language(
    owner_client, django_capture_on_commit_callbacks
):
    UserFactory(email="english@example.no", language="en")
    sudo(owner_client)
    invite(owner_client, django_capture_on_commit_callbacks, "english@example.no")
    assert mail.outbox[0].subject.startswith("Invitation to")


def test_impossible_membership_ids_are_404(owner_client):
    sudo(owner_client)
    big = 10**30
    assert owner_client.post(reverse("company:member_role", args=[big])).status_code == 404
    assert owner_client.post(reverse("company:member_remove", args=[big])).status_code == 404
    assert owner_client.post(reverse("company:invitation_revoke", args=[big])).status_code == 404


def test_member_management_asks_for_the_password_first(owner_client):
    response = owner_client.get(MEMBERS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))
