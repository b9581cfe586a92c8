"""A batch of issued invoices: issue, archive the PDF and the EHF, as the worker does.

``BENCH_BATCH`` invoices (default 10,000) are created as drafts (3 lines at 25/15/12 %),
then timed in two phases on one process: issuing them (``invoice_issue_many``,
``ISSUE_CHUNK_SIZE`` per transaction: locked number series, snapshots, totals, KID) and
what the after-issue task does for each
(``delivery.files.store_issued_documents``: the PDF rendered once and archived, the EHF
built with the PDF embedded and archived, each with its SHA-256). Target (design.md §7):
10,000 in under 2 minutes on 2 cores; issue ≥ 300 invoices/s. Database as in
``bench.database``. For comparison in the same run, ``BENCH_BATCH_SINGLE`` more drafts
(default 200) are issued one by one with ``invoice_issue``. ``BENCH_BATCH_ARCHIVE=0``
skips the archiving phase (the issue figures only).

The archiving phase runs as in production when ``REDIS_URL`` is set: one
``delivery.tasks.store_documents_chunk`` per ``ARCHIVE_CHUNK_SIZE`` invoices is recorded in
the outbox and run by a real ``manage.py run_huey`` with ``HUEY_WORKERS`` worker processes
(wall time until every file is archived; CPU time of the consumer and its processes).
Without Redis the chunks run one after another in this process.
"""

from __future__ import annotations

import os
import tempfile
import time
from decimal import Decimal

from bench.database import use_scratch_database

BATCH = int(os.environ.get("BENCH_BATCH", "10000"))
SINGLE = int(os.environ.get("BENCH_BATCH_SINGLE", "200"))
ARCHIVE = os.environ.get("BENCH_BATCH_ARCHIVE", "1") != "0"


def run() -> list[tuple[str, str, str]]:
    from django.conf import settings
    from django.core.management import call_command

    database = use_scratch_database("bench_batch")
    var_dir = tempfile.mkdtemp(prefix="fakturanett-bench-var-")
    settings.STORAGES["default"]["OPTIONS"]["location"] = os.path.join(var_dir, "media")
    call_command("migrate", verbosity=0)

    from django_scopes import scope

    from accounts.tests.factories import CompanyFactory
    from catalog.models import VatCode
    from core.audit import Actor
    from documents.services import issued_documents_store_many
    from invoicing import hooks, services
    from invoicing.models import Invoice
    from invoicing.tests.factories import ClientFactory

    actor = Actor.system("bench")
    company = CompanyFactory(name="Batch Regnskap AS")
    # The worker's task is timed on its own below, not from the on-commit hook.
    receivers = list(hooks._receivers)
    hooks._receivers.clear()
    try:
        with scope(company=company):
            codes = {code: VatCode.objects.get(code=code) for code in ("3", "31", "33")}
            clients = [
                ClientFactory(company=company, number=100 + n, peppol_id="0192:988077917")
                for n in range(50)
            ]
            lines = [
                services.LineData(
                    quantity=Decimal(quantity),
                    unit_price=Decimal(price),
                    vat_code=codes[code],
                    description=text,
                )
                for quantity, price, code, text in (
                    ("7.5", "1250.00", "3", "Rådgivning"),
                    ("12", "89.50", "31", "Lunsj"),
                    ("2", "1195.00", "33", "Hotell"),
                )
            ]
            drafts = [
                services.invoice_create_draft(
                    company=company,
                    actor=actor,
                    header=services.InvoiceHeader(client=clients[n % len(clients)]),
                    lines=lines,
                )
                for n in range(BATCH + SINGLE)
            ]
            start, cpu0 = time.perf_counter(), time.process_time()
            result = services.invoice_issue_many(
                company=company, invoice_ids=[draft.pk for draft in drafts[:BATCH]], actor=actor
            )
            issue_s = time.perf_counter() - start
            issue_cpu_s = time.process_time() - cpu0
            assert len(result.issued) == BATCH, result.failed
            start, cpu0 = time.perf_counter(), time.process_time()
            for draft in drafts[BATCH:]:
                services.invoice_issue(invoice=draft, actor=actor)
            single_s = time.perf_counter() - start
            single_cpu_s = time.process_time() - cpu0
            ids = list(
                Invoice.objects.filter(company=company)
                .exclude(status=Invoice.Status.DRAFT)
                .values_list("pk", flat=True)[:BATCH]
            )
            if not ARCHIVE:
                documents_s = cpu_s = 0.0
                how = "skipped"
            elif settings.REDIS_URL:
                documents_s, cpu_s, how = _archive_by_workers(company, ids, var_dir)
            else:
                cpu0 = time.process_time()
                start = time.perf_counter()
                size = settings.ARCHIVE_CHUNK_SIZE
                for first in range(0, len(ids), size):
                    issued_documents_store_many(
                        company=company, invoice_ids=ids[first : first + size]
                    )
                documents_s = time.perf_counter() - start
                cpu_s, how = time.process_time() - cpu0, "in this process"
    finally:
        hooks._receivers[:] = receivers
    total = issue_s + documents_s
    return [
        (f"batch of {BATCH}: database", database, ""),
        (
            f"batch of {BATCH}: load average at the end",
            " ".join(f"{x:.1f}" for x in os.getloadavg()),
            "",
        ),
        (f"batch of {BATCH}: issue (invoice_issue_many)", f"{issue_s:.1f}", "s"),
        (f"batch of {BATCH}: issue throughput", f"{BATCH / issue_s:.0f}", "/s"),
        (f"batch of {BATCH}: issue, CPU of this process", f"{issue_cpu_s:.1f}", "s"),
        (
            f"batch of {BATCH}: issue, CPU per invoice",
            f"{issue_cpu_s / BATCH * 1000:.2f}",
            "ms",
        ),
        (f"{SINGLE} more one by one (invoice_issue)", f"{SINGLE / single_s:.0f}", "/s"),
        (
            f"{SINGLE} more one by one: CPU per invoice",
            f"{single_cpu_s / SINGLE * 1000:.2f}",
            "ms",
        ),
        (f"batch of {BATCH}: PDF + EHF archived ({how})", f"{documents_s:.1f}", "s"),
        (f"batch of {BATCH}: archive CPU", f"{cpu_s:.1f}", "s"),
        (f"batch of {BATCH}: total", f"{total:.1f}", "s"),
        (f"batch of {BATCH}: per invoice", f"{total / BATCH * 1000:.1f}", "ms"),
    ]


def _archive_by_workers(company: object, ids: list[int], var_dir: str) -> tuple[float, float, str]:
    """Record the chunk tasks as the set-based issue does, run a real ``run_huey`` with the
    settings' worker processes until every file is archived; (wall s, CPU s, description)."""
    import resource
    import subprocess
    import sys
    from pathlib import Path

    from django.conf import settings
    from django.db import connection, transaction
    from django_scopes import scopes_disabled
    from huey.contrib.djhuey import HUEY

    from delivery.receivers import store_documents_after_issue_many
    from documents.models import StoredDocument

    HUEY.storage.flush_queue()
    with transaction.atomic():
        store_documents_after_issue_many(company_id=company.pk, invoice_ids=ids)  # type: ignore[attr-defined]
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
    }
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "run_huey"],
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            with scopes_disabled():
                if StoredDocument.objects.count() >= 2 * len(ids):
                    break
            time.sleep(0.2)
        wall = time.perf_counter() - start
    finally:
        worker.send_signal(2)  # SIGINT: the consumer stops its processes and exits
        worker.wait(60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    how = f"run_huey, {settings.HUEY_WORKERS} processes, chunks of {settings.ARCHIVE_CHUNK_SIZE}"
    return wall, cpu, how
