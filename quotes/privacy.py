"""Privacy inventory for quotes (autodiscovered by ``privacy``).

A quote is addressed to one of the company's clients (possibly a private person) and may
carry references (people's names), free text, the client's comment on the decision and the
e-mail addresses it was sent to. The company is the controller. An accepted quote is part
of the basis for the invoice (salgsdokumentasjon) and is kept like the invoices.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.personal_data.inventory import Category as C
from core.personal_data.inventory import Erasure, PersonalField, register


def _f(category: str, source: str = "self") -> PersonalField:
    return PersonalField(category, purpose="invoicing", source=source, retention="company_records")


_KEEP_REASON = _("Tilbud er salgsdokumentasjon for fakturaene de fører til, og oppbevares som dem.")

register(
    "quotes.QuoteNumberSeries",
    personal={},
    non_personal=["company", "next_number"],
)
register(
    "quotes.Quote",
    personal={
        "our_reference": _f(C.NAME),
        "their_reference": _f(C.NAME),
        "free_text": _f(C.CORRESPONDENCE),
        "email_recipients": _f(C.CONTACT, source="system"),
        "email_error": _f(C.CORRESPONDENCE, source="system"),
        "decision_note": _f(C.CORRESPONDENCE),
        # The parties as they were when the quote was sent (what the PDF shows from then on).
        "seller_snapshot": _f(C.CONTACT, source="system"),
        "buyer_snapshot": _f(C.ADDRESS, source="system"),
        "created_by": _f(C.WEB_ACTIVITY, source="system"),
    },
    non_personal=[
        "company",
        "number",
        "status",
        "client",
        "quote_date",
        "valid_until",
        "currency",
        "total_excl_vat",
        "total_vat",
        "total_incl_vat",
        "sent_at",
        "email_status",
        "decided_at",
        "decided_by",
        "invoice",
        "created_at",
        "updated_at",
    ],
    subject=None,
    erasure=Erasure.KEEP,
    keep_reason=_KEEP_REASON,
)
register(
    "quotes.QuoteLine",
    personal={"description": _f(C.CORRESPONDENCE)},
    non_personal=[
        "company",
        "quote",
        "position",
        "product",
        "quantity",
        "unit",
        "unit_price",
        "discount_percent",
        "vat_code",
        "vat_rate",
        "net_amount",
    ],
    subject=None,
    erasure=Erasure.KEEP,
    keep_reason=_KEEP_REASON,
)


def _register_handlers() -> None:
    from core.personal_data.handlers import Action, Handler, register_handler
    from core.personal_data.retention import blank_personal_fields, chain

    register_handler(
        Handler(
            key="company_quotes",
            title=_("Tilbud firmaene lager"),
            data=_("Referanser, fritekst, mottakere og hvem som laget tilbudet"),
            models=(
                "quotes.Quote",
                "quotes.QuoteLine",
            ),
            categories=(
                C.NAME,
                C.CONTACT,
                C.CUSTOMER_HISTORY,
            ),
            retention="company_records",
            action=Action.ANONYMISE,
            legal_basis=_("Databehandleravtale med firmaet (personvernforordningen art. 28)"),
            targets=chain(
                blank_personal_fields("quotes.Quote"),
                blank_personal_fields("quotes.QuoteLine"),
            ),
            order=150,
        )
    )


_register_handlers()
