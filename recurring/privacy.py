"""Privacy inventory for recurring invoices (autodiscovered by ``privacy``).

A template names one of the company's clients and may carry a reference (a person's name)
and free text; the runs record errors, which can quote an e-mail address. The company is
the controller; the data are kept with the invoices they produce.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.personal_data.inventory import Category as C
from core.personal_data.inventory import Erasure, PersonalField, register


def _f(category: str, source: str = "self") -> PersonalField:
    return PersonalField(category, purpose="invoicing", source=source, retention="company_records")


_KEEP_REASON = _(
    "Malene for repeterende fakturaer og loggen over hvilke fakturaer de har laget hører til "
    "fakturagrunnlaget og oppbevares med fakturaene."
)

register(
    "recurring.RecurringInvoice",
    personal={
        "our_reference": _f(C.NAME),
        "free_text": _f(C.CORRESPONDENCE),
        "created_by": _f(C.WEB_ACTIVITY, source="system"),
    },
    non_personal=[
        "company",
        "name",
        "client",
        "interval_months",
        "start_date",
        "end_date",
        "max_count",
        "mode",
        "send_automatically",
        "is_active",
        "next_sequence",
        "next_period_start",
        "created_at",
        "updated_at",
    ],
    subject=None,
    erasure=Erasure.KEEP,
    keep_reason=_KEEP_REASON,
)
register(
    "recurring.RecurringInvoiceLine",
    personal={"description": _f(C.CORRESPONDENCE)},
    non_personal=[
        "company",
        "template",
        "position",
        "product",
        "quantity",
        "unit",
        "unit_price",
        "discount_percent",
        "vat_code",
    ],
    subject=None,
    erasure=Erasure.KEEP,
    keep_reason=_KEEP_REASON,
)
register(
    "recurring.RecurringRun",
    personal={
        "error": _f(C.CORRESPONDENCE, source="system"),
        "send_error": _f(C.CORRESPONDENCE, source="system"),
    },
    non_personal=[
        "company",
        "template",
        "sequence",
        "period_start",
        "period_end",
        "status",
        "invoice",
        "attempts",
        "last_attempt_at",
        "created_at",
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
            key="company_recurring",
            title=_("Gjentakende fakturaer"),
            data=_("Referanser, fritekst og feilmeldinger i gjentakende fakturaer"),
            models=(
                "recurring.RecurringInvoice",
                "recurring.RecurringInvoiceLine",
                "recurring.RecurringRun",
            ),
            categories=(
                C.NAME,
                C.CUSTOMER_HISTORY,
            ),
            retention="company_records",
            action=Action.ANONYMISE,
            legal_basis=_("Databehandleravtale med firmaet (personvernforordningen art. 28)"),
            targets=chain(
                blank_personal_fields("recurring.RecurringInvoice"),
                blank_personal_fields("recurring.RecurringInvoiceLine"),
                blank_personal_fields("recurring.RecurringRun"),
            ),
            order=150,
        )
    )


_register_handlers()
