"""Who may do what through the API, and that no caller ever sees another company."""

import pytest
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope
from rest_framework.test import APIClient

from api.tests.fixtures import client_with_key, make_token
from core.audit import Actor
from core.models import AuditEntry
from customers.models import Client
from customers.services import ClientData, client_create

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"


def _client_of(company, name="Kunde AS"):
    with scope(company=company):
        return client_create(
            company=company, actor=Actor.system("test"), data=ClientData(name=name)
        )


def test_token_lists_only_its_own_companys_clients(api_client, company, other_company):
    mine = _client_of(company, "Min kunde AS")
    _client_of(other_company, "Fremmed kunde AS")
    body = api_client.get(CLIENTS).json()
    assert [row["id"] for row in body["results"]] == [mine.pk]
    assert body["count"] == 1


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_another_companys_client_is_404_for_every_method(outsider_api_client, company, method):
    theirs = _client_of(company)
    response = getattr(outsider_api_client, method)(
        f"{CLIENTS}{theirs.pk}/", {"name": "Kapret AS"}, format="json"
    )
    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"]}
    with scope(company=company):
        unchanged = Client.objects.get(pk=theirs.pk)
    assert unchanged.name == "Kunde AS" and unchanged.is_active


def test_another_companys_client_is_404_on_actions(outsider_api_client, company):
    theirs = _client_of(company)
    response = outsider_api_client.post(f"{CLIENTS}{theirs.pk}/activate/", format="json")
    assert response.status_code == 404


def test_session_of_an_outsider_does_not_reach_the_company(outsider, company):
    theirs = _client_of(company)
    session = APIClient()
    session.force_login(outsider)
    assert session.get(f"{CLIENTS}{theirs.pk}/").status_code == 404
    assert session.get(CLIENTS).json()["count"] == 0


def test_token_of_one_company_ignores_the_sessions_active_company(owner, company, other_company):
    """A request with a token is the token's company, whoever's cookie comes along."""
    mine = _client_of(company)
    client = client_with_key(make_token(other_company).key)
    client.force_login(owner)
    assert client.get(f"{CLIENTS}{mine.pk}/").status_code == 404


def test_member_session_may_read_but_not_write(member_api_client, company):
    existing = _client_of(company)
    assert member_api_client.get(CLIENTS).status_code == 200
    assert member_api_client.get(f"{CLIENTS}{existing.pk}/").status_code == 200
    attempts = [
        member_api_client.post(CLIENTS, {"name": "Ny AS"}, format="json"),
        member_api_client.patch(f"{CLIENTS}{existing.pk}/", {"name": "Nytt navn"}, format="json"),
        member_api_client.delete(f"{CLIENTS}{existing.pk}/"),
        member_api_client.post(f"{CLIENTS}{existing.pk}/activate/", format="json"),
    ]
    assert [response.status_code for response in attempts] == [403, 403, 403, 403]
    assert all(response.json()["detail"] for response in attempts)
    with scope(company=company):
        assert Client.objects.count() == 1
        assert Client.objects.get().name == "Kunde AS"


def test_editor_session_may_write(accountant, company):
    session = APIClient()
    session.force_login(accountant)
    response = session.post(CLIENTS, {"name": "Ny AS"}, format="json")
    assert response.status_code == 201
    entry = AuditEntry.objects.get(action="customers.client.created")
    assert (entry.actor_kind, entry.actor_id) == (AuditEntry.ActorKind.USER, accountant.pk)


def test_session_writes_need_the_csrf_token(owner):
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(owner)
    response = session.post(CLIENTS, {"name": "Ny AS"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_anonymous_session_is_401(client):
    assert client.get(CLIENTS).status_code == 401


def test_user_without_a_company_is_403(db):
    from accounts.tests.factories import UserFactory

    session = APIClient()
    session.force_login(UserFactory())
    assert session.get(CLIENTS).status_code == 403


def test_session_without_the_second_factor_is_not_logged_in_for_the_api(owner):
    TOTPDevice.objects.create(user=owner, name="telefon", confirmed=True)
    session = APIClient()
    session.force_login(owner)
    assert session.get(CLIENTS).status_code == 401


def test_company_requiring_two_factor_refuses_sessions_without_a_device(owner, company):
    company.require_two_factor = True
    company.save()
    session = APIClient()
    session.force_login(owner)
    assert session.get(CLIENTS).status_code == 403


@override_settings(LANGUAGE_CODE="nb")
def test_token_client_may_ask_for_english_errors(api_token):
    client = client_with_key(api_token.key)
    norwegian = client.post(CLIENTS, {}, format="json").json()
    english = client.post(CLIENTS, {}, format="json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert norwegian["errors"]["name"] != english["errors"]["name"]


def test_api_errors_are_translated_for_token_clients(client):
    nb = client.get(CLIENTS, HTTP_AUTHORIZATION="Token fn_wrong").json()["detail"]
    en = client.get(CLIENTS, HTTP_AUTHORIZATION="Token fn_wrong", HTTP_ACCEPT_LANGUAGE="en").json()[
        "detail"
    ]
    assert nb == "Ugyldig eller tilbakekalt API-nøkkel."
    assert en == "Invalid or revoked API key."


def test_a_verified_session_passes_the_second_factor_gate_without_asking_each_device_kind(
    owner, company
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django_otp import DEVICE_ID_SESSION_KEY

    company.require_two_factor = True
    company.save()
    device = TOTPDevice.objects.create(user=owner, name="telefon", confirmed=True)
    session = APIClient()
    session.force_login(owner)
    stored = session.session
    stored[DEVICE_ID_SESSION_KEY] = device.persistent_id
    stored.save()
    with CaptureQueriesContext(connection) as queries:
        assert session.get(CLIENTS).status_code == 200
    # The device is read once, by django_otp's middleware for the verified session; whether
    # the user has one comes with the membership's query, not from device queries again.
    device_reads = [q for q in queries if q["sql"].startswith('SELECT "otp_totp_totpdevice".')]
    assert len(device_reads) == 1
