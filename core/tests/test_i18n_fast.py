"""``{% load i18n %}`` is Django's library with a cheaper literal ``{% translate %}``
(``core.templatetags.i18n_fast``, issue 15): every template gives the text Django's own
tag gives, in every language."""

from __future__ import annotations

import pytest
from django.template import Context, Engine, engines
from django.utils import translation

from core.templatetags import i18n_fast

TEMPLATES = [
    '{% translate "Fakturaer" %}',
    "{% translate 'Fakturaer' %}",
    '{% trans "Fakturaer" %}',
    '{% translate "Rabatt %" %}',  # a percent sign (doubled for gettext, restored after)
    '{% translate "100 %% sikkert" %}',
    '{% translate "Sletting" context "retention" %}',
    '{% translate "Sletting" %}',
    '{% translate "Sletting" context ctx %}',
    '{% translate "Fakturaer" as title %}[{{ title }}]',
    '{% translate "Fakturaer" noop %}',
    '{% translate "Fakturaer"|upper %}',
    '{% translate "<b>Fakturaer</b>" %}',
    '{% translate "Finnes ikke i katalogen & ingen oversettelse" %}',
    "{% translate text %}",
    '{% translate _("Fakturaer") %}',
    '{% autoescape off %}{% translate "Fakturaer" %}{% endautoescape %}',
    "{% blocktranslate with n=3 %}Side {{ n }}{% endblocktranslate %}",
    "{% get_current_language as lang %}{{ lang }}",
]


def _django_engine() -> Engine:
    return Engine(dirs=[], app_dirs=False, libraries={"i18n": "django.templatetags.i18n"})


def _project_engine() -> Engine:
    engine: Engine = engines["django"].engine  # type: ignore[attr-defined]
    return engine


def test_the_site_loads_this_library_for_i18n():
    assert _project_engine().libraries["i18n"] == i18n_fast.__name__
    template = _project_engine().from_string('{% load i18n %}{% translate "Fakturaer" %}')
    assert isinstance(template.nodelist[-1], i18n_fast.LiteralTranslateNode)


@pytest.mark.parametrize("language", ["nb", "en", None])
@pytest.mark.parametrize("source", TEMPLATES)
def test_the_same_text_as_djangos_tag(source, language):
    context = {"text": "Kunde <&>", "ctx": "retention"}
    source = "{% load i18n %}" + source
    expected_template = _django_engine().from_string(source)
    template = _project_engine().from_string(source)
    with translation.override(language):
        for _ in range(2):  # the second time from the kept text
            expected = expected_template.render(Context(context))
            assert template.render(Context(context)) == expected
            assert type(template.render(Context(context))) is type(expected)


def test_the_languages_do_not_mix():
    template = _project_engine().from_string('{% load i18n %}{% translate "Fakturaer" %}')
    for _ in range(2):
        with translation.override("en"):
            assert template.render(Context()) == "Invoices"
        with translation.override("nb"):
            assert template.render(Context()) == "Fakturaer"


def test_changed_language_settings_forget_the_kept_texts(settings):
    template = _project_engine().from_string('{% load i18n %}{% translate "Fakturaer" %}')
    with translation.override("en"):
        template.render(Context())
    assert i18n_fast._TRANSLATED
    settings.LOCALE_PATHS = [*settings.LOCALE_PATHS]
    assert not i18n_fast._TRANSLATED


def test_no_other_tag_library_name_is_shared():
    """What the silenced ``templates.W003`` check guards, but for the intended overrides."""
    from collections import defaultdict

    from django.template.backends.django import get_template_tag_modules

    modules = defaultdict(set)
    for name, path in [*get_template_tag_modules(), *_project_engine().libraries.items()]:
        modules[name].add(path)
    shared = {name: paths for name, paths in modules.items() if len(paths) > 1}
    assert shared == {
        "i18n": {"django.templatetags.i18n", i18n_fast.__name__},
        "static": {"django.templatetags.static", "core.templatetags.static_memo"},
    }
