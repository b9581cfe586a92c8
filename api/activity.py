"""The API token audit codes in words (``core.activity``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.activity import register_sentences

register_sentences(
    {
        "api.token.created": _("API-nøkkel «%(label)s» laget"),
        "api.token.revoked": _("API-nøkkel «%(label)s» trukket tilbake"),
    }
)
