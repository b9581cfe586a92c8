"""The customer ledger (kundereskontro) and the sources of its entries.

A ledger entry is anything that changes what a client owes: an invoice (debit), a credit
note (credit), a payment (credit) or its reversal (debit); receivable items of higher apps
(reminder fees, § 3a compensation, interest) plug in through ``register_source``.

Every source answers two set-based questions in the company's scope:

- ``entries(company, currency, client_id, date_from, date_to)``: a queryset of dicts with
  ``entry_date, seq, client_id, entry_kind, number, document_id, entry_amount, due_date, kid, text``
  (``entry_amount`` signed: + the client owes more, − less), in date order;
- ``totals(company, currency, client_id, date_from, date_to)``: per client the sum before
  ``date_from`` (opening) and the debits and credits from ``date_from`` through ``date_to``
  (rows of ``ledger_client, opening, debit, credit``; a client may have several rows). The
  documents and payments keep their whole months in ``invoicing.models.LedgerMonth``,
  read for both in one pass (``LedgerSource.months``, ``stored_totals``), and give the
  rest from their entries (``edge_totals``).

Balances are in the document currency (a ledger per currency): a payment settles an
invoice in the invoice's currency, so the balance in that currency is exact.
Credit-balance payments (``method="credit"``) move the client's own credit onto an invoice
and are not ledger entries: the balance does not change.

Closing balance = Σ open amounts of the client's invoices − the client's credit balance
(``invoicing.selectors.client_credit_balance``) + what is open of the fees and interest
claimed, all as of the same date (``reports.selectors.ageing``'s net).
"""

from __future__ import annotations

import datetime
import functools
import heapq
import itertools
import operator
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from accounts.models import Company
from core.dates import add_months
from core.money import ZERO, round_money
from customers.models import Client
from customers.selectors import ClientLabel, client_labels
from invoicing.models import NOT_LEDGER_METHODS, Invoice, LedgerMonth, Payment

MONEY_FIELD = DecimalField(max_digits=18, decimal_places=2)


class EntriesFn(Protocol):
    def __call__(
        self,
        *,
        company: Company,
        currency: str,
        client_id: int | None,
        date_from: datetime.date | None,
        date_to: datetime.date,
    ) -> QuerySet[Any]: ...


class TotalsFn(Protocol):
    def __call__(
        self,
        *,
        company: Company,
        currency: str,
        client_id: int | None,
        date_from: datetime.date | None,
        date_to: datetime.date,
    ) -> Iterable[dict[str, Any]]: ...


@dataclass(frozen=True)
class LedgerSource:
    key: str
    order: int  # same-day entries: lower order first (invoices before payments)
    entries: EntriesFn
    totals: TotalsFn
    # The source's (debit, credit) columns of ``LedgerMonth``, when its whole months are
    # kept there: ``ledger_totals`` reads them for every such source in one pass
    # (``stored_totals``) and ``totals`` gives only the months the period starts and ends
    # inside (``edge_totals``). None: ``totals`` gives the whole period.
    months: tuple[str, str] | None = None


_SOURCES: dict[str, LedgerSource] = {}

KIND_LABELS: dict[str, Any] = {
    "invoice": _("Faktura"),
    "credit_note": _("Kreditnota"),
    "payment": _("Innbetaling"),
    "reversal": _("Tilbakeført innbetaling"),
}


def register_source(source: LedgerSource, *, labels: dict[str, Any] | None = None) -> None:
    """Add a source of ledger entries (idempotent per key)."""
    _SOURCES[source.key] = source
    KIND_LABELS.update(labels or {})


def sources() -> list[LedgerSource]:
    return sorted(_SOURCES.values(), key=lambda source: source.order)


def _money(value: Any) -> Decimal:
    return ZERO if value is None else round_money(Decimal(value))


def _sum_where(expression: Any, condition: Q) -> Coalesce:
    """The sum of ``expression`` over the rows ``condition`` holds for (0 when none)."""
    zero = Value(ZERO, output_field=MONEY_FIELD)
    return Coalesce(
        Sum(Case(When(condition, then=expression), default=zero, output_field=MONEY_FIELD)),
        zero,
        output_field=MONEY_FIELD,
    )


def signed_totals(
    queryset: QuerySet[Any],
    *,
    date_field: str,
    amount: Any,
    date_from: datetime.date | None,
    date_to: datetime.date,
    client_field: str = "client_id",
) -> QuerySet[Any]:
    """Opening/debit/credit per client from a signed amount expression (one GROUP BY)."""
    before = Q(**{f"{date_field}__lt": date_from}) if date_from else Q(pk__in=[])
    within = Q(**{f"{date_field}__lte": date_to})
    if date_from:
        within &= Q(**{f"{date_field}__gte": date_from})
    negative = Q(_signed__lt=0)
    result: QuerySet[Any] = (
        queryset.filter(**{f"{date_field}__lte": date_to})
        .annotate(_signed=amount)
        .values(ledger_client=F(client_field))
        .annotate(
            opening=_sum_where(amount, before),
            debit=_sum_where(amount, within & ~negative),
            credit=_sum_where(amount, within & negative),
        )
        .order_by()
    )
    return result


@dataclass(frozen=True)
class _PeriodMonths:
    """How a period splits into months: those before ``first`` (the opening), the whole
    months from ``whole_from`` up to ``last`` (summed from ``LedgerMonth``), and the days
    of ``first`` before ``whole_from`` and of ``last`` up to ``date_to`` (read from the
    entries: ``edge_totals``)."""

    first: datetime.date
    whole_from: datetime.date
    last: datetime.date

    @classmethod
    def of(cls, date_from: datetime.date | None, date_to: datetime.date) -> _PeriodMonths:
        last = date_to.replace(day=1)
        first = date_from.replace(day=1) if date_from else last
        whole_from = first if date_from is None or date_from.day == 1 else add_months(first, 1)
        return cls(first=first, whole_from=whole_from, last=last)


def stored_totals(
    *,
    company: Company,
    currency: str,
    client_id: int | None,
    date_from: datetime.date | None,
    date_to: datetime.date,
    months: Iterable[tuple[str, str]],
) -> list[dict[str, Any]]:
    """Opening/debit/credit per client of the period's whole months and the months before
    it, summed from ``LedgerMonth``'s ``months`` columns ((debit, credit) pairs, one per
    source that keeps its months there), in one pass over the company's rows: one pass
    per source read the big company's 48,000 client months twice (40–44 ms each at 1 M
    invoices; issue 15). ``edge_totals`` adds the entries of the months the period starts
    and ends inside."""
    pairs = list(months)
    if not pairs:
        return []
    period = _PeriodMonths.of(date_from, date_to)
    debits, credits = zip(*pairs, strict=True)
    debit = functools.reduce(operator.add, map(F, debits))
    credit = functools.reduce(operator.add, map(F, credits))
    stored = LedgerMonth.objects.filter(company=company, currency=currency, month__lt=period.last)
    if client_id is not None:
        stored = stored.filter(client_id=client_id)
    before = Q(month__lt=period.first) if date_from else Q(pk__in=[])
    within = Q(month__gte=period.whole_from) if date_from else Q(month__lt=period.last)
    rows: QuerySet[Any] = (
        stored.values(ledger_client=F("client_id"))
        .annotate(
            opening=_sum_where(debit + credit, before),
            debit=_sum_where(debit, within),
            credit=_sum_where(credit, within),
        )
        .order_by()
    )
    return list(rows)


def edge_totals(
    queryset: QuerySet[Any],
    *,
    date_field: str,
    amount: Any,
    date_from: datetime.date | None,
    date_to: datetime.date,
    client_field: str = "client_id",
) -> list[dict[str, Any]]:
    """``signed_totals`` of ``queryset``'s entries in the months the period starts and
    ends inside, for a source whose whole months ``LedgerMonth`` holds (``stored_totals``
    reads those): together the same sums as from the entries alone, since
    ``invoicing.services.summary`` writes the entries' months in the same transaction. A
    big company's every document and payment summed took 1.3 s at 1 M invoices.

    Each edge is its own range of the date index (one OR of both read every entry of the
    company up to ``date_to``: ~300 ms at 1 M invoices). The first is its own only when it
    lies before the last month: in the last month itself the last range holds it, and
    after it (a period that starts after it ends) it holds nothing up to ``date_to``."""
    period = _PeriodMonths.of(date_from, date_to)
    edges = [Q(**{f"{date_field}__gte": period.last})]
    if period.first < period.whole_from <= period.last:
        edges.append(
            Q(**{f"{date_field}__gte": period.first, f"{date_field}__lt": period.whole_from})
        )
    return [
        row
        for edge in edges
        for row in signed_totals(
            queryset.filter(edge),
            date_field=date_field,
            amount=amount,
            date_from=date_from,
            date_to=date_to,
            client_field=client_field,
        )
    ]


def dated(
    queryset: QuerySet[Any], field: str, date_from: datetime.date | None, date_to: datetime.date
) -> QuerySet[Any]:
    """Rows whose ``field`` lies in the range (an open start when ``date_from`` is None)."""
    queryset = queryset.filter(**{f"{field}__lte": date_to})
    if date_from is not None:
        queryset = queryset.filter(**{f"{field}__gte": date_from})
    return queryset


# --- The invoicing sources ---------------------------------------------------------------------


def _documents(
    *, currency: str, client_id: int | None, date_from: datetime.date | None, date_to: datetime.date
) -> QuerySet[Invoice]:
    queryset = Invoice.objects.issued().filter(currency=currency)
    if client_id is not None:
        queryset = queryset.filter(client_id=client_id)
    return dated(queryset, "invoice_date", date_from, date_to)


DOCUMENT_AMOUNT = Case(
    When(kind=Invoice.Kind.CREDIT_NOTE, then=-F("total_incl_vat")),
    default=F("total_incl_vat"),
    output_field=MONEY_FIELD,
)


def _document_entries(**kwargs: Any) -> QuerySet[Any]:
    kwargs.pop("company")
    return (
        _documents(**kwargs)
        .order_by("invoice_date", "id")
        .values(
            "client_id",
            "number",
            "due_date",
            "kid",
            entry_kind=F("kind"),
            entry_date=F("invoice_date"),
            seq=F("id"),
            document_id=F("id"),
            entry_amount=DOCUMENT_AMOUNT,
            text=F("credited_invoice__number"),
        )
    )


def _document_totals(
    *,
    company: Company,
    currency: str,
    client_id: int | None,
    date_from: datetime.date | None,
    date_to: datetime.date,
) -> list[dict[str, Any]]:
    queryset = Invoice.objects.issued().filter(currency=currency)
    if client_id is not None:
        queryset = queryset.filter(client_id=client_id)
    return edge_totals(
        queryset,
        date_field="invoice_date",
        amount=DOCUMENT_AMOUNT,
        date_from=date_from,
        date_to=date_to,
    )


def ledger_payments(*, currency: str | None = None) -> QuerySet[Payment]:
    """Payments that are ledger entries: new money in (or its reversal), not credit moves."""
    queryset = Payment.objects.exclude(method__in=NOT_LEDGER_METHODS)  # Payment.is_ledger_entry
    # The invoice is the payment's company's (always): said, so that PostgreSQL reads that
    # company's invoices for the join, not every company's (4.5 M index entries for the
    # ledger's payment totals at 1 M invoices; issue 15).
    queryset = queryset.filter(invoice__company=F("company"))
    if currency is not None:
        queryset = queryset.filter(invoice__currency=currency)
    return queryset


def _payment_entries(
    *,
    company: Company,
    currency: str,
    client_id: int | None,
    date_from: datetime.date | None,
    date_to: datetime.date,
) -> QuerySet[Any]:
    queryset = ledger_payments(currency=currency)
    if client_id is not None:
        queryset = queryset.filter(invoice__client_id=client_id)
    queryset = dated(queryset, "date", date_from, date_to)
    return (
        queryset.order_by("date", "id")
        .annotate(
            payment_kind=Case(
                When(reverses__isnull=False, then=Value("reversal")), default=Value("payment")
            )
        )
        .values(
            entry_date=F("date"),
            seq=F("id"),
            client_id=F("invoice__client_id"),
            entry_kind=F("payment_kind"),
            number=F("invoice__number"),
            document_id=F("invoice_id"),
            entry_amount=ExpressionWrapper(-F("amount"), output_field=MONEY_FIELD),
            due_date=F("invoice__due_date"),
            kid=F("invoice__kid"),
            text=F("reference"),
        )
    )


def _payment_totals(
    *,
    company: Company,
    currency: str,
    client_id: int | None,
    date_from: datetime.date | None,
    date_to: datetime.date,
) -> list[dict[str, Any]]:
    queryset = ledger_payments(currency=currency)
    if client_id is not None:
        queryset = queryset.filter(invoice__client_id=client_id)
    return edge_totals(
        queryset,
        date_field="date",
        amount=ExpressionWrapper(-F("amount"), output_field=MONEY_FIELD),
        client_field="invoice__client_id",
        date_from=date_from,
        date_to=date_to,
    )


register_source(
    LedgerSource(
        key="documents",
        order=0,
        entries=_document_entries,
        totals=_document_totals,
        months=("documents_debit", "documents_credit"),
    )
)
register_source(
    LedgerSource(
        key="payments",
        order=10,
        entries=_payment_entries,
        totals=_payment_totals,
        months=("payments_debit", "payments_credit"),
    )
)


# --- The ledger --------------------------------------------------------------------------------


@dataclass
class LedgerEntry:
    date: datetime.date
    client_id: int
    kind: str
    number: int | None
    document_id: int | None
    amount: Decimal
    due_date: datetime.date | None
    kid: str
    text: str
    balance: Decimal = ZERO
    client_balance: Decimal = ZERO

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, self.kind))

    @property
    def debit(self) -> Decimal:
        return self.amount if self.amount > 0 else ZERO

    @property
    def credit(self) -> Decimal:
        return -self.amount if self.amount < 0 else ZERO


@dataclass
class ClientLedgerTotals:
    client: ClientLabel
    opening: Decimal = ZERO
    debit: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def closing(self) -> Decimal:
        return self.opening + self.debit - self.credit


@dataclass
class Ledger:
    currency: str
    date_from: datetime.date | None
    date_to: datetime.date
    clients: list[ClientLedgerTotals] = field(default_factory=list)

    @property
    def opening(self) -> Decimal:
        return sum((row.opening for row in self.clients), ZERO)

    @property
    def debit(self) -> Decimal:
        return sum((row.debit for row in self.clients), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((row.credit for row in self.clients), ZERO)

    @property
    def closing(self) -> Decimal:
        return sum((row.closing for row in self.clients), ZERO)


def ledger_totals(
    *,
    company: Company,
    date_to: datetime.date,
    date_from: datetime.date | None = None,
    currency: str = "NOK",
    client: Client | None = None,
) -> Ledger:
    """Opening, debits, credits and closing balance per client (one GROUP BY per source,
    and one over the sources' stored months)."""
    client_id = client.pk if client is not None else None
    per_client: dict[int, list[Decimal]] = {}
    registered = sources()
    stored = stored_totals(
        company=company,
        currency=currency,
        client_id=client_id,
        date_from=date_from,
        date_to=date_to,
        months=[source.months for source in registered if source.months],
    )
    of_sources = (
        source.totals(
            company=company,
            currency=currency,
            client_id=client_id,
            date_from=date_from,
            date_to=date_to,
        )
        for source in registered
    )
    for row in itertools.chain(stored, *of_sources):
        sums = per_client.setdefault(row["ledger_client"], [ZERO, ZERO, ZERO])
        sums[0] += _money(row["opening"])
        sums[1] += _money(row["debit"])
        sums[2] += -_money(row["credit"])
    if client is not None:
        per_client.setdefault(client.pk, [ZERO, ZERO, ZERO])
    # What a ledger row shows of its client (the page, the API, the exports): a client's
    # every column for 2,000 clients took 0.1 s of the page at 1 M invoices.
    clients = client_labels(per_client)
    result = Ledger(currency=currency, date_from=date_from, date_to=date_to)
    for client_pk, (opening, debit, credit) in per_client.items():
        if client is None and not (opening or debit or credit):
            continue
        result.clients.append(
            ClientLedgerTotals(
                client=clients[client_pk], opening=opening, debit=debit, credit=credit
            )
        )
    result.clients.sort(key=lambda row: (row.client.name.lower(), row.client.number))
    return result


def ledger_entries(
    *,
    company: Company,
    date_to: datetime.date,
    date_from: datetime.date | None = None,
    currency: str = "NOK",
    client: Client | None = None,
    opening: Decimal = ZERO,
    client_openings: dict[int, Decimal] | None = None,
    limit: int | None = None,
) -> Iterator[LedgerEntry]:
    """The entries in date order with the running balance (of all, and of their client);
    the first ``limit`` of them when given.

    Streams: each source's rows come from one ordered query and are merged lazily. With a
    ``limit`` each source's query reads its first ``limit`` rows only (no more of one source
    can be among the first ``limit`` of all): PostgreSQL then walks the date index and
    stops, where a cursor over every entry kept all of them first (a ``WITH HOLD`` cursor
    is read to its end when the transaction that opened it ends): 4.7 s at 1 M invoices
    for the ledger page's first 1,000 entries (issue 15).
    """
    client_id = client.pk if client is not None else None

    def rows(source: LedgerSource) -> Iterator[tuple[Any, ...]]:
        queryset = source.entries(
            company=company,
            currency=currency,
            client_id=client_id,
            date_from=date_from,
            date_to=date_to,
        )
        found = queryset[:limit] if limit is not None else queryset.iterator(chunk_size=2000)
        for row in found:
            yield (row["entry_date"], source.order, row["seq"], row)

    balance = opening
    per_client = dict(client_openings or {})
    merged = heapq.merge(*(rows(source) for source in sources()))
    for _date, _order, _seq, row in itertools.islice(merged, limit):
        amount = _money(row["entry_amount"])
        balance += amount
        per_client[row["client_id"]] = per_client.get(row["client_id"], ZERO) + amount
        yield LedgerEntry(
            date=row["entry_date"],
            client_id=row["client_id"],
            kind=row["entry_kind"],
            number=row["number"],
            document_id=row["document_id"],
            amount=amount,
            due_date=row["due_date"],
            kid=row["kid"] or "",
            text=str(row["text"] or ""),
            balance=balance,
            client_balance=per_client[row["client_id"]],
        )


def ledger_currencies(*, company: Company) -> list[str]:
    """The currencies the company has issued documents in (NOK first)."""
    # One after the other, each the first after the last through the index
    # ``invoice_issued_currency``: a handful of probes, where a DISTINCT read every issued
    # document (~0.2 s at 1 M invoices; issue 15).
    issued = Invoice.objects.issued().order_by("currency").values_list("currency", flat=True)
    found = {"NOK"}
    currency = issued.first()
    while currency is not None:
        found.add(currency)
        currency = issued.filter(currency__gt=currency).first()
    return sorted(found, key=lambda code: (code != "NOK", code))


LedgerEntriesFn = Callable[..., Iterator[LedgerEntry]]


# --- The receivables sources: fees, § 3a compensation and interest per invoice ----------------


def _items(*, currency: str, client_id: int | None) -> QuerySet[Any]:
    from receivables.models import ReceivableItem

    queryset = ReceivableItem.objects.filter(currency=currency)
    if client_id is not None:
        queryset = queryset.filter(client_id=client_id)
    return queryset


def _item_entries(
    *,
    company: Company,
    currency: str,
    client_id: int | None,
    date_from: datetime.date | None,
    date_to: datetime.date,
) -> QuerySet[Any]:
    queryset = dated(_items(currency=currency, client_id=client_id), "date", date_from, date_to)
    return queryset.order_by("date", "id").values(
        "client_id",
        entry_date=F("date"),
        entry_kind=F("kind"),
        seq=F("id"),
        number=F("invoice__number"),
        document_id=F("invoice_id"),
        entry_amount=F("amount"),
        due_date=F("invoice__due_date"),
        kid=F("invoice__kid"),
        text=Value(""),
    )


def _item_totals(
    *,
    company: Company,
    currency: str,
    client_id: int | None,
    date_from: datetime.date | None,
    date_to: datetime.date,
) -> QuerySet[Any]:
    return signed_totals(
        _items(currency=currency, client_id=client_id),
        date_field="date",
        amount=F("amount"),
        date_from=date_from,
        date_to=date_to,
    )


def _allocations(*, currency: str, client_id: int | None) -> QuerySet[Any]:
    from receivables.models import ItemAllocation

    queryset = ItemAllocation.objects.filter(item__currency=currency)
    if client_id is not None:
        queryset = queryset.filter(item__client_id=client_id)
    return queryset


def _allocation_entries(
    *,
    company: Company,
    currency: str,
    client_id: int | None,
    date_from: datetime.date | None,
    date_to: datetime.date,
) -> QuerySet[Any]:
    queryset = dated(
        _allocations(currency=currency, client_id=client_id), "date", date_from, date_to
    )
    return queryset.order_by("date", "id").values(
        entry_date=F("date"),
        seq=F("id"),
        client_id=F("item__client_id"),
        entry_kind=Value("item_payment"),
        number=F("item__invoice__number"),
        document_id=F("item__invoice_id"),
        entry_amount=ExpressionWrapper(-F("amount"), output_field=MONEY_FIELD),
        due_date=F("item__invoice__due_date"),
        kid=F("item__invoice__kid"),
        text=F("item__kind"),
    )


def _allocation_totals(
    *,
    company: Company,
    currency: str,
    client_id: int | None,
    date_from: datetime.date | None,
    date_to: datetime.date,
) -> QuerySet[Any]:
    return signed_totals(
        _allocations(currency=currency, client_id=client_id),
        date_field="date",
        amount=ExpressionWrapper(-F("amount"), output_field=MONEY_FIELD),
        date_from=date_from,
        date_to=date_to,
        client_field="item__client_id",
    )


WAIVED_AMOUNT = ExpressionWrapper(F("paid_amount") - F("amount"), output_field=MONEY_FIELD)


def _waivers(*, currency: str, client_id: int | None) -> QuerySet[Any]:
    from django.db.models.functions import TruncDate

    result: QuerySet[Any] = (
        _items(currency=currency, client_id=client_id)
        .filter(waived_at__isnull=False)
        .annotate(waived_on=TruncDate("waived_at"))
    )
    return result


def _waiver_entries(
    *,
    company: Company,
    currency: str,
    client_id: int | None,
    date_from: datetime.date | None,
    date_to: datetime.date,
) -> QuerySet[Any]:
    queryset = dated(
        _waivers(currency=currency, client_id=client_id), "waived_on", date_from, date_to
    )
    return queryset.order_by("waived_on", "id").values(
        "client_id",
        entry_date=F("waived_on"),
        seq=F("id"),
        entry_kind=Value("item_waived"),
        number=F("invoice__number"),
        document_id=F("invoice_id"),
        entry_amount=WAIVED_AMOUNT,
        due_date=F("invoice__due_date"),
        kid=F("invoice__kid"),
        text=F("kind"),
    )


def _waiver_totals(
    *,
    company: Company,
    currency: str,
    client_id: int | None,
    date_from: datetime.date | None,
    date_to: datetime.date,
) -> QuerySet[Any]:
    return signed_totals(
        _waivers(currency=currency, client_id=client_id),
        date_field="waived_on",
        amount=WAIVED_AMOUNT,
        date_from=date_from,
        date_to=date_to,
    )


register_source(
    LedgerSource(key="receivable_items", order=20, entries=_item_entries, totals=_item_totals),
    labels={
        "reminder_fee": _("Purregebyr"),
        "notice_fee": _("Gebyr for inkassovarsel"),
        "compensation": _("Standardkompensasjon"),
        "interest": _("Forsinkelsesrente"),
    },
)
register_source(
    LedgerSource(
        key="receivable_payments", order=30, entries=_allocation_entries, totals=_allocation_totals
    ),
    labels={"item_payment": _("Innbetaling av tilleggskrav")},
)
register_source(
    LedgerSource(
        key="receivable_waivers", order=40, entries=_waiver_entries, totals=_waiver_totals
    ),
    labels={"item_waived": _("Tilleggskrav frafalt")},
)
