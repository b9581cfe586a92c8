"""Pagination for long lists (100,000+ invoices) without a full COUNT(*) on every page.

Django's ``Paginator`` counts the whole filtered set on every request. Here the count is
capped: at most ``cap + 1`` primary keys of the filtered set are counted, through the
same index the list uses. Below the cap the page shows "n treff" and "side x av y";
above it, "over 10 000" and the pages still work (a page fetches one row extra to know
whether there is a next one) up to the cap: page 200 of 50 rows is the deepest page, and
it says that the rest is reached by narrowing the filters. The pages end at the cap, row
for row: with a cap that is not a multiple of the page size (95 rows, pages of 10) the
deepest page is the one holding the last row within the cap (page 10) and it is cut there
(rows 91-95), so what the list says ("de første 95 treffene", "viser 91–95") is what it
shows, as the API's pages end at row 10,001. No request walks more than
``cap + per_page`` index entries, so no page costs a sort or a scan of the whole set
(page 10,000 of 4.5 M invoices took 17.9 s before this limit; issue 15).

A deep page reads its keys from the index first and then loads only those rows (a
deferred join, the keys a subquery of the statement that loads the rows, which filters by
them alone: ``_by_key``), so page 200 costs about what page 1 does; the capped count rides
in the same statement.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, FullResultSet
from django.db import connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, QuerySet
from django.db.models.expressions import RawSQL

from core.models import TenantModel
from core.parsing import ID_MAX, parse_int

PER_PAGE = 50
COUNT_CAP = 10_000
MAX_PAGE = 100_000  # parsing bound only; the deepest page served is cap / per_page
# Pages starting before this row are read in one query (rows and joins, LIMIT/OFFSET);
# deeper ones by key first (the deferred join below).
DIRECT_BELOW = 500
# A gathered search's walk first (``capped_page(gather_walk=...)``) reads at most this
# many rows: ~2 ms at ~1 µs each, which a search matching fewer than one in two of them
# (the walk then yields too few) spends before the gathered read (issue 15; 5,000 cost a
# narrow search sorted by client ~4 ms more and a broad one no less). When it found
# some, it walks on as far as their share says the matches reach, up to
# ``GATHER_WALK_MOST`` rows (~50-100 ms): a search matching one in forty.
GATHER_WALK = 2_000
GATHER_WALK_MOST = 50_000
# Where that walk cannot answer, a search sorted by client finds up to this many matches
# first and sorts them (``_CompiledParts.gathered(sparse=True)``): ~10 µs each.
SPARSE_MOST = 10_000


@dataclass(frozen=True)
class PerValue:
    """A part of a union (``capped_page(parts=...)``): ``queryset``'s rows whose ``field``
    is one of ``values``, read value by value where the database can (PostgreSQL,
    ``LATERAL``). Each value's rows then come in the list's order from an index that
    starts with the field (a client's invoices by (company, client, kind, date, ...)),
    so a page's keys read a page of rows per value, not every row of every value: 1,275
    index entries instead of 12,500 for a search matching 25 clients of a big company
    (issue 15). Elsewhere, and for the count, it is the plain ``IN``."""

    queryset: QuerySet[Any]
    field: str
    values: tuple[Any, ...]

    def selection(self) -> QuerySet[Any]:
        return self.queryset.filter(**{f"{self.field}__in": self.values})


@dataclass(frozen=True)
class Walk:
    """How a deep page of rows sorted first by the row a foreign key points to (invoices
    by client name) is read: ``values``, every row ``field`` can point to, in the list's
    order of them (the company's clients by name, then id, in one direction), each counted
    with the number of its rows. The list's order must name those columns first and then
    only the rows' own.

    PostgreSQL misjudges how many rows each client has (it guesses ~7 where a big company's
    clients have ~500) and sorted every matching row for page 200 of the open invoices
    sorted by client (74,000 rows, ~200 ms; issue 15). The walk (``_walk_keys``) counts the
    related rows' rows in their order, each from the index that starts with the field, and
    keeps a running sum up to the related row the page starts in; the page's rows are then
    read in order from that related row on (the index on (company, name, id) from a row
    value): one statement, which counts exactly the rows before the page. Put the filters
    in that index too (``invoice_client_list`` holds the status; ``invoice_client_open`` the
    open invoices only, with their due date), or each related row's rows are all read to
    count the few that match. Counted a few dozen related rows at a time, one statement per
    chunk, page 200 of the open invoices sorted by client took four statements and counted
    11,300 rows to pass 9,950."""

    field: str
    values: QuerySet[Any]


_COUNTED = "capped_count"


@dataclass(frozen=True)
class CappedPage:
    object_list: list[Any]
    number: int
    per_page: int
    has_next: bool
    count: int | None  # exact count of the filtered set, or None when above the cap
    cap: int
    # True when rows exist beyond the deepest page served (the cap): the page says so
    # and asks for narrower filters instead of offering a next page.
    limited: bool = False

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def num_pages(self) -> int | None:
        if self.count is None:
            return None
        return max(1, -(-self.count // self.per_page))

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.object_list else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.object_list)


def page_number(value: Any) -> int:
    number = parse_int(str(value), min_value=-ID_MAX, max_value=ID_MAX)
    if number is None:
        return 1
    return min(max(number, 1), MAX_PAGE)


def capped_page(
    queryset: QuerySet[Any],
    page: Any,
    *,
    per_page: int = PER_PAGE,
    cap: int = COUNT_CAP,
    parts: Sequence[QuerySet[Any] | PerValue] = (),
    columns: Sequence[str] = (),
    walk: Walk | None = None,
    gather: bool = False,
    gather_walk: QuerySet[Any] | None = None,
) -> CappedPage:
    """Page ``page`` (1-based; invalid → 1, past the end → the last page, past the cap →
    the deepest page) of ``queryset``.

    With ``parts`` (querysets of the same model and order whose union is the selection,
    e.g. one per alternative of a text search; ``PerValue`` for one read value by value)
    the page's keys come from a ``UNION`` of the parts, each capped on PostgreSQL, and the
    count from a sum of disjoint pieces of them, so each part is read through its own
    index; ``queryset`` (every filter but the search) then only loads the page's rows by
    key. One part (not a ``PerValue``): the same rows as ``queryset``, which reads the
    page and the part counts; none: ``queryset`` is the selection.

    ``columns``: the page's rows as named tuples of these columns (``values_list``, joins
    allowed) instead of model instances; applied to the loaded rows only, so the count and
    the key walk stay on ``queryset``'s own index without the columns' joins.

    ``walk``: a deep page of a selection that is not a union is read by ``Walk``.

    ``gather``: the selection is one text search's (a trigram index), whose matches the
    database finds in no order: the keys of its first ``cap + 1`` rows in order are read
    once (``_CompiledParts.gathered``). Their number is the count (above the cap: "over"),
    they are every page's keys, and the page loads its rows by key. Counted and then read
    in order, a searched page read its matches twice: 385 heap blocks each for "PO-4242"
    at 4.5 M invoices (issue 15). Asked for its first rows in order, PostgreSQL walks the
    list's index when the matches are many and sorts them when they are few.

    ``gather_walk``: rows that hold the selection's, in its order, read from an index
    without the search (every other filter, or fewer): its first rows are checked for the
    search first (``_walked_keys``), and when they hold ``cap + 1`` matches, or are all
    there are, those are the gathered keys (exact: no match comes before the last of them
    outside the walk). Otherwise the keys are gathered as above, found first and then
    sorted when they are few (``_CompiledParts.gathered(sparse=True)``). PostgreSQL
    cannot foresee how many rows a search matches: for one that matched every invoice of a
    big company, sorted by client ("olga eier", the name every invoice carries as our
    reference) it planned for few, and read and sorted all of them (0.8-1.2 s at 1 M
    invoices; the walk: 2 ms; issue 15).
    """
    number = page_number(page)
    deepest = max(1, -(-cap // per_page))
    number = min(number, deepest)
    # A ``PerValue`` part alone is read as a union too (of one part): value by value.
    union = len(parts) > 1 or any(isinstance(part, PerValue) for part in parts)
    # A search's parts (their conditions) are compiled once for the count and the keys
    # both: built and compiled twice through the ORM they cost ~7,700 of a searched list
    # page's ~33,300 Python function calls. Parts the SQL below cannot express go through
    # the ORM as before.
    compiled = _compiled(parts) if union else None

    # One part: the selection as the caller counts it (``queryset`` may join for its order
    # what the count does not need).
    # A union's parts are never read as one selection: not built for it (a ``PerValue``'s
    # is a filtered queryset, ~2 % of a searched list page's time).
    selection = _selections(parts)[0] if parts and not union else queryset
    if gather and not union:
        gathered = _gathered_keys(selection, cap + 1, gather_walk)
        if gathered is not None:
            total = len(gathered)
            number = min(number, max(1, -(-total // per_page)))
            offset = (number - 1) * per_page
            keys = gathered[offset : offset + per_page + 1]
            rows = list(_shaped(_by_key(queryset, keys), columns)) if keys else []
            return _page(rows, number, per_page, deepest, total if total <= cap else None, cap)

    def count_of_selection() -> tuple[str, Sequence[Any]] | None:
        """The statement that counts the selection's rows up to ``cap + 1`` (one value);
        None when the selection has no rows (a condition that selects nothing,
        ``pk__in=[]``)."""
        if compiled is not None:
            return compiled.count(cap + 1)
        if union:
            ids = [part.order_by().values_list("pk") for part in _selections(parts)]
            capped = _union(ids, cap + 1)[: cap + 1]
        else:
            capped = selection.order_by().values("pk")[: cap + 1]
        try:
            sql, params = capped.query.get_compiler(capped.db).as_sql()
        except EmptyResultSet:
            return None
        # The ORM's compiled SQL; values are parameters.
        return f"SELECT COUNT(*) FROM ({sql}) AS capped", params  # noqa: S608

    def counted() -> int:
        """Rows of the selection, counted up to ``cap + 1``."""
        counting = count_of_selection()
        if counting is None:
            return 0
        sql, params = counting
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(sql, params)
            return int(cursor.fetchone()[0])

    def rows_from(offset: int, *more: str) -> list[Any]:
        """The page's rows from ``offset``, and the first of the next page if any;
        ``more``: annotations of ``queryset`` each row carries too."""
        if not union and offset < DIRECT_BELOW:
            # A shallow page: its rows in one query, walking the same index.
            return list(_shaped(queryset, columns, *more)[offset : offset + per_page + 1])
        # Deferred join: walk the index for the page's primary keys only, then load those
        # rows (with their joins) by key. OFFSET over 25,000 index entries is cheap; over
        # 25,000 joined rows it is not. The keys a query can select are a subquery of the
        # statement that loads the rows, and ``queryset``'s order (the parts') sorts them.
        if union:
            ordering = [str(name) for name in _ordered_like(parts[0]).query.order_by]
            if compiled is not None:
                keyed = compiled.keys(ordering, offset, offset + per_page + 1)
                return list(_shaped(_by_key(queryset, keyed), columns, *more))
            fields = [name.removeprefix("-") for name in ordering]
            at = fields.index("id")
            keyed_parts = [part.values_list(*fields) for part in _selections(parts)]
            union_of = _union(keyed_parts, offset + per_page + 1).order_by(*ordering)
            keys = [row[at] for row in union_of[offset : offset + per_page + 1]]
        else:
            walked = walk and _walk_keys(selection, walk, offset, offset + per_page + 1)
            page_keys = walked or selection.values("pk")[offset : offset + per_page + 1]
            return list(_shaped(_by_key(queryset, page_keys), columns, *more))
        loaded = _shaped(_by_key(queryset.order_by(), keys), columns, *more)
        by_key = {row.pk: row for row in loaded}
        return [by_key[key] for key in keys if key in by_key]

    def last_page(total: int) -> int:
        return min(number, max(1, -(-total // per_page))) if total <= cap else number

    if number == deepest and number > 1:
        # The deepest page needs no count: its rows end at the cap, so one row past them
        # means more rows than the cap, and fewer means its last row is the selection's
        # (the count was a second walk of up to ``cap`` index entries: page 200 and the
        # API's page 201; issue 15). No row: past the end, counted below.
        offset = (number - 1) * per_page
        rows = rows_from(offset)
        if rows:
            over = len(rows) > _room(number, per_page, cap)
            return _page(rows, number, per_page, deepest, None if over else offset + len(rows), cap)
    shallow = (number - 1) * per_page < DIRECT_BELOW
    if (not union and (walk is None or shallow)) or (compiled is not None and number > 1):
        # The page and the count in one statement (the count a scalar subquery, run once):
        # a round trip and the ORM's count machinery fewer on every page. (A union's first
        # page is read without it, below.)
        counting = count_of_selection()
        if counting is None:
            return _page([], 1, per_page, deepest, 0, cap)
        # The ORM's compiled SQL; values are parameters.
        queryset = queryset.annotate(**{_COUNTED: RawSQL(*counting)})  # noqa: S611
        rows = rows_from((number - 1) * per_page, _COUNTED)
        if rows or number == 1:
            total = getattr(rows[0], _COUNTED) if rows else 0
        else:
            # No row on a later page: past the selection's end (read its last page).
            total = counted()
            if last_page(total) < number:
                number = last_page(total)
                rows = rows_from((number - 1) * per_page, _COUNTED)
        return _page(rows, number, per_page, deepest, total if total <= cap else None, cap)
    if number == 1:
        # A union's first page before its count: when it holds every row, their number is
        # the count, and a short list (most searches) needs no count query. (Read with the
        # keys in one statement, the count made the searched first page no faster.)
        rows = rows_from(0)
        total = len(rows) if len(rows) <= per_page else counted()
        return _page(rows, 1, per_page, deepest, total if total <= cap else None, cap)
    total = counted()
    number = last_page(total)
    count = total if total <= cap else None
    return _page(rows_from((number - 1) * per_page), number, per_page, deepest, count, cap)


def _gathered_keys(
    selection: QuerySet[Any], limit: int, walk: QuerySet[Any] | None = None
) -> list[Any] | None:
    """The keys of the first ``limit`` rows of ``selection`` in its order
    (``_CompiledParts.gathered``), looked for first in ``walk``'s first rows
    (``capped_page(gather_walk=...)``, ``_walked_keys``); None when it cannot be read so
    (``_compiled``) or its order has no key to end it."""
    compiled = _compiled([selection] if walk is None else [selection, walk])
    ordering = [str(name) for name in selection.query.order_by]
    if compiled is None or "id" not in (name.removeprefix("-") for name in ordering):
        return None
    with compiled.connection.cursor() as cursor:
        if walk is not None:
            walked = _walked_keys(compiled, cursor, ordering, limit)
            if walked is not None:
                return walked
        if walk is not None and any("__" in name for name in ordering):
            cursor.execute(*compiled.gathered(ordering, limit, sparse=True))
            rows = cursor.fetchall()
            if all(found <= SPARSE_MOST for _, found in rows):
                return [key for key, _ in rows if key is not None]
        cursor.execute(*compiled.gathered(ordering, limit))
        return [row[0] for row in cursor.fetchall()]


def _walked_keys(
    compiled: _CompiledParts, cursor: Any, ordering: list[str], limit: int
) -> list[Any] | None:
    """The keys of the first ``limit`` rows of the first part, found among the first rows
    of the second (``_CompiledParts.gathered_in_walk``): ``GATHER_WALK`` of them, then, if
    those held some matches but too few, as many as their share says hold ``limit``
    (at most ``GATHER_WALK_MOST``). None when the walk did not find them all: fewer than
    ``limit`` matches in a walk that did not reach the second part's end.

    A walk that reached the end (a company with fewer invoices than it reads) found every
    match: asked instead, the trigram index answered candidates of every company."""
    walked_rows = GATHER_WALK
    for _ in range(2):
        cursor.execute(*compiled.gathered_in_walk(ordering, limit, walked_rows))
        keys = [row[0] for row in cursor.fetchall()]
        if len(keys) == limit:
            return keys
        cursor.execute(*compiled.walk_holds_more_than(walked_rows))
        if not cursor.fetchone()[0]:
            return keys
        if not keys:
            return None
        walked_rows = -(-walked_rows * limit * 5 // (4 * len(keys)))
        if walked_rows > GATHER_WALK_MOST:
            return None
    return None


def _by_key(queryset: QuerySet[Any], keys: Any) -> QuerySet[Any]:
    """``queryset``'s rows whose primary key is among ``keys`` (a list or a subquery), read
    by key alone: with its joins, order and annotations, without its filters. The keys are
    the selection's or its parts' (``capped_page``), which are among ``queryset``'s rows
    and carry every filter, the company's too. Repeated around the keys, the filters only
    cost PostgreSQL's planner: 0.5 of the 1.2 ms it spent on page 200 sorted by client
    (issue 15)."""
    by_key = queryset.all()
    by_key.query.clear_where()
    return by_key.filter(pk__in=keys)


def _shaped(queryset: QuerySet[Any], columns: Sequence[str], *more: str) -> QuerySet[Any]:
    """``queryset``'s rows as named tuples of ``columns`` and ``more``; without columns,
    as model instances."""
    return queryset.values_list(*columns, *more, named=True) if columns else queryset


def _walk_keys(selection: QuerySet[Any], walk: Walk, low: int, high: int) -> RawSQL | None:
    """The keys of rows ``low``..``high`` of ``selection`` in its order, read as ``walk``
    says (``Walk``), as a subquery (``pk__in=``); None unless ``selection`` is one table's
    rows that its ``WHERE`` alone selects (``_compiled``) and the related rows are sorted
    in one direction (a row value compares in one).

    One statement: the related rows in the list's order, each with the number of its rows
    and the running sum of them, up to the first whose sum passes ``low`` (the page starts
    in it); then the rows from that related row on, in the list's order, past the ones
    before ``low``.
    """
    parts = _compiled([selection])
    using = connections[selection.db]
    related_where = _compiled_where(walk.values, walk.values.model, using)
    order = [str(name) for name in walk.values.query.order_by]
    if parts is None or related_where is None or len({n[0] == "-" for n in order}) != 1:
        return None
    quote = using.ops.quote_name
    table = quote(parts.table)
    where = parts.wheres[0]
    related = walk.values.model._meta
    related_table = quote(related.db_table)
    related_columns = [
        f"{related_table}.{quote(related.get_field(name.lstrip('-')).column)}" for name in order
    ]
    column = selection.model._meta.get_field(walk.field).column
    joined = f"{table}.{quote(column)} = {related_table}.{quote(related.pk.column)}"
    filtered = f"({where.sql}) AND {joined}"
    names = [quote(f"key{position}") for position in range(len(order))]
    selected = ", ".join(
        f"{column} AS {name}" for column, name in zip(related_columns, names, strict=True)
    )
    direction = "DESC" if order[0].startswith("-") else "ASC"
    in_order = ", ".join(f"{name} {direction}" for name in names)
    # The ORM's compiled SQL and quoted names; values are parameters.
    if using.vendor == "postgresql":
        # A join per related row, run as the related rows are read in order (as a subquery
        # in the select list it took half as long again).
        counted = (
            f"SELECT {selected}, counted.walked_rows FROM {related_table} CROSS JOIN LATERAL "  # noqa: S608
            f"(SELECT COUNT(*) AS walked_rows FROM {table} WHERE {filtered}) AS counted "
            f"WHERE {related_where[0]}"
        )
    else:
        counted = (
            f"SELECT {selected}, (SELECT COUNT(*) FROM {table} WHERE {filtered}) AS walked_rows "  # noqa: S608
            f"FROM {related_table} WHERE {related_where[0]}"
        )
    start = (
        f"SELECT * FROM (SELECT walked.*, SUM(walked.walked_rows) OVER (ORDER BY {in_order} "  # noqa: S608
        f"ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS walked_running FROM ({counted}) "
        f"AS walked) AS walked WHERE walked_running > {int(low)} ORDER BY {in_order} LIMIT 1"
    )
    page_order = parts.order_by([str(name) for name in selection.query.order_by])
    key = f"{table}.{quote(selection.model._meta.pk.column)}"
    from_start = "<=" if direction == "DESC" else ">="
    page = (
        f"WITH start AS ({start}) SELECT {key} FROM {table} INNER JOIN {related_table} "  # noqa: S608
        f"ON {joined} WHERE ({where.sql}) AND ({related_where[0]}) AND "
        f"({', '.join(related_columns)}) {from_start} (SELECT {', '.join(names)} FROM start) "
        f"ORDER BY {page_order} LIMIT {int(high - low)} "
        f"OFFSET COALESCE((SELECT {int(low)} - (walked_running - walked_rows) FROM start), 0)"
    )
    params = [*where.params, *related_where[1]]
    return RawSQL(page, params * 2)  # noqa: S611


def _ordered_like(part: QuerySet[Any] | PerValue) -> QuerySet[Any]:
    """A queryset in the part's order (a ``PerValue``'s own, without the ``IN``)."""
    return part.queryset if isinstance(part, PerValue) else part


def _selections(parts: Sequence[QuerySet[Any] | PerValue]) -> list[QuerySet[Any]]:
    return [part.selection() if isinstance(part, PerValue) else part for part in parts]


def _room(number: int, per_page: int, cap: int) -> int:
    """The rows page ``number`` shows: a whole page, but the deepest one ends at the cap
    (a cap not a multiple of ``per_page``)."""
    return min(per_page, cap - (number - 1) * per_page)


def _page(
    rows: list[Any], number: int, per_page: int, deepest: int, count: int | None, cap: int
) -> CappedPage:
    room = _room(number, per_page, cap)
    more = len(rows) > room
    return CappedPage(
        object_list=rows[:room],
        number=number,
        per_page=per_page,
        has_next=more and number < deepest,
        limited=more and number >= deepest,
        count=count,
        cap=cap,
    )


def _union(parts: list[QuerySet[Any]], limit: int) -> QuerySet[Any]:
    """``UNION`` (duplicates removed) of the parts, the first ``limit`` rows of each where
    the database allows a ``LIMIT`` inside a compound statement (PostgreSQL; SQLite reads
    each part whole, a bounded scan of the company's rows)."""
    if connection.features.supports_slicing_ordering_in_compound:
        parts = [part[:limit] for part in parts]
    else:
        parts = [part.order_by() for part in parts]
    return parts[0].union(*parts[1:])


@dataclass(frozen=True)
class _Where:
    """A part's ``WHERE``, compiled; for a ``PerValue`` part also its queryset's own
    ``WHERE`` (``base``), the field's column and the values, to read it value by value."""

    sql: str
    params: tuple[Any, ...]
    base: tuple[str, tuple[Any, ...]] | None = None
    column: str = ""
    values: tuple[Any, ...] = ()


@dataclass(frozen=True)
class _CompiledParts:
    """The parts of a union, each one table's rows that its ``WHERE`` selects, compiled
    once: the capped count and the page's keys are statements built around them."""

    connection: BaseDatabaseWrapper
    table: str
    model: Any
    wheres: list[_Where]

    def _column(self, name: str) -> str:
        """The quoted column of ``name``: the table's own field, or ``fk__field`` of the
        row a required foreign key points to (joined by ``_joins``)."""
        quote = self.connection.ops.quote_name
        relation, _, own = name.rpartition("__")
        if not relation:
            field = self.model._meta.get_field(name)
            return f"{quote(self.table)}.{quote(field.column)}"
        related = self.model._meta.get_field(relation).related_model
        target = related._meta.get_field(own)
        return f"{quote(related._meta.db_table)}.{quote(target.column)}"

    def _keyed_columns(self, names: list[str]) -> str:
        """The columns of the order's ``names`` (no direction), each named by its position
        (``key0``, ``key1``, ...): the order may read a joined table's column of the same
        name."""
        quote = self.connection.ops.quote_name
        return ", ".join(
            f"{self._column(name)} AS {quote(f'key{position}')}"
            for position, name in enumerate(names)
        )

    def _joins(
        self, names: list[str], *, same_company: bool = False, companies_of: str = ""
    ) -> str:
        """``INNER JOIN`` of each table the ordering ``names`` read through a foreign key
        (required: every row has its related row, as the ORM's own join of it).

        ``same_company``: the related row is of the row's company too (a tenant's rows
        point to its own rows only), said in the join so that PostgreSQL reads the
        company's related rows in order from an index that starts with the company
        instead of sorting every company's: a search sorted by client name sorted all
        142,000 clients (~60 ms) before reading the first matching invoice (issue 15).

        ``companies_of``: the rows are a named set of the table's columns (a ``WITH``
        query that selects the company column too): the related rows are read among those
        of the set's companies (PostgreSQL: an array the index that starts with the
        company answers), not by key from all companies' (issue 15)."""
        quote = self.connection.ops.quote_name
        table = quote(self.table)
        joins = []
        for relation in dict.fromkeys(name.rpartition("__")[0] for name in names):
            if relation:
                field = self.model._meta.get_field(relation)
                related = field.related_model._meta
                related_table = quote(related.db_table)
                join = (
                    f"INNER JOIN {related_table} ON {table}.{quote(field.column)} = "
                    f"{related_table}.{quote(related.pk.column)}"
                )
                tenants = (self.model, field.related_model)
                if all(issubclass(model, TenantModel) for model in tenants):
                    company = quote(self.model._meta.get_field("company").column)
                    if same_company:
                        join += f" AND {related_table}.{company} = {table}.{company}"
                    if companies_of:
                        # The set's (constant) companies: an InitPlan read once. Quoted
                        # names only.
                        join += (
                            f" AND {related_table}.{company} = ANY(ARRAY(SELECT DISTINCT "  # noqa: S608
                            f"{company} FROM {quote(companies_of)}))"
                        )
                joins.append(join)
        return " ".join(joins)

    def _through(self, name: str, column: str) -> bool:
        """``name`` is ``fk__field`` read through the foreign key stored in ``column``."""
        relation = name.rpartition("__")[0]
        return bool(relation) and self.model._meta.get_field(relation).column == column

    def _relation(self, column: str) -> Any:
        """The foreign key stored in ``column``; None if it is not one."""
        for field in self.model._meta.concrete_fields:
            if field.column == column and field.many_to_one:
                return field
        return None

    def _of_value(self, name: str, column: str) -> bool:
        """``name`` reads the value of a ``PerValue`` on ``column``: the column itself
        (``client_id``) or a column of the row it points to (``client__name``)."""
        field = self.model._meta.get_field(name.rpartition("__")[0] or name)
        return bool(field.column == column)

    def _by_value_first(self, where: _Where, ordering: list[str]) -> bool:
        """``where`` is a ``PerValue`` part and ``ordering`` sorts by its values first
        (the row each value points to, e.g. the client's name and id) and then by the
        table's own columns only: ``_per_value_in_order`` can read it."""
        if where.base is None or self._relation(where.column) is None:
            return False
        names = [name.removeprefix("-") for name in ordering]
        leading = 0
        while leading < len(names) and self._of_value(names[leading], where.column):
            leading += 1
        rest = names[leading:]
        return bool(leading) and all("__" not in name and name != where.column for name in rest)

    def _per_value_in_order(
        self, where: _Where, ordering: list[str], high: int
    ) -> tuple[str, list[Any]]:
        """A ``PerValue`` part sorted by its values first (``_by_value_first``): the values'
        rows (the matching clients) in the list's order of them, and each one's first
        ``high`` rows through the index on (field, the rest of the order), read value by
        value in that order until ``high`` rows are found. Read in any order, every value's
        rows were read and sorted: 51 rows each of 200 matching clients, 10,200 rows (~5 ms)
        for a page of 51 of a search sorted by client name (issue 15)."""
        quote = self.connection.ops.quote_name
        table = quote(self.table)
        field = self._relation(where.column)
        assert where.base is not None and field is not None
        related = field.related_model._meta
        names = [name.removeprefix("-") for name in ordering]
        outer: list[str] = []  # the select list of the values' rows
        outer_order: list[str] = []
        selected: list[str] = []
        inner: list[str] = []  # each value's own rows: the rest of the order
        inner_order: list[str] = []
        for position, name in enumerate(names):
            key = quote(f"key{position}")
            direction = "DESC" if ordering[position].startswith("-") else "ASC"
            if self._of_value(name, where.column):
                relation, _, own = name.rpartition("__")
                target = related.get_field(own).column if relation else related.pk.column
                outer.append(f"{quote(related.db_table)}.{quote(target)} AS {key}")
                selected.append(f"per_value.{key}")
                outer_order.append(f"{len(outer) + 1} {direction}")  # 1 is the value
                continue
            inner.append(f"{table}.{quote(self.model._meta.get_field(name).column)} AS {key}")
            selected.append(f"part.{key}")
            inner_order.append(f"{len(inner)} {direction}")
        value = f"{quote(related.db_table)}.{quote(related.pk.column)}"
        base, base_params = where.base
        # The values sorted in the subquery (its LIMIT keeps it one): PostgreSQL then knows
        # the rows come in the order's first columns and sorts each value's few rows as
        # they come, stopping at ``high``. Left to the planner, it guessed 15 rows per
        # client where each had 51, and sorted all of them.
        # The ORM's compiled SQL and quoted names; values are parameters.
        statement = (
            f"SELECT {', '.join(selected)} FROM (SELECT {value} AS value, "  # noqa: S608
            f"{', '.join(outer)} FROM {quote(related.db_table)} WHERE {value} = ANY(%s) "
            f"ORDER BY {', '.join(outer_order)} LIMIT {len(where.values)}) "
            f"AS per_value CROSS JOIN LATERAL (SELECT {', '.join(inner)} FROM {table} "
            f"WHERE ({base}) AND {table}.{quote(where.column)} = per_value.value "
            f"ORDER BY {', '.join(inner_order)} LIMIT {int(high)}) AS part"
        )
        return statement, [list(where.values), *base_params]

    def order_by(self, ordering: list[str]) -> str:
        """``ordering`` ("-invoice_date", "client__name", ...) as SQL on the quoted columns
        (``_column``; a joined table's through ``_joins``)."""
        return ", ".join(
            f"{self._column(name.removeprefix('-'))} {'DESC' if name.startswith('-') else 'ASC'}"
            for name in ordering
        )

    def gathered(
        self, ordering: list[str], limit: int, *, sparse: bool = False
    ) -> tuple[str, list[Any]]:
        """The statement that returns the keys of the first ``limit`` rows of the first
        part in ``ordering`` (``capped_page(gather=True)``).

        ``sparse`` (the order reads a joined table, the client's name): few rows match (a
        walk found too few, ``_walked_keys``), so up to ``SPARSE_MOST`` + 1 of them are
        found first and then sorted; rows of (key, number found). With more than
        ``SPARSE_MOST`` the first rows in the order may be among those not read, and
        PostgreSQL then sorts nothing: one row, no key (``None``) and the number. Asked for
        them in that order at once, PostgreSQL could walk every client's rows in name
        order, each checked and all sorted, when it expected few matches (a search of one
        invoice in a thousand sorted by client: 0.6-0.8 s at 1 M invoices; found first,
        ~80 ms). Otherwise the join reads the company's clients in name order
        (``_joins(same_company=True)``)."""
        where = self.wheres[0]
        quote = self.connection.ops.quote_name
        table = quote(self.table)
        names = [name.removeprefix("-") for name in ordering]
        # The ORM's compiled SQL and quoted names; values are parameters.
        if not sparse:
            joins = self._joins(names, same_company=True)
            statement = (
                f"SELECT {self._column('id')} FROM {table} {joins} WHERE {where.sql} "  # noqa: S608
                f"ORDER BY {self.order_by(ordering)} LIMIT {int(limit)}"
            )
            return statement, list(where.params)
        # The found rows are named as the table: the order's and the join's columns read
        # theirs, and they select no more (so an index that holds them answers alone).
        carried = [*names, "id"]
        if issubclass(self.model, TenantModel):
            carried.append("company")  # the join's companies (``_joins(companies_of=)``)
        own = dict.fromkeys(
            self.model._meta.get_field(name.rpartition("__")[0] or name).column for name in carried
        )
        selected = ", ".join(f"{table}.{quote(column)}" for column in own)
        found = f"SELECT {selected} FROM {table} WHERE {where.sql} LIMIT {SPARSE_MOST + 1}"  # noqa: S608
        if self.connection.vendor == "postgresql":
            # Counted before anything is joined or sorted, and sorted only if they are few
            # (``CASE``: the sorted keys' subquery runs only when asked for). When they
            # were too many ("ref 1" sorted by client: 10,001 found), joining each to its
            # client and sorting them all was 40 of the search's 80 ms, only to be thrown
            # away; the clients are the found rows' companies' (~2,000), not every
            # company's 142,000 read by key (issue 15).
            joins = self._joins(names, companies_of="found")
            in_order = (
                f"SELECT {self._column('id')} FROM {quote('found')} AS {table} {joins} "  # noqa: S608
                f"ORDER BY {self.order_by(ordering)} LIMIT {int(limit)}"
            )
            statement = (
                f"WITH {quote('found')} AS MATERIALIZED ({found}), "  # noqa: S608
                f"counted AS (SELECT COUNT(*) AS found FROM {quote('found')}) "
                f"SELECT sorted.key, counted.found FROM counted LEFT JOIN LATERAL "
                f"unnest(CASE WHEN counted.found <= {SPARSE_MOST} THEN ARRAY({in_order}) END) "
                f"WITH ORDINALITY AS sorted (key, position) ON TRUE ORDER BY sorted.position"
            )
            return statement, list(where.params)
        # Elsewhere every found row is joined and sorted, with their number in each.
        joins = self._joins(names)
        counted = f"SELECT {selected}, COUNT(*) OVER () AS found FROM ({found}) AS {table}"  # noqa: S608
        statement = (
            f"SELECT {self._column('id')}, {table}.found FROM ({counted}) AS {table} {joins} "  # noqa: S608
            f"ORDER BY {self.order_by(ordering)} LIMIT {int(limit)}"
        )
        return statement, list(where.params)

    def gathered_in_walk(
        self, ordering: list[str], limit: int, walked: int
    ) -> tuple[str, list[Any]]:
        """The statement that returns the keys of the first ``limit`` rows of the first
        part among the first ``walked`` rows of the second (which holds the first's rows,
        ``capped_page(gather_walk=...)``), both in ``ordering``.

        The second part's rows are read in order and stop at ``walked`` (its condition
        only, so an index in the order reads no more entries); each is checked against
        the first part's condition as it comes, and the read stops at ``limit`` matches."""
        where, walk = self.wheres[0], self.wheres[1]
        quote = self.connection.ops.quote_name
        names = [name.removeprefix("-") for name in ordering]
        columns = self._keyed_columns(names)
        order = ", ".join(
            f"{quote(f'key{position}')} {'DESC' if name.startswith('-') else 'ASC'}"
            for position, name in enumerate(ordering)
        )
        joins = self._joins(names, same_company=True)
        # The ORM's compiled SQL and quoted names; values are parameters.
        walk_rows = (
            f"SELECT {columns}, ({where.sql}) AS matched FROM {quote(self.table)} {joins} "  # noqa: S608
            f"WHERE {walk.sql} ORDER BY {self.order_by(ordering)} LIMIT {int(walked)}"
        )
        key = quote(f"key{names.index('id')}")
        statement = (
            f"SELECT {key} FROM ({walk_rows}) AS walked "  # noqa: S608
            f"WHERE matched ORDER BY {order} LIMIT {int(limit)}"
        )
        return statement, [*where.params, *walk.params]

    def walk_holds_more_than(self, rows: int) -> tuple[str, list[Any]]:
        """The statement that says whether the second part has more than ``rows`` rows
        (``gathered_in_walk``'s walk did not reach its end), read from an index in any
        order (no join) up to one past them."""
        walk = self.wheres[1]
        quote = self.connection.ops.quote_name
        # The ORM's compiled SQL and quoted names; values are parameters.
        rows_past = (
            f"SELECT 1 FROM {quote(self.table)} WHERE {walk.sql} "  # noqa: S608
            f"LIMIT 1 OFFSET {int(rows)}"
        )
        return f"SELECT EXISTS ({rows_past})", list(walk.params)

    def count(self, limit: int) -> tuple[str, Sequence[Any]]:
        """The statement that counts the union's rows up to ``limit`` (or a little past
        it).

        The union as a sum of disjoint pieces: the first part's rows, then the second's
        that the first does not select, and so on (``IS NOT TRUE``: a condition that is
        NULL for a row does not select it). Each piece is counted through its own index
        up to ``limit``, and no row is hashed to remove duplicates: a ``UNION`` of a
        search's parts hashed every key it counted (7 ms for 10,001 keys at 4.5 M
        invoices; 2 ms as pieces; issue 15).
        """
        quote = self.connection.ops.quote_name
        pieces: list[str] = []
        params: list[Any] = []
        for index, where in enumerate(self.wheres):
            earlier = self.wheres[:index]
            conditions = " AND ".join(
                [f"({where.sql})", *(f"({other.sql}) IS NOT TRUE" for other in earlier)]
            )
            # The ORM's compiled SQL and quoted names; values are parameters.
            piece = f"SELECT 1 FROM {quote(self.table)} WHERE {conditions}"  # noqa: S608
            counted = f"SELECT COUNT(*) FROM ({piece} LIMIT {int(limit)}) piece{index}"  # noqa: S608
            pieces.append(f"({counted})")
            params.extend(where.params)
            for other in earlier:
                params.extend(other.params)
        return f"SELECT {' + '.join(pieces)}", params

    def keys(self, ordering: list[str], low: int, high: int) -> RawSQL:
        """The primary keys of rows ``low``..``high`` of the union in ``ordering``, as a
        subquery (``pk__in=``)."""
        quote = self.connection.ops.quote_name
        table = quote(self.table)
        names = [name.removeprefix("-") for name in ordering]
        columns = self._keyed_columns(names)
        key = quote(f"key{names.index('id')}")
        source = f"{table} {self._joins(names)}".strip()
        order = ", ".join(
            f"{position} {'DESC' if name.startswith('-') else 'ASC'}"
            for position, name in enumerate(ordering, start=1)
        )
        tail = f"ORDER BY {order} LIMIT {int(high)}"

        def per_value_tail(column: str) -> str:
            """``tail`` for one value's rows: without the columns of the row the value
            points to (one row, the same for all of them), so PostgreSQL walks the index
            on (field, the rest of the order) instead of sorting every row of the value
            by a joined column (a search sorted by client name; issue 15)."""
            kept = [
                f"{position} {'DESC' if name.startswith('-') else 'ASC'}"
                for position, name in enumerate(ordering, start=1)
                if not self._through(name.removeprefix("-"), column)
            ]
            return f"ORDER BY {', '.join(kept)} LIMIT {int(high)}" if kept else tail

        # PostgreSQL: each part ordered and limited (the ORM's ``_union``), a ``PerValue``
        # part value by value. SQLite allows neither inside a compound statement.
        inner = self.connection.features.supports_slicing_ordering_in_compound
        lateral = inner and self.connection.vendor == "postgresql"
        statements: list[str] = []
        params: list[Any] = []
        for where in self.wheres:
            in_value_order = lateral and self._by_value_first(where, ordering)
            if in_value_order:
                statement, statement_params = self._per_value_in_order(where, ordering, high)
                statements.append(f"({statement} {tail})")
                params.extend(statement_params)
                continue
            if lateral and where.base is not None:
                base, base_params = where.base
                # The ORM's compiled SQL and quoted names; values are parameters.
                statement = (
                    f"SELECT part.* FROM unnest(%s) AS per_value (value) "  # noqa: S608
                    f"CROSS JOIN LATERAL (SELECT {columns} FROM {source} WHERE ({base}) "
                    f"AND {table}.{quote(where.column)} = per_value.value "
                    f"{per_value_tail(where.column)}) AS part"
                )
                params.extend([list(where.values), *base_params])
            else:
                statement = f"SELECT {columns} FROM {source} WHERE {where.sql}"  # noqa: S608
                params.extend(where.params)
            statements.append(f"({statement} {tail})" if inner else statement)
        limits = self.connection.ops.limit_offset_sql(low, high)
        # A subquery: one part alone (a ``PerValue``) may not be followed by an ORDER BY.
        union = " UNION ".join(statements)
        page = f"SELECT * FROM ({union}) AS keyed ORDER BY {order} {limits}"  # noqa: S608
        # The ORM's compiled SQL and quoted names; values are parameters.
        return RawSQL(f"SELECT {key} FROM ({page}) AS page", params)  # noqa: S608, S611


def _compiled(parts: Sequence[QuerySet[Any] | PerValue]) -> _CompiledParts | None:
    """The parts' conditions compiled once; None unless every part is rows of the same
    table selected by its ``WHERE`` alone and ordered by that table's own columns or a
    column of a required foreign key's row (``_orderable``; no other join read, no
    annotation, slice, ``distinct`` or ``extra``)."""
    first = parts[0].queryset if isinstance(parts[0], PerValue) else parts[0]
    model = first.model
    table = model._meta.db_table
    using = connections[first.db]
    wheres: list[_Where] = []
    quote = using.ops.quote_name
    for part in parts:
        where = _compiled_where(_ordered_like(part), model, using)
        if where is None:
            return None
        if not isinstance(part, PerValue):
            wheres.append(_Where(*where))
            continue
        field = model._meta.get_field(part.field)
        if not part.values or not getattr(field, "concrete", False):
            return None
        # The part's own WHERE and the values; values are parameters. PostgreSQL takes them
        # as one array: the count repeats a part's condition in each later piece, and 300
        # matching clients written out five times cost more to send and plan than to count.
        base, base_params = where
        column = f"{quote(table)}.{quote(field.column)}"
        values = [field.get_db_prep_value(value, using) for value in part.values]
        member_params: list[Any] = values
        member = f"{column} IN ({', '.join(['%s'] * len(values))})"
        if using.vendor == "postgresql":
            member, member_params = f"{column} = ANY(%s)", [values]
        wheres.append(
            _Where(
                f"({base}) AND {member}",
                (*base_params, *member_params),
                base=where,
                column=field.column,
                values=tuple(values),
            )
        )
    return _CompiledParts(connection=using, table=table, model=model, wheres=wheres)


def _compiled_where(
    part: QuerySet[Any], model: Any, using: BaseDatabaseWrapper
) -> tuple[str, tuple[Any, ...]] | None:
    query = part.query
    table = model._meta.db_table
    ordering = [str(name).removeprefix("-") for name in query.order_by]
    if (
        part.model is not model
        or part.db != using.alias
        or query.base_table != table
        # Joins the filters set up but trimmed (a company, a client by id) are not read.
        or any(query.alias_refcount[alias] for alias in query.alias_map if alias != table)
        or query.combinator
        or query.annotations
        or query.extra
        or query.distinct
        or query.is_sliced
        or not ordering
        or not all(_orderable(model, name) for name in ordering)
    ):
        return None
    try:
        where, params = query.get_compiler(connection=using).compile(query.where)
    except (EmptyResultSet, FullResultSet):
        return None
    return where, tuple(params)


def _own_column(model: Any, name: str) -> bool:
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    # A foreign key's own column by its attname ("client_id"), not the row it points to.
    own = not field.is_relation or name == getattr(field, "attname", None)
    return isinstance(field, Field) and field.concrete and own


def _orderable(model: Any, name: str) -> bool:
    """``name`` is the model's own column, or ``fk__column`` through a required foreign
    key (the list sorted by the client's name): what ``_CompiledParts.keys`` can sort by."""
    relation, _, own = name.rpartition("__")
    if not relation:
        return _own_column(model, name)
    try:
        field = model._meta.get_field(relation)
    except FieldDoesNotExist:
        return False
    return (
        getattr(field, "many_to_one", False)
        and field.concrete
        and not field.null
        and "__" not in relation
        and _own_column(field.related_model, own)
    )
