"""The retention audit codes in words (``core.activity``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.activity import register_sentences

register_sentences(
    {"retention.run.completed": _("Sletting etter oppbevaringsreglene: %(rows)s rader slettet")}
)
