"""The e-mails that carry a document to a client, and the company's own wording of them.

One registry of kinds (``KINDS``): the invoice and credit-note e-mails (this app), the
reminder and inkassovarsel (``receivables``) and the quote (``quotes``) register here in
their ``AppConfig.ready()``; ``delivery`` sits below those apps, so every sender reaches it
without importing upwards. A kind names its default templates (subject and body) and its
placeholders: ``{name}`` in the company's text → a key of the templates' context.

The defaults are the templates rendered in nb and en with the placeholders in place of the
values, so a company starts from the default text. A company's text (``EmailTexts``, one
row per company and kind) is checked when it is saved (``core.texts.text_placeholders_check``),
so sending never meets an unknown name; an empty field follows the default.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_scopes import scopes_disabled

from core.activity import register_values
from core.texts import text_fill
from delivery.models import EmailTexts

LANGUAGES = ("nb", "en")
FIELDS = tuple(f"{part}_{language}" for language in LANGUAGES for part in ("subject", "body"))


@dataclass(frozen=True)
class EmailKind:
    key: str  # stored in EmailTexts.kind
    label: str | Promise  # the tab on the page: "Faktura"
    subject_template: str
    body_template: str
    # {name} → (context key of the templates, what it is)
    placeholders: Mapping[str, tuple[str, str | Promise]]
    # Context the templates need to render this kind (flags such as is_credit_note).
    fixed_context: Mapping[str, Any] = field(default_factory=dict)
    # Example values by placeholder name, for the page's preview; a value that differs by
    # language is a function of the language ("Purring nr. 1" / "Payment reminder no. 1").
    examples: Mapping[str, str | Callable[[str], str]] = field(default_factory=dict)
    about: str | Promise = ""  # one sentence on the page: when the e-mail is sent
    # Placeholders a company's own body must keep (the quote's accept link).
    required_in_body: tuple[str, ...] = ()


KINDS: dict[str, EmailKind] = {}


def register(kind: EmailKind) -> None:
    """Add a kind (idempotent: ``ready()`` may run twice in tests); the activity log names
    it by its label."""
    KINDS[kind.key] = kind
    register_values("email_kind", {kind.key: kind.label})


def _rendered_subject(kind: EmailKind, context: Mapping[str, Any], language: str) -> str:
    with translation.override(language):
        text = render_to_string(kind.subject_template, {**context, **kind.fixed_context})
    return " ".join(text.split())


def _rendered_body(kind: EmailKind, context: Mapping[str, Any], language: str) -> str:
    with translation.override(language):
        return render_to_string(kind.body_template, {**context, **kind.fixed_context})


def _rendered(kind: EmailKind, context: Mapping[str, Any], language: str) -> tuple[str, str]:
    return _rendered_subject(kind, context, language), _rendered_body(kind, context, language)


def default_texts(kind: EmailKind, language: str) -> tuple[str, str]:
    """The default subject and body, placeholders in place of values."""
    context = {key: "{" + name + "}" for name, (key, _label) in kind.placeholders.items()}
    return _rendered(kind, context, language)


def defaults(kind: EmailKind) -> dict[str, str]:
    """The default of every field of ``EmailTexts`` for ``kind``."""
    result: dict[str, str] = {}
    for language in LANGUAGES:
        result[f"subject_{language}"], result[f"body_{language}"] = default_texts(kind, language)
    return result


_BLANK_LINES = re.compile(r"\n{3,}")


def _filled(text: str, values: Mapping[str, str]) -> str:
    # An optional placeholder that is empty (no KID, no extra paragraph) leaves no hole.
    return _BLANK_LINES.sub("\n\n", text_fill(text.replace("\r\n", "\n"), values))


def fill(*, subject: str, body: str, values: Mapping[str, str]) -> tuple[str, str]:
    """A company's own subject and body with ``values`` (by placeholder name) put in."""
    return " ".join(_filled(subject, values).split()), _filled(body, values)


def email_texts(
    *, company_id: int, kind: str, context: Mapping[str, Any], language: str
) -> tuple[str, str]:
    """Subject and body of an e-mail of ``kind`` in ``language``: the company's own text
    where it has one in that language, else the default rendered with ``context`` (a default
    is rendered only when it is used)."""
    email_kind = KINDS[kind]
    language = language if language in LANGUAGES else "nb"
    # Senders run in tasks as well as requests, not always inside the tenant scope; the
    # company is named explicitly.
    with scopes_disabled():
        own = EmailTexts.objects.filter(company_id=company_id, kind=kind).first()
    own_subject = getattr(own, f"subject_{language}", "") if own is not None else ""
    own_body = getattr(own, f"body_{language}", "") if own is not None else ""
    values = {
        name: str(context.get(key) or "") for name, (key, _label) in email_kind.placeholders.items()
    }
    if own_subject.strip():
        subject = " ".join(_filled(own_subject, values).split())
    else:
        subject = _rendered_subject(email_kind, context, language)
    if own_body.strip():
        body = _filled(own_body, values)
    else:
        body = _rendered_body(email_kind, context, language)
    return subject, body


def preview(kind: EmailKind, texts: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Per language, the subject and body ``texts`` (fields of ``EmailTexts``; empty: the
    default) give with the kind's example values, as a client would read them."""
    result = {}
    for language in LANGUAGES:
        subject = texts.get(f"subject_{language}", "").strip()
        body = texts.get(f"body_{language}", "").strip()
        default_subject, default_body = default_texts(kind, language)
        values = {
            name: example(language) if callable(example) else example
            for name, example in kind.examples.items()
        }
        result[language] = fill(
            subject=subject or default_subject, body=body or default_body, values=values
        )
    return result


# --- This app's kinds ---------------------------------------------------------------------------

_DOCUMENT = "delivery/email/document_{}.txt"

register(
    EmailKind(
        key="invoice",
        label=_("Faktura"),
        subject_template=_DOCUMENT.format("subject"),
        body_template=_DOCUMENT.format("body"),
        placeholders={
            "fakturanummer": ("number", _("fakturanummeret")),
            "beløp": ("amount", _("beløpet å betale, med tusenskille")),
            "valuta": ("currency", _("valutakoden, for eksempel NOK")),
            "forfallsdato": ("due_date", _("forfallsdatoen")),
            "kontonummer": ("bank_account", _("firmaets kontonummer")),
            "kid": ("kid", _("KID-nummeret")),
            "avsender": ("seller", _("firmaets navn")),
        },
        fixed_context={"is_credit_note": False},
        examples={
            "fakturanummer": "10042",
            "beløp": "12 500,00",
            "valuta": "NOK",
            "forfallsdato": "17.12.2026",
            "kontonummer": "8601.11.17947",
            "kid": "0001004200",
            "avsender": "Nordlys Regnskap AS",
        },
        about=_("Sendes med fakturaen (PDF, eventuelt EHF) når den sendes på e-post."),
    )
)
register(
    EmailKind(
        key="credit_note",
        label=_("Kreditnota"),
        subject_template=_DOCUMENT.format("subject"),
        body_template=_DOCUMENT.format("body"),
        placeholders={
            "kreditnotanummer": ("number", _("kreditnotaens nummer")),
            "beløp": ("amount", _("det krediterte beløpet, med tusenskille")),
            "valuta": ("currency", _("valutakoden, for eksempel NOK")),
            "avsender": ("seller", _("firmaets navn")),
        },
        fixed_context={"is_credit_note": True},
        examples={
            "kreditnotanummer": "10043",
            "beløp": "2 500,00",
            "valuta": "NOK",
            "avsender": "Nordlys Regnskap AS",
        },
        about=_("Sendes med kreditnotaen når den sendes på e-post."),
    )
)
