"""The marketing audit codes in words (``core.activity``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.activity import register_sentences

register_sentences(
    {
        "marketing.segment.created": _("Målgruppe opprettet"),
        "marketing.segment.computed": _("Målgruppe beregnet: %(members)s mottakere"),
        "marketing.campaign.created": _("Kampanje opprettet"),
        "marketing.campaign.started": _("Kampanje startet: %(recipients)s mottakere"),
    }
)
