"""The retention run: every rule, for real or as a dry run, through the same code."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django_scopes import scopes_disabled

from core.audit import Actor, audit_log
from core.personal_data.handlers import Handler
from core.personal_data.retention import Context
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
        # held for one batch, and the deletion log counts what has committed so far.
        size = target.batch_size or len(pks)
        entry: DeletionLogEntry | None = None
        for start in range(0, len(pks), size):
            batch = pks[start : start + size]
            with transaction.atomic():
                _commit_without_waiting_for_the_disk()
                target.apply(batch, ctx)
                if entry is None:
                    entry = DeletionLogEntry.objects.create(
                        run=run,
                        rule=rule.key,
                        model=target.model,
                        action=target.action,
                        count=len(batch),
                    )
                else:
                    DeletionLogEntry.objects.filter(pk=entry.pk).update(
                        count=F("count") + len(batch)
                    )


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
