"""Privacy inventory for the marketing app (autodiscovered by ``privacy``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from privacy.inventory import Category as C
from privacy.inventory import Erasure, PersonalField, register

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
        "own_similar_products",
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
            retention="relationship",
            label=_("Kampanje sendt til deg"),
        ),
        "basis": PersonalField(
            C.PREFERENCES,
            purpose="marketing",
            source="system",
            retention="relationship",
            label=_("Grunnlag for å sende markedsføring"),
        ),
        "status": PersonalField(
            C.PREFERENCES, purpose="marketing", source="system", retention="relationship"
        ),
        "sent_at": PersonalField(
            C.PREFERENCES,
            purpose="marketing",
            source="system",
            retention="relationship",
            label=_("Kampanje sendt"),
        ),
    },
    non_personal=["user", "claimed_at", "error"],
    subject="user",
    erasure=Erasure.DELETE,
)
