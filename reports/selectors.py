"""The reports' reads: ageing, VAT, sales, dashboard figures, VAT terms, account mapping.

Set-based: each report is a handful of GROUP BY queries over invoicing's tables, never a
loop over invoices. Call inside the company's scope. Amounts are Decimal, rounded to øre
(SQLite sums decimals in floating point; PostgreSQL is exact).

NOK: a foreign-currency document counts in NOK at its own exchange rate
(``Invoice.exchange_rate``, NOK per unit) — see ``to_nok``; its VAT in NOK is the VAT
stored at issue (``InvoiceVatLine.vat_nok``).
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypeAlias, TypedDict

from django.db import connection
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils.translation import gettext_lazy as _

from accounts.models import Company
from catalog.models import Product, VatCode
from catalog.selectors import vat_rate_on
from core.dates import add_months
from core.money import ZERO, round_money
from customers.models import Client
from customers.selectors import ClientLabel, client_labels
from invoicing import summary_sql
from invoicing.models import (
    SUMMARY_AMOUNT,
    ClientBalanceEntry,
    Invoice,
    InvoiceLine,
    InvoiceVatLine,
    MonthSummary,
    Payment,
    SalesMonth,
    summary_exact,
)
from invoicing.selectors import OPEN_STATUSES
from reports.accounts_data import default_accounts_for
from reports.ledger import ledger_payments
from reports.models import ReportSettings, RevenueAccount

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

MONEY_FIELD = DecimalField(max_digits=18, decimal_places=2)
ZERO_VALUE = Value(ZERO, output_field=MONEY_FIELD)
# An unrounded sum of amounts times exchange rates, as the monthly summaries keep it.
EXACT_FIELD = DecimalField(**SUMMARY_AMOUNT)


def money(value: Any) -> Decimal:
    return ZERO if value is None else round_money(Decimal(value))


def to_nok(amount: Decimal, rate: Decimal) -> Decimal:
    """An amount in a document's currency in NOK at the document's rate, rounded to øre."""
    return round_money(Decimal(amount) * Decimal(rate))


def _sum(expression: Any, condition: Q | None = None) -> Coalesce:
    return Coalesce(
        Sum(expression, filter=condition, output_field=MONEY_FIELD),
        ZERO_VALUE,
        output_field=MONEY_FIELD,
    )


# --- Settings ----------------------------------------------------------------------------------


def report_settings_for(*, company: Company) -> ReportSettings:
    """The company's report settings (an unsaved default row when none is stored)."""
    found = ReportSettings.objects.filter(company=company).first()
    return found or ReportSettings(company=company)


@dataclass(frozen=True)
class AccountMapping:
    vat_code: VatCode
    revenue_account: str
    vat_account: str
    is_default: bool


def account_mapping(*, company: Company) -> dict[str, AccountMapping]:
    """Standard tax code → the company's revenue and VAT accounts (defaults filled in)."""
    stored = {row.vat_code_id: row for row in RevenueAccount.objects.filter(company=company)}
    result: dict[str, AccountMapping] = {}
    for code in VatCode.objects.all():
        row = stored.get(code.pk)
        if row is not None:
            result[code.code] = AccountMapping(code, row.revenue_account, row.vat_account, False)
        else:
            revenue, vat = default_accounts_for(code.code)
            result[code.code] = AccountMapping(code, revenue, vat, True)
    return result


# --- VAT terms ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class VatTerm:
    year: int
    number: int  # 1..6 (bimonthly) or 1 (yearly)
    start: datetime.date
    end: datetime.date
    yearly: bool

    @property
    def label(self) -> str:
        if self.yearly:
            return str(_("År %(year)s") % {"year": self.year})
        return str(_("Termin %(number)s %(year)s") % {"number": self.number, "year": self.year})

    @property
    def key(self) -> str:
        return f"{self.year}-{self.number}" if not self.yearly else f"{self.year}-y"


def vat_terms(*, year: int, yearly: bool) -> list[VatTerm]:
    """The VAT terms of a year: six bimonthly terms, or one yearly term."""
    if yearly:
        return [VatTerm(year, 1, datetime.date(year, 1, 1), datetime.date(year, 12, 31), True)]
    terms = []
    for number in range(1, 7):
        first_month = 2 * number - 1
        last_month = first_month + 1
        last_day = calendar.monthrange(year, last_month)[1]
        terms.append(
            VatTerm(
                year,
                number,
                datetime.date(year, first_month, 1),
                datetime.date(year, last_month, last_day),
                False,
            )
        )
    return terms


def vat_term_of(*, day: datetime.date, yearly: bool) -> VatTerm:
    for term in vat_terms(year=day.year, yearly=yearly):
        if term.start <= day <= term.end:
            return term
    raise AssertionError("every day is in a term")  # pragma: no cover


# --- VAT report --------------------------------------------------------------------------------

# Codes reported in the mva-melding (code 7, no VAT treatment, is not reported).
MVA_MELDING_CODES = frozenset({"3", "31", "32", "33", "5", "51", "52", "6"})


@dataclass
class VatRow:
    code: str
    name: str
    rate: Decimal | None
    base: Decimal = ZERO
    vat: Decimal = ZERO

    @property
    def in_mva_melding(self) -> bool:
        return self.code in MVA_MELDING_CODES


@dataclass
class VatReport:
    date_from: datetime.date
    date_to: datetime.date
    rows: list[VatRow] = field(default_factory=list)
    documents: int = 0

    @property
    def total_base(self) -> Decimal:
        return sum((row.base for row in self.rows if row.in_mva_melding), ZERO)

    @property
    def total_vat(self) -> Decimal:
        return sum((row.vat for row in self.rows), ZERO)

    @property
    def base_outside(self) -> Decimal:
        return sum((row.base for row in self.rows if not row.in_mva_melding), ZERO)


def _rate_or_none(code: VatCode, day: datetime.date) -> Decimal | None:
    try:
        return vat_rate_on(vat_code=code, on=day)
    except Exception:  # no rate in force that day
        return None


def _group_code(codes: Any, category: str) -> str:
    """The standard tax code of a VAT breakdown row (one code per category and rate)."""
    if isinstance(codes, list) and codes:
        return str(codes[0])
    return str(codes or category)


def vat_report(*, company: Company, date_from: datetime.date, date_to: datetime.date) -> VatReport:
    """Base and output VAT per SAF-T standard code, from issued invoices and credit notes.

    By invoice (or credit-note) date; a credit note counts negative in the term of its own
    date (norway.md §1.4). In NOK: base = the breakdown row's basis at the document's rate,
    VAT = the breakdown row's VAT in NOK fixed at issue.
    """
    sign = Case(
        When(invoice__kind=Invoice.Kind.CREDIT_NOTE, then=Value(Decimal(-1))),
        default=Value(Decimal(1)),
        output_field=DecimalField(max_digits=2, decimal_places=0),
    )
    rows = InvoiceVatLine.objects.filter(
        # The company on the invoice side too (the scope only filters the VAT rows): the
        # planner then reads the invoices from the covering index
        # (``invoice_report_cover``), not the wide invoice rows.
        invoice__company=company,
        invoice__status__in=[s for s in Invoice.Status.values if s != Invoice.Status.DRAFT],
        invoice__invoice_date__gte=date_from,
        invoice__invoice_date__lte=date_to,
    )
    by_code: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    # NOK documents: one GROUP BY.
    nok = (
        rows.filter(invoice__currency="NOK")
        # Grouped by the code as text (``vat_codes->>0``), not the JSON list: cheaper to
        # hash over hundreds of thousands of rows.
        .values("vat_category", "vat_rate", code=KT("vat_codes__0"))
        .annotate(
            base=_sum(ExpressionWrapper(F("basis") * sign, output_field=MONEY_FIELD)),
            vat=_sum(ExpressionWrapper(F("vat_nok") * sign, output_field=MONEY_FIELD)),
        )
        .order_by()
    )
    for row in nok:
        sums = by_code[_group_code(row["code"], row["vat_category"])]
        sums[0] += money(row["base"])
        sums[1] += money(row["vat"])
    # Foreign-currency documents: the rows themselves (each converted at its own rate).
    foreign = (
        rows.exclude(invoice__currency="NOK")
        .order_by()
        .values_list(
            KT("vat_codes__0"),
            "vat_category",
            "basis",
            "vat_nok",
            "invoice__exchange_rate",
            "invoice__kind",
        )
    )
    for codes, category, basis, vat_nok, rate, kind in foreign.iterator(chunk_size=2000):
        factor = -1 if kind == Invoice.Kind.CREDIT_NOTE else 1
        sums = by_code[_group_code(codes, category)]
        sums[0] += factor * to_nok(Decimal(basis), Decimal(rate))
        sums[1] += factor * money(vat_nok)
    documents = (
        Invoice.objects.issued()
        .filter(invoice_date__gte=date_from, invoice_date__lte=date_to)
        .count()
    )
    report = VatReport(date_from=date_from, date_to=date_to, documents=documents)
    for code in VatCode.objects.all():
        base, vat = by_code.pop(code.code, (ZERO, ZERO))
        report.rows.append(
            VatRow(
                code=code.code,
                name=code.name_in(),
                rate=_rate_or_none(code, date_to),
                base=base,
                vat=vat,
            )
        )
    for old_code, (base, vat) in sorted(by_code.items()):  # codes no longer in the table
        report.rows.append(VatRow(code=old_code, name=old_code, rate=None, base=base, vat=vat))
    return report


# --- Ageing ------------------------------------------------------------------------------------

BUCKETS = ("not_due", "d1_30", "d31_60", "d61_90", "d90_plus")
ITEMS = "items"  # the fees and interest within a client's buckets (not a bucket)
BUCKET_LABELS = {
    "not_due": _("Ikke forfalt"),
    "d1_30": _("1–30 dager"),
    "d31_60": _("31–60 dager"),
    "d61_90": _("61–90 dager"),
    "d90_plus": _("Over 90 dager"),
}


def _bucket_conditions(as_of: datetime.date, due: str = "due_date") -> dict[str, Q]:
    day = datetime.timedelta(days=1)
    return {
        "not_due": Q(**{f"{due}__gte": as_of}),
        "d1_30": Q(**{f"{due}__lt": as_of, f"{due}__gte": as_of - 30 * day}),
        "d31_60": Q(**{f"{due}__lt": as_of - 30 * day, f"{due}__gte": as_of - 60 * day}),
        "d61_90": Q(**{f"{due}__lt": as_of - 60 * day, f"{due}__gte": as_of - 90 * day}),
        "d90_plus": Q(**{f"{due}__lt": as_of - 90 * day}),
    }


def _ageing_sums(
    *, company: Company, as_of: datetime.date, currency: str
) -> dict[int, dict[str, Decimal]]:
    """Open amount per client and bucket as of a date, in seven GROUP BYs (``ITEMS``: the
    part of it that is fees and interest).

    Today's stored open balance of the invoices dated up to ``as_of``, corrected by what
    is dated after it: payments applied after the date are added back, credit notes dated
    after it are added back, and the part of those credit notes that went to the client's
    credit balance is taken off again (the identity of ``open_invoices_as_of``). Only rows
    dated after the date are read for the correction, and none at all when nothing is
    dated after it ("as of today"). The fees and interest: ``_add_item_sums``.
    """
    issued = [status for status in Invoice.Status.values if status != Invoice.Status.DRAFT]
    result: dict[int, dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys((*BUCKETS, ITEMS), ZERO)
    )

    def add(
        queryset: Any, client: str, due: str, amount: Any, sign: int, items: bool = False
    ) -> None:
        conditions = _bucket_conditions(as_of, due)
        rows = (
            # Grouped by ``client + 0``, an expression: no index gives its order, so
            # SQLite picks its plan by the WHERE (the covering index, or the few rows
            # dated after the date) instead of walking the invoices in client order and
            # reading every wide row. PostgreSQL hashes either way.
            queryset.values(ageing_client=F(client) + 0)
            .annotate(**{key: _sum(amount, condition) for key, condition in conditions.items()})
            .order_by()
        )
        for row in rows:
            sums = result[row["ageing_client"]]
            for key in BUCKETS:
                sums[key] += sign * money(row[key])
                if items:
                    sums[ITEMS] += sign * money(row[key])

    history = _needs_history(as_of=as_of, currency=currency)
    add(
        Invoice.objects.filter(
            kind=Invoice.Kind.INVOICE,
            # As of today only the open invoices have anything open (a paid or credited
            # one has nothing left: ``balance._derived_status``), and the partial index
            # ``invoice_open_cover`` holds just those, with their client and date: 74,000
            # entries read instead of 1 M at 1 M invoices (128 → 36 ms; issue 15). As of an
            # earlier date a paid invoice may have been open then: every issued one,
            # corrected below.
            status__in=issued if history else list(Invoice.OPEN_STATUSES),
            currency=currency,
            invoice_date__lte=as_of,
        ),
        "client_id",
        "due_date",
        ExpressionWrapper(
            F("total_incl_vat") - F("paid_amount") - F("credited_amount"), output_field=MONEY_FIELD
        ),
        1,
    )
    if not history:
        # Nothing dated after the date (the usual case: today): the stored balances are
        # the answer. Skipping the corrections matters: with the invoice's company in the
        # join, SQLite would walk every invoice to find no later payment.
        _add_item_sums(add, as_of=as_of, currency=currency)
        return result
    original = {
        # PostgreSQL: the invoice's company lets the joins read the covering index (see
        # vat_report). SQLite would instead walk every invoice of the company and look for
        # later payments; without it, it starts from the few rows dated after the date.
        **({"company": company} if connection.vendor == "postgresql" else {}),
        "kind": Invoice.Kind.INVOICE,
        "status__in": issued,
        "currency": currency,
        "invoice_date__lte": as_of,
    }
    add(
        Payment.objects.filter(
            date__gt=as_of, **{f"invoice__{key}": value for key, value in original.items()}
        ),
        "invoice__client_id",
        "invoice__due_date",
        F("applied_amount"),
        1,
    )
    add(
        Invoice.objects.filter(
            kind=Invoice.Kind.CREDIT_NOTE,
            status__in=issued,
            invoice_date__gt=as_of,
            **{f"credited_invoice__{key}": value for key, value in original.items()},
        ),
        "credited_invoice__client_id",
        "credited_invoice__due_date",
        F("total_incl_vat"),
        1,
    )
    add(
        ClientBalanceEntry.objects.filter(
            kind=ClientBalanceEntry.Kind.CREDIT_NOTE,
            date__gt=as_of,
            **{f"invoice__{key}": value for key, value in original.items()},
        ),
        "invoice__client_id",
        "invoice__due_date",
        F("amount"),
        -1,
    )
    _add_item_sums(add, as_of=as_of, currency=currency)
    return result


def _add_item_sums(add: Any, *, as_of: datetime.date, currency: str) -> None:
    """Fees, § 3a compensation and interest still open as of the date, aged by their
    invoice's due date.

    The same three movements as the ledger's receivables sources (``reports.ledger``): the
    item claimed (dated ``date``), its payments (``ItemAllocation``, dated) and its waiver
    (what was still open, dated the day it was waived), each summed up to ``as_of``, so the
    aged total is the ledger's closing balance to the øre. An item ages with the claim it
    belongs to: it is owed because the invoice was not paid by its due date, and the
    drill-down then shows one row per invoice with its principal and its items.
    """
    from receivables.models import ItemAllocation, ReceivableItem

    items = ReceivableItem.objects.filter(currency=currency)
    add(items.filter(date__lte=as_of), "client_id", "invoice__due_date", F("amount"), 1, True)
    add(
        ItemAllocation.objects.filter(item__currency=currency, date__lte=as_of),
        "item__client_id",
        "item__invoice__due_date",
        F("amount"),
        -1,
        True,
    )
    add(
        items.filter(waived_at__isnull=False)
        .annotate(waived_on=TruncDate("waived_at"))
        .filter(waived_on__lte=as_of),
        "client_id",
        "invoice__due_date",
        ExpressionWrapper(F("amount") - F("paid_amount"), output_field=MONEY_FIELD),
        -1,
        True,
    )


def open_invoices_as_of(
    *, company: Company, as_of: datetime.date, currency: str = "NOK"
) -> QuerySet[OpenInvoice]:
    """Invoices dated on or before ``as_of``, annotated ``open_as_of``: what was open then.

    open = total − payments applied up to that date − credit notes up to that date + what
    of those credit notes went to the client's credit balance (the paid part), which is
    the same identity the invoicing services keep for today's open balance.
    """
    return _principal_as_of(as_of=as_of, currency=currency, history=True).exclude(open_as_of=ZERO)


class _OpenAsOf(TypedDict):
    open_as_of: Decimal


class _ClaimsAsOf(TypedDict):
    open_as_of: Decimal
    items_open_as_of: Decimal
    claim_open_as_of: Decimal


# Invoices annotated with what was open of them on a date.
OpenInvoice: TypeAlias = "WithAnnotations[Invoice, _OpenAsOf]"
OpenClaim: TypeAlias = "WithAnnotations[Invoice, _ClaimsAsOf]"


def _principal_as_of(
    *, as_of: datetime.date, currency: str, history: bool
) -> QuerySet[OpenInvoice]:
    """Invoices dated on or before ``as_of`` annotated ``open_as_of`` (zeros included):
    summed from the history, or today's stored balance when ``history`` is False."""
    queryset: QuerySet[Invoice] = Invoice.objects.issued().filter(
        kind=Invoice.Kind.INVOICE, currency=currency, invoice_date__lte=as_of
    )
    if not history:
        return queryset.annotate(
            open_as_of=ExpressionWrapper(
                F("total_incl_vat") - F("paid_amount") - F("credited_amount"),
                output_field=MONEY_FIELD,
            )
        )
    applied = (
        Payment.objects.filter(invoice=OuterRef("pk"), date__lte=as_of)
        .order_by()
        .values("invoice")
        .annotate(total=Sum("applied_amount"))
        .values("total")
    )
    credited = (
        Invoice.objects.filter(
            credited_invoice=OuterRef("pk"),
            kind=Invoice.Kind.CREDIT_NOTE,
            invoice_date__lte=as_of,
        )
        .order_by()
        .values("credited_invoice")
        .annotate(total=Sum("total_incl_vat"))
        .values("total")
    )
    beyond = (
        ClientBalanceEntry.objects.filter(
            invoice=OuterRef("pk"), kind=ClientBalanceEntry.Kind.CREDIT_NOTE, date__lte=as_of
        )
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return queryset.annotate(
        open_as_of=ExpressionWrapper(
            F("total_incl_vat") - _subsum(applied) - _subsum(credited) + _subsum(beyond),
            output_field=MONEY_FIELD,
        )
    )


def _subsum(query: Any) -> Coalesce:
    return Coalesce(Subquery(query, output_field=MONEY_FIELD), ZERO_VALUE)


def _needs_history(*, as_of: datetime.date, currency: str) -> bool:
    """True when something is dated after ``as_of``: today's stored balances won't do."""
    return (
        Payment.objects.filter(date__gt=as_of, invoice__currency=currency).exists()
        or Invoice.objects.issued().filter(currency=currency, invoice_date__gt=as_of).exists()
        or ClientBalanceEntry.objects.filter(date__gt=as_of, currency=currency).exists()
    )


def open_invoices(
    *, company: Company, as_of: datetime.date, currency: str = "NOK"
) -> QuerySet[OpenInvoice]:
    """Open invoices as of a date, annotated ``open_as_of``.

    When nothing is dated after ``as_of`` (the usual case: today), the stored open balance
    is the answer and no history is summed.
    """
    history = _needs_history(as_of=as_of, currency=currency)
    return _principal_as_of(as_of=as_of, currency=currency, history=history).exclude(
        open_as_of=ZERO
    )


def open_claims(
    *, company: Company, as_of: datetime.date, currency: str = "NOK"
) -> QuerySet[OpenClaim]:
    """Invoices with something open as of a date: ``open_as_of`` (the principal),
    ``items_open_as_of`` (fees, § 3a compensation and interest claimed on the invoice, as
    the ledger counts them) and ``claim_open_as_of`` (their sum, what ageing buckets)."""
    from receivables.models import ItemAllocation, ReceivableItem

    history = _needs_history(as_of=as_of, currency=currency)
    items = ReceivableItem.objects.filter(invoice=OuterRef("pk"), currency=currency)
    claimed = (
        items.filter(date__lte=as_of)
        .order_by()
        .values("invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    paid = (
        ItemAllocation.objects.filter(
            item__invoice=OuterRef("pk"), item__currency=currency, date__lte=as_of
        )
        .order_by()
        .values("item__invoice")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    waived = (
        items.filter(waived_at__isnull=False)
        .annotate(waived_on=TruncDate("waived_at"))
        .filter(waived_on__lte=as_of)
        .order_by()
        .values("invoice")
        .annotate(
            total=Sum(ExpressionWrapper(F("amount") - F("paid_amount"), output_field=MONEY_FIELD))
        )
        .values("total")
    )
    return (
        _principal_as_of(as_of=as_of, currency=currency, history=history)
        .filter(~Q(open_as_of=0) | Exists(items.filter(date__lte=as_of)))
        .annotate(
            items_open_as_of=ExpressionWrapper(
                _subsum(claimed) - _subsum(paid) - _subsum(waived), output_field=MONEY_FIELD
            )
        )
        .annotate(
            claim_open_as_of=ExpressionWrapper(
                F("open_as_of") + F("items_open_as_of"), output_field=MONEY_FIELD
            )
        )
        .exclude(claim_open_as_of=0)
    )


@dataclass
class AgeingRow:
    client: ClientLabel | None  # None: the totals row
    buckets: dict[str, Decimal]
    credit_balance: Decimal = ZERO
    items: Decimal = ZERO  # of the total: fees, § 3a compensation and interest

    @property
    def total(self) -> Decimal:
        return sum(self.buckets.values(), ZERO)

    @property
    def net(self) -> Decimal:
        return self.total - self.credit_balance

    @property
    def bucket_list(self) -> list[tuple[str, Decimal]]:
        return [(key, self.buckets[key]) for key in BUCKETS]


@dataclass
class Ageing:
    as_of: datetime.date
    currency: str
    rows: list[AgeingRow]
    totals: AgeingRow


def ageing(*, company: Company, as_of: datetime.date, currency: str = "NOK") -> Ageing:
    """Open amounts per client in buckets by days past due as of a date (set-based)."""
    per_client: dict[int, AgeingRow] = {}
    for client_pk, sums in _ageing_sums(company=company, as_of=as_of, currency=currency).items():
        items = sums.pop(ITEMS)
        if any(sums.values()):
            per_client[client_pk] = AgeingRow(client=None, buckets=sums, items=items)
    credits = (
        ClientBalanceEntry.objects.filter(currency=currency, date__lte=as_of)
        .values("client_id")
        .annotate(total=_sum(F("amount")))
        .order_by()
    )
    for credit in credits:
        amount = money(credit["total"])
        if amount:
            per_client.setdefault(
                credit["client_id"], AgeingRow(client=None, buckets=dict.fromkeys(BUCKETS, ZERO))
            ).credit_balance = amount
    # Only what the page and the API show of a client: 2,000 whole client rows were 7 ms.
    clients = client_labels(per_client)
    rows = []
    for client_pk, row in per_client.items():
        row.client = clients[client_pk]
        rows.append(row)
    rows.sort(key=lambda row: (-row.total, row.client.name.lower() if row.client else ""))
    totals = AgeingRow(
        client=None,
        buckets={key: sum((row.buckets[key] for row in rows), ZERO) for key in BUCKETS},
        credit_balance=sum((row.credit_balance for row in rows), ZERO),
        items=sum((row.items for row in rows), ZERO),
    )
    return Ageing(as_of=as_of, currency=currency, rows=rows, totals=totals)


def ageing_invoices(
    *,
    company: Company,
    as_of: datetime.date,
    currency: str = "NOK",
    client: Client | None = None,
    bucket: str | None = None,
) -> QuerySet[OpenClaim]:
    """The open invoices behind an ageing cell (drill-down), oldest due date first, with
    what is open of each: principal, fees and interest (``open_claims``)."""
    queryset = open_claims(company=company, as_of=as_of, currency=currency)
    if client is not None:
        queryset = queryset.filter(client=client)
    if bucket is not None:
        queryset = queryset.filter(_bucket_conditions(as_of)[bucket])
    return queryset.select_related("client").order_by("due_date", "number")


# --- Sales -------------------------------------------------------------------------------------

DOC_SIGN = Case(
    When(kind=Invoice.Kind.CREDIT_NOTE, then=Value(Decimal(-1))),
    default=Value(Decimal(1)),
    output_field=DecimalField(max_digits=2, decimal_places=0),
)
LINE_SIGN = Case(
    When(invoice__kind=Invoice.Kind.CREDIT_NOTE, then=Value(Decimal(-1))),
    default=Value(Decimal(1)),
    output_field=DecimalField(max_digits=2, decimal_places=0),
)


@dataclass
class SalesRow:
    key: Any
    label: str
    amount: Decimal
    documents: int = 0


def _whole_months_and_edges(
    date_from: datetime.date, date_to: datetime.date
) -> tuple[list[datetime.date], list[datetime.date], Q]:
    """The months of the range; those it holds whole (read from a monthly summary); and
    the days of the others (the first and last month, when the range starts or ends
    inside them), as a condition on ``invoice_date`` (read from the documents)."""
    months = months_between(date_from, date_to)
    whole = [month for month in months if month >= date_from and _month_end(month) <= date_to]
    edges = Q(pk__in=[])
    for month in months:
        if month not in whole:
            start, end = max(month, date_from), min(_month_end(month), date_to)
            edges |= Q(invoice_date__gte=start, invoice_date__lte=end)
    return months, whole, edges


def _sales_months(
    company: Company, dimension: str, whole: list[datetime.date], labels: type[Model]
) -> list[tuple[int, Any, Any, str | None, Any]]:
    """``SalesMonth``'s sums per item of ``dimension`` over the months ``whole``: (item,
    amount, documents, name, number), the name and number those of its row of ``labels``
    (the client or product; None for ``summary_sql.NO_PRODUCT``), joined to the sums once
    they are summed (read as the ORM's subqueries, they were read for each of a year's
    22,000 rows of a big company's clients: ~400 ms; issue 15)."""
    if not whole:
        return []
    sums = (
        SalesMonth.objects.filter(company=company, dimension=dimension, month__in=whole)
        .values("item")
        .annotate(amount=Sum("amount"), documents=Sum("documents"))
        .order_by()
    )
    sql, params = sums.query.sql_with_params()
    quote = connection.ops.quote_name
    table = quote(labels._meta.db_table)
    # Both models name their columns as their fields ("name", "number").
    name, number = quote("name"), quote("number")
    # The labels' company named: PostgreSQL then hashes the company's rows, not every
    # company's (142,000 clients read for 2,000: ~60 ms).
    # The ORM's compiled SQL and names from the model's metadata; values are parameters.
    statement = (
        f"SELECT sums.item, sums.amount, sums.documents, {table}.{name}, {table}.{number} "  # noqa: S608
        f"FROM ({sql}) AS sums LEFT JOIN {table} ON {table}.{quote('id')} = sums.item "
        f"AND {table}.{quote('company_id')} = %s"
    )
    params = (*params, company.pk)
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows: list[tuple[int, Any, Any, str | None, Any]] = cursor.fetchall()
    return rows


def sales_by_client(
    *, company: Company, date_from: datetime.date, date_to: datetime.date
) -> list[SalesRow]:
    """Net sales (excl. VAT, NOK, credit notes deducted) per client, largest first.

    The months the range holds whole come from ``invoicing.models.SalesMonth``; the first
    and last month, when the range starts or ends inside them, from their documents
    (``_sales_by_client_from_documents``, which the tests compare it with). Summing a
    year's documents of a big company took ~0.8 s (issue 15)."""
    whole, edges = _whole_months_and_edges(date_from, date_to)[1:]
    sums: dict[int, list[Any]] = {}  # client: [amount, documents, name, number]
    for client_id, amount, documents, name, number in _sales_months(
        company, SalesMonth.Dimension.CLIENT, whole, Client
    ):
        sums[client_id] = [summary_exact(amount), int(documents or 0), name, number]
    for client_id, (amount, documents, name, number) in _sales_by_client_from_documents(
        company, edges
    ).items():
        total = sums.setdefault(client_id, [ZERO, 0, name, number])
        total[0] += amount
        total[1] += documents
    rows = [
        SalesRow(key=client_id, label=f"{name} ({number})", amount=money(amount), documents=count)
        for client_id, (amount, count, name, number) in sums.items()
    ]
    return sorted(rows, key=lambda row: (-row.amount, row.label))


def _sales_by_client_from_documents(
    company: Company, days: Q
) -> dict[int, tuple[Decimal, int, str, int]]:
    """Per client: the unrounded net sales in NOK and the number of the issued documents
    dated on ``days`` (a condition on ``invoice_date``), and the client's name and
    number."""
    grouped = (
        Invoice.objects.issued()
        # The client's company named too: the company's clients are joined, not all.
        .filter(days, client__company=company)
        .values("client_id", "client__name", "client__number")
        .annotate(
            amount=Sum(
                ExpressionWrapper(
                    F("total_excl_vat") * F("exchange_rate") * DOC_SIGN, output_field=EXACT_FIELD
                )
            ),
            documents=Count("id"),
        )
        .order_by()
    )
    return {
        row["client_id"]: (
            summary_exact(row["amount"]),
            row["documents"],
            row["client__name"],
            row["client__number"],
        )
        for row in grouped
    }


def sales_by_product(
    *, company: Company, date_from: datetime.date, date_to: datetime.date
) -> list[SalesRow]:
    """Net sales per product (lines without a product grouped as one row), largest first.

    Whole months from ``invoicing.models.SalesMonth``, the edge months from their lines
    (``_sales_by_product_from_documents``), as ``sales_by_client``. Summing a year's lines
    of a big company took ~2 s (issue 15)."""
    whole, edges = _whole_months_and_edges(date_from, date_to)[1:]
    sums: dict[int, list[Any]] = {}  # product: [amount, name, number]
    for product_id, amount, _documents, name, number in _sales_months(
        company, SalesMonth.Dimension.PRODUCT, whole, Product
    ):
        sums[product_id] = [summary_exact(amount), name, number]
    for product_id, (amount, name, number) in _sales_by_product_from_documents(edges).items():
        sums.setdefault(product_id, [ZERO, name, number])[0] += amount
    rows = []
    for product_id, (amount, name, number) in sums.items():
        if product_id == summary_sql.NO_PRODUCT:
            key, label = None, str(_("Linjer uten produkt"))
        else:
            key, label = product_id, f"{name} ({number})"
        rows.append(SalesRow(key=key, label=label, amount=money(amount)))
    return sorted(rows, key=lambda row: (-row.amount, row.label))


def _sales_by_product_from_documents(days: Q) -> dict[int, tuple[Decimal, str, str]]:
    """Per product (``summary_sql.NO_PRODUCT``: lines without one): the unrounded net sales
    in NOK of the lines of the issued documents dated on ``days`` (a condition on
    ``invoice_date``), and the product's name and number."""
    grouped = (
        InvoiceLine.objects.filter(invoice__in=Invoice.objects.issued().filter(days))
        .values("product_id", "product__name", "product__number")
        .annotate(
            amount=Sum(
                ExpressionWrapper(
                    F("net_amount") * F("invoice__exchange_rate") * LINE_SIGN,
                    output_field=EXACT_FIELD,
                )
            ),
        )
        .order_by()
    )
    return {
        row["product_id"] or summary_sql.NO_PRODUCT: (
            summary_exact(row["amount"]),
            row["product__name"],
            row["product__number"],
        )
        for row in grouped
    }


def months_between(date_from: datetime.date, date_to: datetime.date) -> list[datetime.date]:
    months = []
    current = date_from.replace(day=1)
    while current <= date_to:
        months.append(current)
        current = add_months(current, 1)
    return months


def _month_key(value: datetime.date) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date().replace(day=1)
    return value.replace(day=1)


def sales_by_month(
    *, company: Company, date_from: datetime.date, date_to: datetime.date
) -> list[SalesRow]:
    """Net sales per calendar month of the range (months without sales show 0).

    The months the range holds whole come from ``invoicing.models.MonthSummary``
    (``invoiced_excl_vat``, kept in the issuing transactions); the first and last month,
    when the range starts or ends inside them, from their documents. Summing every document
    of the year took ~145 ms for a company of 460,000 documents a year (issue 15). The
    same figures as ``_sales_by_month_from_documents`` (the tests compare the two)."""
    months, whole, edges = _whole_months_and_edges(date_from, date_to)
    by_month: dict[datetime.date, Decimal] = {
        row.month: money(row.invoiced_excl_vat)
        for row in MonthSummary.objects.filter(company=company, month__in=whole).only(
            "month", "invoiced_excl_vat"
        )
    }
    by_month.update(_sales_by_month_from_documents(edges))
    return [
        SalesRow(key=month, label=month.strftime("%Y-%m"), amount=by_month.get(month, ZERO))
        for month in months
    ]


def _month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - datetime.timedelta(days=1)


def _sales_by_month_from_documents(days: Q) -> dict[datetime.date, Decimal]:
    """Net sales per month of the issued documents dated on ``days`` (a condition on
    ``invoice_date``), summed from them."""
    grouped = (
        Invoice.objects.issued()
        .filter(days)
        .annotate(month=TruncMonth("invoice_date"))
        .values("month")
        .annotate(
            amount=_sum(
                ExpressionWrapper(
                    F("total_excl_vat") * F("exchange_rate") * DOC_SIGN, output_field=MONEY_FIELD
                )
            )
        )
        .order_by()
    )
    return {_month_key(row["month"]): money(row["amount"]) for row in grouped}


# --- Dashboard ---------------------------------------------------------------------------------


@dataclass
class MonthFigures:
    month: datetime.date
    invoiced: Decimal
    paid: Decimal


@dataclass
class DashboardFigures:
    # Open invoices in other currencies than NOK, in NOK at their rates (the NOK invoices'
    # outstanding and overdue are invoicing's panel on the same dashboard).
    outstanding_foreign: Decimal
    overdue_foreign: Decimal
    overdue_foreign_count: int
    paid_this_month: Decimal
    months: list[MonthFigures]


def _dashboard_months(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The dashboard's first month and the current month (12 months up to ``today``)."""
    month_start = today.replace(day=1)
    return (month_start - datetime.timedelta(days=320)).replace(day=1), month_start


def _foreign_open(today: datetime.date) -> dict[str, Any]:
    """Open and overdue invoices in other currencies, in NOK: depends on ``today``, so it
    is read from the partial index of open invoices (index-only), not from a summary."""

    open_nok = ExpressionWrapper(
        (F("total_incl_vat") - F("paid_amount") - F("credited_amount")) * F("exchange_rate"),
        output_field=MONEY_FIELD,
    )
    # Issued, neither paid nor credited = the open statuses: written as the IN list of the
    # partial index invoice_open_cover, so only open invoices' index entries are read.
    # "Not NOK" as the two ranges around it: the index reads only those entries, where
    # "<> NOK" read every open invoice's entry to find the foreign ones (9 ms for 74,000
    # open NOK invoices and none foreign; 0.3 ms as ranges; issue 15).
    open_invoices_now = Invoice.objects.filter(
        Q(currency__lt="NOK") | Q(currency__gt="NOK"),
        kind=Invoice.Kind.INVOICE,
        status__in=OPEN_STATUSES,
    )
    overdue_filter = Q(due_date__lt=today) & ~Q(
        total_incl_vat=F("paid_amount") + F("credited_amount")
    )
    return open_invoices_now.aggregate(
        outstanding=_sum(open_nok),
        overdue=_sum(open_nok, overdue_filter),
        overdue_count=Count("due_date", filter=overdue_filter),  # in the index, unlike id
    )


_INVOICED_NOK = ExpressionWrapper(
    F("total_incl_vat") * F("exchange_rate") * DOC_SIGN, output_field=MONEY_FIELD
)
_PAID_NOK = ExpressionWrapper(F("amount") * F("invoice__exchange_rate"), output_field=MONEY_FIELD)


def dashboard_figures(*, company: Company, today: datetime.date) -> DashboardFigures:
    """Open and overdue in other currencies (in NOK), paid this month (NOK) and 12 months
    of invoiced vs paid.

    The months come from ``invoicing.models.MonthSummary`` (one row per month, kept in the
    issue and payment transactions): a 12-row index read however many invoices the company
    has. The current month counts up to ``today``: what is dated later this month (an
    invoice dated ahead, a payment registered with a future date) is read from the indexes
    and taken off, usually nothing. The same figures as ``dashboard_figures_recomputed``,
    which sums the documents and payments themselves (the tests compare the two)."""
    figures = _foreign_open(today)
    first_month, month_start = _dashboard_months(today)
    summary = {
        row.month: row
        for row in MonthSummary.objects.filter(
            company=company, month__gte=first_month, month__lte=month_start
        )
    }
    next_month = add_months(month_start, 1)
    invoiced_later = (
        Invoice.objects.issued()
        .filter(invoice_date__gt=today, invoice_date__lt=next_month)
        .aggregate(total=_sum(_INVOICED_NOK))["total"]
    )
    paid_later = (
        ledger_payments()
        .filter(date__gt=today, date__lt=next_month)
        .aggregate(total=_sum(_PAID_NOK))["total"]
    )
    months = []
    for month in months_between(first_month, today):
        row = summary.get(month)
        invoiced, paid = (row.invoiced, row.paid) if row else (ZERO, ZERO)
        if month == month_start:
            invoiced, paid = invoiced - invoiced_later, paid - paid_later
        months.append(MonthFigures(month, money(invoiced), money(paid)))
    return DashboardFigures(
        outstanding_foreign=money(figures["outstanding"]),
        overdue_foreign=money(figures["overdue"]),
        overdue_foreign_count=figures["overdue_count"],
        paid_this_month=months[-1].paid,
        months=months,
    )


def dashboard_figures_recomputed(*, company: Company, today: datetime.date) -> DashboardFigures:
    """``dashboard_figures`` summed from every document and payment of the year (what the
    dashboard did before the summary; 4 s at a million invoices): the reference the
    summary is tested and checked against (``manage.py month_summary_check``)."""
    figures = _foreign_open(today)
    first_month, month_start = _dashboard_months(today)
    paid_this_month = (
        ledger_payments()
        .filter(date__gte=month_start, date__lte=today)
        .aggregate(total=_sum(_PAID_NOK))["total"]
    )
    invoiced = (
        Invoice.objects.issued()
        .filter(invoice_date__gte=first_month, invoice_date__lte=today)
        .annotate(month=TruncMonth("invoice_date"))
        .values("month")
        .annotate(total=_sum(_INVOICED_NOK))
        .order_by()
    )
    paid = (
        ledger_payments()
        .filter(date__gte=first_month, date__lte=today)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(total=_sum(_PAID_NOK))
        .order_by()
    )
    invoiced_by = {_month_key(row["month"]): money(row["total"]) for row in invoiced}
    paid_by = {_month_key(row["month"]): money(row["total"]) for row in paid}
    months = [
        MonthFigures(month, invoiced_by.get(month, ZERO), paid_by.get(month, ZERO))
        for month in months_between(first_month, today)
    ]
    return DashboardFigures(
        outstanding_foreign=money(figures["outstanding"]),
        overdue_foreign=money(figures["overdue"]),
        overdue_foreign_count=figures["overdue_count"],
        paid_this_month=money(paid_this_month),
        months=months,
    )
