"""Two simultaneous requests with one Idempotency-Key: the work is done once.

PostgreSQL only (SQLite serialises writers, so there is no race to test there).
"""

import threading
import time

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from api.models import IdempotencyRecord
from api.tests.fixtures import client_with_key, make_token
from customers import services as customer_services
from customers.models import Client

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_concurrent_duplicates_create_one_client_and_get_the_same_answer(company, monkeypatch):
    key = make_token(company).key
    original = customer_services.client_create
    started = threading.Event()

    def slow_create(**kwargs):
        started.set()
        client = original(**kwargs)
        time.sleep(0.5)  # the duplicate arrives while this transaction is still open
        return client

    monkeypatch.setattr("customers.api.client_create", slow_create)
    responses = {}

    def send(name):
        try:
            responses[name] = client_with_key(key).post(
                "/api/v1/clients/", {"name": "Fjord AS"}, format="json", HTTP_IDEMPOTENCY_KEY="k"
            )
        finally:
            connection.close()

    first = threading.Thread(target=send, args=("first",))
    first.start()
    assert started.wait(5)
    second = threading.Thread(target=send, args=("second",))
    second.start()
    first.join(10)
    second.join(10)

    assert responses["first"].status_code == responses["second"].status_code == 201
    assert responses["first"].json() == responses["second"].json()
    assert responses["second"]["Idempotent-Replayed"] == "true"
    with scopes_disabled():
        assert Client.objects.count() == 1
        assert IdempotencyRecord.objects.count() == 1
