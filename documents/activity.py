"""The document audit codes in words (``core.activity``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.activity import register_sentences

register_sentences(
    {
        "documents.pdf.stored": _("PDF av %(object)s arkivert"),
        "documents.ehf.stored": _("EHF av %(object)s arkivert"),
        "documents.logo.uploaded": _("Logo lastet opp"),
        "documents.logo.removed": _("Logo fjernet"),
    }
)
