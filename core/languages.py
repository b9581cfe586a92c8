"""The site's two languages, bokmål and English, and the one rule that tells them apart."""

from __future__ import annotations

from django.utils.translation import get_language


def is_english(language: str | None = None) -> bool:
    """``language`` (default: the active one) is English ("en", "en-gb"); anything else,
    or none, reads as bokmål, the site's first language."""
    language = get_language() if language is None else language
    return (language or "").startswith("en")
