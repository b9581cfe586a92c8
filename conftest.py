"""Fixtures shared by every app's tests: the personas.

- ``owner``: the owner of ``company``;
- ``member``: a read-only member of ``company``;
- ``outsider``: the owner of ``other_company``, who must never see ``company``'s data.

``*_client`` fixtures are Django test clients logged in as that persona.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django_scopes import scope, scopes_disabled

from accounts.models import Role
from accounts.tests.factories import CompanyFactory, MembershipFactory


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


def _client_for(user) -> Client:
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


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` run only against PostgreSQL (CI's second part).

    They are deselected, not skipped, on SQLite: they test PostgreSQL behaviour
    (row locks under real concurrency, database triggers) that SQLite does not have.
    """
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    kept = [item for item in items if item.get_closest_marker("postgres") is None]
    deselected = [item for item in items if item.get_closest_marker("postgres") is not None]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept
