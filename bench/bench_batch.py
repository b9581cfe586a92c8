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
skips the archiving phase (the issue figures only). ``BENCH_PROFILE=<dir>`` writes a
cProfile of the set-based issue to ``<dir>/batch-issue.prof`` (its times inflated by it).

The archiving runs as in production when ``REDIS_URL`` is set (with ``BENCH_BATCH_ARCHIVE``
on): a real ``manage.py run_huey`` with ``HUEY_WORKERS`` worker processes is started and
ready before the clock starts, and the issue's own after-issue hook records one
``delivery.tasks.store_documents_chunk`` per ``ARCHIVE_CHUNK_SIZE`` invoices in the outbox of
each issue chunk's transaction; the push after each commit lets the workers archive while
later chunks are still being issued. The total is the wall time from the start of the issue
until every PDF and EHF is archived; also reported: the CPU time of the consumer and its
processes, and the peak RSS (``VmHWM``) of each worker process. Use a Redis database and
``HUEY_NAME`` of your own (the queue is flushed). Without Redis the chunks are archived one
after another in this process after the issue.
"""

from __future__ import annotations

import cProfile
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.database import use_scratch_database
from bench.drafts import drafts_create

BATCH = int(os.environ.get("BENCH_BATCH", "10000"))
SINGLE = int(os.environ.get("BENCH_BATCH_SINGLE", "200"))
ARCHIVE = os.environ.get("BENCH_BATCH_ARCHIVE", "1") != "0"
PROFILE_DIR = os.environ.get("BENCH_PROFILE", "")


def run() -> list[tuple[str, str, str]]:
    from django.conf import settings
    from django.core.management import call_command

    database = use_scratch_database("bench_batch")
    var_dir = tempfile.mkdtemp(prefix="fakturanett-bench-var-")
    settings.STORAGES["default"]["OPTIONS"]["location"] = os.path.join(var_dir, "media")
    call_command("migrate", verbosity=0)

    from django_scopes import scope

    from accounts.tests.factories import CompanyFactory
    from core.audit import Actor
    from documents.services import issued_documents_store_many
    from invoicing import hooks, services

    actor = Actor.system("bench")
    company = CompanyFactory(name="Batch Regnskap AS")
    by_workers = ARCHIVE and bool(settings.REDIS_URL)
    # Without workers, the archive is timed on its own below, not from the on-commit hook.
    receivers = list(hooks._receivers)
    if not by_workers:
        hooks._receivers.clear()
    workers = _Workers(var_dir) if by_workers else None
    archive_rows: list[tuple[str, str, str]] = []
    try:
        with scope(company=company):
            drafts = drafts_create(
                company=company, actor=actor, count=BATCH + SINGLE, peppol_id="0192:988077917"
            )
            if workers is not None:
                workers.start()
            profiler = cProfile.Profile() if PROFILE_DIR else None
            start, cpu0 = time.perf_counter(), time.process_time()
            if profiler is not None:
                profiler.enable()
            result = services.invoice_issue_many(
                company=company, invoice_ids=[draft.pk for draft in drafts[:BATCH]], actor=actor
            )
            if profiler is not None:
                profiler.disable()
            issue_s = time.perf_counter() - start
            issue_cpu_s = time.process_time() - cpu0
            if profiler is not None:
                profile_path = Path(PROFILE_DIR) / "batch-issue.prof"
                profile_path.parent.mkdir(parents=True, exist_ok=True)
                profiler.dump_stats(profile_path)
            assert len(result.issued) == BATCH, result.failed
            ids = [invoice.pk for invoice in result.issued]
            if workers is not None:
                total = workers.wait_archived(2 * BATCH) - start
                archive_rows = workers.stop()
                how = (
                    f"run_huey, {settings.HUEY_WORKERS} processes, chunks of "
                    f"{settings.ARCHIVE_CHUNK_SIZE}, while issuing"
                )
                archive_rows.insert(
                    0,
                    (
                        f"batch of {BATCH}: archive finished after the issue",
                        f"{total - issue_s:.1f}",
                        "s",
                    ),
                )
            elif ARCHIVE:
                cpu0 = time.process_time()
                begin = time.perf_counter()
                size = settings.ARCHIVE_CHUNK_SIZE
                for first in range(0, len(ids), size):
                    issued_documents_store_many(
                        company=company, invoice_ids=ids[first : first + size]
                    )
                documents_s = time.perf_counter() - begin
                total = issue_s + documents_s
                how = "in this process, after the issue"
                archive_rows = [
                    (f"batch of {BATCH}: archive wall", f"{documents_s:.1f}", "s"),
                    (f"batch of {BATCH}: archive CPU", f"{time.process_time() - cpu0:.1f}", "s"),
                ]
            else:
                total, how = issue_s, "skipped"
            # One by one, for comparison (their own archive tasks are not waited for).
            hooks._receivers.clear()
            begin, cpu0 = time.perf_counter(), time.process_time()
            for draft in drafts[BATCH:]:
                services.invoice_issue(invoice=draft, actor=actor)
            single_s = time.perf_counter() - begin
            single_cpu_s = time.process_time() - cpu0
    finally:
        hooks._receivers[:] = receivers
        if workers is not None:
            workers.stop()
    return [
        (f"batch of {BATCH}: database", database, ""),
        (
            f"batch of {BATCH}: load average at the end",
            " ".join(f"{x:.1f}" for x in os.getloadavg()),
            "",
        ),
        (
            f"batch of {BATCH}: issue (invoice_issue_many)"
            + (" [profiled: times inflated]" if PROFILE_DIR else ""),
            f"{issue_s:.1f}",
            "s",
        ),
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
        (f"batch of {BATCH}: PDF + EHF archived: {how}", "", ""),
        *archive_rows,
        (f"batch of {BATCH}: total, issue + archive", f"{total:.1f}", "s"),
        (f"batch of {BATCH}: per invoice", f"{total / BATCH * 1000:.1f}", "ms"),
    ]


class _Workers:
    """A real ``manage.py run_huey`` on the bench's database, storage and queue."""

    def __init__(self, var_dir: str) -> None:
        self.var_dir = var_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.peak_kb: dict[int, int] = {}
        self.scheduler = 0
        self.workers: list[int] = []

    def start(self) -> None:
        """Start the consumer with an empty queue; return once its worker processes run."""
        from django.conf import settings
        from django.db import connection
        from huey.contrib.djhuey import HUEY

        HUEY.storage.flush_queue()
        db = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
                f"/{db['NAME']}"
            ),
            "VAR_DIR": self.var_dir,
            "LOG_LEVEL": "WARNING",
        }
        self.before = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey"],
            cwd=Path(__file__).resolve().parents[1],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 120
        # Huey's process consumer starts its scheduler process, then the workers.
        while len(self._children()) < settings.HUEY_WORKERS + 1:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("run_huey did not start its worker processes")
            time.sleep(0.2)
        self.scheduler, *self.workers = sorted(self._children())

    def _children(self) -> list[int]:
        assert self.process is not None
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def _sample(self) -> None:
        for pid in self._children():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    self.peak_kb[pid] = max(self.peak_kb.get(pid, 0), int(line.split()[1]))

    def wait_archived(self, files: int) -> float:
        """The ``perf_counter`` time at which ``files`` documents are archived."""
        from django_scopes import scopes_disabled

        from documents.models import StoredDocument

        while True:
            with scopes_disabled():
                if StoredDocument.objects.count() >= files:
                    now = time.perf_counter()
                    self._sample()
                    return now
            self._sample()
            time.sleep(0.2)

    def stop(self) -> list[tuple[str, str, str]]:
        """Stop the consumer (SIGINT: it stops its processes); its CPU and memory."""
        if self.process is None:
            return []
        self._sample()
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - self.before.ru_utime) + (after.ru_stime - self.before.ru_stime)
        peaks = " / ".join(f"{self.peak_kb.get(pid, 0) / 1024:.0f}" for pid in self.workers)
        return [
            (f"batch of {BATCH}: CPU of the consumer and its processes", f"{cpu:.1f}", "s"),
            (f"batch of {BATCH}: peak RSS (VmHWM) of each worker process", peaks, "MB"),
            (
                f"batch of {BATCH}: peak RSS of the scheduler process",
                f"{self.peak_kb.get(self.scheduler, 0) / 1024:.0f}",
                "MB",
            ),
        ]
