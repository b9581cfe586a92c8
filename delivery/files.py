"""The documents a delivery sends: read from the archive (``documents.StoredDocument``).

The PDF is rendered once after issue and archived by ``documents.services.pdf_store``; the
EHF file is built from the same ``InvoiceDocument`` with that archived PDF embedded and
archived the same way (kind ``ehf``, with its SHA-256), only when the buyer has a Peppol
address. Both are written once: a second run finds the archived row and renders nothing.
Deliveries send the archived bytes, never a fresh rendering.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from delivery import email
from delivery.models import Channel, Delivery
from delivery.peppol import PermanentTransportError, configured_transport, routing_of
from documents import services as document_services
from documents.adapters import document_from_invoice, load_for_document
from documents.ehf import EhfNotPossible, endpoint_of
from documents.ehf_rules import fatal_violations
from documents.models import StoredDocument
from documents.selectors import stored_document
from invoicing.models import Invoice


def store_issued_documents(invoice_id: int) -> tuple[StoredDocument, StoredDocument | None]:
    """Archive the PDF and, when the buyer has a Peppol address, the EHF (each once)."""
    return document_services.issued_documents_store(invoice_id=invoice_id)


def pdf_bytes(invoice: Invoice) -> bytes:
    """The archived PDF (archived now if the after-issue task has not run yet)."""
    return document_services.issued_pdf(invoice=invoice)


def ehf_bytes(invoice: Invoice) -> bytes:
    """The archived EHF file; ``EhfNotPossible`` if the buyer has no Peppol address."""
    return document_services.issued_ehf(invoice=invoice)


def ehf_receiver(invoice: Invoice) -> str:
    """The buyer's Peppol participant id (``scheme:value``) as the document states it."""
    stored = stored_document(invoice=invoice, kind=StoredDocument.Kind.EHF)
    if stored is not None:
        return routing_of(stored.read()).receiver_id
    scheme, value = endpoint_of(document_from_invoice(load_for_document(invoice.pk)).buyer)
    return f"{scheme}:{value}"


@dataclass(frozen=True)
class Payload:
    pdf: bytes | None = None
    ehf: bytes | None = None


def payload_for(delivery: Delivery) -> Payload:
    """The archived bytes this attempt sends."""
    if delivery.channel == Channel.EHF:
        return Payload(ehf=ehf_bytes(delivery.invoice))
    if delivery.channel == Channel.EMAIL:
        pdf = pdf_bytes(delivery.invoice)
        ehf = None
        if delivery.attach_ehf:
            try:
                ehf = ehf_bytes(delivery.invoice)
            except EhfNotPossible:
                ehf = None
        return Payload(pdf=pdf, ehf=ehf)
    return Payload()


def transmit(delivery: Delivery, payload: Payload) -> str:
    """Send the payload by the attempt's channel; the message id for the log.

    Raises ``delivery.peppol.TransportError`` (permanent or temporary) on failure.
    """
    if delivery.channel == Channel.EMAIL:
        recipients = [r.strip() for r in delivery.recipients.split(",") if r.strip()]
        message = email.build_email(
            delivery=delivery,
            invoice=delivery.invoice,
            recipients=recipients,
            attachments=email.Attachments(pdf=payload.pdf or b"", ehf=payload.ehf),
        )
        email.transmit(message)
        return message.extra_headers["Message-ID"]
    if delivery.channel == Channel.EHF:
        xml = payload.ehf or b""
        violations = fatal_violations(xml)
        if violations:
            rules = ", ".join(sorted({violation.rule for violation in violations}))
            raise PermanentTransportError(
                _("Ikke sendt: EHF-filen bryter reglene %(rules)s.") % {"rules": rules}
                + " "
                + " ".join(str(violation) for violation in violations[:5])
            )
        transport = configured_transport()
        if transport is None:
            raise PermanentTransportError(
                _("Ikke sendt: ingen Peppol-aksesspunkt er satt opp (PEPPOL_AP_URL).")
            )
        routing = routing_of(xml)
        receipt = transport.send(
            xml=xml,
            sender_id=routing.sender_id,
            receiver_id=routing.receiver_id,
            document_type=routing.document_type,
        )
        return receipt.message_id
    raise PermanentTransportError(_("Denne kanalen overføres ikke."))
