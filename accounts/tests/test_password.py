import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory, sudo
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

RESET = reverse("accounts:password_reset")
NEW = "nytt-passord-som-holder-99"


@pytest.fixture
def person():
    return UserFactory(email="glemsk@example.no", email_verified_at=None)


def request_reset(client, email, capture):
    with capture(execute=True):
        return client.post(RESET, {"email": email})


def reset_link(message) -> str:
    found = re.search(r"https?://[^/\s]+(/account/password/reset/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


def test_reset_never_reveals_whether_the_address_exists(
    client, person, django_capture_on_commit_callbacks
):
    known = request_reset(client, "GLEMSK@example.no", django_capture_on_commit_callbacks)
    unknown = request_reset(client, "ukjent@example.no", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 200

    def pages(response):
        return [t.name for t in response.templates if not t.name.startswith("accounts/email/")]

    assert pages(known) == pages(unknown)
    assert "accounts/password_reset_done.html" in pages(known)
    assert [m.to for m in mail.outbox] == [["glemsk@example.no"]]


def test_reset_link_sets_password_once_and_a_reused_link_fails(
    client, person, django_capture_on_commit_callbacks
):
    request_reset(client, person.email, django_capture_on_commit_callbacks)
    link = reset_link(mail.outbox[0])
    assert client.get(link).status_code == 200

    bad = client.post(link, {"password1": NEW, "password2": "noe-annet-helt-99"})
    assert bad.status_code == 400

    done = client.post(link, {"password1": NEW, "password2": NEW})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW)
    assert person.is_email_verified  # the link proved the address
    assert AuditEntry.objects.filter(action="accounts.user.password_changed").exists()

    reused = client.get(link)
    assert reused.status_code == 400
    assert reverse("accounts:password_reset") in reused.content.decode()
    assert client.post(link, {"password1": "x-" + NEW, "password2": "x-" + NEW}).status_code == 400
    person.refresh_from_db()
    assert person.check_password(NEW)


def test_wrong_reset_token_is_a_clear_400(client, person):
    url = reverse("accounts:password_reset_confirm", kwargs={"uidb64": "MQ", "token": "nope-nope"})
    response = client.get(url)
    assert response.status_code == 400
    assert "Lenken virker ikke" in response.content.decode()


def test_reset_lifts_a_lockout(client, person, django_capture_on_commit_callbacks):
    login = reverse("accounts:login")
    for _ in range(5):
        client.post(login, {"username": person.email, "password": "feil"})
    assert AccessAttempt.objects.exists()
    request_reset(client, person.email, django_capture_on_commit_callbacks)
    client.post(reset_link(mail.outbox[0]), {"password1": NEW, "password2": NEW})
    response = client.post(login, {"username": person.email, "password": NEW})
    assert response.status_code == 302


def test_password_change_needs_reauthentication(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("accounts:password_change")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauthenticate"))

    sudo(client)
    assert client.get(url).status_code == 200
    response = client.post(url, {"password1": NEW, "password2": NEW})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW)
    # Still logged in: the session hash was updated.
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert AuditEntry.objects.filter(
        action="accounts.user.password_changed", actor_id=user.pk
    ).exists()


def test_password_change_refuses_weak_passwords(client):
    user = UserFactory()
    client.force_login(user)
    sudo(client)
    response = client.post(
        reverse("accounts:password_change"), {"password1": "12345", "password2": "12345"}
    )
    assert response.status_code == 400
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_password_change_needs_login(client):
    response = client.get(reverse("accounts:password_change"))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_reset_does_the_same_work_for_unknown_and_known_addresses(client, person):
    """The request only queues a task; the look-up happens there (no timing difference)."""
    from core.models import OutboxMessage

    known = client.post(RESET, {"email": person.email})
    unknown = client.post(RESET, {"email": "ukjent@example.no"})
    assert known.status_code == unknown.status_code == 200
    assert [t.name for t in known.templates] == [t.name for t in unknown.templates]
    assert list(OutboxMessage.objects.values_list("task", "kwargs")) == [
        ("accounts.tasks.password_reset_email", {"email": person.email}),
        ("accounts.tasks.password_reset_email", {"email": "ukjent@example.no"}),
    ]
