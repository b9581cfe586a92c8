"""Documents are archived once after issue; an attempt is transmitted at most once."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.audit import Actor
from core.models import AuditEntry
from delivery import files, services, tasks
from delivery.models import Delivery, Status
from delivery.receivers import store_documents_after_issue
from delivery.tests.conftest import issue_for, make_client
from documents.models import StoredDocument
from invoicing import hooks
from invoicing.tests.factories import draft_invoice

pytestmark = pytest.mark.django_db


def archived(invoice):
    with scopes_disabled():
        return {row.kind: row for row in StoredDocument.objects.filter(invoice=invoice)}


def test_issue_archives_pdf_and_ehf_once(company, owner, django_capture_on_commit_callbacks):
    assert store_documents_after_issue in hooks._receivers
    from invoicing import services as invoicing_services

    with scope(company=company):
        client = make_client(company)
        draft = draft_invoice(company=company, client=client)
        with django_capture_on_commit_callbacks(execute=True):
            invoice = invoicing_services.invoice_issue(invoice=draft, actor=Actor.user(owner))
    first = archived(invoice)
    assert set(first) == {"pdf", "ehf"}
    pdf = first["pdf"].read()
    assert pdf.startswith(b"%PDF")
    xml = first["ehf"].read()
    import base64
    import hashlib

    # The EHF embeds exactly the archived PDF, and both carry their SHA-256.
    assert base64.b64encode(pdf) in xml
    assert first["pdf"].sha256 == hashlib.sha256(pdf).hexdigest()
    assert first["ehf"].sha256 == hashlib.sha256(xml).hexdigest()

    # The task runs again (a retry): nothing new is rendered or stored.
    tasks.store_documents(invoice.pk)
    with scope(company=company):
        files.store_issued_documents(invoice.pk)
    again = archived(invoice)
    assert {kind: row.pk for kind, row in again.items()} == {
        kind: row.pk for kind, row in first.items()
    }
    with scopes_disabled():
        assert StoredDocument.objects.filter(invoice=invoice).count() == 2
        assert AuditEntry.objects.filter(action="documents.pdf.stored").count() == 1


def test_running_the_send_task_twice_sends_once(
    company, owner, email_client, smtp_server, django_capture_on_commit_callbacks
):
    invoice = issue_for(company, client=email_client)
    with django_capture_on_commit_callbacks(execute=True):
        delivery = services.delivery_request(
            invoice=invoice, channel="email", actor=Actor.user(owner)
        )
    tasks.send_delivery(company.pk, delivery.pk)
    tasks.send_delivery.call_local(company.pk, delivery.pk)
    assert len(smtp_server.messages) == 1
    with scopes_disabled():
        assert Delivery.objects.filter(invoice=invoice).count() == 1
        assert AuditEntry.objects.filter(action="delivery.sent").count() == 1


def test_a_claimed_attempt_is_not_claimed_again(company, owner, email_client):
    invoice = issue_for(company, client=email_client)
    with scope(company=company):
        delivery = services.delivery_request(
            invoice=invoice, channel="email", actor=Actor.user(owner)
        )
        assert services.delivery_claim(delivery_id=delivery.pk) is not None
        assert services.delivery_claim(delivery_id=delivery.pk) is None
        # A task for it now does nothing: the other worker has it.
        assert services.delivery_execute(delivery_id=delivery.pk) is None


def test_a_request_cannot_have_a_second_live_attempt(company, owner, email_client):
    invoice = issue_for(company, client=email_client)
    with scope(company=company):
        delivery = services.delivery_request(
            invoice=invoice, channel="email", actor=Actor.user(owner)
        )
        Delivery.objects.filter(pk=delivery.pk).update(status=Status.SENT)
        with pytest.raises(IntegrityError), transaction.atomic():
            Delivery.objects.create(
                company=company,
                invoice=invoice,
                channel="email",
                request_id=delivery.request_id,
                attempt=2,
                due_at=timezone.now(),
            )


def test_a_second_request_while_one_is_queued_is_refused(company, owner, email_client):
    from django.core.exceptions import ValidationError

    invoice = issue_for(company, client=email_client)
    with scope(company=company):
        services.delivery_request(invoice=invoice, channel="email", actor=Actor.user(owner))
        with pytest.raises(ValidationError, match="allerede i kø"):
            services.delivery_request(invoice=invoice, channel="email", actor=Actor.user(owner))
        assert Delivery.objects.filter(invoice=invoice).count() == 1


def test_sweep_requeues_lost_tasks_and_resumes_interrupted_sends(
    company, owner, email_client, smtp_server, django_capture_on_commit_callbacks
):
    lost = issue_for(company, client=email_client)
    interrupted = issue_for(company, client=email_client)
    with scope(company=company):
        # Both requests are created, but their tasks never run (the queue was lost).
        lost_delivery = services.delivery_request(
            invoice=lost, channel="email", actor=Actor.user(owner)
        )
        interrupted_delivery = services.delivery_request(
            invoice=interrupted, channel="email", actor=Actor.user(owner)
        )
        # A worker claimed this one and died during the transmission.
        dead_claim = services.delivery_claim(delivery_id=interrupted_delivery.pk)
    assert dead_claim is not None

    # Before STALE_SENDING the claim is respected: the worker may still be sending.
    assert services.deliveries_requeue() == []
    later = timezone.now() + services.STALE_SENDING + datetime.timedelta(minutes=1)
    found = services.deliveries_requeue(now=later)
    assert found == [(company.pk, interrupted_delivery.pk), (company.pk, lost_delivery.pk)]
    # Enqueued (and resumed) just now: the next sweep leaves both alone.
    assert services.deliveries_requeue(now=later) == []
    for company_id, delivery_id in found:
        tasks.send_delivery(company_id, delivery_id)
    # The dead worker's late answer no longer counts: its claim was taken over.
    with scope(company=company):
        services.delivery_succeeded(delivery=dead_claim, message_id="<late@worker>")

    assert len(smtp_server.messages) == 2
    with scopes_disabled():
        lost_delivery.refresh_from_db()
        interrupted_delivery.refresh_from_db()
        resumed = AuditEntry.objects.get(action="delivery.resumed")
    assert lost_delivery.status == interrupted_delivery.status == Status.SENT
    assert interrupted_delivery.attempt == 1  # the same attempt, resumed, not a new one
    assert interrupted_delivery.message_id != "<late@worker>"
    assert interrupted_delivery.message_id in {m["Message-ID"] for m in smtp_server.messages}
    assert resumed.object_id == str(interrupted_delivery.pk)


def test_the_periodic_task_sends_what_the_sweep_finds(
    company, owner, email_client, smtp_server, monkeypatch
):
    invoice = issue_for(company, client=email_client)
    with scope(company=company):
        delivery = services.delivery_request(
            invoice=invoice, channel="email", actor=Actor.user(owner)
        )
    real = services.deliveries_requeue
    monkeypatch.setattr(
        services,
        "deliveries_requeue",
        lambda: real(now=timezone.now() + services.REQUEUE_AFTER),
    )
    tasks.requeue_deliveries.call_local()
    tasks.requeue_deliveries.call_local()
    assert len(smtp_server.messages) == 1
    with scopes_disabled():
        delivery.refresh_from_db()
    assert delivery.status == Status.SENT


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_on_postgresql_have_one_winner(company, owner, monkeypatch):
    with scope(company=company):
        client = make_client(company, delivery_channel="email")
    invoice = issue_for(company, client=client)
    # Outside a test transaction on_commit runs at once: keep the task from taking it.
    monkeypatch.setattr(services, "_enqueue_after_commit", lambda delivery, delay=0: None)
    with scope(company=company):
        delivery = services.delivery_request(
            invoice=invoice, channel="email", actor=Actor.user(owner)
        )
    workers = 8
    barrier = threading.Barrier(workers)
    results: list = []

    def claim() -> None:
        try:
            barrier.wait()
            with scope(company=company):
                results.append(services.delivery_claim(delivery_id=delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=claim) for _ in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [result for result in results if result is not None]
    assert len(results) == workers
    with scope(company=company):
        assert Delivery.objects.get(pk=delivery.pk).status == Status.SENDING
    assert len(winners) == 1
    assert winners[0].status == Status.SENDING
