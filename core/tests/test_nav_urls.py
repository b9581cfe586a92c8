"""The page chrome's links (``{% nav_url %}``) are the paths ``reverse()`` gives, also when
the site is served under a prefix."""

from __future__ import annotations

import re

import pytest
from django.template import Context, Template, TemplateSyntaxError
from django.urls import reverse, set_script_prefix

LINK = Template("{% load nav_urls %}{% nav_url 'invoicing:list' %}")


def test_the_link_is_the_reversed_path():
    assert LINK.render(Context()) == reverse("invoicing:list") == "/app/invoices/"


def test_a_script_prefix_is_kept_in_the_link():
    try:
        set_script_prefix("/fakturanett/")
        assert LINK.render(Context()) == "/fakturanett/app/invoices/"
    finally:
        set_script_prefix("/")
    assert LINK.render(Context()) == "/app/invoices/"


def _menu(client, path: str) -> str:
    html = client.get(path).content.decode()
    return html[html.index('<ul class="app-menu">') : html.index('<ul class="user-menu">')]


def test_the_menu_marks_the_page_shown_and_offers_what_the_role_may_use(
    owner_client, member_client
):
    """The menu is rendered once per role, page and language and then reused: each must
    still get its own."""
    invoices = _menu(owner_client, "/app/invoices/")
    assert '<a href="/app/invoices/" aria-current="page">' in invoices
    assert "Aktivitet" in invoices and "Utsending" in invoices
    clients = _menu(owner_client, "/app/clients/")
    assert '<a href="/app/clients/" aria-current="page">' in clients
    assert '<a href="/app/invoices/" aria-current="page">' not in clients
    member = _menu(member_client, "/app/invoices/")
    assert '<a href="/app/invoices/" aria-current="page">' in member
    assert "Aktivitet" not in member and "Utsending" not in member
    owner_client.post("/language/", {"language": "en", "next": "/app/"})
    english = _menu(owner_client, "/app/invoices/")
    assert "Invoices" in english and "Fakturaer" not in english


@pytest.mark.parametrize(
    "source",
    [
        "{% nav_url %}",
        "{% nav_url name %}",
        "{% nav_url 'invoicing:detail' 1 %}",
        "{% nav_url 'invoicing:list' as link %}",
        "{% nav_url 'invoicing:list\" %}",
    ],
)
def test_anything_but_one_quoted_name_is_refused_when_the_template_compiles(source):
    with pytest.raises(TemplateSyntaxError, match=re.escape("use {% url %}")):
        Template("{% load nav_urls %}" + source)
