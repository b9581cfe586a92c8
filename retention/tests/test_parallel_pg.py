"""On PostgreSQL a large rule's batches are applied on ``RETENTION_WORKERS`` connections at
once: the rows changed and the deletion log are those of a serial run, each connection
passes the guard triggers in its own batch transactions only, and a batch that fails makes
the run fail (the batches committed before it stay counted)."""

from __future__ import annotations

import dataclasses
import datetime
import threading
from collections.abc import Iterable
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.tests.factories import CompanyFactory
from core.models import AuditEntry
from core.personal_data.retention import ANONYMISED_NAME, Context, Target
from invoicing import retention as invoicing_retention
from invoicing.models import Invoice
from invoicing.tests.factories import ClientFactory, issued_invoice
from retention.models import DeletionLogEntry, RetentionRun
from retention.rules import rules
from retention.services import retention_run

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def old_invoices() -> list[Invoice]:
    today = timezone.localdate()
    company = CompanyFactory(name="Gammel Kunde AS")
    with scope(company=company):
        client = ClientFactory(
            company=company, kind="person", name="Privat Person", organization_number=""
        )
        old = datetime.date(today.year - 7, 3, 1)
        return [issued_invoice(company=company, client=client, invoice_date=old) for _ in range(7)]


def _invoice_rule(apply_hook: Any) -> Any:
    """The registered invoice rule with batches of 2 rows, each batch seen by ``apply_hook``
    (the backend that applies it, its keys) before it is applied."""
    (handler,) = [r for r in rules() if r.key == "bookkeeping_invoices"]

    def targets(ctx: Context) -> Iterable[Target]:
        for target in invoicing_retention.invoice_targets(ctx):
            real = target.apply

            def apply(pks: list[Any], ctx: Context, real: Any = real) -> None:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    apply_hook(cursor.fetchone()[0], pks)
                real(pks, ctx)

            yield dataclasses.replace(target, apply=apply, batch_size=2)

    return dataclasses.replace(handler, targets=targets)


def test_batches_on_two_connections_change_what_a_serial_run_changes(old_invoices, settings):
    settings.RETENTION_WORKERS = 2
    backends: list[int] = []
    # Every connection must have applied a batch before any goes on: the run really used two.
    both = threading.Barrier(2, timeout=30)
    waited: set[int] = set()

    def hook(backend: int, pks: list[Any]) -> None:
        backends.append(backend)
        if len(backends) > 1 and backend not in waited:  # the first batch runs alone
            waited.add(backend)
            both.wait()

    rule = _invoice_rule(hook)
    dry = retention_run(dry_run=True, rules=[rule])
    report = retention_run(rules=[rule])

    assert len(set(backends[1:])) == 2
    assert (
        report.counts()
        == dry.counts()
        == {("bookkeeping_invoices", "invoicing.Invoice", "anonymise"): 7}
    )
    with scopes_disabled():
        names = set(
            Invoice.objects.filter(pk__in=[i.pk for i in old_invoices]).values_list(
                "buyer_snapshot__name", flat=True
            )
        )
    assert names == {ANONYMISED_NAME}
    run = RetentionRun.objects.get(pk=report.run_id)
    assert run.finished_at is not None
    entries = DeletionLogEntry.objects.filter(run=run, model="invoicing.Invoice")
    assert list(entries.values_list("count", flat=True)) == [7]
    assert retention_run(rules=[rule]).total == 0


def test_a_failing_batch_fails_the_run_and_the_log_counts_what_committed(old_invoices, settings):
    settings.RETENTION_WORKERS = 2
    keys = sorted(i.pk for i in old_invoices)
    failing = keys[4]  # in the third batch of two

    def hook(backend: int, pks: list[Any]) -> None:
        if failing in pks:
            raise RuntimeError("batch failed")

    with pytest.raises(RuntimeError, match="batch failed"):
        retention_run(rules=[_invoice_rule(hook)])

    run = RetentionRun.objects.get()
    assert run.finished_at is None  # the run does not claim success
    with scopes_disabled():
        assert not AuditEntry.objects.filter(action="retention.run.completed").exists()
        done = set(
            Invoice.objects.filter(pk__in=keys, buyer_snapshot__has_key="anonymised").values_list(
                "pk", flat=True
            )
        )
    assert failing not in done and keys[5] not in done  # the failed batch rolled back
    assert set(keys[:2]) <= done  # the first batch committed before the others started
    (entry,) = DeletionLogEntry.objects.filter(run=run)
    assert entry.count == len(done)
