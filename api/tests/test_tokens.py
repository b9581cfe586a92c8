import hashlib

import pytest
from django.utils import timezone
from django_scopes import scopes_disabled

from api.models import ApiToken
from api.services import api_token_create, api_token_revoke
from api.tests.fixtures import client_with_key, make_token
from core.audit import Actor
from core.models import AuditEntry

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"


def test_only_the_hash_and_a_short_prefix_of_the_key_are_stored(company):
    created = make_token(company)
    with scopes_disabled():
        token = ApiToken.objects.get(pk=created.token.pk)
    assert created.key.startswith("fn_") and len(created.key) > 40
    assert token.key_hash == hashlib.sha256(created.key.encode()).hexdigest()
    assert created.key.startswith(token.key_prefix) and len(token.key_prefix) < 16
    stored = [str(getattr(token, field.attname)) for field in ApiToken._meta.concrete_fields]
    assert not any(created.key in value for value in stored)


def test_create_and_revoke_are_audited_without_the_key(company, owner):
    created = api_token_create(
        company=company, label="Nettbutikk", actor=Actor.user(owner), created_by=owner
    )
    with scopes_disabled():
        api_token_revoke(token=created.token, actor=Actor.user(owner))
        api_token_revoke(token=created.token, actor=Actor.user(owner))  # no second entry
    entries = AuditEntry.objects.filter(company=company, action__startswith="api.token.")
    assert sorted(entry.action for entry in entries) == ["api.token.created", "api.token.revoked"]
    assert all(created.key not in str(entry.data) for entry in entries)
    assert all(entry.actor_id == owner.pk for entry in entries)


@pytest.mark.parametrize("label", ["", "   ", "x" * 101])
def test_token_needs_a_sensible_label(company, label):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as info:
        api_token_create(company=company, label=label, actor=Actor.system("test"))
    assert "label" in info.value.message_dict


def test_valid_token_authenticates_and_marks_last_use(api_client, api_token):
    assert api_client.get(CLIENTS).status_code == 200
    with scopes_disabled():
        assert ApiToken.objects.get(pk=api_token.token.pk).last_used_at is not None


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Token",
        "Token fn_not-a-real-key",
        "Token a b",
        "Bearer something",
        "Token " + "x" * 500,
    ],
)
def test_missing_or_invalid_token_is_401_json(client, header, api_token):
    extra = {"HTTP_AUTHORIZATION": header} if header is not None else {}
    response = client.get(CLIENTS, **extra)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["detail"]


def test_revoked_token_is_401_at_once(company, api_token):
    client = client_with_key(api_token.key)
    assert client.get(CLIENTS).status_code == 200
    with scopes_disabled():
        api_token_revoke(token=api_token.token, actor=Actor.system("test"))
    response = client.get(CLIENTS)
    assert response.status_code == 401
    with scopes_disabled():
        revoked_at = ApiToken.objects.get(pk=api_token.token.pk).revoked_at
        assert revoked_at is not None and revoked_at <= timezone.now()


def test_token_write_is_audited_with_the_token_as_actor(api_client, api_token, company):
    response = api_client.post(CLIENTS, {"name": "Fjordkraft AS"}, format="json")
    assert response.status_code == 201
    entry = AuditEntry.objects.get(company=company, action="customers.client.created")
    assert entry.actor_kind == AuditEntry.ActorKind.API_TOKEN
    assert entry.actor_id == api_token.token.pk
    assert entry.actor_label == "Testnøkkel"
