import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory, sudo
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

REAUTH = reverse("accounts:reauthenticate")
PROFILE = reverse("accounts:profile")


def test_profile_needs_login(client):
    assert client.get(PROFILE)["Location"].startswith(reverse("accounts:login"))


def test_profile_edits_name_phone_and_language(owner_client, owner):
    page = owner_client.get(PROFILE)
    assert page.status_code == 200
    assert reverse("privacy_statement") in page.content.decode()
    response = owner_client.post(
        PROFILE, {"full_name": "Olga Ny", "phone": "+47 900 00 000", "language": "en"}
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.full_name, owner.phone, owner.language) == ("Olga Ny", "+47 900 00 000", "en")
    assert owner_client.get(PROFILE)["Content-Language"] == "en"


@pytest.mark.parametrize(
    "data",
    [
        {"full_name": "x" * 151, "phone": "", "language": "nb"},
        {"full_name": "Olga", "phone": "9" * 31, "language": "nb"},
        {"full_name": "Olga", "phone": "", "language": "de"},
        {"full_name": "", "phone": "", "language": "nb"},
    ],
)
def test_bad_profile_input_is_refused(owner_client, owner, data):
    response = owner_client.post(PROFILE, data)
    assert response.status_code == 400
    owner.refresh_from_db()
    assert owner.full_name == "Olga Eier"


def test_reauthenticate_checks_the_password_and_honours_only_safe_next(owner_client):
    wrong = owner_client.post(REAUTH, {"password": "feil", "next": "/account/profile/email/"})
    assert wrong.status_code == 400
    assert owner_client.get(reverse("accounts:email_change")).status_code == 302

    evil = owner_client.post(REAUTH, {"password": PASSWORD, "next": "https://evil.example/"})
    assert evil["Location"] == PROFILE
    ok = owner_client.post(REAUTH, {"password": PASSWORD, "next": "/account/profile/email/"})
    assert ok["Location"] == "/account/profile/email/"
    assert owner_client.get(reverse("accounts:email_change")).status_code == 200


def test_reauthentication_expires(owner_client, settings):
    owner_client.post(REAUTH, {"password": PASSWORD})
    assert owner_client.get(reverse("accounts:email_change")).status_code == 200
    settings.REAUTH_MAX_AGE_SECONDS = -1
    assert owner_client.get(reverse("accounts:email_change")).status_code == 302


def test_reauthenticate_needs_login():
    assert Client().get(REAUTH)["Location"].startswith(reverse("accounts:login"))


def test_email_change_needs_reauth_then_requires_reverification(
    owner_client, owner, django_capture_on_commit_callbacks
):
    url = reverse("accounts:email_change")
    first = owner_client.post(url, {"email": "olga@nytt.no"})
    assert first["Location"].startswith(REAUTH)
    owner.refresh_from_db()
    assert owner.email != "olga@nytt.no"

    sudo(owner_client)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(url, {"email": "Olga@Nytt.no"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.email == "olga@nytt.no"
    assert not owner.is_email_verified
    assert mail.outbox[0].to == ["olga@nytt.no"]
    assert AuditEntry.objects.filter(action="accounts.user.email_changed").count() == 1


def test_email_change_refuses_an_address_in_use(owner_client, owner):
    UserFactory(email="opptatt@example.no")
    sudo(owner_client)
    response = owner_client.post(reverse("accounts:email_change"), {"email": "OPPTATT@example.no"})
    assert response.status_code == 400
    assert "email" in response.context["form"].errors


def test_guessing_the_password_at_reauthentication_locks_out(owner_client):
    for _ in range(4):
        assert owner_client.post(REAUTH, {"password": "feil"}).status_code == 400
    assert owner_client.post(REAUTH, {"password": "feil"}).status_code == 429
    assert owner_client.post(REAUTH, {"password": PASSWORD}).status_code == 429
    assert owner_client.get(reverse("accounts:email_change")).status_code == 302
