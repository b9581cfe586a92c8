"""EHF through an access point: a local HTTP server plays the provider."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django_scopes import scope, scopes_disabled
from huey.contrib.djhuey import HUEY
from lxml import etree

from core.audit import Actor
from delivery import files, services
from delivery.models import Delivery, Status
from delivery.peppol import (
    HttpAccessPoint,
    PermanentTransportError,
    TemporaryTransportError,
    routing_of,
)
from delivery.tests.conftest import free_port, issue_for, make_client
from documents.models import StoredDocument
from invoicing.models import Invoice

pytestmark = pytest.mark.django_db

INVOICE_DOCTYPE = (
    "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2::Invoice##"
    "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0::2.1"
)


def send_ehf(invoice, owner, captured):
    with captured(execute=True):
        return services.delivery_request(invoice=invoice, channel="ehf", actor=Actor.user(owner))


def attempts(invoice):
    with scopes_disabled():
        return list(Delivery.objects.filter(invoice=invoice).order_by("attempt"))


def sent_at(invoice):
    with scopes_disabled():
        return Invoice.objects.get(pk=invoice.pk).sent_at


def test_success_records_the_receipt_and_marks_the_invoice_sent(
    company, owner, ehf_client, access_point, django_capture_on_commit_callbacks
):
    invoice = issue_for(company, client=ehf_client)
    access_point.answers = [(202, {"id": "AP-4711"})]
    send_ehf(invoice, owner, django_capture_on_commit_callbacks)

    (request,) = access_point.requests
    with scopes_disabled():
        archived = StoredDocument.objects.get(invoice=invoice, kind="ehf").read()
    assert request["body"] == archived
    assert request["headers"]["Authorization"] == "Bearer test-key"
    assert request["headers"]["X-Peppol-Sender"] == f"0192:{company.organization_number}"
    assert request["headers"]["X-Peppol-Receiver"] == ehf_client.peppol_id
    assert request["headers"]["X-Peppol-Document-Type"] == INVOICE_DOCTYPE
    (attempt,) = attempts(invoice)
    assert attempt.status == Status.SENT
    assert attempt.message_id == "AP-4711"
    assert attempt.recipients == ehf_client.peppol_id
    assert sent_at(invoice) is not None


def test_rejection_is_a_permanent_failure_with_the_providers_message(
    company, owner, ehf_client, access_point, django_capture_on_commit_callbacks
):
    invoice = issue_for(company, client=ehf_client)
    access_point.answers = [(422, {"message": "Receiver not registered in SMP"})]
    send_ehf(invoice, owner, django_capture_on_commit_callbacks)

    (attempt,) = attempts(invoice)
    assert attempt.status == Status.FAILED
    assert attempt.permanent
    assert attempt.error == "HTTP 422: Receiver not registered in SMP"
    assert HUEY.scheduled() == []
    assert len(access_point.requests) == 1
    assert sent_at(invoice) is None


def test_server_error_and_timeout_are_temporary_and_retried(
    company, owner, ehf_client, access_point, django_capture_on_commit_callbacks
):
    invoice = issue_for(company, client=ehf_client)
    access_point.answers = ["hang", (503, {"error": "maintenance"}), (202, {"id": "AP-3"})]
    send_ehf(invoice, owner, django_capture_on_commit_callbacks)

    first, second = attempts(invoice)
    assert first.status == Status.FAILED and not first.permanent
    assert "Timeout" in first.error
    assert second.status == Status.QUEUED
    for _ in range(2):
        (scheduled,) = HUEY.scheduled()
        HUEY.flush()
        with django_capture_on_commit_callbacks(execute=True):
            HUEY.execute(scheduled, timestamp=scheduled.eta)
    first, second, third = attempts(invoice)
    assert second.status == Status.FAILED and not second.permanent
    assert second.error == "HTTP 503: maintenance"
    assert third.status == Status.SENT and third.message_id == "AP-3"
    assert len(access_point.requests) == 3
    assert sent_at(invoice) is not None


def test_connection_refused_is_temporary():
    transport = HttpAccessPoint(url=f"http://127.0.0.1:{free_port()}/", key="", timeout=1)
    with pytest.raises(TemporaryTransportError, match="Connection failed"):
        transport.send(xml=b"<x/>", sender_id="a", receiver_id="b", document_type="c")


def test_client_error_is_permanent_but_too_many_requests_is_not(access_point):
    transport = HttpAccessPoint(url=access_point.url, key="", timeout=1)
    access_point.answers = [(400, {"detail": "Malformed"}), (429, {"message": "Slow down"})]
    with pytest.raises(PermanentTransportError, match="HTTP 400: Malformed"):
        transport.send(xml=b"<x/>", sender_id="a", receiver_id="b", document_type="c")
    with pytest.raises(TemporaryTransportError, match="HTTP 429: Slow down"):
        transport.send(xml=b"<x/>", sender_id="a", receiver_id="b", document_type="c")


def test_fatal_rule_violations_are_not_transmitted(
    company, owner, ehf_client, access_point, monkeypatch, django_capture_on_commit_callbacks
):
    invoice = issue_for(company, client=ehf_client)
    real = files.ehf_bytes

    def broken(invoice):
        root = etree.fromstring(real(invoice))
        ns = {"cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"}
        for path, text in (("cbc:CustomizationID", "urn:something:else"), ("cbc:IssueDate", "")):
            element = root.find(path, ns)
            assert element is not None, path
            element.text = text
        return etree.tostring(root)

    monkeypatch.setattr(files, "ehf_bytes", broken)
    send_ehf(invoice, owner, django_capture_on_commit_callbacks)

    assert access_point.requests == []
    (attempt,) = attempts(invoice)
    assert attempt.status == Status.FAILED
    assert attempt.permanent
    assert "PEPPOL-EN16931-R004" in attempt.error
    assert "Ikke sendt" in attempt.error
    assert sent_at(invoice) is None


def test_without_an_access_point_ehf_is_refused_but_the_file_is_there(
    company, owner, ehf_client, settings
):
    settings.PEPPOL_AP_URL = ""
    invoice = issue_for(company, client=ehf_client)
    with pytest.raises(ValidationError, match="IKKE overføres"):
        services.delivery_request(invoice=invoice, channel="ehf", actor=Actor.user(owner))
    assert attempts(invoice) == []
    with scope(company=company):
        assert files.ehf_bytes(invoice).startswith(b"<")


def test_buyer_without_peppol_address_gets_no_ehf(company, owner, access_point):
    with scope(company=company):
        client = make_client(company, country="SE", organization_number="", peppol_id="")
    invoice = issue_for(company, client=client)
    with scopes_disabled():
        kinds = set(StoredDocument.objects.filter(invoice=invoice).values_list("kind", flat=True))
    assert kinds == {"pdf"}
    with pytest.raises(ValidationError, match="ingen Peppol-adresse"):
        services.delivery_request(invoice=invoice, channel="ehf", actor=Actor.user(owner))


def test_routing_of_a_credit_note(company, owner, ehf_client):
    from invoicing import services as invoicing_services

    invoice = issue_for(company, client=ehf_client)
    with scope(company=company):
        credit_note = invoicing_services.invoice_credit(invoice=invoice, actor=Actor.user(owner))
        routing = routing_of(files.ehf_bytes(credit_note))
    assert routing.document_type.startswith(
        "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2::CreditNote##"
    )
    assert routing.receiver_id == ehf_client.peppol_id
