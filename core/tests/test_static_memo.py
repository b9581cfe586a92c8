"""``{% static %}`` of a literal path is looked up once (``core.templatetags.static_memo``)
and gives what Django's own tag gives; anything else takes Django's own path."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, engines
from django.test import override_settings

from core.templatetags import static_memo

DJANGO = Engine(dirs=[], app_dirs=False, libraries={"static": "django.templatetags.static"})
SOURCES = [
    "{% static 'css/app.css' %}",
    '{% static "vendor/pico/pico.min.css" %}',
    "{% static 'img/a b&c.svg' %}",
    "{% static path %}",
    "{% static 'css/app.css' as link %}[{{ link }}]",
    "{% autoescape off %}{% static 'img/a b&c.svg' %}{% endautoescape %}",
]
PLAIN = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}} | {
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
}


def _site(source: str) -> str:
    return engines["django"].from_string("{% load static %}" + source).render({"path": "x&y.js"})


def _django(source: str) -> str:
    return DJANGO.from_string("{% load static %}" + source).render(Context({"path": "x&y.js"}))


@override_settings(STORAGES=PLAIN)
@pytest.mark.parametrize("source", SOURCES)
def test_the_same_url_as_djangos_tag(source):
    assert _site(source) == _django(source)
    assert _site(source) == _django(source)  # the second time from the memo


@override_settings(STORAGES=PLAIN)
def test_a_literal_path_is_asked_of_the_storage_once(monkeypatch):
    calls = []
    handle_simple = static_memo.LiteralStaticNode.handle_simple

    def counted(path):
        calls.append(path)
        return handle_simple(path)

    monkeypatch.setattr(static_memo.LiteralStaticNode, "handle_simple", staticmethod(counted))
    for _ in range(3):
        _site("{% static 'js/memo-test.js' %}")
    assert calls == ["js/memo-test.js"]


def test_changed_static_settings_give_the_new_url():
    with override_settings(STORAGES=PLAIN, STATIC_URL="/static/"):
        assert _site("{% static 'css/app.css' %}") == "/static/css/app.css"
    with override_settings(STORAGES=PLAIN, STATIC_URL="https://cdn.example/s/"):
        assert _site("{% static 'css/app.css' %}") == "https://cdn.example/s/css/app.css"
