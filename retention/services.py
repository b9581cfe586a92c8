"""The retention run: every rule, for real or as a dry run, through the same code."""

from __future__ import annotations

import datetime
import threading
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_scopes import scopes_disabled

from core.audit import Actor, audit_log
from core.personal_data.handlers import Handler
from core.personal_data.retention import Context, Target
from retention import sources
from retention.models import DeletionLogEntry, RetentionRun
from retention.rules import rules as registered_rules


@dataclass
class RuleResult:
    rule: str
    model: str
    action: str
    count: int


@dataclass
class RunReport:
    run_id: uuid.UUID
    day: datetime.date
    dry_run: bool
    results: list[RuleResult] = field(default_factory=list)

    def counts(self) -> dict[tuple[str, str, str], int]:
        """(rule, model, action) → rows; the dry run's must equal the real run's."""
        counts: dict[tuple[str, str, str], int] = {}
        for r in self.results:
            # A rule may have several targets on one model (its own deadline, and the
            # customer that left): they add up.
            key = (r.rule, r.model, r.action)
            counts[key] = counts.get(key, 0) + r.count
        return counts

    @property
    def total(self) -> int:
        return sum(r.count for r in self.results)


def _commit_without_waiting_for_the_disk() -> None:
    """This batch's COMMIT does not wait for its WAL to reach the disk (PostgreSQL's
    ``synchronous_commit`` off, for this transaction only). A crash can lose the last
    batches committed, but a batch's changes and its deletion-log count are one
    transaction, so both are lost together and the next run finds and does those rows
    again; nothing is left half done. Other transactions keep the server's setting."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def _workers(target: Target, batches: int) -> int:
    """Connections to apply ``target``'s batches on: ``RETENTION_WORKERS`` for a target
    whose batches touch only their own rows, on PostgreSQL, when the run is not inside a
    caller's transaction (other connections would not see its rows, and its batches are
    savepoints, not commits); otherwise one."""
    if (
        not target.parallel
        or connection.vendor != "postgresql"
        or connection.in_atomic_block
        or batches < 2
    ):
        return 1
    return max(1, min(int(getattr(settings, "RETENTION_WORKERS", 1)), batches))


class _Batches:
    """A target's batches handed out in key order to the connections that apply them, and
    its deletion-log entry."""

    def __init__(
        self, rule: Handler, target: Target, pks: list[Any], ctx: Context, run: RetentionRun
    ) -> None:
        size = target.batch_size or len(pks)
        chunks = [pks[start : start + size] for start in range(0, len(pks), size)]
        self.count = len(chunks)
        self._pending = iter(chunks)
        self._lock = threading.Lock()
        self.rule, self.target, self.ctx, self.run = rule, target, ctx, run
        self.entry: DeletionLogEntry | None = None
        self.failures: list[BaseException] = []

    def next(self) -> list[Any] | None:
        with self._lock:
            if self.failures:
                return None  # after a failure no new batch starts
            return next(self._pending, None)

    def apply(self, batch: list[Any]) -> None:
        """One batch and its deletion-log count in one transaction, on this thread's
        connection. The first batch creates the entry (alone: ``_apply_batches``), so the
        entry has committed before any other batch adds to it."""
        with transaction.atomic():
            _commit_without_waiting_for_the_disk()
            self.target.apply(batch, self.ctx)
            if self.entry is None:
                self.entry = DeletionLogEntry.objects.create(
                    run=self.run,
                    rule=self.rule.key,
                    model=self.target.model,
                    action=self.target.action,
                    count=len(batch),
                )
            else:
                # Batches on other connections wait here for each other's commit (the
                # row lock), so no count is lost.
                DeletionLogEntry.objects.filter(pk=self.entry.pk).update(
                    count=F("count") + len(batch)
                )

    def work(self) -> None:
        """Apply batches until none is left or one failed (here or on another connection)."""
        try:
            with scopes_disabled():
                while (batch := self.next()) is not None:
                    self.apply(batch)
        except BaseException as exc:  # raised by the caller once every connection stopped
            with self._lock:
                self.failures.append(exc)


def _apply_batches(batches: _Batches, workers: int) -> None:
    """Every batch: the first on this thread's connection, then the others on ``workers``
    connections (this thread's and ``workers - 1`` threads with their own). Re-raises the
    first failure once every connection has stopped; the batches that committed before
    it stay committed and counted, as in a serial run."""

    def thread_work() -> None:
        try:
            batches.work()
        finally:
            connection.close()  # the thread's own connection

    first = batches.next()
    if first is None:
        return
    batches.apply(first)
    threads = [threading.Thread(target=thread_work) for _ in range(workers - 1)]
    for thread in threads:
        thread.start()
    batches.work()
    for thread in threads:
        thread.join()
    if batches.failures:
        raise batches.failures[0]


def _run_rule(rule: Handler, ctx: Context, report: RunReport, run: RetentionRun | None) -> None:
    if rule.targets is None:  # the retention handlers are those with targets
        return
    for target in rule.targets(ctx):
        # The primary keys are read once: the count printed is the set acted on. In key
        # order whatever plan the database picks, so that a batch writes neighbouring
        # pages of the table and its indexes (1,000 invoices in random order dirtied
        # ~10,000 pages and wrote 16 times the WAL of 1,000 in key order: ~500 pages).
        pks = list(target.queryset.order_by("pk").values_list("pk", flat=True).distinct())
        report.results.append(RuleResult(rule.key, target.model, target.action, len(pks)))
        if run is None or not pks:
            continue
        # Batches of ``target.batch_size`` rows, each committed on its own: row locks are
        # held for one batch, and the deletion log counts what has committed so far. A
        # large target whose batches touch only their own rows is applied on several
        # connections at once (one core each); the rows changed are the same.
        batches = _Batches(rule, target, pks, ctx, run)
        _apply_batches(batches, _workers(target, batches.count))


def retention_run(
    *,
    dry_run: bool = False,
    today: datetime.date | None = None,
    rules: list[Handler] | None = None,
) -> RunReport:
    """Apply every retention rule. A dry run reads exactly the same rows and writes nothing.

    The real run writes a deletion log (rule, model, action, count, run id, time: no
    personal data) and an audit entry; a rule's changes commit in batches of
    ``core.personal_data.retention.BATCH_SIZE`` rows, each with its deletion-log count. Guard
    triggers
    are lifted only inside a batch's own transaction (``core.guards``): other tenants keep
    writing the same tables meanwhile.
    """
    today = today or timezone.localdate()
    with scopes_disabled():
        ctx = sources.build_context(today=today)
        run = None if dry_run else RetentionRun.objects.create(day=today)
        report = RunReport(run_id=run.pk if run else uuid.uuid4(), day=today, dry_run=dry_run)
        for rule in rules if rules is not None else registered_rules():
            _run_rule(rule, ctx, report, run)
        if run is not None:
            run.finished_at = timezone.now()
            run.save(update_fields=["finished_at"])
            audit_log(
                action="retention.run.completed",
                actor=Actor.system("retention"),
                target=run,
                data={"day": today.isoformat(), "rows": report.total},
            )
    return report
