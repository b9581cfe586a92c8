"""Bokmål is the source language; every English catalogue is complete, current and agrees
with the others."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(ROOT.glob("*/locale/en/LC_MESSAGES/django.po")) + sorted(
    ROOT.glob("locale/en/LC_MESSAGES/django.po")
)


def entries(path: Path) -> list[tuple[str | None, str, list[str], bool]]:
    """(msgctxt, msgid, msgstrs, fuzzy) of every entry but the header."""
    result = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        fuzzy = any(line.startswith("#,") and "fuzzy" in line for line in lines)
        fields: dict[str, str] = {}
        current = None
        for line in lines:
            if line.startswith("#"):
                continue
            if line.startswith('"'):
                assert current is not None, "a continuation line follows a field"
                fields[current] += ast.literal_eval(line)
            else:
                current, _, value = line.partition(" ")
                fields[current] = ast.literal_eval(value)
        if fields.get("msgid"):
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            result.append((fields.get("msgctxt"), fields["msgid"], strs, fuzzy))
    return result


def test_there_are_catalogues():
    assert len(CATALOGUES) >= 10


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_string_has_an_english_translation(path):
    missing = [msgid for _, msgid, strs, fuzzy in entries(path) if fuzzy or not all(strs)]
    assert missing == [], f"untranslated or fuzzy in {path.relative_to(ROOT)}: {missing[:5]}"


def test_a_string_means_the_same_in_every_catalogue():
    """Django merges every app's catalogue into one, so a msgid (with its context) gets a
    single English text everywhere, whichever catalogue wins. Two apps translating it
    differently means one of them shows the other's wording: the same meaning gets one
    text, a different meaning gets its own context (pgettext, ``context "…"``)."""
    seen: dict[tuple[str | None, str], dict[tuple[str, ...], list[str]]] = {}
    for path in CATALOGUES:
        for context, msgid, strs, _ in entries(path):
            where = seen.setdefault((context, msgid), {})
            where.setdefault(tuple(strs), []).append(str(path.relative_to(ROOT).parts[0]))
    differing = {key: where for key, where in seen.items() if len(where) > 1}
    assert differing == {}, "translated differently by the catalogues of: " + "; ".join(
        f"{msgid!r} ({context or 'no context'}): "
        + ", ".join(f"{'/'.join(apps)} {strs[0]!r}" for strs, apps in where.items())
        for (context, msgid), where in differing.items()
    )
