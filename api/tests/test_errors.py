"""Every error under /api/ is JSON with a ``detail``; bad input is never a 500."""

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework.exceptions import ValidationError

from api.exceptions import api_exception_handler

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"


def _is_json_error(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    return body


@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api/v1/",
        "/api/v2/clients/",
        "/api/v1/nothing-here/",
        "/api/v1/clients",  # no trailing slash
        "/api/v1/clients/abc/",
        "/api/v1/clients/1/nothing/",
    ],
)
def test_unknown_routes_are_json_404(api_client, path):
    _is_json_error(api_client.get(path), 404)
    _is_json_error(api_client.post(path, {}, format="json"), 404)


def test_unknown_object_and_huge_id_are_404(api_client):
    _is_json_error(api_client.get(f"{CLIENTS}999999/"), 404)
    _is_json_error(api_client.get(f"{CLIENTS}{10**30}/"), 404)


def test_method_not_allowed_is_405(api_client):
    _is_json_error(api_client.delete(CLIENTS), 405)
    _is_json_error(api_client.post("/api/v1/vat-codes/", {}, format="json"), 405)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("name=Kunde", "application/x-www-form-urlencoded"),
        ("<client><name>Kunde</name></client>", "application/xml"),
        ("Kunde", "text/plain"),
    ],
)
def test_non_json_body_is_415(api_client, body, content_type):
    _is_json_error(api_client.post(CLIENTS, body, content_type=content_type), 415)


@pytest.mark.parametrize("body", ['{"name": ', "{'name': 'x'}", "\xff\xfe", "NaN]"])
def test_malformed_json_is_400(api_client, body):
    _is_json_error(api_client.post(CLIENTS, body, content_type="application/json"), 400)


@pytest.mark.parametrize("body", ["[]", '"Kunde"', "42", "null"])
def test_json_that_is_not_an_object_is_400_with_field_errors(api_client, body):
    body = _is_json_error(api_client.post(CLIENTS, body, content_type="application/json"), 400)
    assert body["errors"]


def test_invalid_page_is_404(api_client):
    _is_json_error(api_client.get(CLIENTS, {"page": 99}), 404)
    _is_json_error(api_client.get(CLIENTS, {"page": "x"}), 404)


def test_page_size_is_capped(api_client, monkeypatch):
    from api.pagination import ApiPagination

    assert ApiPagination.max_page_size == 200
    monkeypatch.setattr(ApiPagination, "max_page_size", 2)
    for n in range(3):
        api_client.post(CLIENTS, {"name": f"Kunde {n}"}, format="json")
    for size in ("100000", "-1", "x"):
        body = api_client.get(CLIENTS, {"page_size": size}).json()
        assert body["count"] == 3 and len(body["results"]) <= 3
    assert len(api_client.get(CLIENTS, {"page_size": 100000}).json()["results"]) == 2


def test_django_validation_error_with_fields_becomes_400_errors():
    exc = DjangoValidationError({"name": ["Mangler."], "__all__": ["Noe er galt."]})
    response = api_exception_handler(exc, {})
    assert response is not None
    assert response.status_code == 400
    assert response.data["errors"] == {"name": ["Mangler."], "non_field_errors": ["Noe er galt."]}
    assert response.data["detail"]


def test_django_validation_error_without_fields_becomes_non_field_errors():
    response = api_exception_handler(DjangoValidationError("Kan ikke."), {})
    assert response is not None
    assert response.status_code == 400
    assert response.data["errors"] == {"non_field_errors": ["Kan ikke."]}


def test_list_shaped_drf_validation_error_is_normalised():
    response = api_exception_handler(ValidationError(["Feil."]), {})
    assert response is not None
    assert response.data["errors"] == {"non_field_errors": ["Feil."]}


def test_unexpected_error_is_a_json_500_with_the_request_id(api_client, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("customers.api.client_list", explode)
    response = api_client.get(CLIENTS)
    body = _is_json_error(response, 500)
    assert body["request_id"] == response["X-Request-ID"]
    assert "boom" not in response.content.decode()


def test_too_large_body_is_413(api_client):
    body = '{"name": "' + "x" * 3_000_000 + '"}'
    _is_json_error(api_client.generic("POST", CLIENTS, body, content_type="application/json"), 413)


def test_absurdly_deep_json_is_400(api_client):
    body = "[" * 100_000 + "]" * 100_000
    _is_json_error(api_client.generic("POST", CLIENTS, body, content_type="application/json"), 400)


def test_unknown_route_post_needs_no_csrf_token_to_get_its_json_404(api_token):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    _is_json_error(client.post("/api/v1/clients", {"name": "x"}, format="json"), 404)


@pytest.mark.parametrize("search", ["a\x00b", "x" * 201])
def test_unusable_search_text_is_400(api_client, search):
    body = _is_json_error(api_client.get(CLIENTS, {"search": search}), 400)
    assert "search" in body["errors"]
    assert api_client.get("/api/v1/products/", {"search": search}).status_code == 400


@pytest.mark.parametrize("path", ["/api/v1/clients/a%0Ab/", "/api/v1/nope%0A/", "/api/%0A"])
def test_an_unknown_api_path_with_a_newline_is_a_json_404(api_client, path):
    # Found by the OpenAPI fuzz: ".*" did not match a newline, so the HTML 404 answered.
    _is_json_error(api_client.get(path), 404)


def test_malformed_json_is_the_documented_400_with_errors(api_client):
    response = api_client.generic("POST", CLIENTS, "{nope", content_type="application/json")
    body = _is_json_error(response, 400)
    assert body["errors"]["non_field_errors"] and "JSON" in body["detail"]
