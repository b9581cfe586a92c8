"""Django's ``i18n`` tag library with a cheaper ``{% translate "literal" %}``.

``TEMPLATES["OPTIONS"]["libraries"]`` loads this module for ``{% load i18n %}``: every tag
and filter is Django's own, only ``translate`` (and its alias ``trans``) renders a plain
string literal more directly. Django's node turns the literal into a lazy translation
object on every render and then forces, localises and escapes it again, ~85 function calls
per tag; an app page renders 40-60 of them, a tenth of the invoice list's calls (issue 15).
The text is the same: ``gettext``/``pgettext`` of the same message id (a template literal
is safe, so the translation is too and is not escaped), then the doubled percent signs
restored. Anything else (a variable, filters, ``noop``, a result that is somehow not safe)
takes Django's own path. ``makemessages`` reads the tag names, which do not change.

The translated text of a literal is kept by language, context and message id for the life
of the process: the catalogues do not change while it runs (``runserver`` reloading a
compiled catalogue, or a test changing the language settings, empties it, as Django
empties its own catalogue cache). Not a data cache: nothing in it can go stale.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import Parser, Token, Variable
from django.templatetags import i18n
from django.utils.autoreload import file_changed
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import get_language, gettext, pgettext

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)


class LiteralTranslateNode(i18n.TranslateNode):
    def __init__(self, node: i18n.TranslateNode):
        super().__init__(node.filter_expression, node.noop, node.asvar, node.message_context)
        expression = node.filter_expression
        var = expression.var
        plain = isinstance(var, Variable) and var.lookups is None and not expression.filters
        literal = var.literal if plain else None
        # The message id as Django's Variable.resolve() builds it for a literal.
        self.msgid: SafeString | None = (
            mark_safe(literal.replace("%", "%%"))  # noqa: S308 - a template literal
            if isinstance(literal, SafeString) and not node.noop
            else None
        )

    def render(self, context: template.Context) -> Any:
        msgid = self.msgid
        if msgid is None:
            return super().render(context)
        message_context = self.message_context.resolve(context) if self.message_context else None
        key = (get_language(), message_context, msgid)
        value = _TRANSLATED.get(key)
        if value is None:
            text = pgettext(message_context, msgid) if message_context else gettext(msgid)
            if not isinstance(text, SafeData):
                return super().render(context)
            # SafeString(), not mark_safe(): the latter's lazy-argument check costs more
            # than the rest.
            value = SafeString(text.replace("%%", "%"))
            if len(_TRANSLATED) >= _TRANSLATED_MAX:
                _TRANSLATED.clear()
            _TRANSLATED[key] = value
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


# (language, message context, message id) -> the text; a few thousand entries at most.
_TRANSLATED: dict[tuple[str | None, str | None, str], SafeString] = {}
_TRANSLATED_MAX = 20_000


@receiver(file_changed)
def _forget_on_catalogue_change(*, file_path: Path, **kwargs: object) -> None:
    if file_path.suffix == ".mo":
        _TRANSLATED.clear()


@receiver(setting_changed)
def _forget_on_language_settings(*, setting: str, **kwargs: object) -> None:
    if setting in {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS"}:
        _TRANSLATED.clear()


@register.tag("translate")
@register.tag("trans")
def do_translate(parser: Parser, token: Token) -> i18n.TranslateNode:
    node = i18n.do_translate(parser, token)
    return LiteralTranslateNode(node) if type(node) is i18n.TranslateNode else node
