"""Queue outages and worker kills (issue 14, item 5), on PostgreSQL with real processes.

Each test starts its own ``redis-server`` on a free port and points Huey at it (not at the
shared Redis of the suite), so it can stop it. The worker-kill test runs the real worker
(``manage.py run_huey``) as a subprocess against the test database and a real SMTP peer
(aiosmtpd), and kills it with SIGKILL in the middle of a batch.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections import Counter
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

from core.audit import Actor
from core.models import AuditEntry, OutboxMessage
from core.outbox import outbox_drain
from delivery import services, tasks
from delivery.models import Delivery, Status
from delivery.tests.conftest import free_port, issue_for, make_client, wait_until
from invoicing.models import Invoice
from invoicing.tests.factories import draft_invoice, issued_invoice

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


class RedisServer:
    """A throwaway redis-server: no persistence, its own port."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.dir = tmp_path
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                *("--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.dir)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis(port=self.port)
        assert wait_until(lambda: _pings(client), timeout=10), "redis-server did not start"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


def _pings(client) -> bool:
    try:
        return client.ping()
    except Exception:
        return False


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def huey_on(redis_server):
    """The app's Huey enqueues into the test's own Redis instead of running in-process."""
    was_immediate, was_storage = HUEY.immediate, HUEY.storage
    HUEY.immediate = False
    HUEY.storage = RedisStorage(name=settings.HUEY["name"], url=redis_server.url)
    yield HUEY
    HUEY.storage = was_storage
    HUEY.immediate = was_immediate


def test_redis_stopped_issue_send_and_reset_answer_fine_and_resume_when_it_is_back(
    company, owner, owner_client, redis_server, huey_on, smtp_server
):
    with scope(company=company):
        client = make_client(company, delivery_channel="email", invoice_emails="k@kunde.no")
        draft = draft_invoice(company=company, client=client)
    redis_server.stop()  # the queue is down from here

    issued = owner_client.post(reverse("invoicing:issue", args=[draft.pk]))
    assert issued.status_code == 302 and issued["Location"].endswith(f"/{draft.pk}/")
    with scopes_disabled():
        invoice = Invoice.objects.get(pk=draft.pk)
    assert invoice.number is not None  # committed, not "nothing was saved"
    sent = owner_client.post(reverse("delivery:send", args=[invoice.pk]), {"channel": "email"})
    assert sent.status_code == 302
    reset = owner_client.post(reverse("accounts:password_reset"), {"email": owner.email})
    assert reset.status_code == 200

    # Every piece of work waits in the outbox; nothing was sent.
    waiting = Counter(OutboxMessage.objects.filter(done_at__isnull=True).values_list("task"))
    assert waiting == Counter(
        {
            ("delivery.tasks.store_documents",): 1,
            ("delivery.tasks.send_delivery",): 1,
            ("accounts.tasks.password_reset_email",): 1,
        }
    )
    assert smtp_server.messages == []

    redis_server.start()  # the queue is back; the worker's sweep (here: the drain) runs
    assert huey_on.pending_count() == 0  # what failed to push is not in Redis either
    # Three waited; the reset task's look-up then queued the reset e-mail itself (a
    # fourth message, pushed to the live queue and also run by this drain).
    assert outbox_drain(grace=datetime.timedelta(0)) == {"ran": 4, "tried": 4}
    subjects = sorted(str(m["Subject"]) for m in smtp_server.messages)
    assert len(subjects) == 2
    assert any(invoice.number and str(invoice.number) in s for s in subjects)
    with scopes_disabled():
        (delivery,) = Delivery.objects.filter(invoice=invoice)
        assert delivery.status == Status.SENT
        assert invoice.stored_documents.filter(kind="pdf").exists()
    assert not OutboxMessage.objects.filter(done_at__isnull=True).exists()
    # A second drain (another worker starting) sends nothing again.
    assert outbox_drain(grace=datetime.timedelta(0)) == {"ran": 0, "tried": 0}
    assert len(smtp_server.messages) == 2


class StallingPeer:
    """Accepts messages, but holds the ``stall_at``-th in DATA without answering.

    A real MTA takes responsibility for a message only with its final 250; when the
    client dies first, it discards it. aiosmtpd cancels the handler when the connection
    is lost, so the stalled message is never recorded.
    """

    def __init__(self, stall_at: int) -> None:
        self.stall_at = stall_at
        self.count = 0
        self.envelopes: list = []
        self.stalled = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        if self.count == self.stall_at:
            self.stalled.set()
            await asyncio.sleep(60)
            return "451 Timed out"
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list:
        return [
            message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes
        ]


def _worker(
    *,
    redis_url: str,
    smtp_port: int,
    var_dir: Path,
    options: tuple[str, ...] = ("--workers", "1", "--worker-type", "thread"),
    extra_env: dict[str, str] | None = None,
) -> subprocess.Popen:
    """``manage.py run_huey`` against the test database (one worker thread unless
    ``options`` say otherwise; ``()``: the settings' process workers), in its own
    process group so that a test can kill the consumer with its worker processes."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "FAKTURANETT_"))
    }
    db = connection.settings_dict
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "fakturanett.settings",
            "DATABASE_URL": (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/"
                f"{db['NAME']}"
            ),
            "REDIS_URL": redis_url,
            "HUEY_NAME": settings.HUEY["name"],
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
            "VAR_DIR": str(var_dir),  # archived documents: var_dir/media, as in the test
            "LOG_LEVEL": "WARNING",
        }
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    env.update(extra_env or {})
    return subprocess.Popen(
        [sys.executable, "manage.py", "run_huey", *options],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def _stop(process: subprocess.Popen) -> str:
    with contextlib.suppress(ProcessLookupError):
        process.send_signal(signal.SIGINT)
    try:
        _, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return (err or b"").decode(errors="replace")[-3000:]


def test_a_worker_killed_mid_batch_delivers_every_invoice_exactly_once(
    company, owner, media, redis_server, huey_on
):
    peer = StallingPeer(stall_at=3)
    controller = Controller(peer, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        with scope(company=company):
            client = make_client(company, delivery_channel="email", invoice_emails="k@kunde.no")
        invoices = [issue_for(company, client=client) for _ in range(5)]
        with scope(company=company):
            batch = services.batch_create(
                company=company, invoice_ids=[i.pk for i in invoices], actor=Actor.user(owner)
            )
        # The batch committed: its five tasks (after the five archiving tasks of the
        # issues) wait in Redis for a worker.
        assert OutboxMessage.objects.filter(task="delivery.tasks.send_delivery").count() == 5
        assert huey_on.pending_count() == OutboxMessage.objects.count()

        worker = _worker(redis_url=redis_server.url, smtp_port=controller.port, var_dir=media)
        try:
            assert peer.stalled.wait(60), _stop(worker)
        finally:
            worker.kill()  # SIGKILL in the middle of the third transmission
            worker.wait(10)

        with scopes_disabled():
            states = Counter(Delivery.objects.values_list("status", flat=True))
        assert states == Counter({Status.SENT: 2, Status.SENDING: 1, Status.QUEUED: 2})
        assert len(peer.envelopes) == 2

        # The periodic sweep, once STALE_SENDING has passed, resumes the interrupted
        # attempt and re-enqueues the two queued ones (by then overdue): they are in
        # Redis twice now, and a restarted worker must still send each once.
        with scopes_disabled():
            unsent = set(Delivery.objects.exclude(status=Status.SENT).values_list("pk", flat=True))
        later = timezone.now() + services.STALE_SENDING + datetime.timedelta(minutes=1)
        found = services.deliveries_requeue(now=later)
        assert {pk for _, pk in found} == unsent
        for company_id, delivery_id in found:
            tasks.send_delivery(company_id, delivery_id)
        worker = _worker(redis_url=redis_server.url, smtp_port=controller.port, var_dir=media)
        try:
            with scopes_disabled():
                done = wait_until(
                    lambda: Delivery.objects.filter(status=Status.SENT).count() == 5, timeout=90
                )
        finally:
            log = _stop(worker)
        assert done, log
    finally:
        controller.stop()

    with scopes_disabled():
        deliveries = list(Delivery.objects.order_by("invoice_id"))
        batch.refresh_from_db()
        assert AuditEntry.objects.filter(action="delivery.resumed").count() == 1
    # Every invoice once: one attempt each, one message each at the peer.
    assert [d.invoice_id for d in deliveries] == sorted(i.pk for i in invoices)
    assert {(d.status, d.attempt) for d in deliveries} == {(Status.SENT, 1)}
    received = Counter(str(m["Message-ID"]) for m in peer.messages)
    assert received == Counter({d.message_id: 1 for d in deliveries})
    subjects = Counter(str(m["Subject"]) for m in peer.messages)
    assert subjects == Counter(f"Faktura {i.number} fra {company.name}" for i in invoices)
    assert batch.finished_at is not None
    # And the worker's outbox rows are all done (the killed one's claim included, once
    # the claim timeout passes; the delivery itself did not wait for it).
    assert OutboxMessage.objects.filter(task="delivery.tasks.send_delivery").count() == 5


def test_worker_processes_killed_mid_archiving_lose_and_duplicate_nothing(
    company, owner, media, redis_server, huey_on
):
    """Chunks of issued invoices archived by two worker processes (the settings' process
    workers), all killed with SIGKILL while some chunks are committed and others are not:
    a restarted worker archives the rest, and every invoice ends with exactly one PDF and
    one EHF, one audit entry each, and no file twice in the storage."""
    from delivery.receivers import store_documents_after_issue_many
    from documents.models import StoredDocument

    with scope(company=company):
        client = make_client(company, delivery_channel="ehf")
        invoices = [
            issued_invoice(company=company, client=client, order_number="PO-1") for _ in range(60)
        ]
    ids = [invoice.pk for invoice in invoices]
    # The per-invoice tasks of the single issues are not this test's subject.
    OutboxMessage.objects.all().delete()
    HUEY.storage.flush_queue()
    # As the set-based issue records them, in its transaction: 6 chunks of 10.
    with transaction.atomic(), override_settings(ARCHIVE_CHUNK_SIZE=10):
        store_documents_after_issue_many(company_id=company.pk, invoice_ids=ids)
    assert huey_on.pending_count() == 6
    total = 2 * len(ids)

    def archived() -> int:
        with scopes_disabled():
            return StoredDocument.objects.count()

    worker = _worker(
        redis_url=redis_server.url,
        smtp_port=free_port(),
        var_dir=media,
        options=(),
        extra_env={"HUEY_WORKERS": "2"},
    )
    try:
        assert wait_until(lambda: archived() > 0, timeout=120), _stop(worker)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the consumer and both worker processes
        worker.wait(10)
    at_kill = archived()
    assert 0 < at_kill < total  # some chunks committed, the others lost with the workers

    # A restarted worker takes over the killed ones' outbox messages once their claims
    # are stale (OUTBOX_CLAIM_SECONDS), at its start-up drain or the sweep.
    worker = _worker(
        redis_url=redis_server.url,
        smtp_port=free_port(),
        var_dir=media,
        options=(),
        extra_env={"HUEY_WORKERS": "2", "OUTBOX_CLAIM_SECONDS": "1"},
    )
    try:
        done = wait_until(lambda: archived() == total, timeout=180)
        settled = wait_until(
            lambda: not OutboxMessage.objects.filter(done_at__isnull=True).exists(), timeout=60
        )
    finally:
        log = _stop(worker)
    assert done and settled, log

    with scopes_disabled():
        rows = list(StoredDocument.objects.all())
        entries = Counter(
            AuditEntry.objects.filter(
                action__in=["documents.pdf.stored", "documents.ehf.stored"]
            ).values_list("object_id", "action")
        )
    assert Counter((row.invoice_id, row.kind) for row in rows) == Counter(
        {(pk, kind): 1 for pk in ids for kind in ("pdf", "ehf")}
    )
    assert entries == Counter(
        {(str(pk), f"documents.{kind}.stored"): 1 for pk in ids for kind in ("pdf", "ehf")}
    )
    for row in rows:
        row.read()  # present, and the bytes match the SHA-256 taken when archived
    stored_files = sorted(
        p.name for p in (media / "media" / "documents" / str(company.pk)).iterdir()
    )
    assert stored_files == sorted(row.file_name.rsplit("/", 1)[1] for row in rows)
