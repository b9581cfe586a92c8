"""Least privilege in the back office: no self-grants, personal-data grants only inside an
elevated session and approved by a second administrator (four-eyes; the reason audited, the
other administrators told), and a formula-safe access-log export."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from backoffice.models import AccessLogEntry, StaffGrantRequest, StaffProfile, StaffRole
from backoffice.tests.conftest import client_for, customer_with_owner, make_staff
from core.models import AuditEntry


def _elevate(client, reason: str = "Sak 4711: kunden ba om innsyn") -> None:
    response = client.post(reverse("backoffice:elevate"), {"reason": reason})
    assert response.status_code == 302


@pytest.mark.django_db
def test_an_administrator_cannot_grant_themselves_the_privacy_officer_role(administrator):
    client = client_for(administrator)
    _elevate(client)  # not even inside an elevated session
    url = reverse("backoffice:staff_edit", args=[administrator.pk])
    response = client.post(url, {"roles": ["administrator", "privacy_officer"], "is_active": "on"})
    assert response.status_code == 400
    assert "egne roller" in response.content.decode()
    administrator.refresh_from_db()
    assert administrator.roles == ["administrator"]
    customer, _ = customer_with_owner("Hemmelig AS")
    client.post(reverse("backoffice:elevate_end"))
    assert client.get(reverse("backoffice:customer_detail", args=[customer.pk])).status_code == 403


@pytest.mark.django_db
def test_granting_personal_data_needs_an_elevated_session_and_a_second_administrator(
    administrator, django_capture_on_commit_callbacks
):
    other_admin = make_staff(StaffRole.ADMINISTRATOR, email="bjorn@example.no")
    support = make_staff(StaffRole.SUPPORT)
    colleague = make_staff(StaffRole.ADMINISTRATOR, email="carl@example.no")
    client = client_for(administrator)
    url = reverse("backoffice:staff_edit", args=[colleague.pk])
    form = {"roles": ["administrator", "privacy_officer"], "is_active": "on"}

    response = client.post(url, form)
    assert response.status_code == 400
    assert "utvidet økt" in response.content.decode()

    _elevate(client, "Ny personvernombud etter vedtak i styret")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, form).status_code == 302
    # Nothing changed yet: the grant waits for another administrator.
    colleague.refresh_from_db()
    assert colleague.roles == ["administrator"]
    grant = StaffGrantRequest.objects.get(profile=colleague)
    assert grant.status == StaffGrantRequest.Status.PENDING
    entry = AuditEntry.objects.get(action="backoffice.staff.grant_requested")
    assert entry.data["reason"] == "Ny personvernombud etter vedtak i styret"
    assert "payment_history" in entry.data["opens_personal_data"]
    recipients = sorted(m.to[0] for m in mail.outbox)
    # Every other administrator (the person granted is one), not the actor, not support.
    assert recipients == ["bjorn@example.no", "carl@example.no"]
    assert administrator.user.email not in recipients and support.user.email not in recipients
    assert "Ny personvernombud" in mail.outbox[0].body
    assert "godkjent" in mail.outbox[0].body

    approve = reverse("backoffice:staff_grant_approve", args=[grant.pk])
    # Four eyes: neither the requester nor the person granted may approve.
    for who in (administrator, colleague):
        response = client_for(who).post(approve)
        assert response.status_code == 302
        grant.refresh_from_db()
        assert grant.status == StaffGrantRequest.Status.PENDING
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client_for(other_admin).post(approve).status_code == 302
    colleague.refresh_from_db()
    grant.refresh_from_db()
    assert colleague.roles == ["administrator", "privacy_officer"]
    assert (grant.status, grant.decided_by_id) == ("approved", other_admin.user_id)
    approved = AuditEntry.objects.get(action="backoffice.staff.grant_approved")
    assert approved.actor_id == other_admin.user_id
    assert approved.data["requested_by"] == administrator.user_id
    assert [m.to[0] for m in mail.outbox] == [administrator.user.email]  # the requester


@pytest.mark.django_db
def test_a_rejected_or_stale_grant_changes_nothing(administrator):
    other_admin = make_staff(StaffRole.ADMINISTRATOR, email="bjorn@example.no")
    colleague = make_staff(StaffRole.MARKETING, email="mia@example.no")
    client = client_for(administrator)
    _elevate(client)
    url = reverse("backoffice:staff_edit", args=[colleague.pk])
    client.post(url, {"roles": ["marketing", "support"], "is_active": "on"})
    grant = StaffGrantRequest.objects.get(profile=colleague)
    # A second request for the same person waits for the first.
    response = client.post(url, {"roles": ["marketing", "finance"], "is_active": "on"})
    assert response.status_code == 400 and "venter allerede" in response.content.decode()

    client_for(other_admin).post(reverse("backoffice:staff_grant_reject", args=[grant.pk]))
    grant.refresh_from_db()
    colleague.refresh_from_db()
    assert grant.status == "rejected" and colleague.roles == ["marketing"]
    assert AuditEntry.objects.filter(action="backoffice.staff.grant_rejected").exists()

    # Approving a request whose person's access changed since is refused.
    client.post(url, {"roles": ["marketing", "support"], "is_active": "on"})
    fresh = StaffGrantRequest.objects.get(profile=colleague, status="pending")
    StaffProfile.objects.filter(pk=colleague.pk).update(roles=["finance"])
    response = client_for(other_admin).post(
        reverse("backoffice:staff_grant_approve", args=[fresh.pk]), follow=True
    )
    assert "endret siden" in response.content.decode()
    colleague.refresh_from_db()
    assert colleague.roles == ["finance"]


@pytest.mark.django_db
def test_creating_staff_with_personal_data_needs_elevation_but_plain_admin_does_not(
    administrator,
):
    client = client_for(administrator)
    url = reverse("backoffice:staff_create")
    response = client.post(
        url, {"email": "sara@example.no", "full_name": "Sara Support", "roles": ["support"]}
    )
    assert response.status_code == 400
    assert not StaffProfile.objects.filter(user__email="sara@example.no").exists()
    response = client.post(
        url, {"email": "adam@example.no", "full_name": "Adam Admin", "roles": ["administrator"]}
    )
    assert response.status_code == 302  # no personal data opened: no elevation needed
    assert StaffProfile.objects.get(user__email="adam@example.no").roles == ["administrator"]

    # Inside an elevated session the new person exists, but without access until approved.
    _elevate(client)
    response = client.post(
        url, {"email": "sara@example.no", "full_name": "Sara Support", "roles": ["support"]}
    )
    assert response.status_code == 302
    sara = StaffProfile.objects.get(user__email="sara@example.no")
    assert (sara.roles, sara.is_active) == ([], False)
    grant = StaffGrantRequest.objects.get(profile=sara, status="pending")
    assert grant.roles == ["support"]
    second = make_staff(StaffRole.ADMINISTRATOR, email="bjorn@example.no")
    client_for(second).post(reverse("backoffice:staff_grant_approve", args=[grant.pk]))
    sara.refresh_from_db()
    assert (sara.roles, sara.is_active) == (["support"], True)


@pytest.mark.django_db
def test_the_access_log_export_neutralises_formula_cells(privacy_officer, administrator):
    customer, _ = customer_with_owner('=HYPERLINK("http://evil";"x")')
    admin_client = client_for(administrator)
    _elevate(admin_client, "=cmd|' /C calc'!A0 sak 12")
    admin_client.get(reverse("backoffice:customer_detail", args=[customer.pk]))
    assert AccessLogEntry.objects.exists()
    response = client_for(privacy_officer).get(reverse("backoffice:access_log_export"))
    body = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in body and ";=HYPERLINK" not in body
    assert "'=cmd" in body and ";=cmd" not in body
