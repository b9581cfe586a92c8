"""Django's ``static`` tag library whose ``{% static 'literal' %}`` asks the storage once.

``TEMPLATES["OPTIONS"]["libraries"]`` loads this module for ``{% load static %}``: the tags
are Django's own, only a literal path without ``as`` is looked up once per storage
settings and kept for the life of the process. Every app page links five static files in
its head; asking the storage again for each (the manifest's hashed name, quoting, joining
with ``STATIC_URL``) was ~80 function calls per link (issue 15). The static files and their
manifest do not change while the process runs (the manifest storage reads its manifest
once, too), and a test that changes the storage settings empties it: not a data cache,
nothing in it can go stale. A variable path, ``as``, or ``{% autoescape off %}`` take
Django's own path.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.base import Parser, Token
from django.templatetags import static
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString

register = template.Library()
register.tags.update(static.register.tags)
register.filters.update(static.register.filters)


class LiteralStaticNode(static.StaticNode):
    def __init__(self, node: static.StaticNode):
        super().__init__(varname=node.varname, path=node.path)
        # A quoted path compiles to its text (a variable to a ``Variable``).
        var = node.path.var
        plain = isinstance(var, str) and not node.path.filters and node.varname is None
        self.literal: str | None = str(var) if plain else None

    def render(self, context: template.Context) -> Any:
        if self.literal is None or not context.autoescape:
            return super().render(context)
        url = _URLS.get(self.literal)
        if url is None:
            url = _URLS[self.literal] = conditional_escape(self.handle_simple(self.literal))
        return url


# Literal path -> its escaped URL; as many entries as the templates name static files.
_URLS: dict[str, SafeString] = {}


@receiver(setting_changed)
def _forget_on_static_settings(*, setting: str, **kwargs: object) -> None:
    if setting in {"STATIC_URL", "STATIC_ROOT", "STORAGES"}:
        _URLS.clear()


@register.tag("static")
def do_static(parser: Parser, token: Token) -> static.StaticNode:
    node = static.do_static(parser, token)
    return LiteralStaticNode(node) if type(node) is static.StaticNode else node
