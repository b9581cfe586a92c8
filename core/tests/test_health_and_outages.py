"""/healthz and the answer to a database outage (issue 14, item 5)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.test import Client
from huey.contrib.djhuey import HUEY

from core import health

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_queue_and_storage(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["ok"] for name, check in body["checks"].items()} == {
        "database": True,
        "queue": True,
        "storage": True,
    }
    assert body["checks"]["database"]["outbox"] == {
        "pending": 0,
        "failed": 0,
        "oldest_pending_seconds": 0,
    }
    assert client.post("/healthz").status_code == 405


def test_healthz_queue_down_is_degraded_not_unavailable(client, monkeypatch):
    def refuse():
        raise ConnectionError("Redis is not answering")

    monkeypatch.setattr(HUEY, "pending_count", refuse)
    response = client.get("/healthz")
    # Pages still work and the outbox keeps the work: a load balancer keeps the instance.
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["queue"] == {"ok": False}


@pytest.mark.parametrize("broken", ["database", "storage"])
def test_healthz_database_or_storage_down_is_503(client, monkeypatch, broken):
    def fail():
        raise OSError("connection refused to 10.0.0.5")

    monkeypatch.setitem(health.CHECKS, broken, fail)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json()["status"] == "unavailable"
    assert response.json()["checks"][broken] == {"ok": False}
    assert b"10.0.0.5" not in response.content  # details go to the log only


def _database_down():
    return mock.patch.object(
        BaseDatabaseWrapper,
        "ensure_connection",
        side_effect=OperationalError("could not connect to server: Connection refused"),
    )


def test_a_database_outage_on_an_app_page_is_503_with_retry_after(owner):
    browser = Client(raise_request_exception=False)
    browser.force_login(owner)
    with _database_down():
        # Every query fails: the session, the user, the company, the page.
        response = browser.get("/app/invoices/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Midlertidig utilgjengelig" in response.content.decode()


def test_a_database_outage_in_the_api_is_a_json_503(api_token):
    api = Client(raise_request_exception=False)
    with _database_down():
        response = api.get("/api/v1/invoices/", HTTP_AUTHORIZATION=f"Token {api_token.key}")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "detail" in response.json()


def test_only_database_errors_count_as_an_outage():
    from core.errors import is_database_outage

    assert not is_database_outage(RuntimeError("a bug"))
    assert not is_database_outage(None)
    wrapped = RuntimeError("template failed")
    wrapped.__cause__ = OperationalError("database is locked")
    assert is_database_outage(wrapped)
