"""Privacy inventory for the marketing app (autodiscovered by ``privacy``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.personal_data.inventory import Category as C
from core.personal_data.inventory import Erasure, PersonalField, register

register("marketing.Segment", personal={}, non_personal=["name", "description", "criteria"])
register(
    "marketing.SegmentMembership",
    personal={
        "segment": PersonalField(
            C.PREFERENCES,
            purpose="marketing",
            source="system",
            retention="marketing_profile",
            label=_("Markedssegment"),
        ),
        "added_at": PersonalField(
            C.PREFERENCES,
            purpose="marketing",
            source="system",
            retention="marketing_profile",
            label=_("Lagt i segmentet"),
        ),
        "reason": PersonalField(
            C.PREFERENCES,
            purpose="marketing",
            source="system",
            retention="marketing_profile",
            label=_("Hvorfor du er i segmentet"),
        ),
    },
    non_personal=["user"],
    subject="user",
)
register(
    "marketing.SegmentRule",
    personal={},
    non_personal=[
        "segment",
        "kind",
        "plan",
        "min_invoices",
        "months",
        "language",
        "computed_at",
        "created_at",
    ],
)
register(
    "marketing.Campaign",
    personal={},
    non_personal=[
        "name",
        "segment",
        "subject",
        "body",
        "status",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
    ],
)
register(
    "marketing.CampaignRecipient",
    personal={
        "campaign": PersonalField(
            C.PREFERENCES,
            purpose="marketing",
            source="system",
            retention="marketing_profile",
            label=_("Kampanje sendt til deg"),
        ),
        "basis": PersonalField(
            C.PREFERENCES,
            purpose="marketing",
            source="system",
            retention="marketing_profile",
            label=_("Grunnlag for å sende markedsføring"),
        ),
        "status": PersonalField(
            C.PREFERENCES, purpose="marketing", source="system", retention="marketing_profile"
        ),
        "sent_at": PersonalField(
            C.PREFERENCES,
            purpose="marketing",
            source="system",
            retention="marketing_profile",
            label=_("Kampanje sendt"),
        ),
    },
    non_personal=["user", "claimed_at", "error"],
    subject="user",
    erasure=Erasure.DELETE,
)


def _register_handlers() -> None:
    from core.personal_data.handlers import Action, Handler, register_handler
    from marketing import retention

    register_handler(
        Handler(
            key="marketing_profile",
            title=_("Markedsprofil og segmenter"),
            data=_("Medlemskap i markedssegmenter og mottak av kampanjer"),
            models=("marketing.SegmentMembership", "marketing.CampaignRecipient"),
            categories=(C.PREFERENCES,),
            retention="marketing_profile",
            action=Action.DELETE,
            legal_basis=_("Samtykke (personvernforordningen art. 6 nr. 1 a)"),
            targets=retention.marketing_targets,
            order=50,
        )
    )


_register_handlers()
