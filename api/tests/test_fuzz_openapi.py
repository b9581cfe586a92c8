"""Every API operation, fuzzed from its own OpenAPI schema with schemathesis, in-process
against the Django WSGI application (no server): no 5xx, and every error body is the
documented one (``detail``; for 400 also ``errors``: field → list of messages).

Bodies, query and path parameters are generated both valid (positive) and invalid
(negative, i.e. violating the schema: wrong types, NUL, out-of-range numbers, missing
fields), with a fixed seed so that CI is deterministic. Run on PostgreSQL as well: NUL
only fails there.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from api.docs import generate_schema
from fakturanett.wsgi import application

schema = schemathesis.openapi.from_dict(generate_schema())
schema.app = application
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    deterministic=True,
    allow_x00=True,
    database="none",
)
# The coverage phase (every boundary of every parameter) is thorough but takes minutes
# on a busy machine: FUZZ_API_COVERAGE=1 adds it (CI's PostgreSQL run, before a release).
PHASES = ["examples", "fuzzing"] + (["coverage"] if os.environ.get("FUZZ_API_COVERAGE") else [])
schema.config.phases.update(phases=PHASES)

MAX_EXAMPLES = int(os.environ.get("FUZZ_API_EXAMPLES", "8"))


def _error_body_is_documented(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every error under /api/ is JSON with ``detail``; a 400 also has ``errors``."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.startswith("application/json"), (
        response.status_code,
        case.formatted_path,
        case.path_parameters,
        response.text[:200],
    )
    body = response.json()
    assert isinstance(body, dict) and isinstance(body.get("detail"), str), body
    if response.status_code == 400:
        errors = body.get("errors")
        assert isinstance(errors, dict) and errors, body
        for field, messages in errors.items():
            assert isinstance(field, str), body
            assert isinstance(messages, list), body
            assert all(isinstance(message, str) for message in messages), body
    return True


@pytest.fixture(autouse=True)
def _keep_the_test_database_connection():
    """Calling the WSGI app directly fires request_started/finished, whose handler closes
    the connection (fatal on PostgreSQL inside the test's transaction); Django's own test
    client disconnects it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token_key(api_token):
    return api_token.key


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_documented_errors(case, token_key):
    cache.clear()  # the rate limit is not what this test is about
    response = case.call(headers={"Authorization": f"Token {token_key}"})
    case.validate_response(
        response,
        checks=[not_a_server_error, response_schema_conformance, _error_body_is_documented],
        headers={"Authorization": f"Token {token_key}"},
    )
