"""Client numbers under real concurrency: PostgreSQL only (SQLite serialises writers)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django_scopes import scope, scopes_disabled

from accounts.tests.factories import CompanyFactory
from core.audit import Actor
from customers.models import Client
from customers.services import ClientData, client_create


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_never_share_a_number():
    company = CompanyFactory()
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker(index: int) -> None:
        try:
            start.wait()
            for round_ in range(5):
                with scope(company=company):
                    client_create(
                        company=company,
                        actor=Actor.system("test"),
                        data=ClientData(name=f"Kunde {index}-{round_}"),
                    )
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with scopes_disabled():
        numbers = sorted(Client.objects.filter(company=company).values_list("number", flat=True))
    assert numbers == list(range(1, 21))
