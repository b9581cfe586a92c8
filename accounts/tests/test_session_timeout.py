"""Sessions end after an idle period and after an absolute lifetime, without the session
being written on every request."""

from __future__ import annotations

from unittest import mock

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.middleware import SESSION_SEEN_KEY

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("dashboard")


def _at(seconds: float):
    return mock.patch("accounts.middleware.time.time", return_value=seconds)


def test_an_idle_session_is_logged_out_after_thirty_minutes(owner_client, settings):
    assert settings.SESSION_IDLE_TIMEOUT_SECONDS == 30 * 60  # the default
    t0 = 1_900_000_000
    with _at(t0):
        assert owner_client.get(DASHBOARD).status_code == 200
    with _at(t0 + 29 * 60):
        assert owner_client.get(DASHBOARD).status_code == 200  # activity renews it
    with _at(t0 + 29 * 60 + 30 * 60 + 5):
        response = owner_client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in owner_client.session


def test_the_idle_timeout_is_configurable(owner_client, settings):
    settings.SESSION_IDLE_TIMEOUT_SECONDS = 5 * 60
    t0 = 1_900_000_000
    with _at(t0):
        owner_client.get(DASHBOARD)
    with _at(t0 + 6 * 60):
        assert owner_client.get(DASHBOARD).status_code == 302


def test_an_active_session_still_ends_at_the_absolute_lifetime(owner_client, settings):
    settings.SESSION_COOKIE_AGE = 2 * 60 * 60
    t0 = 1_900_000_000
    for minutes in range(0, 120, 20):  # busy every 20 minutes for two hours
        with _at(t0 + minutes * 60):
            assert owner_client.get(DASHBOARD).status_code == 200
    with _at(t0 + 2 * 60 * 60 + 60):
        assert owner_client.get(DASHBOARD).status_code == 302


def test_requests_within_a_minute_do_not_write_the_session(owner_client):
    t0 = 1_900_000_000
    with _at(t0):
        owner_client.get(DASHBOARD)  # first request: the stamps are written
    with _at(t0 + 10), mock.patch.object(SessionStore, "save", autospec=True) as save:
        for _ in range(3):
            assert owner_client.get(DASHBOARD).status_code == 200
    assert save.call_count == 0
    with _at(t0 + 70), mock.patch.object(SessionStore, "save", autospec=True) as save:
        owner_client.get(DASHBOARD)
    assert save.call_count == 1
    assert owner_client.session[SESSION_SEEN_KEY] == t0  # the mocked save stored nothing


@pytest.mark.parametrize("url_name", ["dashboard", "invoicing:list", "customers:list"])
def test_a_plain_get_does_not_rewrite_the_session_row(owner_client, url_name):
    """Measured on the SQL itself, not on a mocked save: after the first request of the
    minute, browsing the busiest pages sends no INSERT/UPDATE to the session table."""
    t0 = 1_900_000_000
    with _at(t0):
        owner_client.get(DASHBOARD)
    with _at(t0 + 30), CaptureQueriesContext(connection) as queries:
        assert owner_client.get(reverse(url_name)).status_code == 200
    writes = [
        query["sql"]
        for query in queries.captured_queries
        if "django_session" in query["sql"]
        and query["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []
    assert any("django_session" in query["sql"] for query in queries.captured_queries)


def test_the_session_is_written_again_once_the_minute_has_passed(owner_client):
    t0 = 1_900_000_000
    with _at(t0):
        owner_client.get(DASHBOARD)
    with _at(t0 + 61), CaptureQueriesContext(connection) as queries:
        owner_client.get(DASHBOARD)
    assert any(
        "django_session" in query["sql"] and query["sql"].lstrip().upper().startswith("UPDATE")
        for query in queries.captured_queries
    )
    assert owner_client.session[SESSION_SEEN_KEY] == t0 + 61
