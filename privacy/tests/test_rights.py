import datetime
import io
import json
import time
import zipfile

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import Membership, Role, User
from accounts.permissions import SESSION_REAUTH_KEY
from accounts.tests.factories import MembershipFactory
from core.audit import Actor, audit_log
from core.dates import add_months
from core.models import AuditEntry
from marketing.models import Segment, SegmentMembership
from privacy.models import (
    ConsentChannel,
    ConsentPurpose,
    ConsentRecord,
    DataExport,
    PrivacyRequest,
)
from privacy.services import consents, requests

pytestmark = pytest.mark.django_db


def _reauthenticated(client: Client) -> Client:
    session = client.session
    session[SESSION_REAUTH_KEY] = time.time()
    session.save()
    return client


ACCOUNT_PAGES = [
    "privacy:overview",
    "privacy:consents",
    "privacy:access",
    "privacy:export",
    "privacy:erase",
    "privacy:rectification",
    "privacy:profiling",
]


@pytest.mark.parametrize("name", ACCOUNT_PAGES)
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("name", ["privacy:export", "privacy:erase"])
def test_sensitive_pages_need_recent_reauthentication(owner_client, name):
    response = owner_client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))
    assert "next=" in response["Location"]
    assert _reauthenticated(owner_client).get(reverse(name)).status_code == 200


def test_access_page_shows_everything_by_category_with_purpose_and_basis(member_client, member):
    consents.consent_give(
        purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.WEB, user=member
    )
    body = member_client.get(reverse("privacy:access")).content.decode()
    assert member.email in body and member.full_name in body
    assert "Nordlys Regnskap AS" in body  # employer, from the membership
    assert "Arbeidsgiver" in body and "Stilling og rolle" in body
    assert "Avtale med deg" in body and "Samtykke" in body
    assert "Registrert av deg selv" in body
    assert "md5$" not in body and "pbkdf2" not in body  # no password hash


def test_export_builds_a_zip_downloadable_only_by_its_owner_for_7_days(
    owner_client, owner, outsider_client, django_capture_on_commit_callbacks
):
    _reauthenticated(owner_client)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("privacy:export"))
    assert response.status_code == 302
    export = DataExport.objects.get(user=owner)
    assert export.status == DataExport.Status.READY
    assert export.expires_at - timezone.now() > datetime.timedelta(days=6, hours=23)
    url = reverse("privacy:export_download", kwargs={"export_id": export.pk})
    page = owner_client.get(reverse("privacy:export")).content.decode()
    assert url in page and reverse("privacy:export_schema") in page
    response = owner_client.get(url)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {"data.json", "README.txt", "contact.csv", "name.csv", "employer.csv"} <= names
    data = json.loads(archive.read("data.json"))
    contact = next(c for c in data["categories"] if c["key"] == "contact")
    values = [item["value"] for item in contact["items"]]
    assert owner.email in values
    assert "Rettslig grunnlag" in archive.read("contact.csv").decode().splitlines()[0]

    assert AuditEntry.objects.filter(action="privacy.export.downloaded").count() == 1
    assert outsider_client.get(url).status_code == 404
    DataExport.objects.filter(pk=export.pk).update(expires_at=timezone.now())
    assert owner_client.get(url).status_code == 404
    # The retention engine deletes expired exports (there is no separate purge any more).
    from retention.rules import rule
    from retention.services import retention_run

    report = retention_run(rules=[rule("data_exports")])
    assert report.counts()[("data_exports", "privacy.DataExport", "delete")] == 1
    assert not DataExport.objects.exists()


def test_member_erasure_leaves_cleanly(
    member_client, member, company, owner, django_capture_on_commit_callbacks
):
    email = member.email
    with scopes_disabled():
        audit_log(action="test.member.did", actor=Actor.user(member), company=company)
        audit_log(
            action="accounts.invitation.created",
            actor=Actor.user(owner),
            company=company,
            data={"email": email, "role": "member"},
        )
        untouched = audit_log(action="test.owner.did", actor=Actor.user(owner), company=company)
    consents.consent_give(
        purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.WEB, user=member
    )
    SegmentMembership.objects.create(
        user=member, segment=Segment.objects.create(name="s", description="d", criteria="c")
    )
    _reauthenticated(member_client)
    plan = member_client.get(reverse("privacy:erase")).content.decode()
    assert "bokføringsloven § 13" in plan
    assert f"31.12.{timezone.localdate().year + 5}" in plan
    response = member_client.post(reverse("privacy:erase"), {"confirm": "on"})
    assert response.status_code == 302

    user = User.objects.get(pk=member.pk)
    assert user.email != email and not user.full_name and not user.is_active
    assert not user.has_usable_password()
    assert not Membership.objects.filter(user=user).exists()
    assert not SegmentMembership.objects.filter(user=user).exists()
    assert Membership.objects.filter(user=owner, company=company).exists()
    mentioning = AuditEntry.objects.filter(
        action__in=["test.member.did", "accounts.invitation.created"]
    )
    assert all(e.redacted_at and e.data == {} for e in mentioning)
    assert all(email not in e.actor_label for e in AuditEntry.objects.all())
    assert AuditEntry.objects.get(pk=untouched.pk).redacted_at is None
    assert AuditEntry.objects.filter(action="privacy.erasure.completed").exists()
    latest = ConsentRecord.objects.filter(user=user, purpose=ConsentPurpose.MARKETING_EMAIL)
    last = latest.first()
    assert last is not None and last.given is False
    # Logged out: the next page needs login again.
    assert member_client.get(reverse("privacy:overview")).status_code == 302


def test_last_owner_cannot_simply_erase(owner_client, owner, company):
    _reauthenticated(owner_client)
    body = owner_client.get(reverse("privacy:erase")).content.decode()
    assert "eneste eier" in body and company.name in body
    assert "Avslutt firmaet og slett kontoen min" in body
    # Without ticking "close the companies" nothing happens.
    response = owner_client.post(reverse("privacy:erase"), {"confirm": "on"})
    assert response.status_code == 400
    assert User.objects.get(pk=owner.pk).email == owner.email
    assert Membership.objects.filter(user=owner).exists()


def test_owner_with_a_co_owner_can_erase(owner_client, owner, company):
    MembershipFactory(company=company, role=Role.OWNER)
    _reauthenticated(owner_client)
    assert owner_client.post(reverse("privacy:erase"), {"confirm": "on"}).status_code == 302
    assert not Membership.objects.filter(user=owner).exists()


def test_erasure_needs_the_confirmation(member_client, member):
    _reauthenticated(member_client)
    assert member_client.post(reverse("privacy:erase"), {}).status_code == 400
    assert User.objects.get(pk=member.pk).is_active


def test_rectification_request_is_tracked(member_client, member):
    response = member_client.post(
        reverse("privacy:rectification"),
        {"subject_field": "accounts.Membership.role", "message": "Jeg er regnskapsfører."},
    )
    assert response.status_code == 302
    request = PrivacyRequest.objects.get(user=member)
    assert request.kind == PrivacyRequest.Kind.RECTIFICATION
    assert request.subject_field == "accounts.Membership.role"
    assert request.status == PrivacyRequest.Status.OPEN
    bad = member_client.post(
        reverse("privacy:rectification"), {"subject_field": "nonsense", "message": "x"}
    )
    assert bad.status_code == 400


def test_profiling_page_says_none_until_segments_exist(member_client, member):
    assert "Ingen" in member_client.get(reverse("privacy:profiling")).content.decode()
    segment = Segment.objects.create(
        name="Små byråer", description="Tilbud om regnskapsmodul", criteria="1-5 brukere"
    )
    SegmentMembership.objects.create(user=member, segment=segment)
    assert "Små byråer" in member_client.get(reverse("privacy:profiling")).content.decode()


def test_logged_in_contact_creates_request_with_deadline_and_confirmation(
    member_client, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            reverse("privacy:contact"),
            {"kind": "question", "name": "Mons", "message": "Hvem ser dataene mine?"},
        )
    assert response.status_code == 200
    request = PrivacyRequest.objects.get()
    assert request.email == member.email and request.status == PrivacyRequest.Status.OPEN
    assert request.deadline == add_months(timezone.localdate(request.received_at), 1)
    assert request.reference in response.content.decode()
    assert len(mail.outbox) == 1 and request.reference in mail.outbox[0].subject
    assert "datatilsynet.no" in mail.outbox[0].body
    assert AuditEntry.objects.filter(action="privacy.request.received").exists()


def test_anonymous_contact_is_acted_on_only_after_email_verification(
    client, django_capture_on_commit_callbacks
):
    page = client.get(reverse("privacy:contact")).content.decode()
    assert "klage-til-datatilsynet" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("privacy:contact"),
            {
                "kind": "erasure",
                "name": "Kari",
                "email": "kari@example.no",
                "message": "Slett meg.",
            },
        )
    request = PrivacyRequest.objects.get()
    assert request.status == PrivacyRequest.Status.AWAITING_VERIFICATION
    assert request.user is None
    link = next(line for line in mail.outbox[0].body.splitlines() if "/bekreft/" in line)
    path = link.split("127.0.0.1:8000", 1)[-1].strip()
    assert client.get(path).status_code == 200
    request.refresh_from_db()
    assert request.status == PrivacyRequest.Status.AWAITING_VERIFICATION  # GET changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(path).status_code == 200
    request.refresh_from_db()
    assert request.status == PrivacyRequest.Status.OPEN and request.verified_at
    assert len(mail.outbox) == 2
    assert client.post(path).status_code == 400  # used once only
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "privacy.request.received" in actions and "privacy.request.verified" in actions


def test_forged_verification_link_is_a_400(client):
    path = reverse("privacy:contact_verify", kwargs={"token": "forged"})
    assert client.post(path).status_code == 400


@pytest.mark.parametrize(
    "message",
    ["x" * (requests.MAX_MESSAGE_LENGTH + 1), "binary \x01\x02 data", "   "],
)
def test_overlong_or_binary_contact_input_is_rejected(client, message):
    response = client.post(
        reverse("privacy:contact"),
        {"kind": "question", "name": "Kari", "email": "kari@example.no", "message": message},
    )
    assert response.status_code == 400
    assert 'class="errorlist"' in response.content.decode()
    assert not PrivacyRequest.objects.exists()


def test_a_nul_in_the_contact_form_is_refused_before_the_form(client):
    # core's NullCharacterGuardMiddleware: one 400 for every form body with a NUL.
    response = client.post(
        reverse("privacy:contact"),
        {"kind": "question", "name": "Kari", "email": "kari@example.no", "message": "a\x00b"},
    )
    assert response.status_code == 400 and "NUL" in response.content.decode()
    assert not PrivacyRequest.objects.exists()


def test_old_requests_are_deleted_by_the_retention_engine_unless_held(member):
    from backoffice import services as backoffice
    from backoffice.models import StaffRole
    from backoffice.tests.conftest import customer_with_owner, make_staff
    from retention.rules import rule
    from retention.services import retention_run

    now = timezone.now()

    def make(status, received, closed=None):
        return PrivacyRequest.objects.create(
            reference=requests._new_reference(),
            kind="question",
            name="x",
            email="x@example.no",
            message="m",
            status=status,
            received_at=received,
            deadline=timezone.localdate(),
            closed_at=closed,
        )

    old_closed = make(
        "closed", now - datetime.timedelta(days=4 * 365), now - datetime.timedelta(days=3 * 365 + 1)
    )
    recent_closed = make(
        "closed", now - datetime.timedelta(days=400), now - datetime.timedelta(days=300)
    )
    unverified = make("awaiting_verification", now - datetime.timedelta(days=31))
    fresh = make("awaiting_verification", now - datetime.timedelta(days=2))
    open_old = make("open", now - datetime.timedelta(days=4 * 365))
    # A closed request of a person under a legal hold is kept until the hold is released.
    customer, held_person = customer_with_owner()
    held_closed = make(
        "closed", now - datetime.timedelta(days=4 * 365), now - datetime.timedelta(days=3 * 365 + 1)
    )
    PrivacyRequest.objects.filter(pk=held_closed.pk).update(user=held_person)
    officer = make_staff(StaffRole.PRIVACY_OFFICER)
    dispute = backoffice.complaint_open(
        customer=customer,
        staff=officer.user,
        kind="dispute",
        subject="Tvist",
        description="Tvist om faktura",
        opened_on=timezone.localdate(),
    )
    assert dispute.holds.exists()
    report = retention_run(rules=[rule("privacy_requests")])
    assert report.counts()[("privacy_requests", "privacy.PrivacyRequest", "delete")] == 2
    left = set(PrivacyRequest.objects.values_list("pk", flat=True))
    assert left == {recent_closed.pk, fresh.pk, open_old.pk, held_closed.pk}
    assert old_closed.pk not in left and unverified.pk not in left


def test_the_form_cannot_flood_someone_elses_inbox(client, django_capture_on_commit_callbacks):
    data = {"kind": "question", "name": "X", "email": "victim@example.no", "message": "Hei"}
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(requests.MAX_UNVERIFIED_PER_DAY):
            assert client.post(reverse("privacy:contact"), data).status_code == 200
        response = client.post(reverse("privacy:contact"), data)
    assert response.status_code == 400
    assert "allerede sendt flere bekreftelseslenker" in response.content.decode()
    assert len(mail.outbox) == requests.MAX_UNVERIFIED_PER_DAY
    assert PrivacyRequest.objects.count() == requests.MAX_UNVERIFIED_PER_DAY
