"""Least privilege in the back office: no self-grants, personal-data grants only inside an
elevated session (with its reason audited, the other administrators told), and a formula-safe
access-log export."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from backoffice.models import AccessLogEntry, StaffProfile, StaffRole
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
def test_granting_personal_data_needs_an_elevated_session_and_tells_the_other_admins(
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
    colleague.refresh_from_db()
    assert colleague.roles == ["administrator"]

    _elevate(client, "Ny personvernombud etter vedtak i styret")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, form).status_code == 302
    colleague.refresh_from_db()
    assert colleague.roles == ["administrator", "privacy_officer"]
    entry = AuditEntry.objects.get(action="backoffice.staff.updated")
    assert entry.data["reason"] == "Ny personvernombud etter vedtak i styret"
    assert "payment_history" in entry.data["opens_personal_data"]
    recipients = sorted(m.to[0] for m in mail.outbox)
    # Every other administrator (the person granted is one), not the actor, not support.
    assert recipients == ["bjorn@example.no", "carl@example.no"]
    assert administrator.user.email not in recipients and support.user.email not in recipients
    assert "Ny personvernombud" in mail.outbox[0].body
    assert other_admin.user.email in recipients


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
