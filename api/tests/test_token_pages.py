"""/app/api-tokens/: owners and admins manage tokens; create and revoke need re-authentication."""

import time

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from accounts.permissions import SESSION_REAUTH_KEY
from api.models import ApiToken
from api.tests.fixtures import client_with_key, make_token

pytestmark = pytest.mark.django_db

LIST = reverse("api_tokens:list")
CREATE = reverse("api_tokens:create")


def _reauthenticated(client):
    session = client.session
    session[SESSION_REAUTH_KEY] = time.time()
    session.save()
    return client


def _tokens(company):
    with scope(company=company):
        return list(ApiToken.objects.all())


def test_anonymous_goes_to_login(client):
    for url in (LIST, CREATE):
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_member_and_accountant_may_not_manage_tokens(member_client, accountant_client):
    for client in (member_client, accountant_client):
        assert client.get(LIST).status_code == 403
        assert _reauthenticated(client).post(CREATE, {"label": "X"}).status_code == 403


def test_owner_sees_tokens_and_nav_item(owner_client, company, other_company):
    make_token(company, label="Nettbutikk")
    make_token(other_company, label="Fremmed nøkkel")
    response = owner_client.get(LIST)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nettbutikk" in page and "Fremmed nøkkel" not in page
    assert f'href="{LIST}"' in owner_client.get(reverse("dashboard")).content.decode()


def test_nav_item_is_hidden_from_members(member_client):
    assert f'href="{LIST}"' not in member_client.get(reverse("dashboard")).content.decode()


def test_create_needs_reauthentication(owner_client, company):
    response = owner_client.post(CREATE, {"label": "Nettbutikk"})
    assert response.status_code == 302
    assert reverse("accounts:reauthenticate") in response["Location"]
    assert _tokens(company) == []


def test_create_shows_the_key_once_and_it_works(owner_client, owner, company):
    _reauthenticated(owner_client)
    assert owner_client.get(CREATE).status_code == 200
    response = owner_client.post(CREATE, {"label": "Nettbutikk"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    (token,) = _tokens(company)
    assert token.created_by == owner
    page = response.content.decode()
    key = page.split('id="api-key" type="text" value="')[1].split('"')[0]
    assert key.startswith(token.key_prefix)
    assert client_with_key(key).get("/api/v1/clients/").status_code == 200
    assert key not in owner_client.get(LIST).content.decode()


def test_create_with_blank_label_shows_the_form_again(owner_client, company):
    _reauthenticated(owner_client)
    response = owner_client.post(CREATE, {"label": "  "})
    assert response.status_code == 200
    assert 'class="errorlist"' in response.content.decode()
    assert _tokens(company) == []


def test_admin_revokes_after_confirming(company, admin_user):
    created = make_token(company, label="Gammel")
    client = Client()
    client.force_login(admin_user)
    url = reverse("api_tokens:revoke", args=[created.token.pk])
    assert reverse("accounts:reauthenticate") in client.post(url)["Location"]
    _reauthenticated(client)
    assert "Gammel" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == LIST
    assert _tokens(company)[0].revoked_at is not None
    assert client_with_key(created.key).get("/api/v1/clients/").status_code == 401


def test_outsider_cannot_revoke_another_companys_token(company, outsider_client):
    created = make_token(company)
    _reauthenticated(outsider_client)
    url = reverse("api_tokens:revoke", args=[created.token.pk])
    assert outsider_client.get(url).status_code == 404
    assert outsider_client.post(url).status_code == 404
    with scopes_disabled():
        assert ApiToken.objects.get(pk=created.token.pk).revoked_at is None
