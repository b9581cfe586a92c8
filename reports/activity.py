"""The report audit codes in words (``core.activity``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.activity import register_sentences

register_sentences(
    {
        "reports.settings.updated": _("Rapportinnstillingene endret"),
        "reports.accounts.updated": _("Kontoplanen for eksport endret"),
        "reports.export.downloaded": _("Eksport lastet ned"),
    }
)
