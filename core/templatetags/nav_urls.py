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
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=1024)
def _reversed(name: str, urlconf: Any, prefix: str, language: str | None) -> str:
    # ``prefix`` and ``language`` are part of the key only: reverse() reads them itself.
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def nav_url(name: str) -> str:
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reversed(name, urlconf, get_script_prefix(), get_language())
