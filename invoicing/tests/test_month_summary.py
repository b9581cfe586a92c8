"""The dashboard's monthly summary (``MonthSummary``) is kept by the services that issue
documents and register payments, in their transaction: after any sequence of them it
equals a full recomputation, and the dashboard read from it equals the figures summed from
the documents and payments (``reports.selectors.dashboard_figures_recomputed``)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.tests.factories import CompanyFactory
from catalog.tests.factories import ProductFactory
from core.money import round_money
from invoicing import selectors, services, summary_sql
from invoicing.models import (
    NOT_LEDGER_METHODS,
    Invoice,
    LedgerMonth,
    MonthSummary,
    OpenReceivable,
    Payment,
    SalesMonth,
)
from invoicing.tests.factories import SYSTEM, ClientFactory, draft_invoice, issued_invoice, line
from receivables import services as receivables_services
from reports import selectors as report_selectors
from reports.ledger import ledger_totals

pytestmark = pytest.mark.django_db

RATES = {"NOK": Decimal("1"), "EUR": Decimal("11.432117"), "SEK": Decimal("0.987654")}
CENT = Decimal("0.01")


def _exact_months(company) -> dict[datetime.date, tuple[Decimal, Decimal, Decimal]]:
    """Every document and payment of the company read and summed in Python (exact):
    invoiced, paid, invoiced excl. VAT."""
    months: dict[datetime.date, list[Decimal]] = {}
    with scopes_disabled():
        for doc in Invoice.objects.filter(company=company).exclude(status=Invoice.Status.DRAFT):
            sign = -1 if doc.kind == Invoice.Kind.CREDIT_NOTE else 1
            row = months.setdefault(doc.invoice_date.replace(day=1), [Decimal(0)] * 3)
            row[0] += sign * doc.total_incl_vat * doc.exchange_rate
            row[2] += sign * doc.total_excl_vat * doc.exchange_rate
        for payment in Payment.objects.filter(company=company).select_related("invoice"):
            if payment.method == Payment.Method.CREDIT_BALANCE:
                continue
            row = months.setdefault(payment.date.replace(day=1), [Decimal(0)] * 3)
            row[1] += payment.amount * payment.invoice.exchange_rate
    return {
        month: (inv, paid, excl)
        for month, (inv, paid, excl) in months.items()
        if inv or paid or excl
    }


def _stored_months(company) -> dict[datetime.date, tuple[Decimal, Decimal, Decimal]]:
    with scopes_disabled():
        return {
            row.month: (row.invoiced, row.paid, row.invoiced_excl_vat)
            for row in MonthSummary.objects.filter(company=company)
            if row.invoiced or row.paid or row.invoiced_excl_vat
        }


def _entries(company) -> list[tuple[int, str, datetime.date, Decimal, bool]]:
    """Every ledger entry of the company's documents and payments, read in Python:
    (client, currency, date, signed amount, is a payment)."""
    entries = []
    with scopes_disabled():
        for doc in Invoice.objects.filter(company=company).exclude(status=Invoice.Status.DRAFT):
            sign = -1 if doc.kind == Invoice.Kind.CREDIT_NOTE else 1
            entries.append(
                (doc.client_id, doc.currency, doc.invoice_date, sign * doc.total_incl_vat, False)
            )
        for payment in Payment.objects.filter(company=company).select_related("invoice"):
            if payment.method != Payment.Method.CREDIT_BALANCE:
                invoice = payment.invoice
                entry = (invoice.client_id, invoice.currency, payment.date, -payment.amount, True)
                entries.append(entry)
    return entries


def _exact_ledger_months(company) -> dict[tuple, tuple[Decimal, ...]]:
    """``LedgerMonth``'s rule applied to every entry in Python."""
    months: dict[tuple, list[Decimal]] = {}
    for client_id, currency, day, amount, is_payment in _entries(company):
        row = months.setdefault((client_id, currency, day.replace(day=1)), [Decimal(0)] * 4)
        row[2 * is_payment + (amount < 0)] += amount
    return {key: tuple(sums) for key, sums in months.items() if any(sums)}


def _stored_ledger_months(company) -> dict[tuple, tuple[Decimal, ...]]:
    with scopes_disabled():
        rows = LedgerMonth.objects.filter(company=company)
        stored = {
            (row.client_id, row.currency, row.month): (
                row.documents_debit,
                row.documents_credit,
                row.payments_debit,
                row.payments_credit,
            )
            for row in rows
        }
    return {key: sums for key, sums in stored.items() if any(sums)}


def _ledger_from_entries(company, currency, date_from, date_to) -> dict[int, tuple]:
    """The ledger's opening, debit and credit per client summed entry by entry."""
    sums: dict[int, list[Decimal]] = {}
    for client_id, entry_currency, day, amount, _payment in _entries(company):
        if entry_currency != currency or day > date_to:
            continue
        row = sums.setdefault(client_id, [Decimal(0)] * 3)
        if date_from and day < date_from:
            row[0] += amount
        elif amount >= 0:
            row[1] += amount
        else:
            row[2] -= amount  # the ledger shows a credit as a positive figure
    return {client: tuple(row) for client, row in sums.items() if any(row)}


def _assert_ledger_exact(company, days) -> None:
    """The ledger months equal the entries; the ledger's totals, its whole months read
    from them, equal the entries summed one by one, for periods that start and end on a
    month's first, inside a month (the end's own month too), across months, and that start
    after they end."""
    assert _stored_ledger_months(company) == _exact_ledger_months(company)
    with scope(company=company):
        for currency in RATES:
            for day in days:
                for date_from in (
                    None,
                    day.replace(day=1),
                    day.replace(day=2),  # inside the end's month (after it on the 1st)
                    day - datetime.timedelta(days=45),
                    day + datetime.timedelta(days=40),  # after the end: all is opening
                ):
                    ledger = ledger_totals(
                        company=company, date_from=date_from, date_to=day, currency=currency
                    )
                    got = {
                        row.client.pk: (row.opening, row.debit, row.credit)
                        for row in ledger.clients
                    }
                    assert got == _ledger_from_entries(company, currency, date_from, day)


def _assert_summary_exact(company, days) -> None:
    assert _stored_months(company) == _exact_months(company)
    assert not selectors.open_receivable_differences(company_ids=[company.pk])
    with scope(company=company):
        for day in days:
            assert report_selectors.dashboard_figures(
                company=company, today=day
            ) == report_selectors.dashboard_figures_recomputed(company=company, today=day)
            for currency in RATES:  # the open receivables, as open and overdue that day
                assert selectors.receivables_summary(
                    company=company, today=day, currency=currency
                ) == selectors.receivables_summary_recomputed(
                    company=company, today=day, currency=currency
                )
            # The sales report's months: whole ones from the summary, edges from documents.
            for date_from in (day.replace(day=1), day - datetime.timedelta(days=75)):
                sales = report_selectors.sales_by_month(
                    company=company, date_from=date_from, date_to=day
                )
                summed = report_selectors._sales_by_month_from_documents(
                    Q(invoice_date__gte=date_from, invoice_date__lte=day)
                )
                assert {row.key: row.amount for row in sales if row.amount} == {
                    month: amount for month, amount in summed.items() if amount
                }
                # Per client and per product: whole months from ``SalesMonth``, the same.
                assert _sales_rows(
                    report_selectors.sales_by_client(
                        company=company, date_from=date_from, date_to=day
                    )
                ) == _exact_sales(company, date_from, day, by="client")
                assert _sales_rows(
                    report_selectors.sales_by_product(
                        company=company, date_from=date_from, date_to=day
                    )
                ) == _exact_sales(company, date_from, day, by="product")
    assert not selectors.sales_month_differences(company_ids=[company.pk])
    _assert_ledger_exact(company, days)


def _sales_rows(rows) -> dict:
    return {row.key: (row.amount, row.documents) for row in rows}


def _exact_sales(company, date_from, date_to, *, by: str) -> dict:
    """The sales report's rule applied to every document (per client, with the number of
    documents) or line (per product; None: no product) dated in the range, in Python."""
    sums: dict = {}
    with scopes_disabled():
        documents = Invoice.objects.filter(
            company=company, invoice_date__gte=date_from, invoice_date__lte=date_to
        ).exclude(status=Invoice.Status.DRAFT)
        for doc in documents.prefetch_related("lines"):
            sign = -1 if doc.kind == Invoice.Kind.CREDIT_NOTE else 1
            if by == "client":
                row = sums.setdefault(doc.client_id, [Decimal(0), 0])
                row[0] += sign * doc.total_excl_vat * doc.exchange_rate
                row[1] += 1
                continue
            for item in doc.lines.all():
                row = sums.setdefault(item.product_id, [Decimal(0), 0])
                row[0] += sign * item.net_amount * doc.exchange_rate
    return {key: (round_money(amount), documents) for key, (amount, documents) in sums.items()}


prices = st.decimals(min_value=Decimal("1"), max_value=Decimal("20000"), places=2)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("issue"), st.sampled_from(sorted(RATES)), prices),
        st.tuples(
            st.just("issue_many"),
            st.lists(st.tuples(st.sampled_from(sorted(RATES)), prices), min_size=1, max_size=3),
        ),
        st.tuples(st.just("credit"), st.integers(0, 30), st.booleans()),
        st.tuples(
            st.just("pay"),
            st.integers(0, 30),
            st.sampled_from(["all", "part", "over"]),
            st.sampled_from([Payment.Method.BANK, Payment.Method.CREDIT_BALANCE]),
        ),
        st.tuples(st.just("reverse"), st.integers(0, 30)),
        st.tuples(st.just("bank_file"), st.lists(st.integers(0, 30), min_size=1, max_size=4)),
        st.tuples(st.just("later"), st.integers(1, 40)),
    ),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations, start_back=st.integers(60, 300))
def test_the_summary_equals_a_full_recomputation_after_any_sequence(db, ops, start_back):
    """Issue one and many, credit notes (full and partial), payments (in full, partly,
    over, from the client's credit), reversals and bank-file payments, over several months
    and three currencies; dates move forward (a series' dates follow its numbers) up to
    ten days past today (dated ahead: the current month counts only up to today)."""
    today = timezone.localdate()
    company = CompanyFactory()  # a fresh company per example: its own series and months
    clock = today - datetime.timedelta(days=start_back)
    invoices: list[Invoice] = []
    payments: list[Payment] = []
    with scope(company=company):
        clients = [ClientFactory(company=company), ClientFactory(company=company)]
        product = ProductFactory(company=company)

        def draft(currency: str, price: Decimal) -> Invoice:
            foreign = {} if currency == "NOK" else {"currency": currency}
            return draft_invoice(
                company=company,
                client=clients[price.as_tuple().digits[-1] % 2],  # both clients, by price
                invoice_date=clock,
                lines=[
                    line(unit_price=price, product=product),
                    line(unit_price="10.05", code="31"),  # no product
                ],
                exchange_rate=RATES[currency],
                **foreign,
            )

        def pick(index: int) -> Invoice | None:
            return Invoice.objects.get(pk=invoices[index % len(invoices)].pk) if invoices else None

        for op in [("issue_many", [("NOK", Decimal("1000.00")), ("EUR", Decimal("99.99"))]), *ops]:
            try:
                if op[0] == "issue":
                    invoices.append(
                        services.invoice_issue(invoice=draft(op[1], op[2]), actor=SYSTEM)
                    )
                elif op[0] == "issue_many":
                    drafts = [draft(currency, price) for currency, price in op[1]]
                    result = services.invoice_issue_many(
                        company=company, invoice_ids=[d.pk for d in drafts], actor=SYSTEM
                    )
                    assert not result.failed
                    invoices.extend(result.issued)
                elif op[0] == "credit" and (invoice := pick(op[1])):
                    lines = None
                    if op[2]:  # partly: half of the first line
                        first = invoice.lines.order_by("position")[0]
                        lines = [services.CreditLine(original_line=first, quantity=Decimal("0.5"))]
                    services.invoice_credit(
                        invoice=invoice, actor=SYSTEM, lines=lines, credit_date=clock
                    )
                elif op[0] == "pay" and (invoice := pick(op[1])):
                    amount = {
                        "all": invoice.open_balance,
                        "part": (invoice.open_balance / 3).quantize(CENT),
                        "over": invoice.open_balance + Decimal("100.00"),
                    }[op[2]]
                    payments.append(
                        services.payment_register(
                            invoice=invoice,
                            actor=SYSTEM,
                            amount=amount,
                            date=clock,
                            method=op[3],
                            confirm_overpayment=True,
                            confirm_duplicate=True,
                        )
                    )
                elif op[0] == "reverse" and payments:
                    services.payment_reverse(
                        payment=payments[op[1] % len(payments)], actor=SYSTEM, date=clock
                    )
                elif op[0] == "bank_file" and invoices:
                    claims = [
                        receivables_services.ClaimPayment(
                            invoice_id=invoices[i % len(invoices)].pk,
                            amount=Decimal("123.45") + i,
                            date=clock,
                            method=Payment.Method.KID,
                            reference=f"bank {n}",
                        )
                        for n, i in enumerate(op[1])
                    ]
                    receivables_services.claims_register(
                        company=company, actor=SYSTEM, claims=claims
                    )
                    payments.extend(claim.payment for claim in claims if claim.payment)
                elif op[0] == "later":
                    clock = min(
                        clock + datetime.timedelta(days=op[1]), today + datetime.timedelta(days=10)
                    )
            except ValidationError:
                pass  # refused (nothing left to credit, a reversal reversed): nothing written
    days = sorted({today, clock, today.replace(day=1), today - datetime.timedelta(days=40)})
    _assert_summary_exact(company, days)


def _history(company, today: datetime.date) -> None:
    """A few months of everything the services write, in two currencies."""
    client = ClientFactory(company=company)
    start = today - datetime.timedelta(days=100)
    invoices = [
        issued_invoice(
            company=company,
            client=client,
            invoice_date=start + datetime.timedelta(days=n * 20),
            lines=[line(unit_price=f"{1000 + n}.35")],
            **({"currency": "EUR", "exchange_rate": RATES["EUR"]} if n % 2 else {}),
        )
        for n in range(4)
    ]
    paid = services.payment_register(
        invoice=invoices[0], actor=SYSTEM, amount=Decimal("700.00"), date=start
    )
    services.payment_reverse(payment=paid, actor=SYSTEM, date=start + datetime.timedelta(days=35))
    services.payment_register(
        invoice=invoices[1], actor=SYSTEM, amount=Decimal("10.00"), date=today
    )
    services.payment_register(
        invoice=invoices[2],
        actor=SYSTEM,
        amount=invoices[2].total_incl_vat,
        date=start + datetime.timedelta(days=50),
    )
    services.invoice_credit(
        invoice=invoices[2], actor=SYSTEM, credit_date=start + datetime.timedelta(days=61)
    )  # after it was paid: the money goes to the client's credit ...
    services.payment_register(
        invoice=invoices[0],
        actor=SYSTEM,
        amount=Decimal("5.00"),
        date=today,
        method=Payment.Method.CREDIT_BALANCE,
    )  # ... which pays, and is no ledger payment


def test_each_service_adds_to_its_month(company_scope):
    today = timezone.localdate()
    _history(company_scope, today)
    months = _stored_months(company_scope)
    assert len(months) >= 4 and months == _exact_months(company_scope)
    # A use of the client's credit adds nothing; the reversal took the 700 back.
    this_month = months[today.replace(day=1)]
    assert this_month[1] == Decimal("10.00") * RATES["EUR"]
    _assert_summary_exact(company_scope, [today, today - datetime.timedelta(days=45)])


def test_a_refused_service_adds_nothing(company_scope):
    invoice = issued_invoice(company=company_scope, invoice_date=timezone.localdate())
    before = _stored_months(company_scope)
    with pytest.raises(ValidationError):
        services.payment_register(
            invoice=invoice,
            actor=SYSTEM,
            amount=Decimal("1.00"),
            date=timezone.localdate(),
            method=Payment.Method.CREDIT_BALANCE,  # the client has no credit
        )
    with pytest.raises(ValidationError):
        services.payment_register_many(
            company=company_scope,
            actor=SYSTEM,
            payments=[
                services.PaymentData(invoice.pk, Decimal("10.00"), timezone.localdate()),
                services.PaymentData(invoice.pk, Decimal("-1"), timezone.localdate()),
            ],
        )  # the second is refused, so neither is registered
    assert _stored_months(company_scope) == before


def test_the_dashboard_counts_the_current_month_up_to_today(company_scope):
    """An invoice dated ahead and a payment dated later this month are in the summary's
    month row but not yet on the dashboard (as before the summary)."""
    today = datetime.date(2026, 12, 10)
    later = datetime.date(2026, 12, 20)
    with time_machine.travel(datetime.datetime(2026, 12, 10, 12, tzinfo=datetime.UTC), tick=False):
        invoice = issued_invoice(company=company_scope, invoice_date=today)
        ahead = issued_invoice(company=company_scope, invoice_date=later)
        services.payment_register(
            invoice=invoice, actor=SYSTEM, amount=Decimal("50.00"), date=later
        )
        services.payment_register(invoice=ahead, actor=SYSTEM, amount=Decimal("20.00"), date=today)
    figures = report_selectors.dashboard_figures(company=company_scope, today=today)
    assert (figures.months[-1].invoiced, figures.months[-1].paid) == (
        invoice.total_incl_vat,
        Decimal("20.00"),
    )
    assert figures.paid_this_month == Decimal("20.00")
    month = MonthSummary.objects.get(month=datetime.date(2026, 12, 1))
    assert month.invoiced == invoice.total_incl_vat + ahead.total_incl_vat
    assert month.paid == Decimal("70.00")
    _assert_summary_exact(company_scope, [today, later, datetime.date(2027, 1, 2)])


def test_the_rebuild_recounts_what_the_services_kept(company_scope, other_company):
    today = timezone.localdate()
    with scope(company=other_company):
        _history(other_company, today)
    _history(company_scope, today)

    def stored():
        return [
            summary(tenant)
            for tenant in (company_scope, other_company)
            for summary in (_stored_months, _stored_ledger_months)
        ]

    kept = stored()
    assert kept[1] == _exact_ledger_months(company_scope) and kept[1]
    with scopes_disabled():
        MonthSummary.objects.filter(company=company_scope).update(paid=Decimal("1"))
        LedgerMonth.objects.filter(company=company_scope).update(payments_debit=Decimal("1"))
    services.month_summary_rebuild(company_ids=[company_scope.pk])
    assert stored() == kept
    with scopes_disabled():
        MonthSummary.objects.all().delete()
        LedgerMonth.objects.all().delete()
    services.month_summary_rebuild()
    assert stored() == kept


def test_the_sql_knows_the_payments_that_are_no_ledger_entry():
    assert tuple(str(m) for m in NOT_LEDGER_METHODS) == summary_sql.NOT_LEDGER_METHODS


def test_the_check_command_finds_and_repairs_a_wrong_month(company_scope, other_company):
    today = timezone.localdate()
    _history(company_scope, today)
    with scope(company=other_company):
        _history(other_company, today)
    call_command("month_summary_check", stdout=io.StringIO())  # all equal: no error
    month = MonthSummary.objects.order_by("month")[0]
    with scopes_disabled():
        MonthSummary.objects.filter(pk=month.pk).update(paid=month.paid + 1)
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 months and 0 due dates differ"):
        call_command("month_summary_check", stdout=out)
    assert f"company {company_scope.pk} {month.month:%Y-%m}" in out.getvalue()
    call_command("month_summary_check", "--repair", stdout=io.StringIO())
    assert not selectors.month_summary_differences()
    assert _stored_months(company_scope) == _exact_months(company_scope)


def test_the_check_command_finds_and_repairs_a_wrong_ledger_month(company_scope, other_company):
    today = timezone.localdate()
    _history(company_scope, today)
    with scope(company=other_company):
        _history(other_company, today)
    call_command("month_summary_check", stdout=io.StringIO())  # all equal: no error
    with scopes_disabled():
        month = LedgerMonth.objects.filter(company=other_company).order_by("month")[0]
        LedgerMonth.objects.filter(pk=month.pk).update(documents_debit=Decimal("0.01"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 months and 0 due dates differ"):
        call_command("month_summary_check", stdout=out)
    assert (
        f"company {other_company.pk} client {month.client_id} {month.currency} {month.month:%Y-%m}"
        in out.getvalue()
    )
    call_command("month_summary_check", "--repair", stdout=io.StringIO())
    assert not selectors.ledger_month_differences()
    assert _stored_ledger_months(other_company) == _exact_ledger_months(other_company)


def test_the_check_command_finds_and_repairs_a_wrong_sales_month(company_scope, other_company):
    today = timezone.localdate()
    _history(company_scope, today)
    with scope(company=other_company):
        _history(other_company, today)
    call_command("month_summary_check", stdout=io.StringIO())  # all equal: no error
    with scopes_disabled():
        month = SalesMonth.objects.filter(company=company_scope, dimension="product")[0]
        SalesMonth.objects.filter(pk=month.pk).update(amount=month.amount + CENT)
        kept = {row.pk: row.amount for row in SalesMonth.objects.filter(company=other_company)}
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 months and 0 due dates differ"):
        call_command("month_summary_check", stdout=out)
    assert f"company {company_scope.pk} product {month.item} {month.month:%Y-%m}" in out.getvalue()
    call_command("month_summary_check", "--repair", stdout=io.StringIO())
    assert not selectors.sales_month_differences()
    with scopes_disabled():
        assert (
            SalesMonth.objects.get(
                company=company_scope, dimension="product", item=month.item, month=month.month
            ).amount
            == month.amount
        )
        after = {row.pk: row.amount for row in SalesMonth.objects.filter(company=other_company)}
    assert after == kept  # the other company was not recounted


def test_summary_sql_refuses_a_database_it_is_not_written_for():
    from django.core.exceptions import ImproperlyConfigured

    from invoicing import summary_sql

    with pytest.raises(ImproperlyConfigured, match="PostgreSQL and SQLite, not mysql"):
        summary_sql.recount("mysql")


def _assert_read_index_only(queries: CaptureQueriesContext, table: str, index: str) -> None:
    """Every statement of ``queries`` that reads ``table`` reads it from ``index`` alone."""
    reads = [q["sql"] for q in queries.captured_queries if table in q["sql"]]
    assert reads
    with transaction.atomic(), connection.cursor() as cursor:
        # A handful of rows: without these the planner reads the table, whatever it holds.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        for sql in reads:
            cursor.execute(f"EXPLAIN {sql}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert f"Index Only Scan using {index}" in plan, plan


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no included columns (migration 0031)"
)
def test_the_ledger_reads_its_months_from_the_index_alone(company_scope):
    # A big company's ledger months lie on as many table pages as there are rows (written
    # a few at a time among every other company's): the index holds the sums (0031).
    client = ClientFactory(company=company_scope)
    issued_invoice(company=company_scope, client=client, invoice_date=datetime.date(2026, 1, 5))
    with CaptureQueriesContext(connection) as queries:
        ledger_totals(company=company_scope, date_to=datetime.date(2026, 12, 3), currency="NOK")
    _assert_read_index_only(queries, "invoicing_ledgermonth", "ledgermonth_one_per_client_month")


def test_the_ledger_reads_its_stored_months_once_for_all_its_sources(company_scope):
    # The documents' and the payments' whole months are columns of the same rows: one pass
    # over a big company's client months instead of one per source (issue 15).
    client = ClientFactory(company=company_scope)
    invoice = issued_invoice(
        company=company_scope, client=client, invoice_date=datetime.date(2026, 1, 5)
    )
    services.payment_register(
        invoice=invoice, actor=SYSTEM, amount=Decimal("100.00"), date=datetime.date(2026, 2, 3)
    )
    with CaptureQueriesContext(connection) as queries:
        ledger = ledger_totals(
            company=company_scope,
            date_from=datetime.date(2026, 2, 1),
            date_to=datetime.date(2026, 12, 3),
            currency="NOK",
        )
    reads = [q["sql"] for q in queries.captured_queries if "invoicing_ledgermonth" in q["sql"]]
    assert len(reads) == 1
    (row,) = ledger.clients
    assert (row.opening, row.debit, row.credit) == (
        invoice.total_incl_vat,
        Decimal(0),
        Decimal("100.00"),
    )


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has no included columns (migration 0034; CI's PostgreSQL part runs it)",
)
def test_the_sales_report_reads_its_months_from_the_index_alone(company_scope):
    # A big company's client months are written a few at a time among every other
    # company's: the index holds the two sums (0034), so a year of them is one range of it.
    client = ClientFactory(company=company_scope)
    issued_invoice(company=company_scope, client=client, invoice_date=datetime.date(2026, 1, 5))
    with CaptureQueriesContext(connection) as queries:
        report_selectors.sales_by_client(
            company=company_scope,
            date_from=datetime.date(2026, 1, 1),
            date_to=datetime.date(2026, 12, 3),
        )
    _assert_read_index_only(queries, "invoicing_salesmonth", "salesmonth_one_per_item")


def test_the_check_command_finds_and_repairs_a_wrong_due_date(company_scope, other_company):
    today = timezone.localdate()
    _history(company_scope, today)
    with scope(company=other_company):
        _history(other_company, today)
    call_command("month_summary_check", stdout=io.StringIO())  # all equal: no error
    with scopes_disabled():
        due = OpenReceivable.objects.filter(company=company_scope).order_by("due_date")[0]
        OpenReceivable.objects.filter(pk=due.pk).update(count=due.count + 1)
    out = io.StringIO()
    with pytest.raises(CommandError, match="0 months and 1 due dates differ"):
        call_command("month_summary_check", stdout=out)
    assert f"company {company_scope.pk} {due.currency} due {due.due_date}" in out.getvalue()
    call_command("month_summary_check", "--repair", stdout=io.StringIO())
    assert not selectors.open_receivable_differences()
