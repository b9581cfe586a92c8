import pytest
from django.core import mail
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.tests.factories import UserFactory
from accounts.tokens import email_verification_token
from core.models import AuditEntry

pytestmark = pytest.mark.django_db


def verify_url(user, token=None):
    return reverse(
        "accounts:verify_email",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": token or email_verification_token.make_token(user),
        },
    )


@pytest.fixture
def unverified():
    return UserFactory(email="ny@example.no", email_verified_at=None)


def test_valid_link_verifies_and_cannot_be_reused(client, unverified):
    url = verify_url(unverified)
    response = client.get(url)
    assert response.status_code == 200
    unverified.refresh_from_db()
    assert unverified.is_email_verified
    assert AuditEntry.objects.filter(action="accounts.user.email_verified").count() == 1

    again = client.get(url)
    assert again.status_code == 400
    assert reverse("accounts:verify_email_resend") in again.content.decode()


@pytest.mark.parametrize(
    ("uid", "token"),
    [("wrong", "abc-def"), (None, "1234-deadbeef"), ("MTIzNDU2Nzg", "abc-def")],
)
def test_wrong_token_or_uid_is_a_clear_400(client, unverified, uid, token):
    url = reverse(
        "accounts:verify_email",
        kwargs={"uidb64": uid or urlsafe_base64_encode(force_bytes(unverified.pk)), "token": token},
    )
    response = client.get(url)
    assert response.status_code == 400
    assert "Lenken virker ikke" in response.content.decode()
    unverified.refresh_from_db()
    assert not unverified.is_email_verified


def test_token_for_an_old_address_stops_working_after_an_email_change(client, unverified):
    url = verify_url(unverified)
    unverified.email = "annen@example.no"
    unverified.save()
    assert client.get(url).status_code == 400


def test_unverified_user_can_log_in_and_sees_the_banner(client, unverified, company):
    from accounts.models import Membership, Role

    Membership.objects.create(user=unverified, company=company, role=Role.OWNER)
    client.force_login(unverified)
    page = client.get(reverse("dashboard"))
    assert page.status_code == 200
    assert "Bekreft e-postadressen din" in page.content.decode()


def test_success_page_does_not_ask_the_logged_in_user_to_verify_again(client, unverified):
    client.force_login(unverified)
    assert "Bekreft e-postadressen din" in client.get(reverse("accounts:profile")).content.decode()
    page = client.get(verify_url(unverified)).content.decode()
    assert "Bekreft e-postadressen din" not in page


def test_verified_user_sees_no_banner(owner_client):
    page = owner_client.get(reverse("dashboard"))
    assert "Bekreft e-postadressen din" not in page.content.decode()


def test_logged_in_resend_sends_a_new_link(client, unverified, django_capture_on_commit_callbacks):
    client.force_login(unverified)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:verify_email_resend"))
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ny@example.no"]


def test_anonymous_resend_never_reveals_whether_the_address_exists(
    client, unverified, django_capture_on_commit_callbacks
):
    url = reverse("accounts:verify_email_resend")
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post(url, {"email": "NY@example.no"})
        unknown = client.post(url, {"email": "ukjent@example.no"})
    assert known.status_code == unknown.status_code == 200
    assert known.content.decode().count("Hvis adressen") == 1
    assert unknown.content.decode().count("Hvis adressen") == 1
    assert [m.to for m in mail.outbox] == [["ny@example.no"]]


def test_verification_email_is_in_the_users_language(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="en@example.no", email_verified_at=None, language="en")
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:verify_email_resend"))
    assert mail.outbox[0].subject == "Confirm your e-mail address at FakturaNett"


def test_impossible_user_ids_in_links_are_a_400_not_a_crash(client):
    uid = urlsafe_base64_encode(str(10**30).encode())
    verify = reverse("accounts:verify_email", kwargs={"uidb64": uid, "token": "a-b"})
    reset = reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": "a-b"})
    assert client.get(verify).status_code == 400
    assert client.get(reset).status_code == 400


def test_resend_for_an_already_verified_user_sends_nothing(
    owner_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("accounts:verify_email_resend"), follow=True)
    assert "allerede bekreftet" in response.content.decode()
    assert not mail.outbox
