"""Texts a company writes itself, with placeholders in braces: ``Faktura {fakturanummer}``.

One rule for every editable text (e-mail subjects and bodies): the names allowed are
checked when the text is saved (``text_placeholders_check``: an unknown name or a stray
brace is a form error, never a failure at send time), and ``text_fill`` puts the values in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def text_placeholders_check(text: str, *, allowed: Iterable[str]) -> None:
    """Raise ``ValidationError`` naming every unknown placeholder, or a stray brace."""
    known = set(allowed)
    unknown = [name for name in PLACEHOLDER.findall(text) if name not in known]
    if unknown:
        raise ValidationError(
            _("Ukjent felt: %(names)s. Du kan bruke: %(allowed)s."),
            code="unknown_placeholder",
            params={
                "names": ", ".join("{" + name + "}" for name in dict.fromkeys(unknown)),
                "allowed": ", ".join("{" + name + "}" for name in sorted(known)),
            },
        )
    if "{" in PLACEHOLDER.sub("", text) or "}" in PLACEHOLDER.sub("", text):
        raise ValidationError(
            _("En krøllparentes står alene. Felt skrives slik: {fakturanummer}."),
            code="stray_brace",
        )


def text_fill(text: str, values: Mapping[str, str]) -> str:
    """``text`` with each ``{name}`` replaced by its value (checked text: names are known)."""
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), text)
