"""``{% nav_url 'name' %}``: ``{% url %}`` for the page chrome's argument-free links.

The menu, header and footer link ~30 named URLs without arguments on every app page;
reversing each one again per request was a good part of a page's CPU (issue 15). Their
paths never change while the process runs, so each is reversed once per URL
configuration, script prefix and language and kept for the life of the process. This is
not a data cache: nothing in it can go stale. Links with arguments keep ``{% url %}``.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import template
from django.conf import settings
from django.dispatch import receiver
from django.template import Engine
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.autoreload import file_changed
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=1024)
def _reversed(name: str, urlconf: Any, prefix: str, language: str | None) -> SafeString:
    # ``prefix`` and ``language`` are part of the key only: reverse() reads them itself.
    # Escaped once here, as ``{% url %}`` escapes its result on every render.
    return escape(reverse(name, urlconf=urlconf))


def nav_path(name: str) -> SafeString:
    """The path of the argument-free URL ``name`` (what ``reverse(name)`` gives), escaped."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reversed(name, urlconf, get_script_prefix(), get_language())


class NavUrlNode(template.Node):
    """The name is a literal, read when the template is compiled: rendering is one look-up,
    not a ``simple_tag``'s argument resolution and escaping (a page has ~15 of them)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def render(self, context: template.Context) -> SafeString:
        return nav_path(self.name)


@register.tag
def nav_url(parser: template.base.Parser, token: template.base.Token) -> NavUrlNode:
    """``{% nav_url 'name' %}``: only a quoted URL name, nothing else."""
    bits = token.split_contents()
    if len(bits) != 2 or len(bits[1]) < 3 or bits[1][0] not in "'\"" or bits[1][-1] != bits[1][0]:
        raise template.TemplateSyntaxError(
            f"{bits[0]} takes one quoted URL name without arguments; use {{% url %}} for others"
        )
    return NavUrlNode(bits[1][1:-1])


# The app menu's HTML by everything it depends on (see ``app_nav``); a few thousand
# entries at most (roles x pages x languages), emptied if it ever grows past that.
_APP_NAV: dict[tuple[object, ...], SafeString] = {}
_APP_NAV_MAX = 4096


@register.simple_tag(takes_context=True)
def app_nav(context: template.Context) -> SafeString:
    """``core/_app_nav.html``, rendered once per role, page, language, URL configuration
    and script prefix and then reused: the menu shows nothing else (the entries the
    member's role may use, the current page marked), and it was ~8 % of an app page's
    function calls (issue 15). Its template reads only ``membership``'s role flags and
    ``request.resolver_match``; a new input there must go into the key below."""
    request = context.get("request")
    membership = context.get("membership")
    match = getattr(request, "resolver_match", None)
    key = (
        getattr(membership, "role", None),
        getattr(match, "namespace", None),
        getattr(match, "url_name", None),
        get_language(),
        get_urlconf() or settings.ROOT_URLCONF,
        get_script_prefix(),
    )
    html = _APP_NAV.get(key)
    if html is None:
        engine = context.template.engine if context.template else None
        nav = (engine or Engine.get_default()).get_template("core/_app_nav.html")
        html = nav.render(context)
        if len(_APP_NAV) >= _APP_NAV_MAX:
            _APP_NAV.clear()
        _APP_NAV[key] = html
    return html  # a SafeString: rendered (and escaped) by the template engine


@receiver(file_changed)
def _forget_app_nav(**kwargs: object) -> None:
    """``runserver`` reloads changed templates without a restart: so does the menu."""
    _APP_NAV.clear()
