"""NUL (and lone surrogates) are refused with one clear 400 wherever they arrive: the URL
path, the query string, a form body or a JSON body; pages and the API alike. PostgreSQL
cannot store them, so before this guard they were 500s there (SQLite stores them)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from customers.models import Client

pytestmark = pytest.mark.django_db


def _refused_page(response):
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


def _refused_api(response, field):
    assert response.status_code == 400
    body = response.json()
    assert "NUL" in body["detail"]
    assert field in body["errors"] and body["errors"][field]


def test_nul_in_a_page_query_string_is_400(owner_client):
    _refused_page(owner_client.get(reverse("customers:list"), {"q": "kunde\x00"}))


def test_nul_in_a_page_form_body_is_400_and_saves_nothing(owner_client, company):
    _refused_page(owner_client.post(reverse("customers:create"), {"name": "Kunde\x00 AS"}))
    with scopes_disabled():
        assert not Client.objects.filter(company=company).exists()


def test_nul_in_a_multipart_form_field_is_400(owner_client):
    response = owner_client.post(
        reverse("customers:create"), {"name": "Kunde\x00 AS"}, format="multipart"
    )
    _refused_page(response)


def test_nul_in_a_page_path_is_400(owner_client):
    _refused_page(owner_client.get("/app/clients/%00/"))


def test_nul_in_an_api_path_is_a_json_400(api_client):
    _refused_api(api_client.get("/api/v1/vat-codes/%00/"), "path")


def test_nul_in_an_api_query_string_is_a_json_400(api_client):
    _refused_api(api_client.get("/api/v1/clients/", {"search": "a\x00b"}), "search")


@pytest.mark.parametrize(
    "raw",
    [
        '{"name": "Kunde", "vat_code": "\\u0000"}',
        '{"name": "Kunde\\u0000 AS"}',
        '{"name": "Kunde", "lines": [{"description": "\\ud800"}]}',
        '{"name\\u0000": "Kunde"}',
    ],
)
def test_nul_or_a_lone_surrogate_in_a_json_body_is_a_json_400(api_client, company, raw):
    response = api_client.generic("POST", "/api/v1/clients/", raw, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert "NUL" in body["detail"] and body["errors"]
    with scopes_disabled():
        assert not Client.objects.filter(company=company).exists()


def test_the_json_field_holding_the_character_is_named(api_client):
    raw = json.dumps({"name": "Kunde", "vat_code": "\x00"})
    response = api_client.generic("POST", "/api/v1/products/", raw, content_type="application/json")
    _refused_api(response, "vat_code")


def test_escaped_backslash_u_is_ordinary_text(api_client, company):
    raw = json.dumps({"name": "C:\\u0000 AS"})  # the text backslash-u-0000, not a NUL
    response = api_client.generic("POST", "/api/v1/clients/", raw, content_type="application/json")
    assert response.status_code == 201, response.content
