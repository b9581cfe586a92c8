"""API list pagination counts at most COUNT_CAP + 1 rows, never the whole table (issue 15)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from api import pagination
from customers.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"


def test_below_the_cap_the_count_is_exact(api_client, company):
    with scopes_disabled():
        ClientFactory.create_batch(3, company=company)
    body = api_client.get(CLIENTS).json()
    assert body["count"] == 3 and body["count_is_capped"] is False


def test_above_the_cap_the_count_stops_and_says_so(api_client, company, monkeypatch):
    monkeypatch.setattr(pagination, "COUNT_CAP", 5)
    with scopes_disabled():
        ClientFactory.create_batch(9, company=company)
    with CaptureQueriesContext(connection) as queries:
        body = api_client.get(CLIENTS, {"page_size": 2}).json()
    assert body["count"] == 6 and body["count_is_capped"] is True
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    assert counts and all("LIMIT" in sql.upper() for sql in counts)
    # Rows up to the cap's are served; beyond it a page does not exist (a clear 404).
    assert len(api_client.get(CLIENTS, {"page_size": 2, "page": 3}).json()["results"]) == 2
    beyond = api_client.get(CLIENTS, {"page_size": 2, "page": 4})
    assert beyond.status_code == 404 and "detail" in beyond.json()
