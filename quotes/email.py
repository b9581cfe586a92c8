"""The quote e-mail: the PDF attached and the link to accept or decline.

Sent like invoices (``delivery.email``): from the seller's name at our own sending
address, Reply-To the company's e-mail, in the client's language, over SMTP, with the
company's own wording where it has one (``delivery.texts``, kind ``quote``).
"""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage

from core.money import format_money
from delivery.email import PDF_MIME
from delivery.email import transmit as _transmit
from delivery.texts import email_texts
from quotes.documents import quote_pdf
from quotes.links import url_for
from quotes.models import Quote


def build(quote: Quote) -> EmailMessage:
    company = quote.company
    language = quote.client.language or "nb"
    context = {
        "number": quote.number,
        "seller": company.name,
        "amount": format_money(quote.total_incl_vat, language=language),
        "currency": quote.currency,
        "valid_until": quote.valid_until.strftime("%d %b %Y" if language == "en" else "%d.%m.%Y"),
        "link": url_for(quote),
    }
    subject, body = email_texts(
        company_id=quote.company_id, kind="quote", context=context, language=language
    )
    sender = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "no-reply@localhost"
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=formataddr((company.name, sender)),
        to=[address.strip() for address in quote.email_recipients.split(",") if address.strip()],
        reply_to=[company.email] if company.email else None,
    )
    message.attach(f"tilbud-{quote.number}.pdf", quote_pdf(quote), PDF_MIME)
    return message


def transmit(message: EmailMessage) -> None:
    _transmit(message)
