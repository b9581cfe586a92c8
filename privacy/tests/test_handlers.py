"""The one design: every model with personal data has a handler, and the periods agree.

Export, erasure, the retention engine and the storage and deletion routines document all
iterate ``core.personal_data.handlers``; these tests fail when a model with personal fields is left
out, or when the period the statement states for a field is not the period of a handler
(and therefore of an engine rule) that covers it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from core.personal_data import handlers, inventory
from retention import rules

# Data that ends only with erasure of the person or with the customer company (no rule of
# the engine yet). This list may only shrink: a new handler must come with its rule.
WITHOUT_ENGINE_RULE = {
    # API keys lose their creator with the account; replay records go after 24 hours
    # (api.tasks.purge_idempotency_records).
    "api_access",
    # Staff accounts end with employment (back office), not by a rule here.
    "staff_profiles",
}


def test_every_model_with_personal_fields_has_a_handler():
    assert handlers.uncovered_models() == []


def test_every_personal_field_states_the_period_of_a_handler_that_covers_its_model():
    assert handlers.retention_mismatches() == []


def test_handlers_name_only_declared_models_and_known_categories():
    for handler in handlers.handlers():
        assert handler.models, handler.key
        for label in handler.models:
            declaration = inventory.declaration_for(label)
            assert declaration is not None, (handler.key, label)
            assert declaration.personal, (handler.key, label)
        assert set(handler.categories) <= set(inventory.Category.values), handler.key


def test_the_engine_runs_exactly_the_handlers_with_targets():
    assert [r.key for r in rules.rules()] == [
        h.key for h in handlers.handlers() if h.targets is not None
    ]
    without = {h.key for h in handlers.handlers() if h.targets is None}
    assert without == WITHOUT_ENGINE_RULE


def test_a_handler_states_the_period_of_its_retention_key():
    for handler in handlers.handlers():
        assert handler.period == inventory.RETENTION[handler.retention].label


@pytest.mark.django_db
def test_the_routines_document_states_each_engine_rule_with_its_period(client):
    html = client.get(reverse("retention:routines")).content.decode()
    for handler in rules.rules():
        assert escape(str(handler.title)) in html, handler.key
        assert escape(str(handler.period)) in html, handler.key


def test_erasure_walks_every_covered_model_once_with_the_account_last():
    sequence = [d.label for d in handlers.erasure_sequence()]
    assert len(sequence) == len(set(sequence))
    covered = {label for h in handlers.handlers() for label in h.models}
    assert set(sequence) == covered
    assert sequence[-1] == "accounts.User"


def test_a_misspelt_retention_key_is_refused():
    with pytest.raises(inventory.InventoryError):
        handlers.Handler(
            key="x",
            title="x",
            data="x",
            models=("accounts.User",),
            categories=(),
            retention="forever",
            action=handlers.Action.DELETE,
            legal_basis="x",
        )
