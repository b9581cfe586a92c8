"""The report figures against independent sums over the generated history."""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from decimal import Decimal

import pytest

from core.money import ZERO, round_money
from customers.models import Client
from invoicing.models import ClientBalanceEntry, Invoice, Payment
from reports import selectors
from reports.ledger import ledger_currencies, ledger_entries, ledger_totals

pytestmark = pytest.mark.django_db

YEAR_FROM = datetime.date(2026, 1, 1)
YEAR_TO = datetime.date(2026, 12, 31)


def independent_vat(date_from, date_to):
    """Base and VAT per code recomputed from the documents' lines (not the VAT rows)."""
    result: dict[str, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO])
    documents = Invoice.objects.issued().filter(
        invoice_date__gte=date_from, invoice_date__lte=date_to
    )
    for document in documents.prefetch_related("lines__vat_code"):
        sign = -1 if document.kind == Invoice.Kind.CREDIT_NOTE else 1
        nets: dict[tuple[str, Decimal], Decimal] = defaultdict(lambda: ZERO)
        for item in document.lines.all():
            assert item.vat_rate is not None  # issued lines carry their rate
            nets[(item.vat_code.code, item.vat_rate)] += item.net_amount
        for (code, rate), net in nets.items():
            vat = round_money(net * rate / 100)
            result[code][0] += sign * round_money(net * document.exchange_rate)
            result[code][1] += sign * round_money(vat * document.exchange_rate)
    return result


def test_vat_report_equals_independent_sum_for_every_term(history):
    for term in selectors.vat_terms(year=2026, yearly=False) + selectors.vat_terms(
        year=2026, yearly=True
    ):
        report = selectors.vat_report(
            company=history[0].company, date_from=term.start, date_to=term.end
        )
        expected = independent_vat(term.start, term.end)
        got = {row.code: [row.base, row.vat] for row in report.rows if row.base or row.vat}
        assert got == {code: sums for code, sums in expected.items() if any(sums)}, term
    yearly = selectors.vat_report(company=history[0].company, date_from=YEAR_FROM, date_to=YEAR_TO)
    codes = {row.code for row in yearly.rows if row.base}
    assert codes == {"3", "31", "32", "33", "5", "51", "52", "6", "7"}
    assert yearly.total_vat == sum(sums[1] for sums in independent_vat(YEAR_FROM, YEAR_TO).values())


def test_vat_terms_cover_the_year():
    terms = selectors.vat_terms(year=2028, yearly=False)
    assert (terms[0].start, terms[0].end) == (
        datetime.date(2028, 1, 1),
        datetime.date(2028, 2, 29),
    )
    assert terms[-1].end == datetime.date(2028, 12, 31)
    for before, after in itertools.pairwise(terms):
        assert after.start == before.end + datetime.timedelta(days=1)
    assert selectors.vat_term_of(day=datetime.date(2026, 5, 31), yearly=False).number == 3


def _open_as_of(invoice, as_of):
    """Open amount of one invoice as of a date, from its own rows (Python, row by row)."""
    applied = sum(
        (p.applied_amount for p in Payment.objects.filter(invoice=invoice, date__lte=as_of)), ZERO
    )
    credited = sum(
        (c.total_incl_vat for c in invoice.credit_notes.filter(invoice_date__lte=as_of)), ZERO
    )
    beyond = sum(
        (
            e.amount
            for e in ClientBalanceEntry.objects.filter(
                invoice=invoice, kind="credit_note", date__lte=as_of
            )
        ),
        ZERO,
    )
    return invoice.total_incl_vat - applied - credited + beyond


def _items_open_as_of(invoice, as_of):
    """Fees and interest claimed on one invoice still open as of a date, row by row."""
    from django.utils import timezone

    from receivables.models import ReceivableItem

    total = ZERO
    for item in ReceivableItem.objects.filter(invoice=invoice, date__lte=as_of):
        total += item.amount
        total -= sum((a.amount for a in item.allocations.filter(date__lte=as_of)), ZERO)
        if item.waived_at and timezone.localdate(item.waived_at) <= as_of:
            total -= item.amount - item.paid_amount
    return total


@pytest.mark.parametrize(
    "as_of", [datetime.date(2026, 3, 31), datetime.date(2026, 8, 15), datetime.date(2027, 6, 1)]
)
def test_ledger_closing_equals_open_amounts_minus_credit_balances(history, as_of):
    company = history[0].company
    for currency in ("NOK", "EUR"):
        ledger = ledger_totals(company=company, date_to=as_of, currency=currency)
        for row in ledger.clients:
            open_amount = sum(
                (
                    _open_as_of(invoice, as_of) + _items_open_as_of(invoice, as_of)
                    for invoice in Invoice.objects.invoices()
                    .issued()
                    .filter(client_id=row.client.pk, currency=currency, invoice_date__lte=as_of)
                ),
                ZERO,
            )
            credit = sum(
                (
                    e.amount
                    for e in ClientBalanceEntry.objects.filter(
                        client_id=row.client.pk, currency=currency, date__lte=as_of
                    )
                ),
                ZERO,
            )
            assert row.closing == open_amount - credit, (row.client, currency)
        # The running balance of the entries ends at the closing balance.
        entries = list(ledger_entries(company=company, date_to=as_of, currency=currency))
        assert (entries[-1].balance if entries else ZERO) == ledger.closing


def test_the_first_entries_of_the_ledger_are_those_of_the_whole_ledger(history):
    # With a limit each source reads its first rows only; the merge must still give the
    # same first entries, balances included, as reading every entry.
    company = history[0].company
    kw = {"company": company, "date_to": datetime.date(2026, 12, 31)}
    every = list(ledger_entries(**kw))
    assert len({entry.kind for entry in every}) >= 3 and len(every) > 5

    for limit in range(len(every) + 2):
        assert list(ledger_entries(**kw, limit=limit)) == every[:limit]


def test_ledger_for_a_range_carries_the_opening_balance(history):
    company = history[0].company
    client = history[0].client
    date_from, date_to = datetime.date(2026, 5, 1), datetime.date(2026, 9, 30)
    whole = ledger_totals(company=company, date_to=date_to, client=client)
    before = ledger_totals(
        company=company, date_to=date_from - datetime.timedelta(days=1), client=client
    )
    ranged = ledger_totals(company=company, date_from=date_from, date_to=date_to, client=client)
    assert ranged.opening == before.closing
    assert ranged.closing == whole.closing
    entries = list(
        ledger_entries(
            company=company,
            date_from=date_from,
            date_to=date_to,
            client=client,
            opening=ranged.opening,
        )
    )
    assert all(date_from <= entry.date <= date_to for entry in entries)
    assert sum((entry.debit for entry in entries), ZERO) == ranged.debit
    assert sum((entry.credit for entry in entries), ZERO) == ranged.credit
    if entries:
        assert entries[-1].balance == ranged.closing
    assert [entry.date for entry in entries] == sorted(entry.date for entry in entries)


@pytest.mark.parametrize(
    "as_of", [datetime.date(2026, 2, 10), datetime.date(2026, 7, 1), datetime.date(2027, 3, 1)]
)
def test_ageing_buckets_partition_the_open_amount(history, as_of):
    company = history[0].company
    report = selectors.ageing(company=company, as_of=as_of)
    expected: dict[int, Decimal] = defaultdict(lambda: ZERO)
    expected_items: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for invoice in (
        Invoice.objects.invoices().issued().filter(currency="NOK", invoice_date__lte=as_of)
    ):
        expected[invoice.client_id] += _open_as_of(invoice, as_of)
        items = _items_open_as_of(invoice, as_of)
        expected[invoice.client_id] += items
        expected_items[invoice.client_id] += items
    assert any(expected_items.values()) or as_of < datetime.date(2026, 3, 1)
    clients = Client.objects.in_bulk()
    for row in report.rows:
        assert row.client is not None  # only the totals row has no client
        client = clients[row.client.pk]
        assert (row.client.name, row.client.number) == (client.name, client.number)
        assert row.total == expected[row.client.pk]
        assert row.items == expected_items[row.client.pk]
        assert sum(row.buckets.values(), ZERO) == row.total
        # The drill-down lists exactly the invoices of each cell, fees and interest included.
        for key in selectors.BUCKETS:
            cell = selectors.ageing_invoices(
                company=company, as_of=as_of, client=clients[row.client.pk], bucket=key
            )
            assert sum((i.claim_open_as_of for i in cell), ZERO) == row.buckets[key]
            assert all(i.claim_open_as_of == i.open_as_of + i.items_open_as_of for i in cell)
    assert report.totals.total == sum(expected.values(), ZERO)
    # Net per client = the ledger's closing balance (fees and interest included).
    ledger = {r.client.pk: r.closing for r in ledger_totals(company=company, date_to=as_of).clients}
    for row in report.rows:
        assert row.client is not None
        assert row.net == ledger.get(row.client.pk, ZERO)


def test_ageing_buckets_by_days_past_due(company_scope):
    from invoicing.tests.factories import issued_invoice

    as_of = datetime.date(2026, 6, 30)
    made: dict[str, list[Invoice]] = {}
    for key, days in [  # oldest first: a number series' numbers follow its dates
        ("d90_plus", 91),
        ("d61_90", 90),
        ("d31_60", 31),
        ("d1_30", 30),
        ("d1_30", 1),
        ("not_due", 0),
    ]:
        due = as_of - datetime.timedelta(days=days)
        made.setdefault(key, []).append(
            issued_invoice(
                company=company_scope, invoice_date=due - datetime.timedelta(days=14), due_date=due
            )
        )
    report = selectors.ageing(company=company_scope, as_of=as_of)
    for key, invoices in made.items():
        assert report.totals.buckets[key] == sum((i.total_incl_vat for i in invoices), ZERO), key


def test_stored_and_historical_open_amounts_agree_today(history):
    company = history[0].company
    today = datetime.date(2027, 12, 31)
    fast = {i.pk: i.open_as_of for i in selectors.open_invoices(company=company, as_of=today)}
    slow = {i.pk: i.open_as_of for i in selectors.open_invoices_as_of(company=company, as_of=today)}
    assert fast == slow


def test_sales_by_client_product_and_month_agree(history):
    company = history[0].company
    by_client = selectors.sales_by_client(company=company, date_from=YEAR_FROM, date_to=YEAR_TO)
    by_month = selectors.sales_by_month(company=company, date_from=YEAR_FROM, date_to=YEAR_TO)
    by_product = selectors.sales_by_product(company=company, date_from=YEAR_FROM, date_to=YEAR_TO)
    assert len(by_month) == 12
    total = sum((row.amount for row in by_client), ZERO)
    assert abs(total - sum((row.amount for row in by_month), ZERO)) <= Decimal("0.05")
    assert abs(total - sum((row.amount for row in by_product), ZERO)) <= Decimal("0.05")
    nok_only = sum(
        (
            (-1 if d.kind == "credit_note" else 1) * d.total_excl_vat
            for d in Invoice.objects.issued().filter(currency="NOK")
        ),
        ZERO,
    )
    eur = sum(
        (
            (-1 if d.kind == "credit_note" else 1) * d.total_excl_vat * d.exchange_rate
            for d in Invoice.objects.issued().filter(currency="EUR")
        ),
        ZERO,
    )
    assert abs(total - (nok_only + eur)) <= Decimal("0.05")


def test_dashboard_figures(history):
    company = history[0].company
    today = datetime.date(2026, 12, 15)
    figures = selectors.dashboard_figures(company=company, today=today)
    foreign = Invoice.objects.invoices().issued().exclude(currency="NOK")
    open_nok = sum((i.open_balance * i.exchange_rate for i in foreign), ZERO)
    assert open_nok and figures.outstanding_foreign == round_money(open_nok)
    overdue = sum((i.open_balance * i.exchange_rate for i in foreign if i.due_date < today), ZERO)
    assert figures.overdue_foreign == round_money(overdue)
    assert len(figures.months) == 12 and figures.months[-1].month == datetime.date(2026, 12, 1)
    paid = sum(
        (
            p.amount * p.invoice.exchange_rate
            for p in Payment.objects.exclude(method="credit").filter(
                date__gte=datetime.date(2026, 12, 1), date__lte=today
            )
        ),
        ZERO,
    )
    assert figures.paid_this_month == round_money(paid)


def test_receivable_items_are_ledger_entries(company_scope):
    """Fees and interest (receivables app) add to the ledger; their payments and waivers
    take them off: the closing balance includes what is still open of them."""
    from django.utils import timezone

    from invoicing.tests.factories import issued_invoice
    from receivables.models import ItemAllocation, ReceivableItem

    invoice = issued_invoice(company=company_scope, invoice_date=datetime.date(2026, 3, 1))
    fee = ReceivableItem.objects.create(
        company=company_scope,
        invoice=invoice,
        client=invoice.client,
        kind="reminder_fee",
        date=datetime.date(2026, 4, 1),
        amount=Decimal("35.00"),
    )
    ItemAllocation.objects.create(
        company=company_scope, item=fee, date=datetime.date(2026, 4, 20), amount=Decimal("20.00")
    )
    ReceivableItem.objects.create(
        company=company_scope,
        invoice=invoice,
        client=invoice.client,
        kind="interest",
        date=datetime.date(2026, 4, 2),
        amount=Decimal("12.40"),
        waived_at=timezone.make_aware(datetime.datetime(2026, 5, 1, 12)),
    )
    april = ledger_totals(company=company_scope, date_to=datetime.date(2026, 4, 30))
    assert april.closing == invoice.total_incl_vat + Decimal("35.00") - Decimal("20.00") + Decimal(
        "12.40"
    )
    may = ledger_totals(company=company_scope, date_to=datetime.date(2026, 5, 31))
    assert may.closing == invoice.total_incl_vat + Decimal("15.00")
    entries = list(ledger_entries(company=company_scope, date_to=datetime.date(2026, 5, 31)))
    assert [e.kind for e in entries] == [
        "invoice",
        "reminder_fee",
        "interest",
        "item_payment",
        "item_waived",
    ]
    assert entries[-1].balance == may.closing
    assert str(entries[1].kind_label) == "Purregebyr"
    # Ageing: what is open of them ages with the invoice; net = the ledger's closing.
    for as_of, ledger in ((datetime.date(2026, 4, 30), april), (datetime.date(2026, 5, 31), may)):
        report = selectors.ageing(company=company_scope, as_of=as_of)
        assert report.totals.net == ledger.closing
        assert report.totals.items == ledger.closing - invoice.total_incl_vat
        [row] = report.rows
        assert sum(row.buckets.values(), ZERO) == row.total
        [cell] = selectors.ageing_invoices(company=company_scope, as_of=as_of)
        assert cell.items_open_as_of == report.totals.items
        assert cell.claim_open_as_of == row.total


def test_ledger_currencies_are_those_of_the_companys_issued_documents(company_scope, other_company):
    from invoicing.tests.factories import draft_invoice, issued_invoice

    assert ledger_currencies(company=company_scope) == ["NOK"]  # always offered
    for currency in ("USD", "EUR", "SEK"):
        issued_invoice(company=company_scope, currency=currency, exchange_rate=Decimal("10.5"))
    issued_invoice(company=company_scope, currency="EUR", exchange_rate=Decimal("11"))
    draft_invoice(company=company_scope, currency="DKK", exchange_rate=Decimal("1.5"))  # a draft
    issued_invoice(company=other_company, currency="GBP", exchange_rate=Decimal("13"))

    assert ledger_currencies(company=company_scope) == ["NOK", "EUR", "SEK", "USD"]
