"""Fixtures shared by every app's tests: the personas.

- ``owner``: the owner of ``company``;
- ``member``: a read-only member of ``company``;
- ``outsider``: the owner of ``other_company``, who must never see ``company``'s data.

``*_client`` fixtures are Django test clients logged in as that persona.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

from accounts.models import Role, User
from accounts.tests.factories import CompanyFactory, MembershipFactory

# API fixtures (api_client, api_token, ...) and a clean cache for rate limits.
pytest_plugins = ["api.tests.fixtures"]


@pytest.fixture(autouse=True)
def _bokmal_by_default():
    """Every test starts in bokmål, whatever language an earlier test left active."""
    from django.utils import translation

    with translation.override("nb"):
        yield


@pytest.fixture
def company(db):
    return CompanyFactory(name="Nordlys Regnskap AS")


@pytest.fixture
def other_company(db):
    return CompanyFactory(name="Fremmed Handel AS")


@pytest.fixture
def owner(company):
    return MembershipFactory(company=company, role=Role.OWNER, user__full_name="Olga Eier").user


@pytest.fixture
def admin_user(company):
    return MembershipFactory(company=company, role=Role.ADMIN).user


@pytest.fixture
def accountant(company):
    return MembershipFactory(company=company, role=Role.ACCOUNTANT).user


@pytest.fixture
def member(company):
    return MembershipFactory(company=company, role=Role.MEMBER, user__full_name="Mons Medlem").user


@pytest.fixture
def outsider(other_company):
    return MembershipFactory(company=other_company, role=Role.OWNER).user


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner):
    return _client_for(owner)


@pytest.fixture
def member_client(member):
    return _client_for(member)


@pytest.fixture
def accountant_client(accountant):
    return _client_for(accountant)


@pytest.fixture
def outsider_client(outsider):
    return _client_for(outsider)


@pytest.fixture
def company_scope(company):
    """Run the test body inside the tenant scope of ``company``."""
    with scope(company=company):
        yield company


@pytest.fixture
def no_scope():
    with scopes_disabled():
        yield


def _restore_seed_data_after_transactional_tests(items) -> None:
    """Transactional tests (live server, real concurrency) end with a flush of every table,
    which would also remove the rows data migrations seed (VAT codes, sub-processors).
    Serialized rollback puts them back, for every such test in one place."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker else {}
        transactional = bool(kwargs.get("transaction")) or bool(
            {"live_server", "transactional_db"} & set(item.fixturenames)
        )
        if transactional and not kwargs.get("serialized_rollback"):
            kwargs.update(transaction=True, serialized_rollback=True)
            item.add_marker(pytest.mark.django_db(**kwargs), append=False)


def pytest_collection_modifyitems(config, items):
    """Tests that need a real service run only where it is configured (CI's second part).

    ``postgres`` tests need PostgreSQL (row locks under real concurrency, triggers) and
    ``redis`` tests a Redis at REDIS_URL. Elsewhere they are deselected, not skipped:
    the embedded default has neither, and CI runs them against both.
    """
    from django.conf import settings

    _restore_seed_data_after_transactional_tests(items)
    unavailable = set()
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        unavailable.add("postgres")
    if not settings.REDIS_URL:
        unavailable.add("redis")
    if not unavailable:
        return

    def needs_unavailable(item) -> bool:
        return any(item.get_closest_marker(name) for name in unavailable)

    deselected = [item for item in items if needs_unavailable(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not needs_unavailable(item)]


# --- Browser tests: Playwright driving Debian's Chromium (never a downloaded browser).

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Chromium's interface language (which the native date field's order follows: 03.12.2026,
# not 12/03/2026) comes from LANGUAGE on Linux; --lang is ignored there. Bokmål needs
# Debian's chromium-l10n; without it Chromium falls back to en-US.
CHROMIUM_ENV = {"LANGUAGE": "nb"}
ARTIFACTS = Path(__file__).resolve().parent / "test-artifacts"


@pytest.fixture(scope="session")
def chromium():
    # Playwright's sync API keeps an event loop in this thread; the ORM calls the
    # tests make around it are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Django keeps a thread's database connections apart from those of code that runs while
    # an event loop is running in it, and Playwright leaves its loop marked as running here
    # for the rest of the session. Every later test would get new connection objects without
    # the serialized rows that serialized rollback restores (VAT codes, sub-processors), and
    # start from the empty tables the previous transactional test's flush left behind.
    # Keeping the thread's own connections makes one set of connections serve all tests.
    thread_connections = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, connection in thread_connections.items():
            connections[alias] = connection
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, env={**os.environ, **CHROMIUM_ENV}
        )
        yield browser
        browser.close()


# What a Norwegian user's browser has: dates and numbers that JavaScript formats read as in
# Norway (3.12.2026, 13:00), and the clock of Oslo. (The native date field follows Chromium's
# interface language instead: CHROMIUM_ENV.)
BROWSER_CONTEXT = {"locale": "nb-NO", "timezone_id": "Europe/Oslo"}


@pytest.fixture
def new_browser_context(chromium, live_server):
    """Open a fresh browser profile (no cookies) pointed at the live test server, as a
    Norwegian user's browser; every one is closed after the test."""
    contexts = []

    def new(**options):
        context = chromium.new_context(base_url=live_server.url, **BROWSER_CONTEXT, **options)
        contexts.append(context)
        return context

    yield new
    for context in contexts:
        context.close()


@pytest.fixture
def browser_page(new_browser_context):
    """A fresh browser profile (no cookies) pointed at the live test server."""
    page = new_browser_context().new_page()
    page.set_default_timeout(15_000)
    return page


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under test-artifacts/ and return its path."""

    def take(page, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
