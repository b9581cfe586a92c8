"""SAF-T Financial 1.30 (Norway) export of the invoicing sub-ledger, streamed.

What an invoicing system exports (norway.md §7.4): the company header, the customers with
their receivable account (1500) and opening/closing balances, the tax table with the
standard tax codes, the general-ledger accounts it posts to (with the mandatory
``GroupingCategory``/``GroupingCode``) and the journals:

- ``SALG``: one transaction per invoice and credit note: one revenue line per VAT group
  (the company's revenue account for the code, ``TaxInformation`` with code, rate, base
  and tax amount), one output-VAT line per group with VAT, and the receivable line (1500,
  ``CustomerID``, ``ReferenceNumber`` = number, ``CID`` = KID, ``DueDate``);
- ``INNBET``: one transaction per payment (bank 1920 against 1500; a reversal the other
  way round) and per payment of a fee or interest item;
- ``TILLEGG``: reminder fees, § 3a compensation (3900) and late interest (8055) claimed
  from customers, and their waivers.

Amounts are NOK: a foreign-currency document at its own exchange rate (revenue =
basis × rate rounded per VAT group, VAT = the NOK VAT fixed at issue, the receivable =
the total × rate rounded once, the øre of difference on 8060/8160, so every transaction
balances to the øre); its payments at the same rate, valued cumulatively (no realised
currency gain or loss is booked: a payment stores no NOK amount or rate of the day).
Lines in a foreign currency also carry ``CurrencyCode``, ``CurrencyAmount`` and
``ExchangeRate``.

The file is written incrementally, so memory stays flat whatever the number of invoices:
the journals are read once, each transaction rendered (escaped text, see
``render_transaction``) into a temporary file while the totals and the customers' and
accounts' movements add up; then header and master files (small lxml subtrees), the
totals and the journals go out in that order. The opening balances are set-based sums
(``opening_movements``).
"""

from __future__ import annotations

import contextlib
import datetime
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any
from xml.sax.saxutils import escape as xml_escape

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Sum, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from lxml import etree

from accounts.models import Company, Membership, Role
from catalog.models import VatCode, VatRate
from core.money import ZERO
from customers.models import Client
from invoicing.models import Invoice, InvoiceVatLine
from reports.accounts_data import (
    ACCOUNTS,
    BANK,
    CURRENCY_GAIN,
    CURRENCY_LOSS,
    FALLBACK_MAPPING,
    FEE_INCOME,
    INTEREST_INCOME,
    RECEIVABLES,
)
from reports.ledger import ledger_payments
from reports.selectors import account_mapping, money, to_nok

NS = "urn:StandardAuditFile-Taxation-Financial:NO"
SOFTWARE_COMPANY = "Invoice Club AS"
SOFTWARE_ID = "FakturaNett"
SOFTWARE_VERSION = "1.0"
CHUNK = 2000
MONEY_FIELD = DecimalField(max_digits=18, decimal_places=2)
ISSUED = [status for status in Invoice.Status.values if status != Invoice.Status.DRAFT]
INVOICE = Invoice.Kind.INVOICE.value
MINUS, PLUS = Decimal(-1), Decimal(1)
# Balance-sheet accounts carry their balance over years; income accounts start each year at 0.
BALANCE_CLASSES = ("1", "2")


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


@dataclass
class TaxInfo:
    code: str
    percentage: Decimal
    base: Decimal  # NOK, as the sign of the line (credit for sales)
    amount: Decimal  # NOK VAT, signed like the line


@dataclass
class Line:
    account: str
    description: str
    amount: Decimal  # NOK; + debit, − credit
    customer_id: str = ""
    tax: TaxInfo | None = None
    currency: str = "NOK"
    currency_amount: Decimal | None = None
    exchange_rate: Decimal | None = None
    reference: str = ""
    cid: str = ""
    due_date: datetime.date | None = None
    cross_reference: str = ""


@dataclass
class Transaction:
    id: str
    date: datetime.date
    description: str
    system_date: datetime.date
    voucher_type: str
    customer_id: str
    client_pk: int
    lines: list[Line] = field(default_factory=list)


# --- Journals ----------------------------------------------------------------------------------


def _currency_filter(queryset: Any, field_name: str, foreign_only: bool) -> Any:
    return queryset.exclude(**{field_name: "NOK"}) if foreign_only else queryset


def _date_range(
    queryset: Any, field_name: str, start: datetime.date | None, end: datetime.date
) -> Any:
    queryset = queryset.filter(**{f"{field_name}__lte": end})
    if start is not None:
        queryset = queryset.filter(**{f"{field_name}__gte": start})
    return queryset


def document_transactions(
    *,
    company: Company,
    start: datetime.date | None,
    end: datetime.date,
    foreign_only: bool = False,
) -> Iterator[Transaction]:
    """One balanced transaction per issued invoice and credit note, in date order."""
    mapping = account_mapping(company=company)
    rows = _date_range(
        InvoiceVatLine.objects.filter(invoice__status__in=ISSUED),
        "invoice__invoice_date",
        start,
        end,
    )
    rows = _currency_filter(rows, "invoice__currency", foreign_only)
    rows = (
        rows.order_by("invoice__invoice_date", "invoice__number", "invoice_id", "id")
        .annotate(system_day=TruncDate("invoice__issued_at"))
        .values_list(
            "invoice_id",
            "invoice__kind",
            "invoice__number",
            "invoice__invoice_date",
            "invoice__due_date",
            "invoice__kid",
            "invoice__currency",
            "invoice__exchange_rate",
            "invoice__total_incl_vat",
            "system_day",
            "invoice__client_id",
            "invoice__client__number",
            "invoice__credited_invoice__number",
            KT("vat_codes__0"),  # the standard code as text: no JSON decoded per row
            "vat_category",
            "vat_rate",
            "basis",
            "vat",
            "vat_nok",
        )
    )
    accounts_of = {
        code: (accounts.revenue_account, accounts.vat_account) for code, accounts in mapping.items()
    }
    current: Transaction | None = None
    current_id = None
    receivable = ZERO
    meta: tuple[Any, ...] = ()

    def finish() -> Transaction:
        assert current is not None
        kind, number, due, kid, currency, rate, total = meta
        sign = Decimal(1) if kind == Invoice.Kind.INVOICE else Decimal(-1)
        line = Line(
            account=RECEIVABLES,
            description=current.description,
            amount=receivable,
            customer_id=current.customer_id,
            reference=str(number),
            cid=kid or "",
            due_date=due,
        )
        rounding = ZERO
        if currency != "NOK":
            line.currency = currency
            line.currency_amount = sign * Decimal(total)
            line.exchange_rate = Decimal(rate)
            # The receivable is the total at the rate, rounded once, as its payments are
            # (``payment_transactions``): then paying the invoice in full brings the
            # customer back to exactly 0. The øre by which the rounded revenue and VAT
            # lines differ from it is a conversion difference.
            line.amount = sign * to_nok(Decimal(total), Decimal(rate))
            rounding = receivable - line.amount
        current.lines.append(line)
        if rounding:
            current.lines.append(
                Line(
                    account=CURRENCY_LOSS if rounding > 0 else CURRENCY_GAIN,
                    description=f"Øreavrunding ved omregning til NOK, {current.description}",
                    amount=rounding,
                )
            )
        return current

    for (
        invoice_id,
        kind,
        number,
        invoice_date,
        due,
        kid,
        currency,
        rate,
        total,
        issued_at,
        client_pk,
        client_number,
        credited_number,
        codes,
        category,
        vat_rate,
        basis,
        _vat,
        vat_nok,
    ) in rows.iterator(chunk_size=CHUNK):
        if invoice_id != current_id:
            if current is not None:
                yield finish()
            current_id = invoice_id
            is_invoice = kind == Invoice.Kind.INVOICE
            description = (
                f"Faktura {number}"
                if is_invoice
                else f"Kreditnota {number}"
                + (f" til faktura {credited_number}" if credited_number else "")
            )
            current = Transaction(
                id=f"{'F' if is_invoice else 'K'}{number}",
                date=invoice_date,
                description=description,
                system_date=issued_at or invoice_date,
                voucher_type="Faktura" if is_invoice else "Kreditnota",
                customer_id=str(client_number),
                client_pk=client_pk,
            )
            receivable = ZERO
            meta = (kind, number, due, kid, currency, rate, total)
        assert current is not None
        sign = MINUS if kind == INVOICE else PLUS  # sales: credit
        code = codes or category
        revenue_account, vat_account = accounts_of.get(code) or FALLBACK_MAPPING
        # NOK rows are already in øre (the column's two decimals): no conversion to pay for
        # on the 98 % of rows that need none.
        base_nok = basis if currency == "NOK" else to_nok(Decimal(basis), Decimal(rate))
        vat_nok = vat_nok if currency == "NOK" else money(vat_nok)
        revenue = Line(
            account=revenue_account,
            description=f"{current.description}, MVA-kode {code}",
            amount=sign * base_nok,
            customer_id="",
            tax=TaxInfo(code, Decimal(vat_rate), sign * base_nok, sign * vat_nok),
        )
        if currency != "NOK":
            revenue.currency = currency
            revenue.currency_amount = sign * Decimal(basis)
            revenue.exchange_rate = Decimal(rate)
        current.lines.append(revenue)
        if vat_nok:
            current.lines.append(
                Line(
                    account=vat_account or FALLBACK_MAPPING[1],
                    description=f"Utgående MVA, {current.description}",
                    amount=sign * vat_nok,
                )
            )
        receivable -= sign * (base_nok + vat_nok)
    if current is not None:
        yield finish()


def payment_transactions(
    *,
    company: Company,
    start: datetime.date | None,
    end: datetime.date,
    foreign_only: bool = False,
) -> Iterator[Transaction]:
    """One transaction per payment (bank against receivable) and per fee/interest payment."""
    payments = _date_range(ledger_payments(), "date", start, end)
    payments = _currency_filter(payments, "invoice__currency", foreign_only)
    payments = payments.order_by("date", "id").annotate(system_day=TruncDate("created_at"))
    # A foreign-currency invoice's payments are valued cumulatively: each is the change in
    # (paid so far × rate, rounded), so the payments of an invoice paid in full add up to
    # its receivable (the total × rate, rounded once) whatever the instalments.
    paid_before: dict[int, Decimal] = defaultdict(lambda: ZERO)
    if start is not None:
        earlier = (
            ledger_payments()
            .exclude(invoice__currency="NOK")
            .filter(date__lt=start)
            .values("invoice_id")
            .annotate(total=_sum(F("amount")))
            .order_by()
        )
        for row in earlier:
            paid_before[row["invoice_id"]] = money(row["total"])
    payments = payments.values_list(
        "invoice_id",
        "id",
        "date",
        "amount",
        "reference",
        "reverses_id",
        "system_day",
        "invoice__number",
        "invoice__kid",
        "invoice__currency",
        "invoice__exchange_rate",
        "invoice__client_id",
        "invoice__client__number",
    )
    for (
        invoice_pk,
        pk,
        day,
        amount,
        reference,
        reverses,
        created,
        number,
        kid,
        currency,
        rate,
        client_pk,
        client_number,
    ) in payments.iterator(chunk_size=CHUNK):
        if currency == "NOK":
            nok = amount
        else:
            before = paid_before[invoice_pk]
            after = paid_before[invoice_pk] = before + Decimal(amount)
            nok = to_nok(after, Decimal(rate)) - to_nok(before, Decimal(rate))
        text = (
            f"Tilbakeføring av innbetaling på faktura {number}"
            if reverses
            else f"Innbetaling på faktura {number}"
        )
        tx = Transaction(
            id=f"B{pk}",
            date=day,
            description=text,
            system_date=created or day,
            voucher_type="Innbetaling",
            customer_id=str(client_number),
            client_pk=client_pk,
        )
        bank = Line(account=BANK, description=text, amount=nok)
        receivable = Line(
            account=RECEIVABLES,
            description=text,
            amount=-nok,
            customer_id=str(client_number),
            reference=str(number),
            cid=kid or "",
            cross_reference=f"B{reverses}" if reverses else (reference or "")[:35],
        )
        if currency != "NOK":
            for line, value in ((bank, Decimal(amount)), (receivable, -Decimal(amount))):
                line.currency, line.currency_amount, line.exchange_rate = (
                    currency,
                    value,
                    Decimal(rate),
                )
        tx.lines = [bank, receivable]
        yield tx
    yield from _allocation_transactions(start=start, end=end, foreign_only=foreign_only)


ITEM_TEXTS = {
    "reminder_fee": "Purregebyr",
    "notice_fee": "Gebyr for inkassovarsel",
    "compensation": "Standardkompensasjon",
    "interest": "Forsinkelsesrente",
}


def _income_account(kind: str) -> str:
    return INTEREST_INCOME if kind == "interest" else FEE_INCOME


def _allocation_transactions(
    *, start: datetime.date | None, end: datetime.date, foreign_only: bool
) -> Iterator[Transaction]:
    from receivables.models import ItemAllocation

    rows = _date_range(ItemAllocation.objects.all(), "date", start, end)
    rows = _currency_filter(rows, "item__currency", foreign_only)
    rows = rows.order_by("date", "id").annotate(system_day=TruncDate("created_at"))
    rows = rows.values_list(
        "id",
        "date",
        "amount",
        "system_day",
        "item__kind",
        "item__currency",
        "item__invoice__number",
        "item__invoice__kid",
        "item__invoice__exchange_rate",
        "item__client_id",
        "item__client__number",
    )
    for (
        pk,
        day,
        amount,
        created,
        kind,
        currency,
        number,
        kid,
        rate,
        client_pk,
        client_number,
    ) in rows.iterator(chunk_size=CHUNK):
        rate = Decimal(rate) if currency != "NOK" else Decimal(1)
        nok = to_nok(Decimal(amount), rate)
        text = f"Innbetaling av {ITEM_TEXTS.get(kind, kind).lower()}, faktura {number}"
        yield Transaction(
            id=f"TB{pk}",
            date=day,
            description=text,
            system_date=created or day,
            voucher_type="Innbetaling",
            customer_id=str(client_number),
            client_pk=client_pk,
            lines=[
                Line(account=BANK, description=text, amount=nok),
                Line(
                    account=RECEIVABLES,
                    description=text,
                    amount=-nok,
                    customer_id=str(client_number),
                    reference=str(number),
                    cid=kid or "",
                ),
            ],
        )


def item_transactions(
    *,
    company: Company,
    start: datetime.date | None,
    end: datetime.date,
    foreign_only: bool = False,
) -> Iterator[Transaction]:
    """Fees, § 3a compensation and interest claimed (and waived), outside the VAT base."""
    from receivables.models import ReceivableItem

    fields = (
        "id",
        "kind",
        "amount",
        "paid_amount",
        "currency",
        "system_day",
        "invoice__number",
        "invoice__kid",
        "invoice__due_date",
        "invoice__exchange_rate",
        "client_id",
        "client__number",
    )
    items = _currency_filter(
        _date_range(ReceivableItem.objects.all(), "date", start, end), "currency", foreign_only
    )
    waivers = _currency_filter(
        _date_range(
            ReceivableItem.objects.filter(waived_at__isnull=False).annotate(
                waived_on=TruncDate("waived_at")
            ),
            "waived_on",
            start,
            end,
        ),
        "currency",
        foreign_only,
    )
    streams = [
        (
            False,
            items.annotate(system_day=TruncDate("created_at"))
            .order_by("date", "id")
            .values_list("date", *fields),
        ),
        (
            True,
            waivers.annotate(system_day=TruncDate("created_at"))
            .order_by("waived_on", "id")
            .values_list("waived_on", *fields),
        ),
    ]
    import heapq

    def tagged(waived: bool, rows: Any) -> Iterator[tuple[Any, ...]]:
        for row in rows.iterator(chunk_size=CHUNK):
            yield (row[0], waived, row[1], row)

    for day, waived, pk, row in heapq.merge(*(tagged(w, rows) for w, rows in streams)):
        (
            _d,
            _pk,
            kind,
            amount,
            paid,
            currency,
            created,
            number,
            kid,
            due,
            rate,
            client_pk,
            client_number,
        ) = row
        rate = Decimal(rate) if currency != "NOK" else Decimal(1)
        claimed = Decimal(amount) - (Decimal(paid) if waived else ZERO)
        nok = to_nok(claimed, rate)
        name = ITEM_TEXTS.get(kind, kind)
        text = f"{name} frafalt, faktura {number}" if waived else f"{name}, faktura {number}"
        sign = Decimal(-1) if waived else Decimal(1)
        yield Transaction(
            id=f"{'TF' if waived else 'T'}{pk}",
            date=day,
            description=text,
            system_date=created or day,
            voucher_type="Tilleggskrav",
            customer_id=str(client_number),
            client_pk=client_pk,
            lines=[
                Line(
                    account=RECEIVABLES,
                    description=text,
                    amount=sign * nok,
                    customer_id=str(client_number),
                    reference=str(number),
                    cid=kid or "",
                    due_date=due,
                ),
                Line(account=_income_account(kind), description=text, amount=-sign * nok),
            ],
        )


JOURNALS = [
    ("SALG", "Salgsjournal: fakturaer og kreditnotaer", "S", document_transactions),
    ("INNBET", "Innbetalinger fra kunder", "B", payment_transactions),
    ("TILLEGG", "Purregebyr, kompensasjon og forsinkelsesrente", "S", item_transactions),
]


def all_transactions(
    *, company: Company, start: datetime.date | None, end: datetime.date, foreign_only: bool = False
) -> Iterator[Transaction]:
    for _id, _description, _type, journal in JOURNALS:
        yield from journal(company=company, start=start, end=end, foreign_only=foreign_only)


# --- Balances ----------------------------------------------------------------------------------


@dataclass
class Movements:
    accounts: dict[str, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    customers: dict[int, Decimal] = field(default_factory=lambda: defaultdict(lambda: ZERO))
    entries: int = 0
    debit: Decimal = ZERO
    credit: Decimal = ZERO

    def add(self, tx: Transaction) -> None:
        self.entries += 1
        for line in tx.lines:
            self.accounts[line.account] += line.amount
            if line.account == RECEIVABLES:
                self.customers[tx.client_pk] += line.amount
            if line.amount >= 0:
                self.debit += line.amount
            else:
                self.credit -= line.amount

    def merge(self, other: Movements) -> None:
        for key, value in other.accounts.items():
            self.accounts[key] += value
        for client_pk, value in other.customers.items():
            self.customers[client_pk] += value


def _sum(expression: Any) -> Coalesce:
    return Coalesce(
        Sum(expression, output_field=MONEY_FIELD), Value(ZERO, output_field=MONEY_FIELD)
    )


def _nok_movements(
    *, company: Company, start: datetime.date | None, end: datetime.date
) -> Movements:
    """The NOK documents' postings in a range, by GROUP BY (no rows read one by one)."""
    result = Movements()
    mapping = account_mapping(company=company)
    sign = Case(
        When(invoice__kind=Invoice.Kind.INVOICE, then=Value(Decimal(-1))),
        default=Value(Decimal(1)),
        output_field=DecimalField(max_digits=2, decimal_places=0),
    )
    groups = (
        _date_range(
            InvoiceVatLine.objects.filter(invoice__status__in=ISSUED, invoice__currency="NOK"),
            "invoice__invoice_date",
            start,
            end,
        )
        .values("vat_category", code=KT("vat_codes__0"))
        .annotate(
            base=_sum(ExpressionWrapper(F("basis") * sign, output_field=MONEY_FIELD)),
            vat=_sum(ExpressionWrapper(F("vat_nok") * sign, output_field=MONEY_FIELD)),
        )
        .order_by()
    )
    for row in groups:
        code = row["code"] or row["vat_category"]
        accounts = mapping.get(code)
        revenue_account, vat_account = (
            (accounts.revenue_account, accounts.vat_account) if accounts else FALLBACK_MAPPING
        )
        result.accounts[revenue_account] += money(row["base"])
        if money(row["vat"]):
            result.accounts[vat_account or FALLBACK_MAPPING[1]] += money(row["vat"])
    doc_sign = Case(
        When(kind=Invoice.Kind.INVOICE, then=Value(Decimal(1))),
        default=Value(Decimal(-1)),
        output_field=DecimalField(max_digits=2, decimal_places=0),
    )
    documents = (
        _date_range(Invoice.objects.issued().filter(currency="NOK"), "invoice_date", start, end)
        .values("client_id")
        .annotate(
            total=_sum(ExpressionWrapper(F("total_incl_vat") * doc_sign, output_field=MONEY_FIELD))
        )
        .order_by()
    )
    for row in documents:
        result.customers[row["client_id"]] += money(row["total"])
        result.accounts[RECEIVABLES] += money(row["total"])
    payments = (
        _date_range(ledger_payments(currency="NOK"), "date", start, end)
        .values("invoice__client_id")
        .annotate(total=_sum(F("amount")))
        .order_by()
    )
    for row in payments:
        result.customers[row["invoice__client_id"]] -= money(row["total"])
        result.accounts[RECEIVABLES] -= money(row["total"])
        result.accounts[BANK] += money(row["total"])
    _nok_item_movements(result, start=start, end=end)
    return result


def _nok_item_movements(
    result: Movements, *, start: datetime.date | None, end: datetime.date
) -> None:
    from receivables.models import ItemAllocation, ReceivableItem

    items = (
        _date_range(ReceivableItem.objects.filter(currency="NOK"), "date", start, end)
        .values("client_id", "kind")
        .annotate(total=_sum(F("amount")))
        .order_by()
    )
    for row in items:
        amount = money(row["total"])
        result.customers[row["client_id"]] += amount
        result.accounts[RECEIVABLES] += amount
        result.accounts[_income_account(row["kind"])] -= amount
    waived = (
        _date_range(
            ReceivableItem.objects.filter(currency="NOK", waived_at__isnull=False).annotate(
                waived_on=TruncDate("waived_at")
            ),
            "waived_on",
            start,
            end,
        )
        .values("client_id", "kind")
        .annotate(
            total=_sum(ExpressionWrapper(F("amount") - F("paid_amount"), output_field=MONEY_FIELD))
        )
        .order_by()
    )
    for row in waived:
        amount = money(row["total"])
        result.customers[row["client_id"]] -= amount
        result.accounts[RECEIVABLES] -= amount
        result.accounts[_income_account(row["kind"])] += amount
    allocations = (
        _date_range(ItemAllocation.objects.filter(item__currency="NOK"), "date", start, end)
        .values("item__client_id")
        .annotate(total=_sum(F("amount")))
        .order_by()
    )
    for row in allocations:
        amount = money(row["total"])
        result.customers[row["item__client_id"]] -= amount
        result.accounts[RECEIVABLES] -= amount
        result.accounts[BANK] += amount


def movements(*, company: Company, start: datetime.date | None, end: datetime.date) -> Movements:
    """All postings in a range: NOK documents by GROUP BY, foreign ones transaction by
    transaction (each at its own rate, exactly as the file writes them)."""
    result = _nok_movements(company=company, start=start, end=end)
    foreign = Movements()
    for tx in all_transactions(company=company, start=start, end=end, foreign_only=True):
        foreign.add(tx)
    result.merge(foreign)
    return result


def opening_movements(*, company: Company, date_from: datetime.date) -> Movements:
    """Balances at the start of ``date_from``: balance-sheet accounts and customers from all
    earlier postings; income accounts from the start of that year."""
    day_before = date_from - datetime.timedelta(days=1)
    everything = movements(company=company, start=None, end=day_before)
    year_start = date_from.replace(month=1, day=1)
    this_year = (
        movements(company=company, start=year_start, end=day_before)
        if date_from > year_start
        else Movements()
    )
    result = Movements()
    result.customers = everything.customers
    for account, value in everything.accounts.items():
        if account.startswith(BALANCE_CLASSES):
            result.accounts[account] = value
    for account, value in this_year.accounts.items():
        if not account.startswith(BALANCE_CLASSES):
            result.accounts[account] = value
    return result


# --- Writing -----------------------------------------------------------------------------------


def _element(name: str, *children: etree._Element | None, text: Any = None) -> etree._Element:
    # No namespace on the built elements: they are written inside ``<AuditFile>``, whose
    # default namespace they take in the file (no repeated xmlns on every transaction).
    element = etree.Element(name)
    if text is not None:
        element.text = str(text)
    for child in children:
        if child is not None:
            element.append(child)
    return element


def _opt(name: str, value: Any) -> etree._Element | None:
    return _element(name, text=value) if value not in (None, "") else None


def _balance(prefix: str, value: Decimal) -> etree._Element:
    side = "Debit" if value >= 0 else "Credit"
    return _element(f"{prefix}{side}Balance", text=_amount(abs(value)))


def _address(
    street: str, city: str, postcode: str, country: str, extra: str = ""
) -> etree._Element:
    return _element(
        "Address",
        _opt("StreetName", street[:256]),
        _opt("AdditionalAddressDetail", extra[:256]),
        _opt("City", city[:256]),
        _opt("PostalCode", postcode[:70]),
        _opt("Country", (country or "NO")[:2]),
    )


def _contact_name(company: Company) -> tuple[str, str]:
    owner = (
        Membership.objects.filter(company=company, role=Role.OWNER)
        .select_related("user")
        .order_by("id")
        .first()
    )
    name = (owner.user.full_name if owner else "").strip()
    if " " in name:
        first, last = name.rsplit(" ", 1)
        return first, last
    return (name or "NotUsed"), "NotUsed"


def _header(
    company: Company, date_from: datetime.date, date_to: datetime.date, created: datetime.date
) -> etree._Element:
    first, last = _contact_name(company)
    company_element = _element(
        "Company",
        _element("RegistrationNumber", text=company.organization_number),
        _element("Name", text=company.name[:256]),
        _address(company.address_line, company.city, company.postcode, company.country),
        _element(
            "Contact",
            _element(
                "ContactPerson",
                _element("FirstName", text=first[:35]),
                _element("LastName", text=last[:70]),
            ),
            _opt("Telephone", getattr(company, "phone", "")),
            _opt("Email", getattr(company, "email", "")),
        ),
        _element(
            "TaxRegistration",
            _element("TaxRegistrationNumber", text=f"{company.organization_number}MVA"),
            _element("TaxAuthority", text="Skatteetaten"),
        )
        if company.vat_registered
        else None,
        _element("BankAccount", _element("BankAccountNumber", text=company.bank_account))
        if company.bank_account
        else None,
    )
    return _element(
        "Header",
        _element("AuditFileVersion", text="1.30"),
        _element("AuditFileCountry", text="NO"),
        _element("AuditFileDateCreated", text=created.isoformat()),
        _element("SoftwareCompanyName", text=SOFTWARE_COMPANY),
        _element("SoftwareID", text=SOFTWARE_ID),
        _element("SoftwareVersion", text=SOFTWARE_VERSION),
        company_element,
        _element("DefaultCurrencyCode", text="NOK"),
        _element(
            "SelectionCriteria",
            _element("SelectionStartDate", text=date_from.isoformat()),
            _element("SelectionEndDate", text=date_to.isoformat()),
        ),
        _element("TaxAccountingBasis", text="A"),
    )


def _account_element(number: str, opening: Decimal, closing: Decimal) -> etree._Element:
    account = ACCOUNTS.get(number)
    name = account.name if account else number
    category = account.grouping_category if account else "salgsinntekt"
    code = account.grouping_code if account else "3000"
    return _element(
        "Account",
        _element("AccountID", text=number),
        _element("AccountDescription", text=name),
        _element("GroupingCategory", text=category),
        _element("GroupingCode", text=code),
        _element("AccountType", text="GL"),
        _balance("Opening", opening),
        _balance("Closing", closing),
    )


def _customer_element(client: Client, opening: Decimal, closing: Decimal) -> etree._Element:
    return _element(
        "Customer",
        _opt("RegistrationNumber", client.organization_number),
        _element("Name", text=client.name[:256]),
        _address(
            client.address_line, client.city, client.postcode, client.country, client.address_line2
        ),
        _element("CustomerID", text=str(client.number)),
        _element(
            "BalanceAccount",
            _element("AccountID", text=RECEIVABLES),
            _balance("Opening", opening),
            _balance("Closing", closing),
        ),
        _element(
            "PartyInfo",
            _element("PaymentTerms", _element("Days", text=client.payment_terms_days)),
        ),
    )


def _tax_table(on: datetime.date) -> etree._Element:
    details = []
    rates = VatRate.objects.select_related("vat_code").order_by(
        "vat_code__sort_order", "vat_code__code", "valid_from"
    )
    by_code: dict[str, list[VatRate]] = defaultdict(list)
    for rate in rates:
        by_code[rate.vat_code.code].append(rate)
    for code in VatCode.objects.all():
        periods = by_code.get(code.code, [])
        for index, rate in enumerate(periods):
            following = periods[index + 1] if index + 1 < len(periods) else None
            details.append(
                _element(
                    "TaxCodeDetails",
                    _element("TaxCode", text=code.code),
                    _element("EffectiveDate", text=rate.valid_from.isoformat()),
                    _element(
                        "ExpirationDate",
                        text=(following.valid_from - datetime.timedelta(days=1)).isoformat(),
                    )
                    if following
                    else None,
                    _element("Description", text=code.name_nb),
                    _element("TaxPercentage", text=f"{rate.rate:.2f}"),
                    _element("Country", text="NO"),
                    _element("StandardTaxCode", text=code.code),
                    _element("Compensation", text="false"),
                    _element("BaseRate", text="100"),
                )
            )
    return _element(
        "TaxTable",
        _element(
            "TaxTableEntry",
            _element("TaxType", text="MVA"),
            _element("Description", text="Merverdiavgift"),
            *details,
        ),
    )


def _x(value: Any) -> str:
    """Text content, XML-escaped. Most texts (numbers, account ids, generated
    descriptions) have nothing to escape: three substring tests are much cheaper than
    the three replacements of ``escape`` on millions of values."""
    text = value if type(value) is str else str(value)
    if "&" in text or "<" in text or ">" in text:
        return xml_escape(text)
    return text


def _m(value: Decimal) -> str:
    """An amount's absolute value with two decimals. Amounts here are in øre already
    (database columns with two decimals, ``round_money``), and ``str`` of such a Decimal
    is that text: much cheaper than format(); anything else is formatted."""
    text = str(value.copy_abs())
    return text if text[-3:-2] == "." else f"{abs(value):.2f}"


def _render_amount(name: str, amount: Decimal, line: Line) -> str:
    if line.currency != "NOK" and line.currency_amount is not None:
        rate = (
            f"<ExchangeRate>{line.exchange_rate:.6f}</ExchangeRate>" if line.exchange_rate else ""
        )
        return (
            f"<{name}><Amount>{_m(amount)}</Amount>"
            f"<CurrencyCode>{_x(line.currency)}</CurrencyCode>"
            f"<CurrencyAmount>{_m(line.currency_amount)}</CurrencyAmount>{rate}</{name}>"
        )
    return f"<{name}><Amount>{_m(amount)}</Amount></{name}>"


def _render_tax(line: Line) -> str:
    tax = line.tax
    assert tax is not None
    side = "Debit" if (tax.amount > 0 or (tax.amount == 0 and line.amount > 0)) else "Credit"
    return (
        f"<TaxInformation><TaxType>MVA</TaxType><TaxCode>{_x(tax.code)}</TaxCode>"
        f"<TaxPercentage>{tax.percentage:.2f}</TaxPercentage><Country>NO</Country>"
        f"<TaxBase>{_m(tax.base)}</TaxBase>"
        f"<{side}TaxAmount><Amount>{_m(tax.amount)}</Amount></{side}TaxAmount>"
        f"</TaxInformation>"
    )


def render_transaction(tx: Transaction) -> str:
    """One ``<Transaction>`` (in the file's default namespace), every text escaped.

    Written as text rather than built as an element tree: at 100,000 invoices the tree
    building was most of the export's time; one f-string per line, and the escaping
    only where there is something to escape (``_x``), halved what was left. The XSD
    test and the golden file hold it to the schema."""
    day = tx.date.isoformat()
    parts = [
        f"<Transaction><TransactionID>{_x(tx.id)}</TransactionID>"
        f"<Period>{tx.date.month}</Period><PeriodYear>{tx.date.year}</PeriodYear>"
        f"<TransactionDate>{day}</TransactionDate>"
        f"<VoucherType>{_x(tx.voucher_type)}</VoucherType>"
        f"<Description>{_x(tx.description[:256])}</Description>"
        f"<SystemEntryDate>{tx.system_date.isoformat()}</SystemEntryDate>"
        f"<GLPostingDate>{day}</GLPostingDate>"
        f"<CustomerID>{_x(tx.customer_id)}</CustomerID>"
    ]
    append = parts.append
    for number, line in enumerate(tx.lines, start=1):
        amount = line.amount
        customer = f"<CustomerID>{_x(line.customer_id)}</CustomerID>" if line.customer_id else ""
        tail = _render_tax(line) if line.tax is not None else ""
        if line.reference:
            tail += f"<ReferenceNumber>{_x(line.reference)}</ReferenceNumber>"
        if line.cid:
            tail += f"<CID>{_x(line.cid)}</CID>"
        if line.due_date:
            tail += f"<DueDate>{line.due_date.isoformat()}</DueDate>"
        if line.cross_reference:
            tail += f"<CrossReference>{_x(line.cross_reference)}</CrossReference>"
        append(
            f"<Line><RecordID>{number}</RecordID><AccountID>{_x(line.account)}</AccountID>"
            f"{customer}<Description>{_x(line.description[:256])}</Description>"
            f"{_render_amount('DebitAmount' if amount >= 0 else 'CreditAmount', amount, line)}"
            f"{tail}</Line>"
        )
    append("</Transaction>\n")
    return "".join(parts)


@dataclass
class SaftSummary:
    entries: int
    debit: Decimal
    credit: Decimal
    customers: dict[int, tuple[Decimal, Decimal]]  # client pk → (opening, closing)


def _serialise(element: etree._Element) -> bytes:
    return etree.tostring(element, encoding="utf-8") + b"\n"


def write_saft(
    *,
    company: Company,
    date_from: datetime.date,
    date_to: datetime.date,
    target: IO[bytes],
    created: datetime.date | None = None,
) -> SaftSummary:
    """Write the SAF-T file of ``company`` for the period to ``target`` (binary, streamed).

    One pass over the journals: each transaction is written to a temporary file as it is
    read while the totals and the customers' and accounts' movements add up (they come
    before the transactions in the file); then the file is assembled: header and master
    files (small subtrees serialised by lxml), the totals, and the journals copied in
    chunks. Memory holds one transaction at a time plus a sum per customer and account.
    """
    created = created or timezone.localdate()
    opening = opening_movements(company=company, date_from=date_from)
    period = Movements()
    journal_files = []
    with contextlib.ExitStack() as stack:
        for journal_id, description, kind, journal in JOURNALS:
            spool = stack.enter_context(tempfile.TemporaryFile(prefix="fakturanett-saft-"))
            journal_files.append((journal_id, description, kind, spool))
            buffer: list[str] = []
            for tx in journal(company=company, start=date_from, end=date_to):
                period.add(tx)
                buffer.append(render_transaction(tx))
                if len(buffer) >= 500:
                    spool.write("".join(buffer).encode("utf-8"))
                    buffer.clear()
            spool.write("".join(buffer).encode("utf-8"))
        customer_pks = {pk for pk, value in opening.customers.items() if value} | set(
            period.customers
        )
        customer_balances = {
            pk: (
                opening.customers.get(pk, ZERO),
                opening.customers.get(pk, ZERO) + period.customers.get(pk, ZERO),
            )
            for pk in customer_pks
        }
        account_numbers = sorted(
            {number for number, value in opening.accounts.items() if value} | set(period.accounts)
        )
        write = target.write
        write(b"<?xml version='1.0' encoding='UTF-8'?>\n")
        write(f'<AuditFile xmlns="{NS}">\n'.encode())
        write(_serialise(_header(company, date_from, date_to, created)))
        write(b"<MasterFiles>\n")
        if account_numbers:
            write(b"<GeneralLedgerAccounts>\n")
            for number in account_numbers:
                start = opening.accounts.get(number, ZERO)
                closing = start + period.accounts.get(number, ZERO)
                write(_serialise(_account_element(number, start, closing)))
            write(b"</GeneralLedgerAccounts>\n")
        if customer_pks:
            write(b"<Customers>\n")
            clients = Client.objects.filter(pk__in=customer_pks).order_by("number")
            for client in clients.iterator(chunk_size=CHUNK):
                start, closing = customer_balances[client.pk]
                write(_serialise(_customer_element(client, start, closing)))
            write(b"</Customers>\n")
        write(_serialise(_tax_table(date_to)))
        write(b"</MasterFiles>\n<GeneralLedgerEntries>\n")
        write(
            f"<NumberOfEntries>{period.entries}</NumberOfEntries>"
            f"<TotalDebit>{period.debit:.2f}</TotalDebit>"
            f"<TotalCredit>{period.credit:.2f}</TotalCredit>\n".encode()
        )
        for journal_id, description, kind, spool in journal_files:
            write(
                f"<Journal><JournalID>{_x(journal_id)}</JournalID>"
                f"<Description>{_x(description)}</Description><Type>{_x(kind)}</Type>\n".encode()
            )
            spool.seek(0)
            shutil.copyfileobj(spool, target, 1024 * 1024)
            write(b"</Journal>\n")
        write(b"</GeneralLedgerEntries>\n</AuditFile>\n")
    return SaftSummary(
        entries=period.entries,
        debit=period.debit,
        credit=period.credit,
        customers=customer_balances,
    )


def saft_filename(company: Company, date_from: datetime.date, date_to: datetime.date) -> str:
    """Skatteetaten's naming: SAF-T Financial_<orgnr>_<created>_<n>_<of>.xml, simplified."""
    return f"SAF-T Financial_{company.organization_number}_{date_from:%Y%m%d}-{date_to:%Y%m%d}.xml"
