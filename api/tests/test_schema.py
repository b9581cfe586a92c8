import pytest
from drf_spectacular.validation import validate_schema

from api.docs import generate_schema

pytestmark = pytest.mark.django_db

EXPECTED_PATHS = {
    "/api/v1/clients/",
    "/api/v1/clients/{id}/",
    "/api/v1/clients/{id}/activate/",
    "/api/v1/products/",
    "/api/v1/products/{id}/",
    "/api/v1/products/{id}/activate/",
    "/api/v1/vat-codes/",
    "/api/v1/vat-codes/{code}/",
}


def test_schema_is_valid_openapi_with_our_paths():
    schema = generate_schema()
    validate_schema(schema)
    assert set(schema["paths"]) >= EXPECTED_PATHS
    assert schema["components"]["securitySchemes"]["tokenAuth"]["name"] == "Authorization"


def test_create_and_actions_document_the_idempotency_key():
    paths = generate_schema()["paths"]
    for path in ("/api/v1/clients/", "/api/v1/products/", "/api/v1/clients/{id}/activate/"):
        names = [param["name"] for param in paths[path]["post"].get("parameters", [])]
        assert "Idempotency-Key" in names, path


def test_schema_generation_has_no_warnings(capsys):
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    # Warnings without file:line traces (this used to assign False over the
    # enable_trace_lineno method, which `manage.py spectacular` calls).
    GENERATOR_STATS._trace_lineno = False
    generate_schema()
    assert not GENERATOR_STATS._warn_cache and not GENERATOR_STATS._error_cache


def test_schema_endpoint_serves_json_and_yaml(client):
    response = client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/clients/" in response.json()["paths"]
    assert client.get("/api/v1/schema/").status_code == 200


def test_docs_page_renders_from_the_schema_without_outside_resources(client):
    response = client.get("/api/v1/docs/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "POST /api/v1/clients/" in page and "organization_number" in page
    assert "Idempotency-Key" in page and "unit_price" in page
    assert "http://" not in page.replace("http://testserver", "") and "https://" not in page
    assert "'self'" in response["Content-Security-Policy"]


def test_error_responses_are_documented():
    paths = generate_schema()["paths"]
    create = paths["/api/v1/clients/"]["post"]["responses"]
    assert {"201", "400", "401", "403", "422", "429"} <= set(create)
    assert "404" not in create
    detail = paths["/api/v1/products/{id}/"]["get"]["responses"]
    assert {"200", "401", "404"} <= set(detail) and "400" not in detail


def test_a_payments_reversed_by_is_documented_as_nullable():
    payment = generate_schema()["components"]["schemas"]["Payment"]["properties"]
    assert payment["reversed_by"].get("nullable") is True


def test_the_documented_400_body_is_field_to_list_of_messages():
    body = generate_schema()["components"]["schemas"]["ValidationError"]["properties"]
    assert body["errors"]["additionalProperties"] == {"type": "array", "items": {"type": "string"}}


def test_docs_page_in_english_calls_the_replies_responses(client):
    # "Svar" is "Answer" elsewhere (a privacy request's answer); here it is the HTTP reply.
    client.post("/language/", {"language": "en", "next": "/"})
    page = client.get("/api/v1/docs/").content.decode()
    assert "<h4>Responses</h4>" in page and "<h4>Answer</h4>" not in page


def _texts(node, key=""):
    """Every summary and description in the schema, with where it is."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name in ("summary", "description") and isinstance(value, str):
                yield f"{key}/{name}", value
            else:
                yield from _texts(value, f"{key}/{name}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _texts(value, f"{key}/{index}")


def test_the_api_documentation_is_in_english():
    # The API docs are written in English for developers (the choices' labels follow the
    # reader's language); a Norwegian word stays only as a name in parentheses ("Customer
    # ledger (kundereskontro)"), never a bokmål text.
    from django.utils import translation

    with translation.override("en"):
        schema = generate_schema()
    norwegian = {
        where: text
        for where, text in _texts(schema)
        if any(letter in text.replace("Bokmål", "").split("(")[0] for letter in "æøåÆØÅ")
        or any(word in text.split() for word in ("og", "ikke", "Ugyldig", "standard:", "dato"))
    }
    assert not norwegian, norwegian
