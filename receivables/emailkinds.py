"""The reminder and inkassovarsel e-mails as kinds of ``delivery.texts``, so a company
words them on the same page as its invoice e-mails (registered in ``ready()``)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from delivery.texts import EmailKind, register
from receivables.models import Letter
from receivables.pdf import heading

_SUBJECT = "receivables/email/letter_subject.txt"
_BODY = "receivables/email/letter_body.txt"

_PLACEHOLDERS = {
    "overskrift": ("heading", _("brevets overskrift, for eksempel «Purring nr. 1»")),
    "fakturanummer": ("number", _("fakturanummeret")),
    "beløp": ("total", _("beløpet å betale med gebyr og renter, med tusenskille")),
    "valuta": ("currency", _("valutakoden, for eksempel NOK")),
    "frist": ("deadline", _("betalingsfristen")),
    "kontonummer": ("bank_account", _("firmaets kontonummer")),
    "kid": ("kid", _("KID-nummeret")),
    "avsender": ("seller", _("firmaets navn")),
    "egen_tekst": ("custom", _("avsnittet fra purreinnstillingene (tomt om det ikke finnes)")),
}
_EXAMPLES = {
    "fakturanummer": "10042",
    "beløp": "12 570,00",
    "valuta": "NOK",
    "frist": "31.12.2026",
    "kontonummer": "8601.11.17947",
    "kid": "0001004200",
    "avsender": "Nordlys Regnskap AS",
    "egen_tekst": "",
}


def _heading_example(kind: str) -> Callable[[str], str]:
    """The first letter's heading of ``kind``, as the letter prints it in a language."""
    return lambda language: heading({"kind": kind, "sequence": 1, "language": language})


def register_kinds() -> None:
    register(
        EmailKind(
            key="reminder",
            label=_("Purring"),
            subject_template=_SUBJECT,
            body_template=_BODY,
            placeholders=_PLACEHOLDERS,
            fixed_context={"is_notice": False},
            examples={**_EXAMPLES, "overskrift": _heading_example(Letter.Kind.REMINDER)},
            about=_("Sendes med purringen (PDF) når en purring sendes på e-post."),
        )
    )
    register(
        EmailKind(
            key="collection_notice",
            label=_("Inkassovarsel"),
            subject_template=_SUBJECT,
            body_template=_BODY,
            placeholders=_PLACEHOLDERS,
            fixed_context={"is_notice": True},
            examples={
                **_EXAMPLES,
                "overskrift": _heading_example(Letter.Kind.COLLECTION_NOTICE),
            },
            about=_("Sendes med inkassovarselet (PDF) når det sendes på e-post."),
        )
    )
