"""Counts a person reads are grouped by thousands as the language writes them."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from invoicing.pagination import CappedPage


@pytest.mark.parametrize(
    ("language", "expected"),
    [("nb", "de første 10\xa0000 treffene"), ("en", "the first 10,000 results")],
)
def test_the_deepest_page_says_how_far_the_list_goes_in_grouped_digits(language, expected):
    page = CappedPage(
        object_list=[object()] * 50,
        number=200,
        per_page=50,
        has_next=False,
        count=None,
        cap=10_000,
        limited=True,
    )
    with translation.override(language):
        html = render_to_string("invoicing/_pagination.html", {"page": page, "query_string": ""})

    assert expected in html


def test_the_dashboard_groups_its_counts():
    summary = SimpleNamespace(
        open_amount=Decimal("1551122462.50"),
        open_count=74_522,
        overdue_amount=Decimal("1252349181.25"),
        overdue_count=63_016,
        draft_count=1_250,
    )
    with translation.override("nb"):
        html = render_to_string(
            "invoicing/_dashboard.html",
            {"summary": summary, "recent": [], "membership": None},
        )

    assert "74\xa0522 åpne fakturaer" in html
    assert "63\xa0016 forfalte fakturaer" in html
    assert '<p class="stat" id="stat-drafts">1\xa0250</p>' in html
