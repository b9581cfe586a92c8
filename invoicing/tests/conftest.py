from __future__ import annotations

import pytest

from core.audit import Actor
from invoicing.tests.factories import ClientFactory


@pytest.fixture
def buyer(company_scope):
    """A client of ``company`` (with an organisasjonsnummer)."""
    return ClientFactory(company=company_scope, number=42, name="Fjord Bygg AS")


@pytest.fixture
def actor(owner):
    return Actor.user(owner)
