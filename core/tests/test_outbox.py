"""The durable outbox: written in the caller's transaction, run once, kept while the queue
is down."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from core import outbox
from core.models import OutboxMessage

pytestmark = pytest.mark.django_db

NOW = datetime.timedelta(0)


def send(to="kari@example.no"):
    return outbox.outbox_enqueue(
        task="accounts.tasks.send_email",
        kwargs={"to": to, "subject": "Hei", "text": "Tekst", "html": "<p>Tekst</p>"},
    )


@pytest.fixture
def queue_down(monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("Redis is not answering")

    monkeypatch.setattr(HUEY, "enqueue", refuse)
    return monkeypatch


def test_a_message_is_pushed_after_commit_and_runs_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = send()
    assert [m.to for m in mail.outbox] == [["kari@example.no"]]
    message.refresh_from_db()
    assert message.done_at is not None and message.attempts == 1
    # Done: the arguments (an address, a text) are gone, and no runner takes it again.
    assert (message.args, message.kwargs) == ([], {})
    assert outbox.outbox_message_run(message_id=message.pk) is False
    assert outbox.outbox_drain(grace=NOW) == {"ran": 0, "tried": 0}
    assert len(mail.outbox) == 1


def test_a_rolled_back_transaction_leaves_no_message(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        send()
        raise RuntimeError("the service failed")
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_queue_down_at_commit_keeps_the_message_for_the_sweep(
    queue_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = send()  # no exception reaches the caller
    assert mail.outbox == []
    assert OutboxMessage.objects.get().done_at is None
    # The sweep leaves a fresh message to its pushed task for a minute...
    assert outbox.outbox_drain() == {"ran": 0, "tried": 0}
    queue_down.undo()
    # ...then runs it (the drain command does not wait).
    out = io.StringIO()
    call_command("outbox_drain", stdout=out)
    assert "ran=1 tried=1" in out.getvalue() and "pending=0" in out.getvalue()
    assert [m.to for m in mail.outbox] == [["kari@example.no"]]
    message.refresh_from_db()
    assert message.done_at is not None


def test_one_claim_wins(django_capture_on_commit_callbacks):
    message = send()  # on_commit not run: nothing pushed
    first = outbox.outbox_claim(message_id=message.pk)
    assert first is not None
    assert outbox.outbox_claim(message_id=message.pk) is None
    # A runner that died holds a stale claim; after the timeout another takes over.
    later = timezone.now() + outbox.claim_timeout() + datetime.timedelta(seconds=1)
    second = outbox.outbox_claim(message_id=message.pk, now=later)
    assert second not in (None, first)
    message.refresh_from_db()
    assert (message.claim_token, message.attempts) == (second, 2)


def test_a_failing_task_is_retried_with_back_off_then_given_up(monkeypatch):
    def broken(self, *args, **kwargs):
        raise OSError("SMTP refused")

    message = send()
    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    assert outbox.outbox_message_run(message_id=message.pk) is False
    message.refresh_from_db()
    assert message.claim_token is None and message.done_at is None
    assert message.eta > timezone.now() + datetime.timedelta(seconds=50)
    assert "SMTP refused" in message.last_error
    # Not due yet: the sweep leaves it.
    assert outbox.outbox_drain(grace=NOW) == {"ran": 0, "tried": 0}
    OutboxMessage.objects.filter(pk=message.pk).update(
        attempts=outbox.OUTBOX_MAX_ATTEMPTS - 1, eta=timezone.now()
    )
    assert outbox.outbox_drain(grace=NOW) == {"ran": 0, "tried": 1}
    message.refresh_from_db()
    assert message.failed_at is not None
    assert outbox.outbox_backlog()["failed"] == 1


def test_a_delayed_message_waits_for_its_eta(queue_down):
    message = outbox.outbox_enqueue(
        task="accounts.tasks.send_email",
        kwargs={"to": "a@example.no", "subject": "s", "text": "t", "html": "h"},
        delay=300,
    )
    assert outbox.outbox_drain(grace=NOW) == {"ran": 0, "tried": 0}
    later = timezone.now() + datetime.timedelta(seconds=301)
    assert list(outbox.outbox_due(now=later, grace=NOW)) == [message]


def test_only_huey_tasks_can_be_enqueued():
    with pytest.raises(TypeError):
        outbox.outbox_enqueue(task="builtins.print")
    OutboxMessage.objects.create(task="os.system", args=["true"], eta=timezone.now())
    assert outbox.outbox_drain(grace=NOW) == {"ran": 0, "tried": 1}
    assert "not a task" in OutboxMessage.objects.get().last_error


def test_the_retention_rule_deletes_old_done_and_failed_rows():
    now = timezone.now()
    old_done = OutboxMessage.objects.create(
        task="x.y", eta=now, done_at=now - datetime.timedelta(days=8)
    )
    new_done = OutboxMessage.objects.create(
        task="x.y", eta=now, done_at=now - datetime.timedelta(days=1)
    )
    old_failed = OutboxMessage.objects.create(
        task="x.y", eta=now, failed_at=now - datetime.timedelta(days=31)
    )
    pending = OutboxMessage.objects.create(task="x.y", eta=now - datetime.timedelta(days=60))
    call_command("retention_run", stdout=io.StringIO())
    left = set(OutboxMessage.objects.values_list("pk", flat=True))
    assert left == {new_done.pk, pending.pk}
    assert old_done.pk not in left and old_failed.pk not in left


def test_the_outbox_is_in_the_privacy_inventory():
    from core.personal_data.inventory import declaration_for

    declaration = declaration_for("core.OutboxMessage")
    assert declaration is not None
    assert set(declaration.personal) == {"args", "kwargs", "last_error"}
