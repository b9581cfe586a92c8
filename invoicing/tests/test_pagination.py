"""``pagination.capped_page`` with a cap that is not a multiple of the page size: the pages
end at the cap, row for row, on every path (a shallow page, a deep page read by key, a
union of parts), on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db.models import F, Q, Value
from django.db.models.functions import NullIf
from django.db.models.lookups import GreaterThan

from customers.models import Client
from invoicing.pagination import (
    DIRECT_BELOW,
    PerValue,
    capped_page,
)

pytestmark = pytest.mark.django_db


def _clients(company, n: int) -> list[int]:
    """``n`` clients of ``company``; their ids in order (any model's queryset pages)."""
    Client.objects.bulk_create(
        Client(company=company, number=i, name=f"Kunde {i}") for i in range(1, n + 1)
    )
    return list(Client.objects.order_by("pk").values_list("pk", flat=True))


def _keys(page) -> list[int]:
    return [row.pk for row in page]


@pytest.mark.parametrize("asked", ["10", "11", "99", "100000"])
def test_the_deepest_page_ends_at_the_cap(company_scope, asked):
    ids = _clients(company_scope, 120)

    page = capped_page(Client.objects.order_by("pk"), asked, per_page=10, cap=95)

    # Page 10 holds rows 91-95: the last within the cap, never 96-100.
    assert page.number == 10
    assert _keys(page) == ids[90:95]
    assert (page.start_index, page.end_index) == (91, 95)
    assert page.count is None and page.num_pages is None
    assert (page.has_next, page.has_previous, page.limited) == (False, True, True)


def test_the_pages_before_the_deepest_are_whole_and_lead_to_it(company_scope):
    ids = _clients(company_scope, 120)
    queryset = Client.objects.order_by("pk")

    seen, number = [], 1
    while True:
        page = capped_page(queryset, number, per_page=10, cap=95)
        seen += _keys(page)
        if not page.has_next:
            break
        assert len(page) == 10 and not page.limited
        number += 1

    assert (number, seen) == (10, ids[:95])


@pytest.mark.parametrize(("rows", "count", "limited"), [(95, 95, False), (96, None, True)])
def test_at_and_just_above_the_cap(company_scope, rows, count, limited):
    ids = _clients(company_scope, rows)

    last = capped_page(Client.objects.order_by("pk"), "10", per_page=10, cap=95)

    assert (last.count, _keys(last), last.limited, last.has_next) == (
        count,
        ids[90:95],
        limited,
        False,
    )
    assert last.num_pages == (10 if count else None)


def test_a_deep_page_read_by_key_ends_at_the_cap(company_scope):
    cap = DIRECT_BELOW + 5  # the deepest page starts at row 501: read by key first
    ids = _clients(company_scope, cap + 15)

    page = capped_page(Client.objects.order_by("pk"), "99", per_page=10, cap=cap)

    assert page.number == 51
    assert _keys(page) == ids[500:cap]
    assert (page.end_index, page.has_next, page.limited) == (cap, False, True)


def test_a_union_of_parts_ends_at_the_cap(company_scope):
    ids = _clients(company_scope, 120)
    queryset = Client.objects.order_by("id")  # the parts' order names the key (as the list's)
    parts = [queryset.filter(number__lte=70), queryset.filter(number__gte=50)]  # overlapping

    page = capped_page(queryset, "10", per_page=10, cap=95, parts=parts)

    assert page.number == 10
    assert _keys(page) == ids[90:95]
    assert (page.count, page.has_next, page.limited) == (None, False, True)


def test_a_union_with_a_part_that_joins_pages_the_same(company_scope):
    # The parts' conditions are compiled once for the count and the keys; a part that
    # reads another table (here the company's name) goes through the ORM's union instead.
    ids = _clients(company_scope, 120)
    queryset = Client.objects.order_by("id")
    own = [queryset.filter(number__lte=70), queryset.filter(number__gte=50)]
    joined = [own[0], queryset.filter(company__name=company_scope.name, number__gte=50)]

    pages = [capped_page(queryset, "2", per_page=10, cap=95, parts=p) for p in (own, joined)]

    assert [_keys(page) for page in pages] == [ids[10:20], ids[10:20]]
    assert [(page.count, page.has_next) for page in pages] == [(None, True), (None, True)]


def test_a_cap_that_is_a_multiple_serves_whole_pages_as_before(company_scope):
    ids = _clients(company_scope, 120)

    page = capped_page(Client.objects.order_by("pk"), "99", per_page=50, cap=100)

    assert page.number == 2
    assert _keys(page) == ids[50:100]
    assert (page.end_index, page.has_next, page.limited) == (100, False, True)


@pytest.mark.parametrize("rows", [0, 7, 10, 11, 30, 96])
def test_a_first_page_reads_its_rows_and_the_count_in_one_query(company_scope, rows):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ids = _clients(company_scope, rows)
    with CaptureQueriesContext(connection) as queries:
        page = capped_page(Client.objects.order_by("pk"), 1, per_page=10, cap=95)
    assert len(queries.captured_queries) == 1
    assert page.count == (rows if rows <= 95 else None) and _keys(page) == ids[:10]
    assert page.has_next == (rows > 10)
    if rows <= 95:
        assert page.num_pages == max(1, -(-rows // 10))


@pytest.mark.parametrize(
    ("asked", "served", "keys"),
    [
        ("2", 2, slice(10, 20)),  # a shallow page
        ("60", 60, slice(590, 600)),  # read by key (past ``DIRECT_BELOW`` rows)
        ("61", 61, slice(600, 603)),  # the last page, short
    ],
)
def test_a_later_page_reads_its_rows_and_the_count_in_one_query(company_scope, asked, served, keys):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert DIRECT_BELOW < 590
    ids = _clients(company_scope, 603)
    with CaptureQueriesContext(connection) as queries:
        page = capped_page(Client.objects.order_by("-number", "pk"), asked, per_page=10, cap=1000)
    assert len(queries.captured_queries) == 1
    assert (page.number, page.count, page.num_pages) == (served, 603, 61)
    assert _keys(page) == list(reversed(ids))[keys]


@pytest.mark.parametrize(
    ("rows", "count", "limited"), [(96, None, True), (95, 95, False), (93, 93, False)]
)
@pytest.mark.parametrize("deep", [False, True])
def test_the_deepest_page_is_one_query_without_a_count(
    company_scope, monkeypatch, rows, count, limited, deep
):
    # Its rows end at the cap: one row past them says "more than the cap", fewer say its
    # last row is the selection's; no count is needed (shallow, or read by key).
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if deep:
        monkeypatch.setattr("invoicing.pagination.DIRECT_BELOW", 0)
    ids = _clients(company_scope, rows)
    with CaptureQueriesContext(connection) as queries:
        page = capped_page(Client.objects.order_by("pk"), "10", per_page=10, cap=95)
    assert len(queries.captured_queries) == 1
    assert "COUNT(" not in queries.captured_queries[0]["sql"].upper()
    assert (page.number, page.count, page.limited, page.has_next) == (10, count, limited, False)
    assert _keys(page) == ids[90:95]


@pytest.mark.parametrize("asked", ["62", "70", "100"])
def test_a_page_past_the_end_is_the_last_page(company_scope, asked):
    ids = _clients(company_scope, 603)
    page = capped_page(Client.objects.order_by("pk"), asked, per_page=10, cap=1000)
    assert (page.number, page.count, page.has_next) == (61, 603, False)
    assert _keys(page) == ids[600:]


def test_a_first_page_of_an_empty_selection_is_empty(company_scope):
    _clients(company_scope, 3)
    page = capped_page(Client.objects.filter(pk__in=[]).order_by("pk"), 1, per_page=10)
    assert list(page) == [] and page.count == 0 and not page.has_next


def test_a_first_page_above_a_cap_smaller_than_the_page(company_scope):
    ids = _clients(company_scope, 7)
    page = capped_page(Client.objects.order_by("pk"), 1, per_page=10, cap=5)
    assert _keys(page) == ids[:5] and page.count is None and page.limited


def _all_keys(queryset, parts, *, per_page=4, cap=100) -> tuple[list[int], int | None]:
    keys, number = [], 1
    while True:
        page = capped_page(queryset, number, per_page=per_page, cap=cap, parts=parts)
        keys += _keys(page)
        if not page.has_next:
            return keys, page.count
        number += 1


def test_a_union_counts_a_row_whose_earlier_condition_is_null_once(company_scope):
    # The count adds disjoint pieces (each part's rows the earlier parts do not select):
    # a row for which an earlier part's condition is NULL (not false) is still counted.
    ids = _clients(company_scope, 30)
    queryset = Client.objects.order_by("id")
    null_for_3 = Q(GreaterThan(NullIf(F("number"), Value(3)), Value(0)))  # NULL for row 3
    parts = [queryset.filter(null_for_3), queryset.filter(number__in=[2, 3])]

    assert _all_keys(queryset, parts) == (ids, 30)
    assert _all_keys(queryset, parts, cap=29) == (ids[:29], None)


def test_a_part_read_value_by_value_pages_as_its_plain_filter(company_scope):
    ids = _clients(company_scope, 40)
    for ordering in (["id"], ["-number", "-id"], ["name", "id"]):
        queryset = Client.objects.order_by(*ordering)
        numbers = (3, 7, 12, 13, 14, 25, 31, 40)
        parts = [
            PerValue(queryset, "number", numbers),
            queryset.filter(name__endswith="4"),  # overlaps at 14
        ]
        expected = list(
            queryset.filter(Q(number__in=numbers) | Q(name__endswith="4")).values_list(
                "pk", flat=True
            )
        )

        assert _all_keys(queryset, parts, per_page=3) == (expected, len(expected))
        assert _all_keys(queryset, parts, per_page=3, cap=5) == (expected[:5], None)
    assert len(expected) == 11 and set(expected) <= set(ids)
