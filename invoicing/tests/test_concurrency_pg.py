"""Real concurrency on PostgreSQL: 8 processes issue 400 invoices on one series.

The number series row is locked with SELECT ... FOR UPDATE in each issuing transaction,
so the numbers are exactly first..first+399: no gap, no duplicate, even with issues that
fail after taking a number (their transaction rolls back and the number is reused).
"""

from __future__ import annotations

import multiprocessing
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django_scopes import scope

from accounts.models import Company
from core.audit import Actor
from core.models import AuditEntry
from invoicing import services
from invoicing.models import Invoice, NumberSeries
from invoicing.tests.factories import ClientFactory, draft_invoice, line

WORKERS = 8
PER_WORKER = 50
FIRST = 5001


def _issue_all(
    company_id: int, invoice_ids: list[int], db_name: str, how: str
) -> tuple[list[int], int]:
    """Runs in a child process: its own database connection to the test database."""
    connections.close_all()
    connections["default"].settings_dict["NAME"] = db_name
    numbers: list[int] = []
    failures = 0
    actor = Actor.system("concurrency-test")
    company = Company.objects.get(pk=company_id)
    with scope(company=company):
        if how == "many":
            result = services.invoice_issue_many(
                company=company, invoice_ids=invoice_ids, actor=actor, chunk_size=10
            )
            connections.close_all()
            for invoice in result.issued:
                assert invoice.number is not None
                numbers.append(invoice.number)
            return numbers, len(result.failed)
        for invoice_id in invoice_ids:
            try:
                issued = services.invoice_issue(
                    invoice=Invoice.objects.get(pk=invoice_id), actor=actor
                )
                assert issued.number is not None
                numbers.append(issued.number)
            except ValidationError:
                failures += 1
    connections.close_all()
    return numbers, failures


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("how", ["single", "many"])
def test_eight_processes_issue_gapless_numbers(company, how):
    """``single``: ``invoice_issue`` per draft; ``many``: ``invoice_issue_many`` in chunks
    of 10, each worker's failing draft in the middle of a chunk."""
    db_name = settings.DATABASES["default"]["NAME"]
    assert db_name.startswith("test_")
    actor = Actor.system("setup")
    with scope(company=company):
        # KID MOD10 of length 10: client 7 fits; client 123456789 leaves no room for the
        # invoice number, so its issue fails *after* taking a number.
        services.invoicing_settings_update(
            company=company,
            actor=actor,
            first_invoice_number=FIRST,
            kid_method="mod10",
            kid_length=10,
        )
        good = ClientFactory(company=company, number=7)
        bad = ClientFactory(company=company, number=123456789)
        batches = []
        bad_ids = []
        for _ in range(WORKERS):
            ids = [
                draft_invoice(company=company, client=good, lines=[line(unit_price="10.00")]).pk
                for _ in range(PER_WORKER)
            ]
            failing = draft_invoice(company=company, client=bad).pk
            bad_ids.append(failing)
            ids.insert(PER_WORKER // 2, failing)
            batches.append(ids)

    connections.close_all()  # children must not share the parent's connection
    context = multiprocessing.get_context("fork")
    with context.Pool(WORKERS) as pool:
        results = pool.starmap(_issue_all, [(company.pk, ids, db_name, how) for ids in batches])

    numbers = sorted(n for worker_numbers, _ in results for n in worker_numbers)
    assert sum(failures for _, failures in results) == WORKERS
    assert numbers == list(range(FIRST, FIRST + WORKERS * PER_WORKER))
    with scope(company=company):
        assert NumberSeries.objects.get(kind="invoice").next_number == FIRST + 400
        stored = list(Invoice.objects.issued().values_list("number", flat=True))
        assert sorted(n for n in stored if n is not None) == numbers
        assert None not in stored
        assert len(set(Invoice.objects.issued().values_list("kid", flat=True))) == 400
        assert not Invoice.objects.filter(pk__in=bad_ids).exclude(status="draft").exists()
        assert AuditEntry.objects.filter(action="invoicing.invoice.issued").count() == 400
        assert Invoice.objects.issued().filter(total_incl_vat=Decimal("12.50")).count() == 400
