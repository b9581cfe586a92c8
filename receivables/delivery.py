"""E-mail of a reminder or inkassovarsel: the PDF attached, text in the client's language.

Sent over the same SMTP transport as invoices (``delivery.email.transmit``). A client
without an e-mail address (or who gets invoices by EHF or manually) gets the letter as a
PDF to print: the letter is then marked ``manual``. EHF is not used for reminders.
"""

from __future__ import annotations

from decimal import Decimal
from email.utils import formataddr

from django.core.mail import EmailMessage

from core.money import format_money
from delivery.email import PDF_MIME, _sender_address, transmit
from delivery.peppol import PermanentTransportError, TemporaryTransportError
from delivery.texts import email_texts
from receivables.models import Letter, ReminderSettings
from receivables.pdf import heading, render_letter_pdf
from receivables.selectors import letter_document


def build_letter_email(letter: Letter, recipients: list[str]) -> EmailMessage:
    content = letter_document(content=letter.content, invoice=letter.invoice)
    language = "en" if content.get("language") == "en" else "nb"
    seller = content.get("seller") or {}
    seller_name = seller.get("name") or letter.company.name
    settings_row = ReminderSettings.objects.filter(company=letter.company).first()
    custom = ""
    if settings_row is not None:
        custom = settings_row.email_text_en if language == "en" else settings_row.email_text_nb
    context = {
        "heading": heading(content),
        "number": content.get("invoice_number"),
        "seller": seller_name,
        "total": format_money(Decimal(str(content.get("total") or "0")), language=language),
        "currency": content.get("currency"),
        "deadline": content.get("deadline"),
        "kid": content.get("kid"),
        "bank_account": content.get("bank_account_display") or content.get("bank_account"),
        "custom": custom.strip(),
        "is_notice": content.get("kind") == Letter.Kind.COLLECTION_NOTICE,
    }
    subject, body = email_texts(
        company_id=letter.company_id,
        kind="collection_notice" if context["is_notice"] else "reminder",
        context=context,
        language=language,
    )
    reply_to = letter.company.email or seller.get("email", "")
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=formataddr((seller_name, _sender_address())),
        to=recipients,
        reply_to=[reply_to] if reply_to else None,
        headers={"Message-ID": f"<letter-{letter.pk}@{_sender_address().rpartition('@')[2]}>"},
    )
    stem = "inkassovarsel" if context["is_notice"] else "purring"
    message.attach(
        f"{stem}-{content.get('invoice_number')}.pdf", render_letter_pdf(content), PDF_MIME
    )
    return message


def deliver_letter(letter: Letter) -> None:
    from receivables.services import letter_delivered

    buyer = letter_document(content=letter.content, invoice=letter.invoice).get("buyer") or {}
    client = letter.invoice.client
    recipients = client.invoice_email_list or list(buyer.get("invoice_emails") or [])
    if not recipients:
        letter_delivered(letter=letter, status=Letter.Delivery.MANUAL)
        return
    try:
        transmit(build_letter_email(letter, recipients))
    except (PermanentTransportError, TemporaryTransportError) as exc:
        letter_delivered(letter=letter, status=Letter.Delivery.FAILED, error=str(exc))
        return
    letter_delivered(letter=letter, status=Letter.Delivery.SENT)
