"""The durable outbox: work that must happen after a commit, even when the queue is down.

``outbox_enqueue`` writes an ``OutboxMessage`` in the caller's transaction and, once that
transaction commits, pushes ``core.tasks.outbox_run`` to Huey. Three things run a
message:

- the worker, when the push got through (the normal path, at once or after ``delay``);
- ``core.tasks.outbox_sweep`` every minute and ``outbox_drain`` at the worker's start-up,
  for messages whose push failed (Redis down, the SQLite queue locked) or whose task was
  lost, and for retries after a failure;
- ``manage.py outbox_drain``, by hand after an outage.

A rolled-back transaction takes its messages with it, and a failed push never reaches the
caller (the row waits for the sweep), so committed work never answers 500 or "nothing was
saved" because of the queue.

Running a message claims it first: one conditional UPDATE sets a fresh ``claim_token``
where the message is not done and not claimed (or its claim is older than
``OUTBOX_CLAIM_SECONDS``, its runner presumably dead). Of any number of runners — the
pushed task, the sweep, a drain — exactly one wins; finishing is conditional on the same
token. A runner killed mid-task leaves a stale claim that is taken over later, so a task
runs at least once: tasks must tolerate a second run (``delivery.tasks.send_delivery``
does through its own claim and Message-ID).

A failing task is retried with back-off (1, 2, 4 … minutes) up to ``OUTBOX_MAX_ATTEMPTS``
times, then marked failed and logged as an error. Done messages lose their arguments at
once; done and failed rows are deleted by the retention rule ``outbox``.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.module_loading import import_string
from huey.api import TaskWrapper

from core.models import OutboxMessage

logger = logging.getLogger(__name__)

OUTBOX_MAX_ATTEMPTS = 8
RETRY_BASE_SECONDS = 60
# The sweep leaves a fresh message to its pushed task this long (no race for nothing).
SWEEP_GRACE = datetime.timedelta(seconds=60)
# Done messages are deleted after this long, failed ones after FAILED_KEEP (retention).
DONE_KEEP = datetime.timedelta(days=7)
FAILED_KEEP = datetime.timedelta(days=30)
DRAIN_BATCH = 200
OUTBOX_RUN_TASK = "core.tasks.outbox_run"


def claim_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.OUTBOX_CLAIM_SECONDS)


def _resolve(name: str) -> TaskWrapper[..., Any]:
    task = import_string(name)
    if not isinstance(task, TaskWrapper):  # rows only ever name Huey tasks
        raise TypeError(f"{name} is not a task")
    return task


# --- Writing ---------------------------------------------------------------------------------


def outbox_enqueue(
    *,
    task: str,
    args: Iterable[Any] = (),
    kwargs: dict[str, Any] | None = None,
    delay: float = 0,
) -> OutboxMessage:
    """Record ``task(*args, **kwargs)`` in the current transaction; push it after commit.

    ``task`` is the task's dotted name (``"privacy.tasks.export_build_task"``), so a service
    never imports its app's tasks module (which imports the services). Arguments must be
    JSON values; prefer ids and let the task load the rest.
    """
    name = task
    _resolve(name)  # fail at the caller, not in the worker
    now = timezone.now()
    message = OutboxMessage.objects.create(
        task=name,
        args=list(args),
        kwargs=dict(kwargs or {}),
        eta=now + datetime.timedelta(seconds=delay),
    )
    message_id = message.pk
    transaction.on_commit(lambda: outbox_push(message_id=message_id, delay=delay))
    return message


def outbox_push(*, message_id: int, delay: float = 0) -> bool:
    """Put the message's task on the queue; False (logged) when the queue is unavailable."""
    outbox_run = _resolve(OUTBOX_RUN_TASK)  # by name: core.tasks imports this module
    try:
        if delay > 0:
            outbox_run.schedule((message_id,), delay=delay)
        else:
            outbox_run(message_id)
    except Exception:
        logger.warning(
            "Task queue unavailable: outbox message %s waits for the sweep",
            message_id,
            exc_info=True,
        )
        return False
    return True


# --- Running -----------------------------------------------------------------------------------


def outbox_claim(*, message_id: int, now: datetime.datetime | None = None) -> uuid.UUID | None:
    """Take the message for running; None if it is done or someone else has it.

    The eta is the queue's business for a pushed task (Huey runs it then) and the sweep's
    filter (``outbox_due``) for the rest; the claim only decides who runs it.
    """
    now = now or timezone.now()
    token = uuid.uuid4()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True, failed_at__isnull=True)
        .filter(Q(claim_token__isnull=True) | Q(claimed_at__lt=now - claim_timeout()))
        .update(claim_token=token, claimed_at=now, attempts=F("attempts") + 1)
    )
    return token if claimed else None


def retry_delay(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def outbox_message_run(*, message_id: int) -> bool:
    """Claim and run one message; True if this call ran it to the end."""
    token = outbox_claim(message_id=message_id)
    if token is None:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        _resolve(message.task).call_local(*message.args, **message.kwargs)
    except Exception as exc:
        outbox_message_failed(message=message, token=token, error=repr(exc))
        return False
    OutboxMessage.objects.filter(pk=message_id, claim_token=token).update(
        done_at=timezone.now(), claim_token=None, args=[], kwargs={}, last_error=""
    )
    return True


def outbox_message_failed(*, message: OutboxMessage, token: uuid.UUID, error: str) -> None:
    """Release the claim: retry later with back-off, or give up after the last attempt."""
    now = timezone.now()
    mine = OutboxMessage.objects.filter(pk=message.pk, claim_token=token)
    if message.attempts >= OUTBOX_MAX_ATTEMPTS:
        logger.error(
            "Outbox message %s (%s) failed %s times; giving up: %s",
            message.pk,
            message.task,
            message.attempts,
            error,
        )
        mine.update(failed_at=now, claim_token=None, last_error=error[:2000])
        return
    logger.warning(
        "Outbox message %s (%s) failed (attempt %s), retried later: %s",
        message.pk,
        message.task,
        message.attempts,
        error,
    )
    mine.update(
        claim_token=None,
        claimed_at=None,
        eta=now + retry_delay(message.attempts),
        last_error=error[:2000],
    )


def outbox_due(
    *, now: datetime.datetime | None = None, grace: datetime.timedelta = SWEEP_GRACE
) -> QuerySet[OutboxMessage]:
    """Messages a sweep should run: due, not done, unclaimed or with a stale claim.

    A message never tried waits ``grace`` after its eta for its pushed task; a retry
    (attempts > 0) has no pushed task and is due at its eta.
    """
    now = now or timezone.now()
    return (
        OutboxMessage.objects.filter(done_at__isnull=True, failed_at__isnull=True)
        .filter(Q(attempts=0, eta__lte=now - grace) | Q(attempts__gt=0, eta__lte=now))
        .filter(Q(claim_token__isnull=True) | Q(claimed_at__lt=now - claim_timeout()))
        .order_by("eta", "id")
    )


def outbox_drain(
    *, grace: datetime.timedelta = SWEEP_GRACE, limit: int | None = None
) -> dict[str, int]:
    """Run every due message (in batches, until none is left or ``limit`` is reached)."""
    ran = tried = 0
    seen: set[int] = set()
    while limit is None or tried < limit:
        batch = [
            pk
            for pk in outbox_due(grace=grace).values_list("pk", flat=True)[:DRAIN_BATCH]
            if pk not in seen
        ]
        if not batch:
            break
        for pk in batch:
            seen.add(pk)  # a message that failed now is retried later, not in this loop
            tried += 1
            ran += outbox_message_run(message_id=pk)
            if limit is not None and tried >= limit:
                break
    return {"ran": ran, "tried": tried}


def outbox_backlog(*, now: datetime.datetime | None = None) -> dict[str, Any]:
    """Pending and failed counts and the age of the oldest pending message (for /healthz)."""
    now = now or timezone.now()
    pending = OutboxMessage.objects.filter(done_at__isnull=True, failed_at__isnull=True)
    oldest = pending.order_by("eta").values_list("eta", flat=True).first()
    return {
        "pending": pending.count(),
        "failed": OutboxMessage.objects.filter(failed_at__isnull=False).count(),
        "oldest_pending_seconds": max(int((now - oldest).total_seconds()), 0) if oldest else 0,
    }


def outbox_enqueue_many(
    *, task: str, calls: list[tuple[list[Any], dict[str, Any]]]
) -> list[OutboxMessage]:
    """Many calls of one task (by dotted name) in one INSERT (a campaign's recipients);
    pushed after commit."""
    name = task
    _resolve(name)
    now = timezone.now()
    messages = OutboxMessage.objects.bulk_create(
        [OutboxMessage(task=name, args=list(a), kwargs=dict(k), eta=now) for a, k in calls],
        batch_size=1000,
    )
    ids = [m.pk for m in messages]

    def push() -> None:
        for message_id in ids:
            if not outbox_push(message_id=message_id):
                break  # the queue is down: the sweep takes the rest

    transaction.on_commit(push)
    return messages
