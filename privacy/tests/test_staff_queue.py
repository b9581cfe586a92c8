"""The privacy officer's request queue: deadlines, extensions, registering, access."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import MembershipFactory, UserFactory
from backoffice.models import StaffRole
from backoffice.tests.conftest import client_for, make_staff
from core.dates import add_months
from core.models import AuditEntry
from privacy.models import DataExport, PrivacyRequest
from privacy.services import requests

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return make_staff(StaffRole.PRIVACY_OFFICER, full_name="Per Personvern")


@pytest.fixture
def officer_client(officer):
    return client_for(officer)


def _request(kind="access", days_ago=0, user=None, **extra) -> PrivacyRequest:
    received = timezone.now() - datetime.timedelta(days=days_ago)
    return PrivacyRequest.objects.create(
        reference=f"PV-T-{PrivacyRequest.objects.count() + 1}",
        kind=kind,
        user=user,
        name="Ola Nordmann",
        email=user.email if user else "ola@example.com",
        message="Jeg vil se hva dere har om meg.",
        status=PrivacyRequest.Status.OPEN,
        received_at=received,
        deadline=add_months(timezone.localdate(received), 1),
        verified_at=received,
        **extra,
    )


# --- Deadline and extension rules ------------------------------------------------------------
def test_deadline_is_one_month_and_extension_adds_at_most_two_with_a_reason(officer):
    item = _request()
    received = timezone.localdate(item.received_at)
    assert item.deadline == add_months(received, 1)
    with pytest.raises(ValidationError) as error:
        requests.privacy_request_extend(request=item, staff=officer.user, months=1, reason="  ")
    assert "reason" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        requests.privacy_request_extend(request=item, staff=officer.user, months=3, reason="Mye")
    assert "months" in error.value.error_dict

    updated = requests.privacy_request_extend(
        request=item, staff=officer.user, months=1, reason="Mange opplysninger i flere systemer"
    )
    assert updated.deadline == add_months(received, 2)
    assert updated.status == PrivacyRequest.Status.EXTENDED
    updated = requests.privacy_request_extend(
        request=updated, staff=officer.user, months=1, reason="Venter på arkivet"
    )
    assert updated.deadline == add_months(received, 3)
    with pytest.raises(ValidationError):
        requests.privacy_request_extend(request=updated, staff=officer.user, months=1, reason="x")
    assert AuditEntry.objects.filter(action="privacy.request.extended").count() == 2


def test_the_person_is_told_about_the_extension(officer, django_capture_on_commit_callbacks):
    item = _request()
    with django_capture_on_commit_callbacks(execute=True):
        requests.privacy_request_extend(
            request=item, staff=officer.user, months=2, reason="Saken er omfattende"
        )
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ola@example.com"]
    assert "Saken er omfattende" in message.body
    item.refresh_from_db()
    assert item.deadline.strftime("%d.%m.%Y") in message.body


def test_an_overdue_deadline_cannot_be_extended(officer):
    item = _request(days_ago=40)
    with pytest.raises(ValidationError):
        requests.privacy_request_extend(request=item, staff=officer.user, months=1, reason="Sent")


def test_overdue_requests_are_highlighted_in_the_queue(officer_client):
    late = _request(days_ago=40)
    fresh = _request(days_ago=1)
    response = officer_client.get(reverse("privacy_staff:queue"))
    assert response.status_code == 200
    html = response.content.decode()
    late_row = html[html.index(late.reference) - 300 : html.index(late.reference)]
    fresh_row = html[html.index(fresh.reference) - 300 : html.index(fresh.reference)]
    assert 'class="overdue"' in late_row
    assert 'class="overdue"' not in fresh_row
    assert html.count("Fristen er passert") == 1
    # the closest deadline first
    assert html.index(late.reference) < html.index(fresh.reference)


# --- Registering a request received by phone or letter ------------------------------------
def test_staff_register_a_request_with_the_verification_method(officer_client, officer):
    person = UserFactory(email="kari@example.com")
    response = officer_client.post(
        reverse("privacy_staff:register"),
        {
            "kind": "access",
            "channel": "letter",
            "verification_method": "signed_letter",
            "name": "Kari Nordmann",
            "email": "kari@example.com",
            "received_on": timezone.localdate().isoformat(),
            "message": "Brev: ber om innsyn",
        },
    )
    created = PrivacyRequest.objects.get(name="Kari Nordmann")
    assert response.status_code == 302
    assert response["Location"] == reverse("privacy_staff:detail", args=[created.pk])
    assert created.channel == "letter"
    assert created.verification_method == "signed_letter"
    assert created.registered_by == officer.user
    assert created.user == person
    assert created.status == PrivacyRequest.Status.OPEN
    assert created.deadline == add_months(timezone.localdate(), 1)
    detail = officer_client.get(response["Location"]).content.decode()
    assert "Brev med underskrift" in detail


@pytest.mark.parametrize(
    "changes",
    [
        {"verification_method": ""},
        {"verification_method": "logged_in"},
        {"channel": "self_service"},
        {"kind": "nonsense"},
        {"email": "not-an-address"},
        {"message": ""},
        {"message": "x\x00y"},
        {"received_on": "2999-01-01"},
        {"received_on": "yesterday"},
        {"name": ""},
    ],
)
def test_bad_input_when_registering_gives_400_and_saves_nothing(officer_client, changes):
    data = {
        "kind": "erasure",
        "channel": "phone",
        "verification_method": "callback",
        "name": "Per",
        "email": "per@example.com",
        "received_on": timezone.localdate().isoformat(),
        "message": "Slett meg",
        **changes,
    }
    response = officer_client.post(reverse("privacy_staff:register"), data)
    assert response.status_code == 400
    assert PrivacyRequest.objects.count() == 0


def test_bad_input_on_the_action_forms_gives_400(officer_client):
    item = _request()
    for name, data in (
        ("privacy_staff:extend", {"months": "1", "reason": ""}),
        ("privacy_staff:extend", {"months": "9", "reason": "x"}),
        ("privacy_staff:assign", {"assignee": "999999"}),
        ("privacy_staff:close", {"response": ""}),
    ):
        response = officer_client.post(reverse(name, args=[item.pk]), data)
        assert response.status_code == 400, name
    item.refresh_from_db()
    assert item.status == PrivacyRequest.Status.OPEN and item.extension_months == 0
    # an export for a question, an erasure for an access request: refused with a message
    question = _request(kind="question")
    response = officer_client.post(reverse("privacy_staff:export", args=[question.pk]))
    assert response.status_code == 400
    assert officer_client.post(reverse("privacy_staff:erase", args=[item.pk])).status_code == 400
    assert officer_client.get(reverse("privacy_staff:detail", args=[987654])).status_code == 404


# --- The same machinery as self-service --------------------------------------------------------
def test_access_export_and_close_through_the_queue(
    officer_client, officer, django_capture_on_commit_callbacks
):
    person = MembershipFactory().user
    item = _request(user=person)
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(reverse("privacy_staff:export", args=[item.pk]))
    assert response.status_code == 302
    export = DataExport.objects.get(user=person)
    assert export.status == DataExport.Status.READY and export.file
    with django_capture_on_commit_callbacks(execute=True):
        response = officer_client.post(
            reverse("privacy_staff:close", args=[item.pk]),
            {"response": "Eksporten ligger klar på personvernsidene dine."},
        )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == PrivacyRequest.Status.CLOSED and item.closed_at
    assert mail.outbox[-1].to == [person.email]
    assert "Eksporten ligger klar" in mail.outbox[-1].body


def test_erasure_through_the_queue_and_a_legal_hold_stops_it(officer_client, officer):
    from backoffice import services as backoffice

    member = MembershipFactory(role=Role.MEMBER).user
    item = _request(kind="erasure", user=member)
    response = officer_client.post(reverse("privacy_staff:erase", args=[item.pk]))
    assert response.status_code == 302
    member.refresh_from_db()
    assert not member.is_active and member.email.endswith("@slettet.invalid")

    held = MembershipFactory(role=Role.MEMBER).user
    backoffice.complaint_open(
        customer=held.memberships.get().company,
        staff=officer.user,
        kind="dispute",
        subject="Tvist",
        description="Uenighet",
    )
    held_request = _request(kind="erasure", user=held)
    response = officer_client.post(reverse("privacy_staff:erase", args=[held_request.pk]))
    assert response.status_code == 400
    assert "tvist" in response.content.decode()
    held.refresh_from_db()
    assert held.is_active


# --- Who gets in -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "role", [StaffRole.SUPPORT, StaffRole.MARKETING, StaffRole.FINANCE, StaffRole.ADMINISTRATOR]
)
def test_other_staff_roles_get_403(role):
    item = _request()
    client = client_for(make_staff(role))
    for url in (
        reverse("privacy_staff:queue"),
        reverse("privacy_staff:detail", args=[item.pk]),
        reverse("privacy_staff:register"),
    ):
        assert client.get(url).status_code == 403, (role, url)
    response = client.post(reverse("privacy_staff:close", args=[item.pk]), {"response": "x"})
    assert response.status_code == 403


def test_non_staff_get_404_and_anonymous_too(owner_client):
    item = _request()
    for client in (owner_client, Client()):
        assert client.get(reverse("privacy_staff:queue")).status_code == 404
        assert client.get(reverse("privacy_staff:detail", args=[item.pk])).status_code == 404


def test_viewing_a_request_is_in_the_access_log(officer_client, officer):
    from backoffice.models import AccessLogEntry

    person = MembershipFactory().user
    item = _request(user=person)
    officer_client.get(reverse("privacy_staff:detail", args=[item.pk]))
    entry = AccessLogEntry.objects.get(person=person)
    assert entry.staff == officer.user
    assert "contact" in entry.categories


def test_register_page_in_english_registers_the_request(officer, officer_client):
    # "Registrer" is "Sign up" on the public sign-up page; here staff record a request.
    officer.user.language = "en"
    officer.user.save()
    body = officer_client.get(reverse("privacy_staff:register")).content.decode()
    assert '<button type="submit">Register</button>' in body and "Sign up" not in body
