"""Privacy inventory for receivables (autodiscovered by ``privacy``).

Reminder letters, fee and interest claims, disputes, collection cases and bank payment
lines belong to the company's claims on its clients: accounting material (bokføringsloven
§ 13), kept for the bookkeeping period and used for nothing else. A bank line names the
payer and the account the money came from (payment history, possibly a private person).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.personal_data.inventory import Category as C
from core.personal_data.inventory import Erasure, PersonalField, register

KEEP_REASON = _(
    "Purringer, gebyr- og rentekrav, innsigelser og innbetalinger fra banken er "
    "regnskapsmateriale og oppbevares i 5 år etter utgangen av regnskapsåret "
    "(bokføringsloven § 13); de brukes ikke til noe annet."
)


def _f(category: str, source: str = "self") -> PersonalField:
    return PersonalField(category, purpose="invoicing", source=source, retention="company_records")


register(
    "receivables.StatutoryFigure",
    personal={},
    non_personal=["kind", "valid_from", "valid_to", "value", "source", "updated_at"],
)

register(
    "receivables.ReminderSettings",
    personal={},
    non_personal=[
        "company",
        "enabled",
        "reminder1_days",
        "reminder2_days",
        "deadline_days",
        "charge_fee",
        "add_interest",
        "claim_compensation",
        "email_text_nb",
        "email_text_en",
        "updated_at",
    ],
)

register(
    "receivables.Dispute",
    personal={
        "reason": _f(C.COMPLAINTS),
        "resolution": _f(C.COMPLAINTS),
        "opened_by": _f(C.WEB_ACTIVITY, source="system"),
        "resolved_by": _f(C.WEB_ACTIVITY, source="system"),
    },
    non_personal=["company", "invoice", "opened_at", "resolved_at"],
    erasure=Erasure.KEEP,
    keep_reason=KEEP_REASON,
)

register(
    "receivables.Letter",
    personal={
        "content": _f(C.ADDRESS),
        "delivery_error": _f(C.CORRESPONDENCE, source="system"),
        "created_by": _f(C.WEB_ACTIVITY, source="system"),
    },
    non_personal=[
        "company",
        "invoice",
        "kind",
        "sent_on",
        "deadline",
        "fee_bearing",
        "delivery",
        "created_at",
    ],
    erasure=Erasure.KEEP,
    keep_reason=KEEP_REASON,
)

register(
    "receivables.ReceivableItem",
    personal={
        "waive_reason": _f(C.PAYMENT_HISTORY),
        "waived_by": _f(C.WEB_ACTIVITY, source="system"),
    },
    non_personal=[
        "company",
        "invoice",
        "client",
        "kind",
        "date",
        "amount",
        "currency",
        "letter",
        "interest_from",
        "interest_to",
        "details",
        "paid_amount",
        "waived_at",
        "created_at",
    ],
    erasure=Erasure.KEEP,
    keep_reason=KEEP_REASON,
)

register(
    "receivables.ItemAllocation",
    personal={},
    non_personal=["company", "item", "date", "amount", "bank_transaction", "created_at"],
)

register(
    "receivables.CollectionCase",
    personal={"created_by": _f(C.WEB_ACTIVITY, source="system")},
    non_personal=["company", "invoice", "agency_name", "sent_on", "created_at"],
    erasure=Erasure.KEEP,
    keep_reason=KEEP_REASON,
)

register(
    "receivables.BankImport",
    personal={"created_by": _f(C.WEB_ACTIVITY, source="system")},
    non_personal=[
        "company",
        "file_name",
        "format",
        "sha256",
        "transaction_count",
        "matched_count",
        "unmatched_count",
        "duplicate_count",
        "created_at",
    ],
    erasure=Erasure.KEEP,
    keep_reason=KEEP_REASON,
)

register(
    "receivables.BankTransaction",
    personal={
        "payer_name": _f(C.NAME, source="system"),
        "payer_account": _f(C.PAYMENT_HISTORY, source="system"),
        "message": _f(C.PAYMENT_HISTORY, source="system"),
        # The user's note when setting an amount aside ("paid back to ...").
        "note": _f(C.PAYMENT_HISTORY),
        "resolved_by": _f(C.WEB_ACTIVITY, source="system"),
    },
    non_personal=[
        "company",
        "bank_import",
        "archive_reference",
        "kid",
        "amount",
        "currency",
        "booking_date",
        "outcome",
        "status",
        "set_aside_reason",
        "invoice",
        "payment",
        "client",
        "resolved_at",
        "created_at",
    ],
    erasure=Erasure.KEEP,
    keep_reason=KEEP_REASON,
)


def _register_handlers() -> None:
    from core.personal_data.handlers import Action, Handler, register_handler
    from core.personal_data.retention import blank_personal_fields, chain

    register_handler(
        Handler(
            key="company_receivables",
            title=_("Oppfølging av utestående fordringer"),
            data=_("Betalers navn og konto i bankfiler, purrebrev, tvister og inkassosaker"),
            models=(
                "receivables.BankImport",
                "receivables.BankTransaction",
                "receivables.CollectionCase",
                "receivables.Dispute",
                "receivables.Letter",
                "receivables.ReceivableItem",
            ),
            categories=(
                C.NAME,
                C.PAYMENT_HISTORY,
                C.COMPLAINTS,
            ),
            retention="company_records",
            action=Action.ANONYMISE,
            legal_basis=_("Databehandleravtale med firmaet (personvernforordningen art. 28)"),
            targets=chain(
                blank_personal_fields("receivables.BankImport"),
                blank_personal_fields("receivables.BankTransaction"),
                blank_personal_fields("receivables.CollectionCase"),
                blank_personal_fields("receivables.Dispute"),
                blank_personal_fields("receivables.Letter"),
                blank_personal_fields("receivables.ReceivableItem"),
            ),
            order=150,
        )
    )


_register_handlers()
