"""On PostgreSQL, two processes importing the same bank file at once register each payment
exactly once (the unique archive reference makes the later import wait, fail and retry,
finding every transaction known)."""

from __future__ import annotations

import datetime
import multiprocessing

import pytest
from django.conf import settings
from django.db import connections
from django_scopes import scope

from accounts.models import Company
from core.audit import Actor
from invoicing.models import Invoice, Payment
from invoicing.tests.factories import ClientFactory
from receivables import services
from receivables.models import BankImport, BankTransaction
from receivables.tests.factories import BankLine, camt_file, overdue_invoice, use_kid

WORKERS = 4


def _import(company_id: int, data: bytes, db_name: str) -> tuple[int, int]:
    connections.close_all()
    connections["default"].settings_dict["NAME"] = db_name
    company = Company.objects.get(pk=company_id)
    with scope(company=company):
        result = services.bank_file_import(
            company=company, actor=Actor.system("concurrency"), file_name="x.xml", data=data
        )
    connections.close_all()
    return result.matched_count, result.duplicate_count


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_imports_register_each_payment_once(company):
    db_name = settings.DATABASES["default"]["NAME"]
    assert db_name.startswith("test_")
    with scope(company=company):
        use_kid(company)
        client = ClientFactory(company=company, number=7)
        invoices = [
            overdue_invoice(
                company=company, client=client, due_date=datetime.date(2026, 3, 2), amount="100.00"
            )
            for _ in range(40)
        ]
        data = camt_file(
            [BankLine(inv.kid, "100.00", f"REF{n:04d}") for n, inv in enumerate(invoices)]
        )
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with context.Pool(WORKERS) as pool:
        results = pool.starmap(_import, [(company.pk, data, db_name)] * WORKERS)
    assert sorted(matched for matched, _ in results) == [0] * (WORKERS - 1) + [40]
    with scope(company=company):
        assert Payment.objects.count() == 40
        assert BankTransaction.objects.count() == 40
        assert Invoice.objects.filter(status="paid").count() == 40
        assert BankImport.objects.count() == WORKERS
