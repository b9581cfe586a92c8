"""The e-mail channel: the stored PDF (and optionally the EHF file) sent over SMTP.

Django's mail settings (``EMAIL_URL``) decide the server. The message comes from the
seller's name at our own sending address (``DEFAULT_FROM_EMAIL``: the company's own
domain would fail SPF/DMARC), with Reply-To the company's invoice e-mail, so answers go
to the company. Subject and body are in the document's language (the client's, frozen
at issue). The Message-ID is derived from the delivery request, so every attempt of one
request carries the same id and a receiving system can recognise a repeat.
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage

from core.money import format_money
from delivery.models import Delivery
from delivery.peppol import PermanentTransportError, TemporaryTransportError
from delivery.texts import email_texts
from invoicing.models import Invoice

PDF_MIME = "application/pdf"
XML_MIME = "application/xml"


@dataclass(frozen=True)
class Attachments:
    pdf: bytes
    ehf: bytes | None = None


def _sender_address() -> str:
    return parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "no-reply@localhost"


def message_id_for(delivery: Delivery) -> str:
    """Stable for the delivery request: the same in every attempt."""
    domain = _sender_address().rpartition("@")[2] or "localhost"
    return f"<{delivery.request_id}@{domain}>"


def file_stem(invoice: Invoice) -> str:
    title = "kreditnota" if invoice.is_credit_note else "faktura"
    return f"{title}-{invoice.number}"


def build_email(
    *, delivery: Delivery, invoice: Invoice, recipients: list[str], attachments: Attachments
) -> EmailMessage:
    seller = invoice.seller_snapshot
    seller_name = seller.get("name") or invoice.company.name
    language = invoice.buyer_snapshot.get("language") or "nb"
    context = {
        "is_credit_note": invoice.is_credit_note,
        "number": invoice.number,
        "seller": seller_name,
        "amount": format_money(invoice.total_incl_vat, language=language),
        "currency": invoice.currency,
        "due_date": invoice.due_date.strftime("%d %b %Y" if language == "en" else "%d.%m.%Y"),
        "bank_account": seller.get("bank_account_display") or seller.get("bank_account", ""),
        "kid": invoice.kid,
    }
    subject, body = email_texts(
        company_id=invoice.company_id,
        kind="credit_note" if invoice.is_credit_note else "invoice",
        context=context,
        language=language,
    )
    reply_to = invoice.company.email or seller.get("email", "")
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=formataddr((seller_name, _sender_address())),
        to=recipients,
        reply_to=[reply_to] if reply_to else None,
        headers={"Message-ID": message_id_for(delivery)},
    )
    stem = file_stem(invoice)
    message.attach(f"{stem}.pdf", attachments.pdf, PDF_MIME)
    if attachments.ehf is not None:
        message.attach(f"{stem}.xml", attachments.ehf, XML_MIME)
    return message


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def transmit(message: EmailMessage) -> None:
    """Hand the message to the SMTP server; raise a Permanent/TemporaryTransportError."""
    try:
        sent = message.send(fail_silently=False)
    except ValueError as exc:
        # BadHeaderError (CR/LF in a header), an address Django cannot encode: the same
        # message would fail the same way every time, so it is permanent, not retried.
        raise PermanentTransportError(f"E-post: {exc}") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        text = "; ".join(
            f"{address}: {code} {_text(reply)}" for address, (code, reply) in exc.recipients.items()
        )
        if codes and all(code >= 500 for code in codes):
            raise PermanentTransportError(f"SMTP: {text}", status=codes[0]) from exc
        raise TemporaryTransportError(f"SMTP: {text}") from exc
    except smtplib.SMTPResponseException as exc:
        text = f"SMTP {exc.smtp_code}: {_text(exc.smtp_error)}"
        if exc.smtp_code >= 500:
            raise PermanentTransportError(text, status=exc.smtp_code) from exc
        raise TemporaryTransportError(text, status=exc.smtp_code) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise TemporaryTransportError(f"SMTP: {exc or type(exc).__name__}") from exc
    if not sent:
        raise TemporaryTransportError("SMTP: the message was not sent.")
