"""/api/v1/recurring-invoices/: create, list, read; rights and bad input."""

from __future__ import annotations

import datetime

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


def test_update_put_and_patch(api_client, client_id, company):
    created = api_client.post(URL, _body(client_id), format="json").json()
    url = f"{URL}{created['id']}/"
    put = api_client.put(
        url,
        _body(
            client_id,
            name="Lisens 2027",
            max_count=4,
            lines=[
                {
                    "description": "Ny lisens",
                    "quantity": "1",
                    "unit_price": "900.00",
                    "vat_code": "3",
                }
            ],
        ),
        format="json",
    )
    assert put.status_code == 200, put.json()
    data = put.json()
    assert (data["name"], data["max_count"]) == ("Lisens 2027", 4)
    assert [(line["description"], line["unit_price"]) for line in data["lines"]] == [
        ("Ny lisens", "900.00")
    ]
    # PATCH changes what it names; the lines stay unless given.
    patch = api_client.patch(url, {"free_text": "Takk!", "end_date": "2028-12-31"}, format="json")
    assert patch.status_code == 200, patch.json()
    data = patch.json()
    assert (data["free_text"], data["end_date"], data["max_count"]) == ("Takk!", "2028-12-31", 4)
    assert [line["description"] for line in data["lines"]] == ["Ny lisens"]
    with scope(company=company):
        template = RecurringInvoice.objects.get()
        assert template.lines.count() == 1 and template.name == "Lisens 2027"
    bad = api_client.patch(url, {"interval_months": 0}, format="json")
    assert bad.status_code == 400 and "interval_months" in bad.json()["errors"]


def test_start_and_interval_are_fixed_once_a_period_was_made(api_client, client_id, company):
    from recurring import services

    created = api_client.post(URL, _body(client_id, start_date="2026-01-31"), format="json")
    with scope(company=company):
        template = RecurringInvoice.objects.get(pk=created.json()["id"])
        services.recurring_run_due(today=datetime.date(2026, 2, 1))
        template.refresh_from_db()
        assert template.next_sequence == 1
    url = f"{URL}{template.pk}/"
    response = api_client.patch(url, {"interval_months": 1}, format="json")
    assert response.status_code == 400 and "start_date" in response.json()["errors"]
    assert api_client.patch(url, {"name": "Ny"}, format="json").status_code == 200


def test_pause_and_resume(api_client, client_id, company):
    created = api_client.post(URL, _body(client_id), format="json").json()
    url = f"{URL}{created['id']}/"
    paused = api_client.post(f"{url}pause/", HTTP_IDEMPOTENCY_KEY="p1")
    assert paused.status_code == 200 and paused.json()["is_active"] is False
    again = api_client.post(f"{url}pause/", HTTP_IDEMPOTENCY_KEY="p1")
    assert again.status_code == 200 and again.json()["is_active"] is False
    resumed = api_client.post(f"{url}resume/")
    assert resumed.status_code == 200 and resumed.json()["is_active"] is True
    with scope(company=company):
        assert RecurringInvoice.objects.get().is_active
        from core.models import AuditEntry

        actions = list(
            AuditEntry.objects.filter(action__startswith="recurring.template.").values_list(
                "action", flat=True
            )
        )
        assert sorted(actions) == [
            "recurring.template.created",
            "recurring.template.paused",
            "recurring.template.resumed",
        ]


def test_member_may_not_change_and_outsider_gets_404(
    api_client, member_api_client, outsider_api_client, client_id, company
):
    created = api_client.post(URL, _body(client_id), format="json").json()
    url = f"{URL}{created['id']}/"
    for client, status in ((member_api_client, 403), (outsider_api_client, 404)):
        assert client.patch(url, {"name": "X"}, format="json").status_code == status
        assert client.put(url, _body(client_id), format="json").status_code == status
        assert client.post(f"{url}pause/").status_code == status
        assert client.post(f"{url}resume/").status_code == status
    with scope(company=company):
        template = RecurringInvoice.objects.get()
        assert template.name == "Lisens" and template.is_active
