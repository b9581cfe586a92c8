"""Fixtures for API tests, loaded for the whole suite by the root conftest.

- ``api_token``: a token of ``company`` (``.token``, ``.key``);
- ``api_client`` / ``outsider_api_client``: DRF clients sending the token of ``company``
  / ``other_company`` in ``Authorization``;
- ``token_client(key)``: a client for any key;
- ``owner_api_client`` / ``member_api_client``: the web session of ``owner`` / ``member``.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from api.services import api_token_create
from core.audit import Actor


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    """Rate-limit counters live in the cache; no test inherits another's."""
    cache.clear()
    yield
    cache.clear()


def make_token(company, label="Testnøkkel"):
    return api_token_create(company=company, label=label, actor=Actor.system("test"))


def client_with_key(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def token_client():
    return client_with_key


@pytest.fixture
def api_token(company):
    return make_token(company)


@pytest.fixture
def api_client(api_token):
    return client_with_key(api_token.key)


@pytest.fixture
def outsider_api_client(other_company):
    return client_with_key(make_token(other_company, label="Fremmed").key)


@pytest.fixture
def owner_api_client(owner):
    client = APIClient()
    client.force_login(owner)
    return client


@pytest.fixture
def member_api_client(member):
    client = APIClient()
    client.force_login(member)
    return client
