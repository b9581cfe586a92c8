"""The daily job in several processes at once on PostgreSQL: each period is made once."""

from __future__ import annotations

import datetime
import multiprocessing

import pytest
from django.conf import settings
from django.db import connections
from django_scopes import scope

from invoicing.models import Invoice
from recurring import services
from recurring.models import RecurringRun
from recurring.tests.factories import template

WORKERS = 4
TEMPLATES = 6


def _run_job(db_name: str, barrier) -> tuple[int, int]:
    """A child process: its own connection; all children start the job together."""
    connections.close_all()
    connections["default"].settings_dict["NAME"] = db_name
    barrier.wait()
    summary = services.recurring_run_due(today=datetime.date(2026, 9, 1))
    connections.close_all()
    return summary.created, summary.failed


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_daily_jobs_make_each_period_once(company):
    db_name = settings.DATABASES["default"]["NAME"]
    assert db_name.startswith("test_")
    with scope(company=company):
        for index in range(TEMPLATES):
            template(company=company, name=f"Mal {index}", start_date=datetime.date(2026, 7, 1))
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Manager().Barrier(WORKERS)
    with context.Pool(WORKERS) as pool:
        results = pool.starmap(_run_job, [(db_name, barrier)] * WORKERS)

    assert (
        sum(created for created, _ in results) == TEMPLATES * 3
    )  # Jul, Aug, Sep each (in the past: issue rules refuse far-future dates)
    assert sum(failed for _, failed in results) == 0
    with scope(company=company):
        assert RecurringRun.objects.count() == TEMPLATES * 3
        assert Invoice.objects.count() == TEMPLATES * 3
        numbers = sorted(n for n in Invoice.objects.values_list("number", flat=True) if n)
        assert numbers == list(range(1, TEMPLATES * 3 + 1))
        for run in RecurringRun.objects.all():
            assert run.invoice is not None
            assert run.invoice.delivery_period_start == run.period_start
