from datetime import timedelta

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from api.models import IdempotencyRecord
from api.services import idempotency_records_purge
from api.tests.fixtures import client_with_key, make_token
from core.models import AuditEntry
from customers.models import Client

pytestmark = pytest.mark.django_db

CLIENTS = "/api/v1/clients/"


def _clients(company):
    with scope(company=company):
        return list(Client.objects.order_by("pk"))


def test_same_key_and_body_twice_creates_once_and_replays_the_response(api_client, company):
    body = {"name": "Fjord AS", "city": "Bergen"}
    first = api_client.post(CLIENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    second = api_client.post(CLIENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json()
    assert second["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert len(_clients(company)) == 1
    assert AuditEntry.objects.filter(action="customers.client.created").count() == 1


def test_key_order_and_spacing_of_the_json_body_do_not_matter(api_client, company):
    one = '{"name": "Fjord AS", "city": "Bergen"}'
    two = '{"city":"Bergen","name":"Fjord AS"}'
    api_client.post(CLIENTS, one, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    again = api_client.post(CLIENTS, two, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert len(_clients(company)) == 1


def test_same_key_with_another_body_is_422_and_does_nothing(api_client, company):
    api_client.post(CLIENTS, {"name": "Fjord AS"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    response = api_client.post(
        CLIENTS, {"name": "Annen AS"}, format="json", HTTP_IDEMPOTENCY_KEY="k-2"
    )
    assert response.status_code == 422
    assert "k-2" in response.json()["detail"]
    assert [client.name for client in _clients(company)] == ["Fjord AS"]


def test_same_key_on_another_endpoint_is_422(api_client, company):
    created = api_client.post(
        CLIENTS, {"name": "Fjord AS"}, format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    ).json()
    api_client.delete(f"{CLIENTS}{created['id']}/")
    response = api_client.post(
        f"{CLIENTS}{created['id']}/activate/", format="json", HTTP_IDEMPOTENCY_KEY="k-3"
    )
    assert response.status_code == 422
    assert _clients(company)[0].is_active is False


def test_actions_are_idempotent_too(api_client, company):
    created = api_client.post(CLIENTS, {"name": "Fjord AS"}, format="json").json()
    url = f"{CLIENTS}{created['id']}/activate/"
    api_client.delete(f"{CLIENTS}{created['id']}/")
    first = api_client.post(url, format="json", HTTP_IDEMPOTENCY_KEY="act-1")
    api_client.delete(f"{CLIENTS}{created['id']}/")  # archived again meanwhile
    replay = api_client.post(url, format="json", HTTP_IDEMPOTENCY_KEY="act-1")
    assert first.status_code == replay.status_code == 200
    assert replay.json() == first.json() and replay["Idempotent-Replayed"] == "true"
    assert _clients(company)[0].is_active is False  # the replay did not run the action


def test_keys_belong_to_one_caller(api_client, company):
    other_token = client_with_key(make_token(company, label="Annen").key)
    body = {"name": "Fjord AS"}
    api_client.post(CLIENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    response = other_token.post(CLIENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert len(_clients(company)) == 2


def test_failed_request_does_not_use_up_the_key(api_client, company):
    bad = api_client.post(
        CLIENTS, {"name": "Fjord AS", "country": "XX"}, format="json", HTTP_IDEMPOTENCY_KEY="k-4"
    )
    assert bad.status_code == 400
    good = api_client.post(CLIENTS, {"name": "Fjord AS"}, format="json", HTTP_IDEMPOTENCY_KEY="k-4")
    assert good.status_code == 201 and "Idempotent-Replayed" not in good
    with scopes_disabled():
        assert IdempotencyRecord.objects.count() == 1


def test_error_in_the_middle_of_the_work_rolls_back_work_and_key(api_client, company, monkeypatch):
    def half_done(*, client, actor):
        client.name = "Halvferdig"
        client.save()
        raise RuntimeError("crash")

    created = api_client.post(CLIENTS, {"name": "Fjord AS"}, format="json").json()
    api_client.delete(f"{CLIENTS}{created['id']}/")
    monkeypatch.setattr("customers.api.client_activate", half_done)
    url = f"{CLIENTS}{created['id']}/activate/"
    assert api_client.post(url, format="json", HTTP_IDEMPOTENCY_KEY="k-5").status_code == 500
    assert _clients(company)[0].name == "Fjord AS"
    with scopes_disabled():
        assert not IdempotencyRecord.objects.filter(key="k-5").exists()


def test_keys_expire_after_24_hours(api_client, company):
    body = {"name": "Fjord AS"}
    api_client.post(CLIENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    with scopes_disabled():
        IdempotencyRecord.objects.filter(key="old").update(
            created_at=timezone.now() - timedelta(hours=24, minutes=1)
        )
    response = api_client.post(CLIENTS, body, format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert len(_clients(company)) == 2


def test_purge_deletes_only_expired_records(api_client):
    api_client.post(CLIENTS, {"name": "A"}, format="json", HTTP_IDEMPOTENCY_KEY="a")
    api_client.post(CLIENTS, {"name": "B"}, format="json", HTTP_IDEMPOTENCY_KEY="b")
    with scopes_disabled():
        IdempotencyRecord.objects.filter(key="a").update(
            created_at=timezone.now() - timedelta(days=2)
        )
        assert idempotency_records_purge() == 1
        assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["b"]


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "nøkkel"])
def test_unusable_key_is_400(api_client, company, key):
    response = api_client.post(
        CLIENTS, {"name": "Fjord AS"}, format="json", HTTP_IDEMPOTENCY_KEY=key
    )
    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["errors"]
    assert _clients(company) == []


def test_without_a_key_every_post_does_the_work(api_client, company):
    api_client.post(CLIENTS, {"name": "Fjord AS"}, format="json")
    api_client.post(CLIENTS, {"name": "Fjord AS"}, format="json")
    assert len(_clients(company)) == 2


def test_hourly_task_purges_expired_records(api_client):
    from api.tasks import purge_idempotency_records

    api_client.post(CLIENTS, {"name": "A"}, format="json", HTTP_IDEMPOTENCY_KEY="a")
    with scopes_disabled():
        IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=2))
    purge_idempotency_records.call_local()
    with scopes_disabled():
        assert not IdempotencyRecord.objects.exists()


def test_a_multipart_upload_with_an_idempotency_key_is_not_a_500(api_client):
    # Found by the OpenAPI fuzz: the fingerprint could not serialise an uploaded file.
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post():
        upload = SimpleUploadedFile("file.gif", b"GIF87a\x01\x00\x01\x00\x00;", "image/gif")
        return api_client.post(
            "/api/v1/payments/import/",
            {"file": upload},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="upload-key-1",
        )

    first, again = post(), post()
    assert first.status_code < 500 and again.status_code == first.status_code
