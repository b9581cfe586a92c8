"""The activity log in words: what each audit code means, and which object it points at.

Every app that writes audit entries declares in its ``activity.py`` (imported at start-up by
``core.apps``, as ``privacy.py`` modules are) a sentence per action code and, for the
models its entries point at, how to name and link them::

    register_sentences({"invoicing.invoice.issued": _("%(Object)s utstedt")})
    register_object("invoicing.invoice", noun=_("faktura"), resolve=invoices_for_activity)

A sentence is a translated ``%``-format string; one that counts is
``ngettext_lazy(singular, plural, "count")``, which picks its form by the entry's ``count``
(an ``int`` in the data). Its parameters are ``object`` (the target,
a link when the viewer may open it) and ``Object`` (the same, capitalised), plus every
value of the entry's ``data`` (escaped; the amounts under ``MONEY_KEYS`` formatted by
``core.money.format_money``). A missing value shows as "–", never an error.

A resolver gets the request and the ids of one model (all entries of a page at once: one
query per model) and returns an ``ObjectLink`` per id it finds and the viewer may see,
with an empty ``url`` where the viewer may not open the page. An object it does not
return (deleted, erased) is named by the registered noun and the number kept in the
entry's data, without a link.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Protocol

from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from core.models import AuditEntry
from core.money import format_money
from core.parsing import parse_id

Text = str | Promise

# Keys of an entry's data that hold an amount of money.
MONEY_KEYS = frozenset(
    {"amount", "total", "total_incl_vat", "to_client_credit", "from_invoice", "from_client_credit"}
)
MISSING = "–"
# Optional parameters: empty when unknown (a deleted payment's currency), not "–".
OPTIONAL = frozenset({"currency"})
COUNT_KEY = "count"  # the number a counting sentence agrees with
_SPACES = re.compile(r" {2,}")


@dataclass(frozen=True)
class ObjectLink:
    label: str
    url: str = ""  # empty: shown without a link
    # More sentence parameters the object knows (a payment's currency), escaped when used.
    params: Mapping[str, str] = field(default_factory=dict)


class Resolver(Protocol):
    def __call__(self, *, request: HttpRequest, ids: set[str]) -> dict[str, ObjectLink]: ...


@dataclass(frozen=True)
class ObjectKind:
    noun: Text  # names the object when it is gone: "faktura" (+ its number from the data)
    number_key: str = "number"  # the key of the entry's data that holds that number
    resolve: Resolver | None = None


_sentences: dict[str, Text] = {}
_kinds: dict[str, ObjectKind] = {}
_values: dict[str, dict[str, Text]] = {}


def register_sentences(sentences: Mapping[str, Text]) -> None:
    """Declare the sentence of each action code (one app's codes)."""
    _sentences.update(sentences)


def register_object(
    object_type: str, *, noun: Text, number_key: str = "number", resolve: Resolver | None = None
) -> None:
    """Declare how entries whose target is ``object_type`` (``app.model``) name it."""
    _kinds[object_type] = ObjectKind(noun=noun, number_key=number_key, resolve=resolve)


def register_values(key: str, labels: Mapping[str, Text]) -> None:
    """Show a data value under ``key`` by its label (``role``: ``owner`` → "Eier")."""
    _values.setdefault(key, {}).update(labels)


def object_pks(ids: set[str]) -> list[int]:
    """The primary keys among a resolver's ``ids`` (audit ids are text)."""
    return [pk for pk in (parse_id(value) for value in ids) if pk is not None]


def sentence_for(action: str) -> Text | None:
    return _sentences.get(action)


def known_actions() -> set[str]:
    return set(_sentences)


@dataclass(frozen=True)
class ActivityLine:
    entry: AuditEntry
    text: SafeString


class _Params(dict[str, str | int]):
    def __missing__(self, key: str) -> str:
        return "" if key in OPTIONAL else MISSING


def _value(key: str, value: object) -> str | int:
    if key == COUNT_KEY and isinstance(value, int) and not isinstance(value, bool):
        return value  # a number: a counting sentence picks its singular or plural by it
    if key in MONEY_KEYS and isinstance(value, str | int):
        try:
            return format_money(Decimal(str(value)))
        except (InvalidOperation, ValueError):
            pass
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return MISSING
    label = _values.get(key, {}).get(str(value))
    if label is not None:
        return conditional_escape(str(label))
    return conditional_escape(str(value))


def _object_html(entry: AuditEntry, link: ObjectLink | None, *, capital: bool) -> str:
    if link is None:
        kind = _kinds.get(entry.object_type)
        if kind is None:
            return ""
        number = (entry.data or {}).get(kind.number_key)
        label = f"{kind.noun} {number}" if number not in (None, "") else str(kind.noun)
        link = ObjectLink(label=label)
    label = link.label[:1].upper() + link.label[1:] if capital else link.label
    if link.url:
        return format_html('<a href="{}">{}</a>', link.url, label)
    return conditional_escape(label)


def activity_lines(entries: Iterable[AuditEntry], *, request: HttpRequest) -> list[ActivityLine]:
    """Each entry as a sentence (safe HTML), resolving the targets per model in one go."""
    entries = list(entries)
    ids: dict[str, set[str]] = defaultdict(set)
    for entry in entries:
        if entry.object_type and entry.object_id:
            ids[entry.object_type].add(entry.object_id)
    links: dict[tuple[str, str], ObjectLink] = {}
    for object_type, object_ids in ids.items():
        kind = _kinds.get(object_type)
        if kind is None or kind.resolve is None:
            continue
        for object_id, found in kind.resolve(request=request, ids=object_ids).items():
            links[(object_type, object_id)] = found
    lines = []
    for entry in entries:
        sentence = _sentences.get(entry.action)
        if sentence is None:
            lines.append(ActivityLine(entry=entry, text=conditional_escape(entry.action)))
            continue
        link = links.get((entry.object_type, entry.object_id))
        params = _Params({key: _value(key, value) for key, value in (entry.data or {}).items()})
        if link is not None:
            params.update({key: conditional_escape(value) for key, value in link.params.items()})
        params["object"] = _object_html(entry, link, capital=False) or MISSING
        params["Object"] = _object_html(entry, link, capital=True) or MISSING
        # The sentence itself formats: a counting one reads its number from ``params``.
        text = _SPACES.sub(" ", str(sentence % params))
        lines.append(ActivityLine(entry=entry, text=mark_safe(text)))  # noqa: S308
    return lines
