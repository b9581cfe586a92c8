"""E-mail delivery against a real SMTP peer (aiosmtpd on 127.0.0.1)."""

from __future__ import annotations

import datetime
import itertools

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from huey.contrib.djhuey import HUEY

from accounts.models import Company
from core.audit import Actor
from core.models import AuditEntry, OutboxMessage
from delivery import services, tasks
from delivery.models import Delivery, Status
from delivery.tests.conftest import issue_for, make_client
from documents.models import StoredDocument
from invoicing.models import Invoice

pytestmark = pytest.mark.django_db


def send(invoice, owner, captured, channel="email", **kwargs):
    with captured(execute=True):
        return services.delivery_request(
            invoice=invoice, channel=channel, actor=Actor.user(owner), **kwargs
        )


def attempts(invoice):
    with scopes_disabled():
        return list(Delivery.objects.filter(invoice=invoice).order_by("attempt"))


def stored(invoice, kind):
    with scopes_disabled():
        return StoredDocument.objects.get(invoice=invoice, kind=kind).read()


def test_email_arrives_with_the_stored_pdf_and_the_invoice_is_sent(
    company, owner, email_client, smtp_server, django_capture_on_commit_callbacks
):
    invoice = issue_for(company, client=email_client)
    delivery = send(invoice, owner, django_capture_on_commit_callbacks)

    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["Subject"] == f"Faktura {invoice.number} fra {company.name}"
    assert message["To"] == "faktura@kunde.no, regnskap@kunde.no"
    assert message["From"].addresses[0].display_name == company.name
    assert message["Reply-To"] == company.email
    parts = list(message.iter_attachments())
    assert [part.get_content_type() for part in parts] == ["application/pdf"]
    assert parts[0].get_filename() == f"faktura-{invoice.number}.pdf"
    assert parts[0].get_content() == stored(invoice, "pdf")
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"Vedlagt er faktura {invoice.number}" in body
    assert f"Å betale: NOK 125,00, forfall {invoice.due_date:%d.%m.%Y}." in body

    (attempt,) = attempts(invoice)
    assert attempt.pk == delivery.pk
    assert attempt.status == Status.SENT
    assert attempt.message_id == message["Message-ID"]
    assert attempt.message_id == f"<{attempt.request_id}@fakturanett.no>"
    assert attempt.finished_at is not None
    with scopes_disabled():
        refreshed = Invoice.objects.get(pk=invoice.pk)
        assert refreshed.status == Invoice.Status.SENT
        assert refreshed.sent_at is not None
        actions = list(
            AuditEntry.objects.filter(object_id=str(delivery.pk), action__startswith="delivery.")
            .order_by("id")
            .values_list("action", flat=True)
        )
    assert actions == ["delivery.requested", "delivery.sent"]


def test_english_client_gets_english_subject_and_optional_ehf_attachment(
    company, owner, smtp_server, django_capture_on_commit_callbacks
):
    with scope(company=company):
        client = make_client(company, language="en", invoice_emails="ap@buyer.example")
    invoice = issue_for(company, client=client)
    send(invoice, owner, django_capture_on_commit_callbacks, attach_ehf=True)

    (message,) = smtp_server.messages
    assert message["Subject"] == f"Invoice {invoice.number} from {company.name}"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"Please find attached invoice {invoice.number}" in body
    assert "Amount due: NOK 125.00" in body
    parts = {part.get_content_type(): part for part in message.iter_attachments()}
    assert set(parts) == {"application/pdf", "application/xml"}
    assert parts["application/xml"].get_payload(decode=True) == stored(invoice, "ehf")
    assert parts["application/pdf"].get_content() == stored(invoice, "pdf")


def test_credit_note_subject(
    company, owner, email_client, smtp_server, django_capture_on_commit_callbacks
):
    from invoicing import services as invoicing_services

    invoice = issue_for(company, client=email_client)
    with scope(company=company):
        credit_note = invoicing_services.invoice_credit(invoice=invoice, actor=Actor.user(owner))
    send(credit_note, owner, django_capture_on_commit_callbacks)
    (message,) = smtp_server.messages
    assert message["Subject"] == f"Kreditnota {credit_note.number} fra {company.name}"
    (attachment,) = message.iter_attachments()
    assert attachment.get_filename() == f"kreditnota-{credit_note.number}.pdf"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert f"Vedlagt er kreditnota {credit_note.number}" in body
    assert "Å betale" not in body


def test_smtp_down_fails_then_retry_delivers_exactly_once(
    company, owner, email_client, smtp_peer, django_capture_on_commit_callbacks
):
    invoice = issue_for(company, client=email_client)
    send(invoice, owner, django_capture_on_commit_callbacks)  # nothing listens on the port

    first, second = attempts(invoice)
    assert first.status == Status.FAILED
    assert not first.permanent
    assert first.error.startswith("SMTP")
    assert second.status == Status.QUEUED
    assert second.attempt == 2
    assert second.request_id == first.request_id
    assert second.due_at > first.finished_at
    # The retry waits in the schedule with its back-off delay; it has not run.
    (scheduled,) = HUEY.scheduled()
    (message_id,) = scheduled.args
    assert OutboxMessage.objects.get(pk=message_id).args == [company.pk, second.pk]
    with scopes_disabled():
        assert Invoice.objects.get(pk=invoice.pk).sent_at is None
        assert AuditEntry.objects.filter(action="delivery.failed").count() == 1

    smtp_peer.start()
    # Time passes: the scheduled retry runs, and a duplicate of it runs too.
    with django_capture_on_commit_callbacks(execute=True):
        HUEY.execute(scheduled, timestamp=scheduled.eta)
        tasks.send_delivery(company.pk, second.pk)

    assert len(smtp_peer.messages) == 1
    _, second = attempts(invoice)
    assert second.status == Status.SENT
    assert smtp_peer.messages[0]["Message-ID"] == second.message_id
    with scopes_disabled():
        assert Invoice.objects.get(pk=invoice.pk).status == Invoice.Status.SENT


def test_retries_back_off_and_stop_after_the_last_attempt(
    company, owner, email_client, smtp_peer, django_capture_on_commit_callbacks
):
    invoice = issue_for(company, client=email_client)
    send(invoice, owner, django_capture_on_commit_callbacks)
    delays = []
    for _ in range(services.MAX_ATTEMPTS - 1):
        (scheduled,) = HUEY.scheduled()
        HUEY.flush()
        with django_capture_on_commit_callbacks(execute=True):
            HUEY.execute(scheduled, timestamp=scheduled.eta)
    rows = attempts(invoice)
    assert [row.attempt for row in rows] == list(range(1, services.MAX_ATTEMPTS + 1))
    assert all(row.status == Status.FAILED for row in rows)
    assert HUEY.scheduled() == []
    delays = [
        round((later.due_at - earlier.finished_at).total_seconds())
        for earlier, later in itertools.pairwise(rows)
    ]
    assert delays == [services.retry_delay(n) for n in range(1, services.MAX_ATTEMPTS)]
    assert delays == sorted(delays) and delays[0] < delays[-1]


def test_recipient_refused_permanently_is_not_retried(
    company, owner, smtp_peer, django_capture_on_commit_callbacks
):
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):
            return "550 5.1.1 No such user here"

    smtp_peer.collector = Refusing()
    smtp_peer.start()
    with scope(company=company):
        client = make_client(company, invoice_emails="ukjent@kunde.no")
    invoice = issue_for(company, client=client)
    send(invoice, owner, django_capture_on_commit_callbacks)
    (attempt,) = attempts(invoice)
    assert attempt.status == Status.FAILED
    assert attempt.permanent
    assert "550" in attempt.error and "No such user" in attempt.error
    assert HUEY.scheduled() == []


def test_client_without_email_address_is_refused(company, owner):
    with scope(company=company):
        client = make_client(company, invoice_emails="")
    invoice = issue_for(company, client=client)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="ingen e-postadresse"):
        services.delivery_request(invoice=invoice, channel="email", actor=Actor.user(owner))
    assert attempts(invoice) == []


def test_a_bad_header_is_a_permanent_failure_and_nothing_reaches_the_peer(
    company, owner, email_client, smtp_server, django_capture_on_commit_callbacks
):
    # Data from before input was checked: a reply-to address with a header injection.
    Company.objects.filter(pk=company.pk).update(email="post@firma.no\r\nBcc: spion@ond.no")
    invoice = issue_for(company, client=email_client)
    send(invoice, owner, django_capture_on_commit_callbacks)
    (attempt,) = attempts(invoice)
    assert attempt.status == Status.FAILED and attempt.permanent
    assert "newline" in attempt.error.lower() or "header" in attempt.error.lower()
    assert HUEY.scheduled() == []  # not retried
    assert smtp_server.messages == []


def test_after_a_permanent_failure_the_same_address_waits_thirty_minutes(
    company, owner, smtp_peer, django_capture_on_commit_callbacks
):
    class Refusing:
        async def handle_RCPT(self, server, session, envelope, address, options):
            return "550 5.1.1 No such user here"

    smtp_peer.collector = Refusing()
    smtp_peer.start()
    with scope(company=company):
        client = make_client(company, invoice_emails="ukjent@kunde.no")
    invoice = issue_for(company, client=client)
    send(invoice, owner, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError) as refused:
        send(invoice, owner, django_capture_on_commit_callbacks)
    assert refused.value.code == "permanent_cooldown"
    assert "550" in refused.value.messages[0] and "ukjent@kunde.no" in refused.value.messages[0]
    assert len(attempts(invoice)) == 1

    later = timezone.now() + datetime.timedelta(minutes=31)
    with time_machine.travel(later, tick=False):
        send(invoice, owner, django_capture_on_commit_callbacks)
    assert len(attempts(invoice)) == 2


def test_a_corrected_address_may_be_tried_at_once(
    company, owner, smtp_peer, django_capture_on_commit_callbacks
):
    class RefusingOne:
        async def handle_RCPT(self, server, session, envelope, address, options):
            if address == "ukjent@kunde.no":
                return "550 5.1.1 No such user here"
            envelope.rcpt_tos.append(address)
            return "250 OK"

    smtp_peer.collector = RefusingOne()
    smtp_peer.start()
    with scope(company=company):
        client = make_client(company, invoice_emails="ukjent@kunde.no")
    invoice = issue_for(company, client=client)
    send(invoice, owner, django_capture_on_commit_callbacks)
    with scope(company=company):
        type(client).objects.filter(pk=client.pk).update(invoice_emails="riktig@kunde.no")
        invoice.client.refresh_from_db()
    delivery = send(invoice, owner, django_capture_on_commit_callbacks)
    delivery.refresh_from_db()
    assert delivery.recipients == "riktig@kunde.no"
