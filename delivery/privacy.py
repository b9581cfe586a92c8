"""Privacy inventory for the delivery app (autodiscovered by ``privacy``).

The send log records where an invoice went: the client's invoice e-mail addresses (which
may be a private person's) and the receiving server's answer, which can repeat them. They
are processed for the company that sends the invoice and kept with the bookkeeping
documentation (proof of delivery, bokføringsloven § 13).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.personal_data.inventory import Category as C
from core.personal_data.inventory import Erasure, PersonalField, register


def _f(category: str) -> PersonalField:
    return PersonalField(
        category, purpose="invoicing", source="system", retention="bookkeeping_secondary"
    )


_KEEP_REASON = _(
    "Utsendelsesloggen dokumenterer at og hvordan fakturaen ble sendt, og oppbevares så "
    "lenge bokføringsloven krever."
)

register(
    "delivery.Delivery",
    personal={"recipients": _f(C.CONTACT), "error": _f(C.CORRESPONDENCE)},
    non_personal=[
        "company",
        "invoice",
        "channel",
        "request_id",
        "attempt",
        "status",
        "created_at",
        "due_at",
        "enqueued_at",
        "started_at",
        "finished_at",
        "permanent",
        "message_id",
        "attach_ehf",
        "requested_by",
        "batch_item",
    ],
    subject=None,
    erasure=Erasure.KEEP,
    keep_reason=_KEEP_REASON,
)
register(
    "delivery.BatchItem",
    personal={"error": _f(C.CORRESPONDENCE)},
    non_personal=["company", "batch", "invoice", "channel", "status", "request_id"],
    subject=None,
    erasure=Erasure.KEEP,
    keep_reason=_KEEP_REASON,
)
register(
    "delivery.Batch",
    personal={},
    non_personal=["company", "created_at", "created_by", "attach_ehf", "finished_at"],
    subject=None,
    erasure=Erasure.KEEP,
    keep_reason=_KEEP_REASON,
)

register(
    "delivery.EmailTexts",
    personal={},
    # The company's own e-mail wording (templates with placeholders), not data about a person.
    non_personal=[
        "company",
        "kind",
        "subject_nb",
        "body_nb",
        "subject_en",
        "body_en",
        "updated_at",
    ],
)


def _register_handlers() -> None:
    from core.personal_data.handlers import Action, Handler, register_handler
    from delivery import retention

    register_handler(
        Handler(
            key="delivery_log",
            title=_("Utsendelseslogg for fakturaer"),
            data=_("Mottakeradresser og svar fra mottakerens server"),
            models=(
                "delivery.Delivery",
                "delivery.BatchItem",
            ),
            categories=(
                C.CONTACT,
                C.CORRESPONDENCE,
            ),
            retention="bookkeeping_secondary",
            action=Action.ANONYMISE,
            legal_basis=_("Rettslig forpliktelse (bokføringsloven § 13)"),
            targets=retention.delivery_targets,
            order=140,
        )
    )


_register_handlers()
