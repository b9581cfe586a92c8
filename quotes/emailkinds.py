"""The quote e-mail as a kind of ``delivery.texts``, so a company words it on the same
page as its invoice e-mails (registered in ``ready()``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from delivery.texts import EmailKind, register


def register_kinds() -> None:
    register(
        EmailKind(
            key="quote",
            label=pgettext_lazy("e-mail kind", "Tilbud"),
            subject_template="quotes/email/subject.txt",
            body_template="quotes/email/body.txt",
            placeholders={
                "tilbudsnummer": ("number", _("tilbudets nummer")),
                "beløp": ("amount", _("tilbudt pris inkl. MVA, med tusenskille")),
                "valuta": ("currency", _("valutakoden, for eksempel NOK")),
                "gyldig_til": ("valid_until", _("siste dag tilbudet gjelder")),
                "lenke": ("link", _("lenken der kunden aksepterer eller avslår (påkrevd)")),
                "avsender": ("seller", _("firmaets navn")),
            },
            examples={
                "tilbudsnummer": "17",
                "beløp": "63 751,25",
                "valuta": "NOK",
                "gyldig_til": "31.12.2026",
                "lenke": "https://fakturanett.no/tilbud/eksempel/",
                "avsender": "Nordlys Regnskap AS",
            },
            about=_("Sendes med tilbudet (PDF) og lenken der kunden svarer."),
            # Without the link the client cannot answer the quote.
            required_in_body=("lenke",),
        )
    )
