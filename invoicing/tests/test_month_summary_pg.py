"""On PostgreSQL, processes that issue invoices and register and reverse payments for the
same company and months at the same time leave the dashboard's monthly summary and the
ledger's months exact:
each adds in its own transaction (``INSERT ... ON CONFLICT DO UPDATE SET x = x + ...``),
and none deadlocks another (the month rows are locked last, in month order, then the
ledger's months in theirs)."""

from __future__ import annotations

import datetime
import multiprocessing
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.db import connections
from django_scopes import scope, scopes_disabled

from accounts.models import Company
from core.audit import Actor
from invoicing import selectors, services
from invoicing.models import Invoice, MonthSummary, Payment
from invoicing.tests.factories import ClientFactory, draft_invoice, issued_invoice, line
from invoicing.tests.test_month_summary import (
    _exact_ledger_months,
    _exact_months,
    _stored_ledger_months,
    _stored_months,
)
from receivables import services as receivables_services

WORKERS = 4
ROUNDS = 6
EUR: dict[str, Any] = {"currency": "EUR", "exchange_rate": Decimal("11.432117")}
ACTOR = Actor.system("concurrency")


def _work(
    company_id: int,
    invoice_ids: list[int],
    draft_ids: list[int],
    worker: int,
    db_name: str,
    barrier,
) -> None:
    connections.close_all()
    connections["default"].settings_dict["NAME"] = db_name
    company = Company.objects.get(pk=company_id)
    barrier.wait()
    with scope(company=company):
        mine = invoice_ids[worker::WORKERS]
        for n in range(ROUNDS):
            invoice = Invoice.objects.get(pk=mine[n % len(mine)])
            day = datetime.date(2026, 11 + n % 2, 3)  # two months, both touched by all
            payment = services.payment_register(
                invoice=invoice,
                actor=ACTOR,
                amount=Decimal("10.01") + worker,
                date=day,
                confirm_overpayment=True,
                confirm_duplicate=True,
            )
            if n % 3 == 0:
                services.payment_reverse(payment=payment, actor=ACTOR, date=day)
            # A bank file's payments for every worker's invoices (one transaction).
            receivables_services.claims_register(
                company=company,
                actor=ACTOR,
                claims=[
                    receivables_services.ClaimPayment(
                        invoice_id=pk, amount=Decimal("1.11"), date=day, reference=f"{worker}-{n}"
                    )
                    for pk in invoice_ids[n::3]
                ],
            )
            if n < 2:  # issue two of this worker's drafts, one by one and together
                drafts = draft_ids[worker * 2 : worker * 2 + 2]
                if n == 0:
                    services.invoice_issue(invoice=Invoice.objects.get(pk=drafts[0]), actor=ACTOR)
                else:
                    services.invoice_issue_many(
                        company=company, invoice_ids=drafts[1:], actor=ACTOR
                    )
    connections.close_all()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issues_and_payments_keep_the_summary_exact(company):
    db_name = settings.DATABASES["default"]["NAME"]
    assert db_name.startswith("test_")
    with scope(company=company):
        client = ClientFactory(company=company)
        invoice_ids = [
            issued_invoice(
                company=company,
                client=client,
                invoice_date=datetime.date(2026, 10, 1 + n),
                lines=[line(unit_price="500.00")],
                **(EUR if n % 2 else {}),
            ).pk
            for n in range(12)
        ]
        draft_ids = [
            draft_invoice(
                company=company,
                client=client,
                invoice_date=datetime.date(2026, 11, 20),
                **(EUR if n % 2 else {}),
            ).pk
            for n in range(WORKERS * 2)
        ]
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(WORKERS)
    workers = [
        context.Process(
            target=_work, args=(company.pk, invoice_ids, draft_ids, worker, db_name, barrier)
        )
        for worker in range(WORKERS)
    ]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=600)
    assert [process.exitcode for process in workers] == [0] * WORKERS
    with scopes_disabled():
        assert Invoice.objects.filter(company=company, number__isnull=False).count() == 12 + 8
        assert Payment.objects.filter(company=company).count() > WORKERS * ROUNDS * 4
        assert MonthSummary.objects.filter(company=company).count() == 2 + 1  # Oct, Nov, Dec
    assert _stored_months(company) == _exact_months(company)
    assert _stored_ledger_months(company) == _exact_ledger_months(company)
    assert not selectors.open_receivable_differences(company_ids=[company.pk])
