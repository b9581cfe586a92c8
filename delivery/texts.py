"""The invoice e-mail's subject and body: the defaults in nb and en, and the company's own
(``EmailTexts``), with the placeholders both may use.

The defaults are the templates ``delivery/email/document_subject.txt`` and
``document_body.txt``; the settings page shows them with the placeholders in place of the
values, so a company starts from the default text. A company's text is checked when it is
saved (``core.texts.text_placeholders_check``), so sending never meets an unknown name.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.texts import text_fill
from delivery.models import EmailTexts

LANGUAGES = ("nb", "en")
# Placeholder → (context key of the e-mail templates, what it is).
PLACEHOLDERS: dict[str, tuple[str, Any]] = {
    "fakturanummer": ("number", _("fakturanummeret")),
    "beløp": ("amount", _("beløpet å betale, med tusenskille")),
    "valuta": ("currency", _("valutakoden, for eksempel NOK")),
    "forfallsdato": ("due_date", _("forfallsdatoen")),
    "kontonummer": ("bank_account", _("firmaets kontonummer")),
    "kid": ("kid", _("KID-nummeret")),
    "avsender": ("seller", _("firmaets navn")),
}


def _rendered(context: dict[str, Any], language: str) -> tuple[str, str]:
    with translation.override(language):
        subject = " ".join(render_to_string("delivery/email/document_subject.txt", context).split())
        body = render_to_string("delivery/email/document_body.txt", context)
    return subject, body


def default_texts(language: str) -> tuple[str, str]:
    """The default subject and body of an invoice e-mail, placeholders in place of values."""
    context: dict[str, Any] = {
        key: "{" + name + "}" for name, (key, _label) in PLACEHOLDERS.items()
    }
    context["is_credit_note"] = False
    return _rendered(context, language)


def invoice_email_texts(
    *, company_texts: EmailTexts | None, context: dict[str, Any], language: str
) -> tuple[str, str]:
    """Subject and body of the e-mail for a document: the company's own text for an
    invoice where it has one in ``language``, else the default."""
    subject, body = _rendered(context, language)
    if company_texts is None or context.get("is_credit_note"):
        return subject, body
    values = {name: str(context.get(key) or "") for name, (key, _label) in PLACEHOLDERS.items()}
    own_subject = getattr(company_texts, f"subject_{language}", "")
    own_body = getattr(company_texts, f"body_{language}", "")
    if own_subject.strip():
        subject = " ".join(text_fill(own_subject, values).split())
    if own_body.strip():
        body = text_fill(own_body, values)
    return subject, body
