"""/api/v1/recurring-invoices/: create, list, read; rights and bad input."""

from __future__ import annotations

import pytest
from django_scopes import scope

from invoicing.tests.factories import ClientFactory
from recurring.models import RecurringInvoice

pytestmark = pytest.mark.django_db
URL = "/api/v1/recurring-invoices/"


@pytest.fixture
def client_id(company):
    with scope(company=company):
        return ClientFactory(company=company).pk


def _body(client_id: int, **extra) -> dict:
    body = {
        "name": "Lisens",
        "client": client_id,
        "interval_months": 3,
        "start_date": "2027-01-31",
        "mode": "issue",
        "lines": [
            {"description": "Lisens", "quantity": "2", "unit_price": "500.00", "vat_code": "3"}
        ],
    }
    body.update(extra)
    return body


def test_create_list_and_read(api_client, client_id, company):
    response = api_client.post(URL, _body(client_id), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["interval_months"] == 3 and data["next_period_start"] == "2027-01-31"
    assert data["lines"][0]["unit_price"] == "500.00" and data["runs"] == []
    replay = api_client.post(URL, _body(client_id), format="json", HTTP_IDEMPOTENCY_KEY="k1")
    assert replay.status_code == 201 and replay.json()["id"] == data["id"]
    with scope(company=company):
        assert RecurringInvoice.objects.count() == 1
    listing = api_client.get(URL).json()
    assert [t["id"] for t in listing["results"]] == [data["id"]]
    assert api_client.get(f"{URL}{data['id']}/").json()["name"] == "Lisens"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"interval_months": 0}, "interval_months"),
        ({"lines": []}, "lines"),
        ({"client": 999999}, "client"),
        ({"end_date": "2026-01-01"}, "end_date"),
        ({"start_date": "31.01.2027"}, "start_date"),
        ({"mode": "draft", "send_automatically": True}, "send_automatically"),
    ],
)
def test_bad_input_is_400_on_the_field(api_client, client_id, company, change, field):
    response = api_client.post(URL, _body(client_id, **change), format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]  # nested input: dotted names (lines.0.quantity)
    assert any(key == field or key.startswith(f"{field}.") for key in errors), errors
    with scope(company=company):
        assert not RecurringInvoice.objects.exists()


def test_member_reads_but_may_not_create(member_api_client, client_id):
    assert member_api_client.get(URL).status_code == 200
    assert member_api_client.post(URL, _body(client_id), format="json").status_code == 403


def test_outsider_sees_nothing_and_gets_404(api_client, outsider_api_client, client_id):
    created = api_client.post(URL, _body(client_id), format="json").json()
    assert outsider_api_client.get(URL).json()["results"] == []
    assert outsider_api_client.get(f"{URL}{created['id']}/").status_code == 404
    # another company's client id in the body is "does not exist"
    response = outsider_api_client.post(URL, _body(client_id), format="json")
    assert response.status_code == 400 and "client" in response.json()["errors"]
