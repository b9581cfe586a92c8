"""The page chrome's links (``{% nav_url %}``) are the paths ``reverse()`` gives, also when
the site is served under a prefix."""

from __future__ import annotations

from django.template import Context, Template
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
