"""Staff management by administrators (audit-logged), and the usage statistics (R1b)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import MembershipFactory
from backoffice import services
from backoffice.models import StaffGrantRequest, StaffProfile, StaffRole, UsageStat
from backoffice.tests.conftest import client_for, make_staff
from core.audit import Actor, audit_log
from core.models import AuditEntry


def _future(days: int = 30) -> str:
    return (timezone.localdate() + datetime.timedelta(days=days)).isoformat()


def _elevated(client):
    """Grants that open personal data happen inside an elevated session."""
    assert (
        client.post(reverse("backoffice:elevate"), {"reason": "Ny ansatt, sak 17"}).status_code
        == 302
    )
    return client


def _approved(profile: StaffProfile) -> None:
    """A second administrator approves the pending grant (four-eyes)."""
    grant = StaffGrantRequest.objects.get(profile=profile, status="pending")
    second = make_staff(StaffRole.ADMINISTRATOR, email=f"second-{grant.pk}@example.no")
    url = reverse("backoffice:staff_grant_approve", args=[grant.pk])
    assert client_for(second).post(url).status_code == 302
    grant.refresh_from_db()
    assert grant.status == "approved"


@pytest.mark.django_db
def test_an_administrator_creates_an_adviser_with_expiry_and_categories(administrator):
    client = _elevated(client_for(administrator))
    assert client.get(reverse("backoffice:staff_create")).status_code == 200
    response = client.post(
        reverse("backoffice:staff_create"),
        {
            "email": "Revisor@Example.no",
            "full_name": "Rita Revisor",
            "roles": ["auditor"],
            "valid_until": _future(),
            "granted_categories": ["payment_history", "employer"],
        },
    )
    assert response.status_code == 302
    profile = StaffProfile.objects.get(user__email="revisor@example.no")
    _approved(profile)
    profile.refresh_from_db()
    assert profile.user.is_staff and not profile.user.has_usable_password()
    assert profile.roles == ["auditor"]
    assert profile.granted_categories == ["employer", "payment_history"]
    entry = AuditEntry.objects.get(action="backoffice.staff.created")
    assert entry.actor_id == administrator.user.pk


BAD_STAFF = [
    {"email": "x@example.no", "full_name": "X", "roles": []},
    {"email": "not-an-email", "full_name": "X", "roles": ["support"]},
    {"email": "x@example.no", "full_name": "X", "roles": ["wizard"]},
    {
        "email": "x@example.no",
        "full_name": "X",
        "roles": ["auditor"],
        "granted_categories": ["name"],
    },
    {
        "email": "x@example.no",
        "full_name": "X",
        "roles": ["auditor"],
        "valid_until": "2001-01-01",
        "granted_categories": ["name"],
    },
    {
        "email": "x@example.no",
        "full_name": "X",
        "roles": ["auditor"],
        "valid_until": _future(),
        "granted_categories": ["correspondence"],
    },
    {"email": "x@example.no", "full_name": "X", "roles": ["auditor"], "valid_until": _future()},
    {
        "email": "x@example.no",
        "full_name": "X",
        "roles": ["auditor", "support"],
        "valid_until": _future(),
        "granted_categories": ["name"],
    },
    {
        "email": "x@example.no",
        "full_name": "X",
        "roles": ["support"],
        "granted_categories": ["name"],
    },
    {"email": "x@example.no", "full_name": "", "roles": ["support"]},
    {"email": "x@example.no", "full_name": "X", "roles": ["support"], "valid_until": "31.31.2026"},
]


@pytest.mark.django_db
@pytest.mark.parametrize("data", BAD_STAFF)
def test_bad_staff_input_rerenders_with_messages_and_saves_nothing(administrator, data):
    before = StaffProfile.objects.count()
    response = client_for(administrator).post(reverse("backoffice:staff_create"), data)
    assert response.status_code == 400
    assert b"errorlist" in response.content
    assert StaffProfile.objects.count() == before


@pytest.mark.django_db
def test_an_existing_account_becomes_staff_only_once(administrator):
    member = MembershipFactory().user
    client = _elevated(client_for(administrator))
    data = {"email": member.email, "full_name": "", "roles": ["support"]}
    assert client.post(reverse("backoffice:staff_create"), data).status_code == 302
    member.refresh_from_db()
    assert member.is_staff
    assert client.post(reverse("backoffice:staff_create"), data).status_code == 400


@pytest.mark.django_db
def test_editing_roles_and_deactivating_is_audited(administrator):
    support = make_staff(StaffRole.SUPPORT)
    client = _elevated(client_for(administrator))
    url = reverse("backoffice:staff_edit", args=[support.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"roles": ["support", "finance"], "is_active": "on"})
    assert response.status_code == 302
    _approved(support)
    support.refresh_from_db()
    assert support.roles == ["finance", "support"]
    response = client.post(url, {"roles": ["finance"]})  # is_active unticked
    assert response.status_code == 302
    support.refresh_from_db()
    support.user.refresh_from_db()
    assert not support.is_active and not support.user.is_staff
    assert AuditEntry.objects.filter(action="backoffice.staff.grant_approved").count() == 1
    assert AuditEntry.objects.filter(action="backoffice.staff.updated").count() == 1
    # The deactivated person is no longer staff: the console is not revealed.
    assert client_for(support).get("/backoffice/").status_code == 404


@pytest.mark.django_db
def test_an_administrator_cannot_remove_their_own_access(administrator):
    url = reverse("backoffice:staff_edit", args=[administrator.pk])
    response = client_for(administrator).post(url, {"roles": ["support"], "is_active": "on"})
    assert response.status_code == 400
    administrator.refresh_from_db()
    assert administrator.roles == ["administrator"]


@pytest.mark.django_db
def test_other_roles_cannot_manage_staff(privacy_officer):
    client = client_for(privacy_officer)
    assert client.get(reverse("backoffice:staff_list")).status_code == 200
    assert client.get(reverse("backoffice:staff_create")).status_code == 403
    url = reverse("backoffice:staff_edit", args=[privacy_officer.pk])
    assert client.post(url, {"roles": ["administrator"], "is_active": "on"}).status_code == 403


# --- Usage statistics --------------------------------------------------------------------


@pytest.mark.django_db
def test_usage_is_counted_per_feature_and_day_only_for_consenting_users():
    from privacy.models import ConsentChannel, ConsentPurpose
    from privacy.services.consents import consent_give

    yes = MembershipFactory()
    no = MembershipFactory()
    consent_give(
        purpose=ConsentPurpose.PRODUCT_ANALYTICS, channel=ConsentChannel.WEB, user=yes.user
    )
    for membership in (yes, no):
        for _ in range(2):
            audit_log(
                action="customers.client.created",
                actor=Actor.user(membership.user),
                company=membership.company,
            )
    audit_log(action="invoicing.invoice.issued", actor=Actor.user(yes.user), company=yes.company)
    day = timezone.localdate()
    services.usage_aggregate(day=day)
    stats = {s.feature: (s.count, s.companies) for s in UsageStat.objects.filter(day=day)}
    assert stats["client_created"] == (2, 1)
    assert stats["invoice_issued"] == (1, 1)
    assert stats["payment_registered"] == (0, 0)
    # Re-running replaces the day's numbers; nothing identifies anyone.
    services.usage_aggregate(day=day)
    assert UsageStat.objects.filter(day=day, feature="client_created").get().count == 2
    assert {f.name for f in UsageStat._meta.get_fields()} == {
        "id",
        "day",
        "feature",
        "count",
        "companies",
    }


@pytest.mark.django_db
def test_an_expired_adviser_can_be_deactivated_but_not_renewed_into_the_past(administrator):
    past = timezone.localdate() - datetime.timedelta(days=3)
    adviser = make_staff(StaffRole.LAWYER, valid_until=past, granted=("complaints",))
    url = reverse("backoffice:staff_edit", args=[adviser.pk])
    client = _elevated(client_for(administrator))
    data = {
        "roles": ["lawyer"],
        "valid_until": past.isoformat(),
        "granted_categories": ["complaints"],
    }
    assert client.post(url, {**data, "is_active": "on"}).status_code == 400
    assert client.post(url, data).status_code == 302
    adviser.refresh_from_db()
    assert not adviser.is_active
    renewed = {**data, "is_active": "on", "valid_until": _future()}
    assert client.post(url, renewed).status_code == 302
    _approved(adviser)  # renewing opens personal data again
    adviser.refresh_from_db()
    assert adviser.is_active and adviser.valid_until > timezone.localdate()
