"""Log-in lockout by account as well as by address, with an e-mail and an unlock link."""

from __future__ import annotations

import re

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import PASSWORD, UserFactory
from accounts.tokens import make_unlock_token
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


@pytest.fixture
def person():
    return UserFactory(email="maal@example.no")


def _client(n: int) -> Client:
    return Client(REMOTE_ADDR=f"203.0.113.{n}")


def _fail(client: Client, email: str, times: int) -> None:
    for _ in range(times):
        response = client.post(LOGIN, {"username": email, "password": "gjettet-feil"})
        assert response.status_code in (200, 429)


def _logs_in(client: Client, email: str = "maal@example.no") -> bool:
    return client.post(LOGIN, {"username": email, "password": PASSWORD}).status_code == 302


def test_forty_failures_from_ten_addresses_lock_the_account_and_mail_an_unlock_link(
    person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(10):
            # Four per address stays under the per-address limit (5), and varying the
            # case of the address does not make a new account to count against.
            _fail(_client(n), "MAAL@example.no" if n % 2 else person.email, 4)
    fresh = _client(99)
    response = fresh.post(LOGIN, {"username": person.email, "password": PASSWORD})
    assert response.status_code == 429  # even the right password from a new address
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [person.email]
    assert AuditEntry.objects.filter(action="accounts.user.locked_out").count() == 1

    found = re.search(r"https?://[^/\s]+(/account/unlock/[^\s]+/)", str(mail.outbox[0].body))
    assert found, mail.outbox[0].body
    path = found.group(1)
    page = fresh.get(path)
    assert page.status_code == 200 and person.email in page.content.decode()
    assert not _logs_in(fresh)  # GET (a link preview) does not unlock
    assert fresh.post(path).status_code == 302
    assert _logs_in(fresh)
    assert AuditEntry.objects.filter(action="accounts.user.unlocked").exists()


def test_thirty_nine_failures_spread_out_do_not_lock(person):
    for n in range(13):
        _fail(_client(n), person.email, 3)
    assert _logs_in(_client(50))


def test_five_failures_from_one_address_still_lock_that_address(person):
    _fail(_client(1), person.email, 5)
    assert not _logs_in(_client(1))
    assert _logs_in(_client(2))


def test_a_locked_unknown_address_gets_no_mail_and_the_same_page(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        _fail(_client(1), "ingen@example.no", 5)
    response = _client(1).post(LOGIN, {"username": "ingen@example.no", "password": "x"})
    assert response.status_code == 429
    assert not mail.outbox


def test_an_expired_or_forged_unlock_link_is_a_clear_400(person, settings):
    forged = signing.dumps({"u": person.pk, "e": person.email}, salt="other")
    assert Client().get(reverse("accounts:unlock", args=[forged])).status_code == 400
    settings.ACCOUNT_UNLOCK_MAX_AGE_SECONDS = -1
    token = make_unlock_token(person)
    response = Client().post(reverse("accounts:unlock", args=[token]))
    assert response.status_code == 400
    assert "utløpt" in response.content.decode()
