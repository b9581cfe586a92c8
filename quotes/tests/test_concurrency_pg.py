"""Quote numbers under concurrency on PostgreSQL: 4 processes create quotes at once (some
refused by the line rules); the numbers are exactly 1..N, no gap and no duplicate."""

from __future__ import annotations

import multiprocessing

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django_scopes import scope

from accounts.models import Company
from customers.models import Client
from invoicing.tests.factories import SYSTEM, ClientFactory, line
from quotes import services
from quotes.models import Quote, QuoteNumberSeries

WORKERS = 4
PER_WORKER = 20


def _create_many(company_id: int, client_id: int, db_name: str) -> tuple[list[int], int]:
    connections.close_all()
    connections["default"].settings_dict["NAME"] = db_name
    company = Company.objects.get(pk=company_id)
    numbers: list[int] = []
    refused = 0
    with scope(company=company):
        client = Client.objects.get(pk=client_id)
        for index in range(PER_WORKER):
            quantity = "-1" if index % 5 == 4 else "1"  # every fifth: a negative total
            try:
                created = services.quote_create(
                    company=company,
                    actor=SYSTEM,
                    data=services.QuoteData(client=client),
                    lines=[line(quantity=quantity, unit_price="10.00")],
                )
                numbers.append(created.number)
            except ValidationError:
                refused += 1
    connections.close_all()
    return numbers, refused


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_quotes_get_gapless_numbers(company):
    db_name = settings.DATABASES["default"]["NAME"]
    assert db_name.startswith("test_")
    with scope(company=company):
        client = ClientFactory(company=company)
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(WORKERS) as pool:
        results = pool.starmap(_create_many, [(company.pk, client.pk, db_name)] * WORKERS)
    numbers = sorted(n for made, _ in results for n in made)
    refused = sum(r for _, r in results)
    assert refused == WORKERS * (PER_WORKER // 5)
    assert numbers == list(range(1, len(numbers) + 1))
    with scope(company=company):
        assert QuoteNumberSeries.objects.get().next_number == len(numbers) + 1
        assert Quote.objects.count() == len(numbers)
