"""Privacy inventory for invoicing (autodiscovered by ``privacy``).

Invoices, credit notes and payments are accounting material: the company that issues them
is the controller and must keep them for the period of bokføringsloven § 13, so erasure
keeps them (restricted to that purpose) and the retention engine deletes or anonymises them
only after the deadline. The personal data in them is about the company's own clients
(names and addresses in the buyer snapshot, their references) and, for the references and
"issued by" fields, about the company's users.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.personal_data.inventory import Category as C
from core.personal_data.inventory import Erasure, PersonalField, register

KEEP_REASON = _(
    "Fakturaer, kreditnotaer og innbetalinger er regnskapsmateriale og oppbevares i 5 år "
    "etter utgangen av regnskapsåret (bokføringsloven § 13); de brukes ikke til noe annet."
)


def _f(category: str, source: str = "self") -> PersonalField:
    return PersonalField(category, purpose="invoicing", source=source, retention="bookkeeping")


register(
    "invoicing.InvoicingSettings",
    personal={},
    non_personal=[
        "company",
        "credit_note_numbering",
        "kid_method",
        "kid_length",
        "default_payment_terms_days",
        "max_days_ahead",
        "vat_reported_through",
        "payment_note_nb",  # the company's wording printed on invoices, no personal data
        "payment_note_en",
        "updated_at",
    ],
)

register(
    "invoicing.NumberSeries",
    personal={},
    non_personal=["company", "kind", "first_number", "next_number"],
)

register(
    "invoicing.Invoice",
    personal={
        "our_reference": _f(C.NAME),
        "their_reference": _f(C.NAME),
        "buyer_reference": _f(C.NAME),
        "free_text": _f(C.CORRESPONDENCE),
        "seller_snapshot": _f(C.CONTACT),
        "buyer_snapshot": _f(C.ADDRESS),
        # place of delivery (a person's holiday home, say)
        "delivery_address": _f(C.ADDRESS),
        "delivery_postcode": _f(C.ADDRESS),
        "delivery_city": _f(C.ADDRESS),
        "delivery_country": _f(C.ADDRESS),
        "issued_by": _f(C.WEB_ACTIVITY, source="system"),
    },
    non_personal=[
        "company",
        "kind",
        "status",
        "series",
        "number",
        "client",
        "credited_invoice",
        "invoice_date",
        "delivery_date",
        "delivery_period_start",
        "delivery_period_end",
        "due_date",
        "order_number",
        "currency",
        "exchange_rate",
        "is_prepayment",
        "total_excl_vat",
        "total_vat",
        "total_incl_vat",
        "total_vat_nok",
        "kid",
        "issued_at",
        "paid_amount",
        "credited_amount",
        "sent_at",
        "created_at",
        "updated_at",
    ],
    erasure=Erasure.KEEP,
    keep_reason=KEEP_REASON,
)

register(
    "invoicing.InvoiceLine",
    personal={"description": _f(C.CUSTOMER_HISTORY)},
    non_personal=[
        "company",
        "invoice",
        "position",
        "product",
        "item_number",
        "quantity",
        "unit",
        "unit_price",
        "discount_percent",
        "vat_code",
        "period_start",
        "period_end",
        "credited_line",
        "credited_by_amount",
        "net_amount",
        "vat_category",
        "vat_rate",
    ],
    erasure=Erasure.KEEP,
    keep_reason=KEEP_REASON,
)

register(
    "invoicing.InvoiceVatLine",
    personal={},
    non_personal=[
        "company",
        "invoice",
        "vat_category",
        "vat_rate",
        "basis",
        "vat",
        "vat_nok",
        "vat_codes",
        "exemption_reason_code",
        "exemption_reason",
        "invoice_text",
    ],
)

register(
    "invoicing.Payment",
    personal={
        "reference": _f(C.PAYMENT_HISTORY),
        "note": _f(C.PAYMENT_HISTORY),
        "created_by": _f(C.WEB_ACTIVITY, source="system"),
    },
    non_personal=[
        "company",
        "invoice",
        "date",
        "amount",
        "applied_amount",
        "to_credit_amount",
        "method",
        "reverses",
        "created_at",
    ],
    erasure=Erasure.KEEP,
    keep_reason=KEEP_REASON,
)

register(
    "invoicing.ClientBalanceEntry",
    personal={},
    non_personal=[
        "company",
        "client",
        "date",
        "amount",
        "currency",
        "kind",
        "invoice",
        "payment",
        "credit_note",
        "created_at",
    ],
)


# Sums per company and month for the dashboard (invoicing.services.summary): figures of the
# company's own business, no client, person or reference in them.
register(
    "invoicing.MonthSummary",
    personal={},
    non_personal=["company", "month", "invoiced", "paid", "invoiced_excl_vat"],
)

# The customer ledger's sums per client and month (invoicing.services.summary): amounts of
# the client's documents and payments, as the documents and payments hold them (kept as
# they are; no name, reference or note).
register(
    "invoicing.LedgerMonth",
    personal={},
    non_personal=[
        "company",
        "client",
        "currency",
        "month",
        "documents_debit",
        "documents_credit",
        "payments_debit",
        "payments_credit",
    ],
)

# The dashboard's open receivables per currency and due date (invoicing.services.summary):
# counts and sums of the company's open invoices, no client, person or reference in them.
register(
    "invoicing.OpenReceivable",
    personal={},
    non_personal=["company", "currency", "due_date", "count", "amount"],
)

# The sales report's net sales per client or product and month (invoicing.services.summary):
# sums of the documents' and lines' amounts as they hold them, by the client's or
# product's id (no name, reference or note).
register(
    "invoicing.SalesMonth",
    personal={},
    non_personal=["company", "dimension", "month", "item", "amount", "documents"],
)


def _register_handlers() -> None:
    from core.personal_data.handlers import Action, Handler, register_handler
    from core.personal_data.retention import chain
    from invoicing import retention

    register_handler(
        Handler(
            key="bookkeeping_invoices",
            title=_("Fakturaer og kreditnotaer"),
            data=_(
                "Kjøperens navn, adresse og kontaktinformasjon, referansepersoner, fritekst og "
                "hvem som utstedte, på fakturaer og kreditnotaer (beløp, numre, linjer og KID "
                "beholdes)"
            ),
            models=(
                "invoicing.Invoice",
                "invoicing.InvoiceLine",
            ),
            categories=(
                C.NAME,
                C.ADDRESS,
                C.CONTACT,
                C.CUSTOMER_HISTORY,
            ),
            retention="bookkeeping",
            action=Action.ANONYMISE,
            legal_basis=_("Rettslig forpliktelse (bokføringsloven § 13)"),
            targets=chain(retention.invoice_targets, retention.left_invoice_targets),
            order=90,
        )
    )
    register_handler(
        Handler(
            key="bookkeeping_payments",
            title=_("Innbetalinger"),
            data=_(
                "Referanse, merknad og hvem som registrerte innbetalingen "
                "(beløp og datoer beholdes)"
            ),
            models=("invoicing.Payment",),
            categories=(C.PAYMENT_HISTORY,),
            retention="bookkeeping",
            action=Action.ANONYMISE,
            legal_basis=_("Rettslig forpliktelse (bokføringsloven § 13)"),
            targets=retention.payment_targets,
            order=110,
        )
    )


_register_handlers()
