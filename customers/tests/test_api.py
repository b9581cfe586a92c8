"""/api/v1/clients/: CRUD through customers.services; bad input is a 400 with field errors."""

import pytest
from django_scopes import scope

from core.models import AuditEntry
from customers.models import Client

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"
VALID_ORGNR = "974760673"  # Brønnøysundregistrene


def _create(api_client, **fields):
    response = api_client.post(CLIENTS, {"name": "Fjord AS", **fields}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _stored(company, pk):
    with scope(company=company):
        return Client.objects.get(pk=pk)


def test_create_minimal_client_gets_id_and_number(api_client, company):
    first = _create(api_client)
    second = _create(api_client, name="Bre AS")
    assert first["id"] and first["number"] == 1 and second["number"] == 2
    assert first["is_active"] is True and first["kind"] == "company"
    assert _stored(company, first["id"]).company == company


def test_create_with_the_documented_fields(api_client, company):
    body = _create(
        api_client,
        organization_number="974 760 673",
        email="faktura@fjord.no",
        address_line="Havnegata 1",
        postcode="5003",
        city="Bergen",
        country="no",
    )
    assert body["organization_number"] == VALID_ORGNR
    assert body["invoice_emails"] == "faktura@fjord.no"
    assert body["country"] == "NO"
    assert body["peppol_id"] == f"0192:{VALID_ORGNR}"
    assert "email" not in body
    stored = _stored(company, body["id"])
    assert (stored.address_line, stored.postcode, stored.city) == ("Havnegata 1", "5003", "Bergen")


def test_retrieve_list_and_search(api_client):
    fjord = _create(api_client)
    _create(api_client, name="Bre AS")
    assert api_client.get(f"{CLIENTS}{fjord['id']}/").json()["name"] == "Fjord AS"
    listed = api_client.get(CLIENTS).json()
    assert listed["count"] == 2 and [row["number"] for row in listed["results"]] == [1, 2]
    found = api_client.get(CLIENTS, {"search": "fjo"}).json()
    assert [row["id"] for row in found["results"]] == [fjord["id"]]


def test_pagination(api_client):
    for n in range(3):
        _create(api_client, name=f"Kunde {n}")
    page = api_client.get(CLIENTS, {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]
    assert len(api_client.get(CLIENTS, {"page_size": 2, "page": 2}).json()["results"]) == 1


def test_patch_changes_only_the_given_fields(api_client, company):
    created = _create(api_client, city="Bergen", payment_terms_days=30)
    response = api_client.patch(
        f"{CLIENTS}{created['id']}/", {"name": "Fjord Nord AS"}, format="json"
    )
    assert response.status_code == 200
    stored = _stored(company, created["id"])
    assert (stored.name, stored.city, stored.payment_terms_days) == ("Fjord Nord AS", "Bergen", 30)
    entry = AuditEntry.objects.get(action="customers.client.updated")
    assert entry.data["fields"] == ["name"]


def test_put_replaces_the_client(api_client, company):
    created = _create(api_client, city="Bergen")
    response = api_client.put(f"{CLIENTS}{created['id']}/", {"name": "Ny AS"}, format="json")
    assert response.status_code == 200
    stored = _stored(company, created["id"])
    assert (stored.name, stored.city, stored.number) == ("Ny AS", "", created["number"])


def test_number_and_is_active_cannot_be_set(api_client, company):
    created = _create(api_client, number=77, is_active=False, id=999)
    assert created["number"] == 1 and created["is_active"] is True and created["id"] != 999


def test_delete_archives_and_activate_restores(api_client, company):
    created = _create(api_client)
    url = f"{CLIENTS}{created['id']}/"
    assert api_client.delete(url).status_code == 204
    assert _stored(company, created["id"]).is_active is False
    assert api_client.get(url).json()["is_active"] is False
    assert api_client.get(CLIENTS).json()["count"] == 0
    assert api_client.get(CLIENTS, {"status": "archived"}).json()["count"] == 1
    assert api_client.get(CLIENTS, {"status": "all"}).json()["count"] == 1
    assert api_client.delete(url).status_code == 204  # again: still archived
    response = api_client.post(f"{url}activate/", format="json")
    assert response.status_code == 200 and response.json()["is_active"] is True
    actions = AuditEntry.objects.filter(action__startswith="customers.client.").values_list(
        "action", flat=True
    )
    assert sorted(actions) == [
        "customers.client.activated",
        "customers.client.archived",
        "customers.client.created",
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"name": ["Fjord"]}, "name"),
        ({"name": {"x": 1}}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": "Fjord AS", "organization_number": "123456789"}, "organization_number"),
        ({"name": "Fjord AS", "organization_number": "x" * 21}, "organization_number"),
        ({"name": "Fjord AS", "email": "ikke-epost"}, "email"),
        ({"name": "Fjord AS", "invoice_emails": "a@b.no, nope"}, "invoice_emails"),
        ({"name": "Fjord AS", "country": "XX"}, "country"),
        ({"name": "Fjord AS", "country": "NOR"}, "country"),
        ({"name": "Fjord AS", "kind": "alien"}, "kind"),
        ({"name": "Fjord AS", "language": "de"}, "language"),
        ({"name": "Fjord AS", "payment_terms_days": -1}, "payment_terms_days"),
        ({"name": "Fjord AS", "payment_terms_days": 366}, "payment_terms_days"),
        ({"name": "Fjord AS", "payment_terms_days": "fjorten"}, "payment_terms_days"),
        ({"name": "Fjord AS", "payment_terms_days": 10**20}, "payment_terms_days"),
        ({"name": "Fjord AS", "peppol_id": "feil"}, "peppol_id"),
        ({"name": "Fjord AS", "peppol_id": "0007:5560360794"}, "peppol_id"),
        ({"name": "Fjord AS", "peppol_id": "9930:DE136695977"}, "peppol_id"),
        ({"name": "Fjord AS", "delivery_channel": "ehf"}, "delivery_channel"),
        ({"name": "Fjord AS", "postcode": "1" * 11}, "postcode"),
        ({"name": "Fjord AS", "notes": "x" * 5001}, "notes"),
    ],
)
def test_bad_input_is_400_with_the_fields_message_and_saves_nothing(
    api_client, company, body, field
):
    response = api_client.post(CLIENTS, body, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in errors and all(isinstance(message, str) for message in errors[field])
    with scope(company=company):
        assert not Client.objects.exists()


def test_bad_update_is_400_and_changes_nothing(api_client, company):
    created = _create(api_client)
    url = f"{CLIENTS}{created['id']}/"
    for body in ({"organization_number": "123"}, {"name": ""}, {"country": 47}):
        response = api_client.patch(url, body, format="json")
        assert response.status_code == 400, body
    assert api_client.put(url, {"city": "Bergen"}, format="json").status_code == 400
    assert _stored(company, created["id"]).name == "Fjord AS"


@pytest.mark.parametrize("params", [{"status": "deleted"}, {"kind": "robot"}])
def test_bad_list_filter_is_400(api_client, params):
    response = api_client.get(CLIENTS, params)
    assert response.status_code == 400
    assert set(params) <= set(response.json()["errors"])
