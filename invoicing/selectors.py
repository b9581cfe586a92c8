"""Reads of invoices, credit notes, payments and balances, shared by views, API and services.

All of them query through the scoped managers: call them inside
``django_scopes.scope(company=...)`` (every request under /app/ is).
"""

from __future__ import annotations

import datetime
import functools
import operator
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Model,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    TextField,
    Value,
)
from django.db.models.functions import Replace, Round, StrIndex, Upper
from django.db.models.lookups import Contains, GreaterThan
from django.utils import timezone

from accounts.models import Company
from catalog.selectors import VatRateTable, vat_rate_on
from core.money import ZERO, round_money
from core.parsing import ID_MAX, is_digits, parse_int
from customers.models import Client
from invoicing import summary_sql
from invoicing.calculation import LineInput, Totals, compute_totals
from invoicing.models import (
    REFERENCE_SEPARATOR,
    ClientBalanceEntry,
    Invoice,
    InvoiceLine,
    InvoiceVatLine,
    InvoicingSettings,
    LedgerMonth,
    MonthSummary,
    NumberSeries,
    OpenReceivable,
    Payment,
    SalesMonth,
    summary_exact,
)
from invoicing.pagination import PER_PAGE, CappedPage, PerValue, Walk, capped_page

OPEN_STATUSES = Invoice.OPEN_STATUSES

# Sort keys the list accepts (API ``ordering``, table headers) → ORM ordering.
INVOICE_ORDERINGS: dict[str, tuple[str, ...]] = {
    "number": ("number", "id"),
    "-number": ("-number", "-id"),
    "invoice_date": ("invoice_date", "number", "id"),
    "-invoice_date": ("-invoice_date", "-number", "-id"),
    "due_date": ("due_date", "number", "id"),
    "-due_date": ("-due_date", "-number", "-id"),
    # A client's invoices together (two clients may share a name) and newest first, in
    # either direction of the names (numbers follow dates, so issued ones are also in
    # number order): the order of the index on (company, client, kind, date, number, id),
    # so a search sorted by client reads a page of rows per matching client, not every row
    # of each, and a deep page is read client by client (``pagination.Walk``; issue 15).
    "client": ("client__name", "client_id", "-invoice_date", "-number", "-id"),
    "-client": ("-client__name", "-client_id", "-invoice_date", "-number", "-id"),
    "total": ("total_incl_vat", "-number", "-id"),
    "-total": ("-total_incl_vat", "-number", "-id"),
}
DEFAULT_ORDERING = "-invoice_date"
CLIENT_MATCH_LIMIT = 1000  # text search: client ids inlined up to this many matches
SEARCH_MIN_WORD = 3  # a text search reads references with a word this long (search_is_short)
# A text search lists and counts its first 1,000 matches, not the 10,000 of a filter, in
# the web list and the API alike (``InvoiceListParts.cap``): a word in most invoices
# ("Ref", a name in every invoice's reference) has no narrower index than the company's
# rows, and counting 10,001 of them read ~45,000 rows (100-170 ms at 1 M invoices; a
# client name matching 12,500 invoices, 3 ms; issue 15). More matches than that are for
# narrowing, not for paging.
SEARCH_CAP = 1_000
# What joins two words of the references into one for their trigram index, and the letter
# each becomes there (``_joined_references``; migration 0038 holds the same).
JOINING_CHARACTERS = " -./,"
JOINER = "q"
QUANTITY_PLACES = Decimal("0.0001")


def _open_balance_expression() -> Round:
    # Round(): SQLite computes decimal arithmetic in floating point; this brings the
    # result back to øre (a no-op on PostgreSQL's exact numerics).
    return Round(
        ExpressionWrapper(
            F("total_incl_vat") - F("paid_amount") - F("credited_amount"),
            output_field=DecimalField(max_digits=18, decimal_places=2),
        ),
        2,
        output_field=DecimalField(max_digits=18, decimal_places=2),
    )


def _money(value: Decimal | None) -> Decimal:
    """An aggregated amount back to øre (SQLite sums decimals in floating point)."""
    return ZERO if value is None else round_money(Decimal(value))


def _quantity(value: Decimal | None) -> Decimal:
    """An aggregated quantity back to the 4 decimals quantities have."""
    return ZERO if value is None else Decimal(value).quantize(QUANTITY_PLACES)


def vat_rate_date(*, invoice: Invoice, line: InvoiceLine) -> datetime.date:
    """The delivery date that decides a line's VAT rate (the rate in force then applies).

    The line's own period end, else the invoice's delivery date, else the end of its
    delivery period (when the supply is completed), else the invoice date.
    """
    return (
        line.period_end
        or invoice.delivery_date
        or invoice.delivery_period_end
        or invoice.invoice_date
    )


def invoicing_settings_for(*, company: Company) -> InvoicingSettings:
    """The company's settings; the defaults (unsaved) until they are first saved."""
    return InvoicingSettings.objects.filter(company=company).first() or InvoicingSettings(
        company=company
    )


def vat_reported_through(*, company: Company) -> datetime.date | None:
    """The last day of the last VAT term the company has reported (``None``: none yet).

    Invoices and credit notes can't be dated on or before it (``invoice_issue``,
    ``invoice_credit``); it moves forward with ``services.vat_term_mark_reported``.
    """
    return (
        InvoicingSettings.objects.filter(company=company)
        .values_list("vat_reported_through", flat=True)
        .first()
    )


def number_series_for(*, company: Company) -> dict[str, NumberSeries]:
    """The company's number series by kind (``invoice``, ``credit_note``), existing ones only.

    A series that does not exist yet will start at 1 unless a first number is chosen.
    """
    return {series.kind: series for series in NumberSeries.objects.filter(company=company)}


def _longest_word(text: str) -> str:
    """The longest run of letters and digits in ``text`` (a word as pg_trgm splits it)."""
    return max(re.split(r"[\W_]+", text), key=len)


def search_is_text(search: str) -> bool:
    """A search that is read as text (part of names and references); the other kind, a
    number (digits, spaces allowed), matches the number, KID or order number exactly."""
    search = search.strip()
    return bool(search) and not is_digits(search.replace(" ", ""))


def search_is_short(search: str) -> bool:
    """A text search whose every word is shorter than ``SEARCH_MIN_WORD``: it reads the
    client names only, not the invoices' references and order numbers.

    A trigram index can look up a word of three characters or more. A shorter one ("AS",
    which nearly every client name holds) can only be found by reading every invoice of
    the company: 32 s at 1 M invoices (issue 15). The company's clients are few enough to
    read; the list says what a short search does (``views.lists``). A number is searched
    exactly whatever its length.
    """
    return search_is_text(search) and len(_longest_word(search.strip())) < SEARCH_MIN_WORD


def _joined_references() -> Replace:
    """``Invoice.references_text`` with each of ``JOINING_CHARACTERS`` replaced by
    ``JOINER`` (in upper case, as the text is): the text PostgreSQL's trigram index on the
    references reads (``invoice_references_joined_trgm``, migration 0038; keep the two the
    same).

    A trigram index splits a text into words at every character that is neither a letter
    nor a digit, so it knew "Olga Eier" and "Avd 12" as the words "olga", "eier", "avd"
    and "12", and a search for "eier avd" asked it for rows holding both words somewhere:
    every invoice of a company whose owner's name is in every reference, each then read
    and found not to hold the phrase (0.5-1.2 s at 1 M invoices; issue 15). Joined, the
    space is a letter of one word, "OLGAQEIER", and the search asks for "EIERQAVD", whose
    trigrams across the joint ("RQA") only rows holding the phrase have. A "Q" of the text
    itself may make a row a candidate that the check on ``Invoice.references_text`` then
    drops; no row holding the search is missed, as every character is replaced alike on
    both sides. The separator between two references is not replaced: a search never
    spans two.

    ``REPLACE`` once per character, not ``TRANSLATE``: where PostgreSQL walks a list index
    instead of asking the trigram index, each entry is joined to be checked, and
    ``TRANSLATE`` of the text, upper-cased again, took 1.65 µs an entry, five ``REPLACE``
    0.47 ("olga eier" among overdue invoices walks 63,000).
    """
    joiner = Value(JOINER.upper())
    first, others = JOINING_CHARACTERS[0], JOINING_CHARACTERS[1:]
    joined = Replace(F("references_text"), Value(first), joiner, output_field=TextField())
    for character in others:
        joined = Replace(joined, Value(character), joiner, output_field=TextField())
    return joined


def _holds(search: str) -> GreaterThan:
    """The invoice's references hold ``search``, in any case: its position in
    ``Invoice.references_text`` (stored in upper case), the search in upper case too
    (``STRPOS``, SQLite ``INSTR``), what ``icontains`` asks a ``LIKE``.

    The check of a search on the references as written, after the trigram index found
    their joined text (``_references_contain``). PostgreSQL has no statistics for it and
    gave the ``LIKE`` a default of 1 row in 200, multiplied into the index's estimate: it
    expected ~30 of the 37,600 invoices holding "avd 4" and read and sorted every one
    instead of walking the list's index to the page's matches (0.2-0.4 s; issue 15). A
    comparison of a number it gives 1 in 3, and the index's estimate decides."""
    return GreaterThan(StrIndex(F("references_text"), Upper(Value(search))), 0)


def _joined(text: str) -> str:
    """``text`` joined as ``_joined_references`` joins the stored text, in the search's
    own case (the database upper-cases what is asked, ``_references_contain``)."""
    return text.translate(str.maketrans(JOINING_CHARACTERS, JOINER * len(JOINING_CHARACTERS)))


def _asked_of_index(search: str) -> str:
    """What of ``search`` the references' trigram index is asked for (joined, ``_joined``):
    the search from its first word to its last, without leading words shorter than
    ``SEARCH_MIN_WORD`` while more than one trigram remains; of a first word of one
    trigram before others, only its last letter at the joint.

    Every order number starts with "PO-", so the trigrams of "PO" are in every row:
    asking the index for "PO-4242" decoded millions of entries (10-40 ms at 4.5 M
    invoices), asking it for "4242" a few hundred (issue 15). A short word at the end
    stays: the trigrams across its joint narrow the search ("avd 1 po" asks for
    "dq1qpo"; without "po", "avdq1" is in 1 of 28 invoices, each checked: 0.4-0.5 s).
    A trigram index reads every entry of each trigram asked for up to the matches'
    positions, and a word of three letters is one trigram and a common one ("avd" is in a
    third of all rows, "ref" in most): with the letter before the joint, the index read
    540 pages for "avd 42" and 2,105 for "ref 119"; its last letter at the joint
    ("dq42", "fq119") finds the same rows from 32 and 836 pages (at 4.5 M invoices; "avd
    100": 403 → 142 pages, 225 rows either way). The joint alone would not narrow it:
    "q42" is in 68,886 rows.
    """
    words = [match.span() for match in re.finditer(r"[^\W_]+", search)]
    if not words:
        return _joined(search)

    def short(word: tuple[int, int]) -> bool:
        return word[1] - word[0] < SEARCH_MIN_WORD

    def more_than_a_trigram(first: tuple[int, int], last: tuple[int, int]) -> bool:
        return last[1] - first[0] > SEARCH_MIN_WORD

    while len(words) > 1 and short(words[0]) and more_than_a_trigram(words[1], words[-1]):
        words = words[1:]
    (start, first_end), end = words[0], words[-1][1]
    if len(words) > 1 and first_end - start <= SEARCH_MIN_WORD:
        # The last letter of a first word of one trigram (or fewer) at its joint. A last
        # word stays whole: there the trigram is as often the narrow part ("ref 119").
        start = first_end - 1
    return _joined(search[start:end])


def _references_contain(search: str, *, open_only: bool = False, by_client: bool = False) -> Q:
    """Some reference of the invoice (``Invoice.references_text``) contains ``search``, any
    case, asked so that PostgreSQL's trigram index reads few entries.

    The index (``_joined_references``) is asked for a part of the search
    (``_asked_of_index``); the whole search is checked on the rows it finds, unless what
    was asked is the search itself. The rows are the same either way.

    Among the open invoices only (``open_only``: a status filter of open ones, or overdue),
    a search whose longest word is one trigram, or any search sorted by client
    (``by_client``), asks no index at all, only the check: the open invoices' list indexes
    carry the references (migration 0035), so PostgreSQL walks those, never more entries
    than the company has open invoices (60-100 ms for 75,000 at most). Asked, the index
    may answer candidates of every status and company that PostgreSQL cannot foresee:
    "avd 1" (~1 M) 137-188 ms. Sorted by client, every open invoice is read and sorted
    whatever the index says, and checked against both its text and the search: "olga
    eier" 190-255 ms (issue 15). In the list's own orders a broad search stops at the
    page's matches and a narrow one is found in the index ("PO-4242", "nordlys": ~15 ms
    asked, 60-100 walked).
    """
    if open_only and (by_client or len(_longest_word(search)) <= SEARCH_MIN_WORD):
        # ``LIKE`` on the stored upper-case text, the search upper-cased by the database
        # (folded into the pattern when the statement is planned): estimated from the
        # column's statistics, a handful of matches for "xyz", which has PostgreSQL read
        # the open invoices' own index and sort the matches, never walk every invoice in
        # the list's order (0.24 s with ``_holds``, estimated at 1 in 3). Not upper-casing
        # each entry: "xyz" among open invoices 57 → 27 ms at 4.5 M invoices.
        return Q(Contains(F("references_text"), Upper(Value(search))))
    asked = _asked_of_index(search)
    # The stored text is in upper case: the search is upper-cased by the database, as it
    # is, and folded into the pattern when the statement is planned (the index reads it).
    indexed = Q(Contains(_joined_references(), Upper(Value(asked))))
    if asked == search and JOINER not in search.lower():
        return indexed  # the joined text holds it where the text does
    # The check first: where PostgreSQL walks a list index instead of asking the trigram
    # index, a row the search is not in is then dropped without the joined text.
    return Q(_holds(search)) & indexed


@dataclass(frozen=True)
class InvoiceFilter:
    """What the invoice lists (web, API, the client page) select by; see ``invoice_list``.

    - ``kind``: invoices, or credit notes with ``"credit_note"``;
    - ``status``: one status or several; ``overdue=True``: due date before today with a
      balance open (``False``: everything else);
    - ``date_from``/``date_to``: invoice date, inclusive;
    - ``search``: digits match the number, KID or order number exactly; text matches part
      of the client's name, our/their/buyer reference or order number.
    """

    kind: str = Invoice.Kind.INVOICE
    status: str | Sequence[str] | None = None
    client: Client | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    overdue: bool | None = None
    search: str = ""


def _invoice_selection(
    *,
    company: Company,
    filters: InvoiceFilter,
    today: datetime.date | None,
    client_joined: bool = False,
) -> tuple[QuerySet[Invoice], list[Q], tuple[int, ...]]:
    """The invoices every filter but the text search selects, and the search: its
    alternatives (a row matches the search when it matches one of them) and the ids of the
    clients whose name matches, when they are few enough to list (one more alternative,
    "the client is one of these"; ``invoice_list_parts`` reads it client by client).
    Neither: no search. ``client_joined``: the rows are sorted by the client's name, so
    the client is joined anyway (``_client_ordered``)."""
    today = today or timezone.localdate()
    invoices = Invoice.objects.filter(company=company, kind=filters.kind)
    if filters.status:
        status = filters.status
        invoices = invoices.filter(status__in=[status] if isinstance(status, str) else status)
    if filters.client is not None:
        invoices = invoices.filter(client=filters.client)
    if filters.date_from is not None:
        invoices = invoices.filter(invoice_date__gte=filters.date_from)
    if filters.date_to is not None:
        invoices = invoices.filter(invoice_date__lte=filters.date_to)
    overdue_q = Q(status__in=OPEN_STATUSES, due_date__lt=today)
    if filters.overdue is True:
        invoices = invoices.filter(overdue_q)
    elif filters.overdue is False:
        invoices = invoices.exclude(overdue_q)
    # The references' separator matches nothing a search means (``Invoice.references_text``).
    search = filters.search.replace(REFERENCE_SEPARATOR, " ").strip()
    if not search:
        return invoices, [], ()
    if not search_is_text(search):
        # A number: exact matches on indexed columns only (fast at any size).
        digits = search.replace(" ", "")
        conditions = [Q(kid=digits), Q(order_number=search)]
        number = parse_int(digits, min_value=1, max_value=ID_MAX)
        if number is not None:
            conditions.append(Q(number=number))
        return invoices, conditions, ()
    # Text: clients by name and the references. On PostgreSQL each of the two is a
    # trigram GIN index with the company (customers/0005, invoicing/0030), so a search
    # reads matching rows only; SQLite scans the company's rows.
    clients = Client.objects.filter(company=company, name__icontains=search)
    # The matching clients' ids as a list, not a subquery: PostgreSQL cannot OR a subquery
    # into the references' bitmap index scans and walked the company's rows instead (1.7 s
    # at 500,000 invoices; 10 ms with the list). A huge match keeps the subquery.
    # In no order: the parts sort the rows (sorting the matches by number read them all
    # before the limit, 1,800 for "AS").
    client_ids = list(clients.order_by().values_list("pk", flat=True)[: CLIENT_MATCH_LIMIT + 1])
    listed = tuple(client_ids) if len(client_ids) <= CLIENT_MATCH_LIMIT else ()
    conditions = []
    if client_ids and not listed:
        # Too many to list: a subquery, or the joined client's name when the order joins
        # it. PostgreSQL misjudged how many clients the subquery joined back to the sorted
        # client holds (25 of 1,800) and read every one's invoices before sorting (3 s for
        # "AS" at 1 M invoices); on the joined name it walks the clients in name order and
        # stops at the page's end (1 ms; issue 15).
        if client_joined:
            conditions = [Q(client__name__icontains=search)]
        elif _open_only(filters):
            conditions = [_clients_but_the_others(company, search, clients)]
        else:
            conditions = [Q(client__in=clients.values("pk"))]
    if search_is_short(search):
        return invoices, conditions if client_ids else [Q(pk__in=[])], listed
    search_condition = _references_contain(
        search, open_only=_open_only(filters), by_client=client_joined
    )
    return invoices, [*conditions, search_condition], listed


def _clients_but_the_others(company: Company, search: str, clients: QuerySet[Client]) -> Q:
    """The open invoices of ``clients``, the company's clients whose name holds ``search``,
    when more match than ``CLIENT_MATCH_LIMIT``: as "not one of the others" when those
    are few enough to list, else through a subquery.

    "AS" is in 1,800 of a big company's 2,000 client names. Asked for the matching
    clients' open invoices, PostgreSQL expected few per client, read each client's
    (~58,000 rows) and sorted them (108-192 ms at 1 M invoices, issue 15). Asked for the
    open invoices of no client among 200, it walks them in the list's order and stops
    at the page's end, as nearly every row matches: ~20 ms. Among all invoices it walks
    the list's index with the subquery already (12 ms); the others' statement and the
    longer condition would cost it 2-5 ms."""
    others = Client.objects.filter(company=company).exclude(name__icontains=search)
    other_ids = list(others.order_by().values_list("pk", flat=True)[: CLIENT_MATCH_LIMIT + 1])
    if len(other_ids) <= CLIENT_MATCH_LIMIT:
        return ~Q(client__in=other_ids)
    return Q(client__in=clients.values("pk"))


def _open_only(filters: InvoiceFilter) -> bool:
    """``filters`` select open invoices only (an open status or several, or overdue)."""
    status = filters.status
    statuses = {status} if isinstance(status, str) else set(status or ())
    return filters.overdue is True or (bool(statuses) and statuses <= set(OPEN_STATUSES))


def _gather_walk(
    company: Company, filters: InvoiceFilter, ordering: str
) -> QuerySet[Invoice] | None:
    """For a search sorted by client: the rows a searched list's matches are looked for
    in first (``capped_page(gather_walk=...)``), read from the list's index for that order
    without checking anything it does not hold as a leading column: the company's invoices
    (or credit notes), of the client filtered by. A status filter (drafts: a rare one) is
    left to the check, so the walk reads at most ``GATHER_WALK_MOST`` entries whatever the
    filters. None among open invoices only: their search walks them without the trigram
    index (``_references_contain``), and PostgreSQL planned a walk of them as a sort of
    all (68 ms for "avd 1")."""
    if not _client_ordered(ordering) or _open_only(filters):
        return None
    rows = Invoice.objects.filter(company=company, kind=filters.kind)
    if filters.client is not None:
        rows = rows.filter(client=filters.client)
    return _ordered(rows, ordering)


def _ordered(invoices: QuerySet[Invoice], ordering: str) -> QuerySet[Invoice]:
    return invoices.order_by(*INVOICE_ORDERINGS.get(ordering, INVOICE_ORDERINGS[DEFAULT_ORDERING]))


def _client_ordered(ordering: str) -> bool:
    """The order ``ordering`` names reads the client's name (a join)."""
    names = INVOICE_ORDERINGS.get(ordering, INVOICE_ORDERINGS[DEFAULT_ORDERING])
    return any(name.lstrip("-").startswith("client__") for name in names)


def _client_walk(company: Company, ordering: str) -> Walk | None:
    """The company's clients in the list's order of them, when it is sorted by client:
    the order's client columns, read on the client ("-client__name" → "-name",
    "-client_id" → "-id")."""
    if not _client_ordered(ordering):
        return None
    names = INVOICE_ORDERINGS[ordering]
    by_client = [
        name.replace("client__", "").replace("client_id", "id")
        for name in names
        if name.lstrip("-").startswith(("client__", "client_id"))
    ]
    clients = Client.objects.filter(company=company).order_by(*by_client)
    return Walk(field="client", values=clients)


def _rows_ordered(
    invoices: QuerySet[Invoice], ordering: str, company: Company
) -> QuerySet[Invoice]:
    """``_ordered``, with the joined client's company named when the order reads the
    client's name. Every invoice's client is of its company, so the rows are the same, but
    PostgreSQL then walks the company's clients in name order (index (company, name, id))
    and each one's invoices in order, and stops at the page's end, instead of sorting every
    company's clients first: 36 ms → ~1 ms at 142,000 clients (issue 15). A count needs
    no order and no join: count ``_ordered``'s rows."""
    rows = _ordered(invoices, ordering)
    return rows.filter(client__company=company) if _client_ordered(ordering) else rows


def _listed(invoices: QuerySet[Invoice]) -> QuerySet[Invoice]:
    return invoices.select_related("client").annotate(balance=_open_balance_expression())


def invoice_list(
    *,
    company: Company,
    filters: InvoiceFilter | None = None,
    ordering: str = DEFAULT_ORDERING,
    today: datetime.date | None = None,
) -> QuerySet[Invoice]:
    """Invoices (or credit notes, ``InvoiceFilter.kind``) of the company that ``filters``
    selects (none: all invoices), sorted by ``ordering``, a key of ``INVOICE_ORDERINGS``
    (unknown keys fall back to the default); ``today`` decides what is overdue.

    Each row has ``client`` loaded (no N+1) and the annotation ``balance``. The indexes on
    (company, kind, status/invoice date/number/due date) keep this fast at 100,000+ rows.
    A page of a searched list is faster through ``invoice_list_parts`` (same rows): every
    list that pages (web and API) reads through it.
    """
    invoices, conditions, client_ids = _invoice_selection(
        company=company,
        filters=filters or InvoiceFilter(),
        today=today,
        client_joined=_client_ordered(ordering),
    )
    if client_ids:
        conditions = [Q(client__in=client_ids), *conditions]
    if conditions:
        invoices = invoices.filter(functools.reduce(operator.or_, conditions))
    return _rows_ordered(_listed(invoices), ordering, company)


@dataclass(frozen=True)
class InvoiceListParts:
    """``invoice_list``'s rows as the union of ``parts`` (for ``pagination.capped_page``).

    One part per alternative of the text search, each read through its own index (the
    matching clients' invoices client by client, a ``PerValue``, through (company, client,
    kind, date, number, id), each reference through its trigram index; a short search has
    the clients only), instead of one OR that PostgreSQL answers with a
    bitmap of every matching row and a heap read per row: 10,001 heap blocks for a search
    matching 12,500 invoices of a big company (issue 15). Without a search, one part.
    ``rows`` loads a page's rows by key (client loaded; unlike ``invoice_list``, no
    ``balance`` annotation); with one part, ``rows`` is the selection itself. ``page``
    reads a page of them as every list that pages does.
    """

    rows: QuerySet[Invoice]
    parts: list[QuerySet[Invoice] | PerValue]
    walk: Walk | None = None  # sorted by client name, one part: its deep pages' walk
    text_search: bool = False  # ``search_is_text``: the list pages up to ``SEARCH_CAP``
    # One part, the references' trigram search: read its first rows once, in order
    # (``capped_page(gather=True)``).
    gather: bool = False
    # Sorted by client, gathered: rows to look for the matches in first (``_gather_walk``).
    gather_walk: QuerySet[Invoice] | None = None

    def cap(self, cap: int) -> int:
        """The rows the list counts and pages where one without a text search pages
        ``cap``: a text search's first ``SEARCH_CAP`` at most."""
        return min(cap, SEARCH_CAP) if self.text_search else cap

    def page(
        self, number: Any, *, cap: int, per_page: int = PER_PAGE, columns: Sequence[str] = ()
    ) -> CappedPage:
        """Page ``number`` of the rows, read through the parts, the walk and the gathered
        keys as they are meant to be (``pagination.capped_page``; ``cap`` as there)."""
        return capped_page(
            self.rows,
            number,
            per_page=per_page,
            cap=cap,
            parts=self.parts,
            walk=self.walk,
            gather=self.gather,
            gather_walk=self.gather_walk,
            columns=columns,
        )


def invoice_list_parts(
    *,
    company: Company,
    filters: InvoiceFilter | None = None,
    ordering: str = DEFAULT_ORDERING,
    today: datetime.date | None = None,
) -> InvoiceListParts:
    """``invoice_list`` (same arguments, same rows, same order) in parts; see
    ``InvoiceListParts``."""
    filters = filters or InvoiceFilter()
    invoices, conditions, client_ids = _invoice_selection(
        company=company, filters=filters, today=today, client_joined=_client_ordered(ordering)
    )
    text_search = search_is_text(filters.search)
    # No ``balance`` annotation: the lists read the amounts (``models.open_balance_of``),
    # and building and compiling the expression was ~5 % of a list page's calls.
    if not client_ids and len(conditions) <= 1:
        # No search, or one alternative (a short search's clients as a subquery, or none).
        # The part is the selection for the count, without the client's company; the rows
        # are it with the client (its condition built once: resolving the references'
        # expression was a fifth of building a searched list's parts).
        selection = _ordered(invoices.filter(*conditions), ordering)
        gather = text_search and not search_is_short(filters.search)
        return InvoiceListParts(
            rows=_rows_ordered(selection.select_related("client"), ordering, company),
            parts=[selection],
            walk=_client_walk(company, ordering),
            text_search=text_search,
            gather=gather,
            gather_walk=_gather_walk(company, filters, ordering) if gather else None,
        )
    rows = _rows_ordered(invoices.select_related("client"), ordering, company)
    parts: list[QuerySet[Invoice] | PerValue] = []
    if client_ids:
        # The matching clients' invoices client by client, each through the index on
        # (company, client, kind, date, number, id): a page of rows per client. First: the
        # count's later pieces leave out its rows by client id, an indexed column.
        parts.append(PerValue(_ordered(invoices, ordering), "client", client_ids))
    parts += [_ordered(invoices.filter(condition), ordering) for condition in conditions]
    return InvoiceListParts(rows=rows, parts=parts, text_search=text_search)


def invoice_detail(*, pk: int) -> Invoice:
    """One invoice or credit note with client, lines (with VAT codes), VAT breakdown,
    payments and credit notes loaded. Raises ``Invoice.DoesNotExist`` for another
    company's id (views: turn it into 404)."""
    return (
        Invoice.objects.select_related("client", "credited_invoice", "issued_by")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=InvoiceLine.objects.select_related("vat_code", "product").order_by(
                    "position"
                ),
            ),
            "vat_lines",
            Prefetch("payments", queryset=Payment.objects.order_by("date", "id")),
            Prefetch(
                "credit_notes",
                queryset=Invoice.objects.exclude(status=Invoice.Status.DRAFT).order_by("number"),
            ),
        )
        .get(pk=pk)
    )


def credit_notes_of(*, invoice: Invoice) -> QuerySet[Invoice]:
    """The issued credit notes that credit ``invoice``, oldest first."""
    return (
        Invoice.objects.credit_notes()
        .filter(credited_invoice=invoice)
        .exclude(status=Invoice.Status.DRAFT)
        .order_by("issued_at", "number")
    )


@dataclass(frozen=True)
class LineCredit:
    """What issued credit notes took of one invoice line so far."""

    quantity: Decimal = ZERO  # credited by quantity (returns)
    net: Decimal = ZERO  # credited net amount, by quantity and by amount together
    by_amount: bool = False  # part of it was credited as an amount (a price reduction)


@dataclass(frozen=True)
class CreditableLine:
    line: InvoiceLine
    credited_quantity: Decimal
    remaining_quantity: Decimal
    credited_net: Decimal
    remaining_net: Decimal
    # After a credit by amount the rest of the line is credited by amount only: its units
    # no longer carry the invoiced price.
    by_amount_only: bool

    @property
    def is_open(self) -> bool:
        return self.remaining_net != 0


def invoice_creditable_lines(*, invoice: Invoice) -> list[CreditableLine]:
    """Per line of an issued invoice: how much has been credited and how much remains."""
    credited = credited_by_line(invoice=invoice)
    result = []
    for line in invoice.lines.select_related("vat_code").order_by("position"):
        done = credited.get(line.pk, LineCredit())
        result.append(
            CreditableLine(
                line=line,
                credited_quantity=done.quantity,
                remaining_quantity=line.quantity - done.quantity,
                credited_net=done.net,
                remaining_net=line.net_amount - done.net,
                by_amount_only=done.by_amount,
            )
        )
    return result


def _issued_credit_notes_of(invoice: Invoice) -> Q:
    return Q(invoice__credited_invoice=invoice, invoice__kind=Invoice.Kind.CREDIT_NOTE) & ~Q(
        invoice__status=Invoice.Status.DRAFT
    )


def credited_by_line(*, invoice: Invoice) -> dict[int, LineCredit]:
    """Per line id of ``invoice``: what its issued credit notes took (one query)."""
    rows = (
        InvoiceLine.objects.filter(_issued_credit_notes_of(invoice), credited_line__isnull=False)
        .values("credited_line")
        .annotate(
            quantity=Sum("quantity", filter=Q(credited_by_amount=False)),
            net=Sum("net_amount"),
            amounts=Count("pk", filter=Q(credited_by_amount=True)),
        )
        .values_list("credited_line", "quantity", "net", "amounts")
    )
    return {
        line_id: LineCredit(quantity=_quantity(quantity), net=_money(net), by_amount=bool(amounts))
        for line_id, quantity, net, amounts in rows
        if line_id is not None  # selected by credited_line__isnull=False
    }


def credited_vat_groups(*, invoice: Invoice) -> dict[tuple[str, Decimal], tuple[Decimal, ...]]:
    """Per VAT group (category, rate) of ``invoice``: (basis, VAT, VAT in NOK) credited."""
    rows = (
        InvoiceVatLine.objects.filter(_issued_credit_notes_of(invoice))
        .values("vat_category", "vat_rate")
        .annotate(basis=Sum("basis"), vat=Sum("vat"), vat_nok=Sum("vat_nok"))
        .values_list("vat_category", "vat_rate", "basis", "vat", "vat_nok")
    )
    return {
        (category, Decimal(rate).quantize(Decimal("0.01"))): (
            _money(basis),
            _money(vat),
            _money(vat_nok),
        )
        for category, rate, basis, vat, vat_nok in rows
    }


def invoice_draft_totals(*, invoice: Invoice) -> Totals:
    """A draft's figures as they would be if it were issued now (for the editor)."""
    lines = invoice.lines.select_related("vat_code").order_by("position")
    return compute_totals(
        [
            LineInput.of(
                line,
                line.vat_rate
                if line.vat_rate is not None
                else vat_rate_on(
                    vat_code=line.vat_code, on=vat_rate_date(invoice=invoice, line=line)
                ),
            )
            for line in lines
        ],
        exchange_rate=invoice.exchange_rate,
    )


# The order in which drafts chosen together are numbered: numbers follow the invoice
# dates (``invoice_issue`` refuses a date before the series' last), so none of the set
# is refused because of another.
ISSUE_ORDER = ("invoice_date", "pk")


def invoices_to_issue(*, ids: Sequence[int]) -> tuple[list[int], list[int]]:
    """Of ``ids``, the company's draft invoices in ``ISSUE_ORDER``, and its other
    invoices (issued: ``invoice_issue_many`` reports them); ids of neither are left out."""
    rows = (
        Invoice.objects.invoices()
        .filter(pk__in_ids=list(dict.fromkeys(ids)))
        .order_by(*ISSUE_ORDER)
        .values_list("pk", "status")
    )
    drafts: list[int] = []
    others: list[int] = []
    for pk, status in rows:
        (drafts if status == Invoice.Status.DRAFT else others).append(pk)
    return drafts, others


@dataclass(frozen=True)
class DraftsToIssue:
    """The drafts a user chose to issue, as ``drafts_to_issue`` found them."""

    drafts: list[Invoice]  # in the order they get their numbers
    totals: dict[int, Decimal | None]  # incl. VAT as if issued now; None: no rate for a line
    total_by_currency: dict[str, Decimal]  # of the drafts whose total is known
    left_out: int  # chosen ids that are not a draft invoice of the company (any more)


def _nok_first(currency: str) -> tuple[bool, str]:
    return currency != "NOK", currency


def drafts_to_issue(*, ids: Sequence[int]) -> DraftsToIssue:
    """The company's draft invoices among ``ids``, in the order ``invoice_issue_many`` should
    number them (``ISSUE_ORDER``), with each one's total as the editor computes it.

    Set-based (the issue confirmation shows hundreds): one query for the drafts, one for
    their lines, one for the rates. Another company's ids are not found (tenant scope) and
    only counted in ``left_out``, as ids that are no longer drafts are.
    """
    wanted = list(dict.fromkeys(ids))
    drafts = list(
        Invoice.objects.invoices()
        .filter(pk__in_ids=wanted, status=Invoice.Status.DRAFT)
        .select_related("client")
        .defer("seller_snapshot", "buyer_snapshot")
        .order_by(*ISSUE_ORDER)
    )
    by_id = {invoice.pk: invoice for invoice in drafts}
    lines_of: dict[int, list[InvoiceLine]] = {pk: [] for pk in by_id}
    for item in (
        InvoiceLine.objects.filter(invoice_id__in_ids=list(by_id))
        .select_related("vat_code")
        .order_by("invoice_id", "position")
    ):
        lines_of[item.invoice_id].append(item)
    rates = VatRateTable(vat_codes=[item.vat_code for items in lines_of.values() for item in items])
    totals: dict[int, Decimal | None] = {}
    by_currency: dict[str, Decimal] = {}
    for invoice in drafts:
        try:
            computed = compute_totals(
                [
                    LineInput.of(
                        item,
                        item.vat_rate
                        if item.vat_rate is not None
                        else rates.rate_on(
                            vat_code=item.vat_code, on=vat_rate_date(invoice=invoice, line=item)
                        ),
                    )
                    for item in lines_of[invoice.pk]
                ],
                exchange_rate=invoice.exchange_rate,
            )
        except ValidationError:
            totals[invoice.pk] = None
            continue
        totals[invoice.pk] = computed.total_incl_vat
        by_currency[invoice.currency] = (
            by_currency.get(invoice.currency, ZERO) + computed.total_incl_vat
        )
    return DraftsToIssue(
        drafts=drafts,
        totals=totals,
        total_by_currency={code: by_currency[code] for code in sorted(by_currency, key=_nok_first)},
        left_out=len(wanted) - len(drafts),
    )


def client_open_balance(*, client: Client, currency: str = "NOK") -> Decimal:
    """What ``client`` owes on its issued invoices in ``currency``."""
    total = (
        Invoice.objects.invoices()
        .filter(client=client, currency=currency, status__in=OPEN_STATUSES)
        .aggregate(total=Sum(_open_balance_expression()))["total"]
    )
    return _money(total)


def client_open_balances(*, company: Company, currency: str = "NOK") -> QuerySet[Client]:
    """Clients with an open balance in ``currency``, annotated ``open_balance``, largest first."""
    open_filter = Q(
        invoices__kind=Invoice.Kind.INVOICE,
        invoices__currency=currency,
        invoices__status__in=OPEN_STATUSES,
    )
    return (
        Client.objects.filter(company=company)
        .annotate(
            open_balance=Round(
                Sum(
                    F("invoices__total_incl_vat")
                    - F("invoices__paid_amount")
                    - F("invoices__credited_amount"),
                    filter=open_filter,
                    output_field=DecimalField(max_digits=18, decimal_places=2),
                ),
                2,
                output_field=DecimalField(max_digits=18, decimal_places=2),
            )
        )
        .filter(open_balance__gt=0)
        .order_by("-open_balance", "number")
    )


def client_credit_balance(*, client: Client, currency: str = "NOK") -> Decimal:
    """The client's credit balance (tilgodehavende) in ``currency``: money owed to it."""
    total = ClientBalanceEntry.objects.filter(client=client, currency=currency).aggregate(
        total=Sum("amount")
    )["total"]
    return _money(total)


def client_credit_balances(*, client_ids: Sequence[int]) -> dict[tuple[int, str], Decimal]:
    """``client_credit_balance`` of many clients in one query: {(client id, currency): Σ}."""
    rows = (
        ClientBalanceEntry.objects.filter(client_id__in=client_ids)
        .values_list("client_id", "currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(client_id, currency): _money(total) for client_id, currency, total in rows}


# --- payment slips (the one place for their thresholds) --------------------------------------

#: A payment may exceed the open balance by this much (in the invoice's currency: a client
#: rounding up to whole kroner) before registering it needs a confirmation.
PAYMENT_OVERPAYMENT_MARGIN = Decimal("1.00")
#: The same amount, date and reference on the same invoice within this time is taken for a
#: double registration (a double click, a file imported twice) and needs a confirmation.
PAYMENT_DUPLICATE_WINDOW = datetime.timedelta(minutes=10)


def payment_overpayment(*, invoice: Invoice, amount: Decimal) -> Decimal:
    """How much of ``amount`` would exceed the invoice's open balance (0 if none)."""
    return max(amount - max(invoice.open_balance, ZERO), ZERO)


def payment_recent_duplicate_exists(
    *,
    invoice: Invoice,
    amount: Decimal,
    date: datetime.date,
    reference: str,
    now: datetime.datetime | None = None,
) -> bool:
    """Whether a payment like this one (same invoice, amount, date and reference, not
    reversed) was registered within ``PAYMENT_DUPLICATE_WINDOW``."""
    return (
        _recent_unreversed_payments(now)
        .filter(invoice=invoice, amount=amount, date=date, reference=reference.strip())
        .exists()
    )


def _recent_unreversed_payments(now: datetime.datetime | None) -> QuerySet[Payment]:
    since = (now or timezone.now()) - PAYMENT_DUPLICATE_WINDOW
    return Payment.objects.filter(
        reverses__isnull=True, reversed_by__isnull=True, created_at__gte=since
    ).exclude(method=Payment.Method.CREDIT_BALANCE)


def payment_duplicate_key(
    *, invoice_id: int, amount: Decimal, date: datetime.date, reference: str
) -> tuple[int, Decimal, datetime.date, str]:
    """What makes two payments "the same" for ``payment_recent_duplicate_exists``."""
    return (invoice_id, amount, date, reference.strip())


def payment_recent_duplicate_keys(
    *, invoice_ids: Sequence[int], now: datetime.datetime | None = None
) -> set[tuple[int, Decimal, datetime.date, str]]:
    """``payment_duplicate_key`` of every payment that ``payment_recent_duplicate_exists``
    would find on these invoices, in one query (the bulk registration's check)."""
    rows = (
        _recent_unreversed_payments(now)
        .filter(invoice_id__in=invoice_ids)
        .values_list("invoice_id", "amount", "date", "reference")
    )
    return {
        payment_duplicate_key(invoice_id=inv, amount=amount, date=date, reference=ref)
        for inv, amount, date, ref in rows
    }


def client_balance_entries(*, client: Client) -> QuerySet[ClientBalanceEntry]:
    return ClientBalanceEntry.objects.filter(client=client).select_related(
        "invoice", "credit_note", "payment"
    )


@dataclass(frozen=True)
class ReceivablesSummary:
    """What the dashboard shows: open and overdue receivables in one currency, and drafts."""

    currency: str
    open_count: int
    open_amount: Decimal
    overdue_count: int
    overdue_amount: Decimal
    draft_count: int


def receivables_summary(
    *, company: Company, today: datetime.date | None = None, currency: str = "NOK"
) -> ReceivablesSummary:
    """Open receivables (issued, unpaid balance), the overdue part of them (due date before
    ``today``), and the number of draft invoices.

    The open figures are the company's ``OpenReceivable`` rows of the currency, one per due
    date, kept with the invoices (``services.summary``): a few hundred rows where summing
    every open invoice from its index (``receivables_summary_recomputed``) read 74,522
    entries of a big company (~30 ms; issue 15). The drafts are counted on the status index.
    """
    today = today or timezone.localdate()
    is_overdue = Q(due_date__lt=today)
    figures = OpenReceivable.objects.filter(company=company, currency=currency).aggregate(
        open_count=Sum("count"),
        open_amount=Sum("amount"),
        overdue_count=Sum("count", filter=is_overdue),
        overdue_amount=Sum("amount", filter=is_overdue),
    )
    return ReceivablesSummary(
        currency=currency,
        open_count=figures["open_count"] or 0,
        open_amount=_money(figures["open_amount"]),
        overdue_count=figures["overdue_count"] or 0,
        overdue_amount=_money(figures["overdue_amount"]),
        draft_count=_draft_count(company),
    )


def receivables_summary_recomputed(
    *, company: Company, today: datetime.date | None = None, currency: str = "NOK"
) -> ReceivablesSummary:
    """``receivables_summary`` from the invoices themselves (the check of the summary; the
    tests compare the two): the open figures from the partial index ``invoice_open_cover``
    (open invoices only, every summed column in it), index-only."""
    today = today or timezone.localdate()
    balance = _open_balance_expression()
    is_overdue = Q(due_date__lt=today)
    figures = (
        Invoice.objects.invoices()
        .filter(company=company, status__in=OPEN_STATUSES, currency=currency)
        .aggregate(
            open_count=Count("*"),
            open_amount=Sum(balance),
            overdue_count=Count("due_date", filter=is_overdue),  # a column of the index
            overdue_amount=Sum(balance, filter=is_overdue),
        )
    )
    return ReceivablesSummary(
        currency=currency,
        open_count=figures["open_count"],
        open_amount=_money(figures["open_amount"]),
        overdue_count=figures["overdue_count"],
        overdue_amount=_money(figures["overdue_amount"]),
        draft_count=_draft_count(company),
    )


def _draft_count(company: Company) -> int:
    return Invoice.objects.invoices().filter(company=company, status=Invoice.Status.DRAFT).count()


@dataclass(frozen=True)
class MonthSummaryDifference:
    """A month whose stored summary is not what its documents and payments say."""

    company_id: int
    month: datetime.date
    stored: tuple[Decimal, ...]  # invoiced, paid, invoiced excl. VAT
    recounted: tuple[Decimal, ...]


def month_summary_differences(
    *, company_ids: Sequence[int] | None = None
) -> list[MonthSummaryDifference]:
    """Compare ``MonthSummary`` with a recount from the documents and payments
    (``invoicing.summary_sql.recount``, one set-based query) for ``company_ids`` (None:
    all). Both sides at ``SUMMARY_AMOUNT``'s 8 decimals (SQLite sums in floating point)."""

    def exact(values: Sequence[object]) -> tuple[Decimal, ...]:
        return tuple(summary_exact(value) for value in values)

    return [
        MonthSummaryDifference(company_id=key[0], month=key[1], stored=kept, recounted=counted)
        for key, kept, counted in _summary_differences(
            summary_sql.recount(connection.vendor, company_ids),
            MonthSummary,
            summary_sql.SUMMARY_COLUMNS,
            2,  # company, month
            company_ids,
            exact,
        )
    ]


_Key = TypeVar("_Key", bound=tuple[Any, ...])
_Figures = TypeVar("_Figures")


def _differing(
    stored: dict[_Key, _Figures], recounted: dict[_Key, _Figures], nothing: _Figures
) -> list[tuple[_Key, _Figures, _Figures]]:
    """(key, stored, recounted) of every key whose stored figures are not the recounted
    ones, in key order; a row missing on one side counts as ``nothing``."""
    return [
        (key, stored.get(key, nothing), recounted.get(key, nothing))
        for key in sorted(set(stored) | set(recounted))
        if stored.get(key, nothing) != recounted.get(key, nothing)
    ]


def _summary_differences(
    recount: tuple[str, Sequence[Any]],
    model: type[Model],
    columns: Sequence[str],
    keys: int,
    company_ids: Sequence[int] | None,
    exact: Callable[[Sequence[object]], tuple[Any, ...]],
) -> list[tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]]:
    """(key, stored, recounted) of every row of a summary table (``model``, its
    ``columns``: the first ``keys`` name the row, a date last of them; the rest are sums)
    whose stored sums are not what the ``recount`` statement (the same columns) says, for
    ``company_ids`` (None: all); the sums compared as ``exact`` makes them (SQLite sums in
    floating point)."""

    def keyed(rows: Iterable[Sequence[Any]]) -> dict[tuple[Any, ...], tuple[Any, ...]]:
        return {(*row[: keys - 1], _month_of(row[keys - 1])): exact(row[keys:]) for row in rows}

    sql, params = recount
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        recounted = keyed(cursor.fetchall())
    rows = model._base_manager.all()
    if company_ids is not None:
        rows = rows.filter(company_id__in=list(company_ids))
    stored = keyed(rows.values_list(*columns))
    return _differing(stored, recounted, exact([0] * (len(columns) - keys)))


def _month_of(value: object) -> datetime.date:
    """A date (a month's first day, a due date) as the database returns it (SQLite: text)."""
    if isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class LedgerMonthDifference:
    """A client's ledger month whose stored totals are not what its documents and
    payments say."""

    company_id: int
    client_id: int
    currency: str
    month: datetime.date
    # documents debit, documents credit, payments debit, payments credit
    stored: tuple[Decimal, ...]
    recounted: tuple[Decimal, ...]


def ledger_month_differences(
    *, company_ids: Sequence[int] | None = None
) -> list[LedgerMonthDifference]:
    """Compare ``LedgerMonth`` with a recount from the documents and payments
    (``invoicing.summary_sql.ledger_recount``, one set-based query) for ``company_ids``
    (None: all), to the cent (SQLite sums in floating point)."""

    def exact(values: Sequence[object]) -> tuple[Decimal, ...]:
        return tuple(round_money(Decimal(str(value or 0))) for value in values)

    return [
        LedgerMonthDifference(
            company_id=company_id,
            client_id=client_id,
            currency=currency,
            month=month,
            stored=kept,
            recounted=counted,
        )
        for (company_id, client_id, currency, month), kept, counted in _summary_differences(
            summary_sql.ledger_recount(connection.vendor, company_ids),
            LedgerMonth,
            summary_sql.LEDGER_COLUMNS,
            4,  # company, client, currency, month
            company_ids,
            exact,
        )
    ]


@dataclass(frozen=True)
class OpenReceivableDifference:
    """A due date whose stored open receivables are not what its invoices say."""

    company_id: int
    currency: str
    due_date: datetime.date
    stored: tuple[int, Decimal]  # open invoices, open balance
    recounted: tuple[int, Decimal]


def open_receivable_differences(
    *, company_ids: Sequence[int] | None = None
) -> list[OpenReceivableDifference]:
    """Compare ``OpenReceivable`` with a recount from the invoices
    (``invoicing.summary_sql.open_recount``, one set-based query) for ``company_ids``
    (None: all), to the cent (SQLite sums in floating point). A due date with nothing open
    left keeps a row of zeros, the same as no row."""

    def exact(values: Sequence[object]) -> tuple[Any, ...]:
        count, amount = values
        return int(str(count or 0)), round_money(Decimal(str(amount or 0)))

    return [
        OpenReceivableDifference(
            company_id=company_id,
            currency=currency,
            due_date=due_date,
            stored=kept,
            recounted=counted,
        )
        for (company_id, currency, due_date), kept, counted in _summary_differences(
            summary_sql.open_recount(connection.vendor, company_ids),
            OpenReceivable,
            summary_sql.OPEN_COLUMNS,
            3,  # company, currency, due date
            company_ids,
            exact,
        )
    ]


@dataclass(frozen=True)
class SalesMonthDifference:
    """A client's or product's month whose stored net sales are not what its documents
    say."""

    company_id: int
    dimension: str
    month: datetime.date
    item: int
    stored: tuple[Decimal, int]  # net sales (NOK), documents
    recounted: tuple[Decimal, int]


def sales_month_differences(
    *, company_ids: Sequence[int] | None = None
) -> list[SalesMonthDifference]:
    """Compare ``SalesMonth`` with a recount from the documents and their lines
    (``invoicing.summary_sql.sales_recount``, one set-based query) for ``company_ids``
    (None: all), at ``SUMMARY_AMOUNT``'s 8 decimals (SQLite sums in floating point)."""

    def exact(values: Sequence[object]) -> tuple[Any, ...]:
        amount, documents = values
        return summary_exact(amount), int(str(documents or 0))

    return [
        SalesMonthDifference(
            company_id=company_id,
            dimension=dimension,
            month=month,
            item=item,
            stored=kept,
            recounted=counted,
        )
        for (company_id, dimension, item, month), kept, counted in _summary_differences(
            summary_sql.sales_recount(connection.vendor, company_ids),
            SalesMonth,
            summary_sql.SALES_COLUMNS,
            4,  # company, dimension, item, month
            company_ids,
            exact,
        )
    ]
