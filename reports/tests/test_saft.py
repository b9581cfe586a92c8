"""SAF-T Financial 1.30: valid against the official XSD, balanced, complete, consistent."""

from __future__ import annotations

import datetime
import io
from collections import Counter
from decimal import Decimal

import pytest
from lxml import etree

from core.money import ZERO
from invoicing.models import Invoice
from reports.ledger import ledger_totals
from reports.saft import write_saft
from reports.tests.saft_support import NS, xsd_errors

pytestmark = pytest.mark.django_db

YEAR = (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))


def export(company, date_from, date_to) -> bytes:
    buffer = io.BytesIO()
    write_saft(
        company=company,
        date_from=date_from,
        date_to=date_to,
        target=buffer,
        created=datetime.date(2027, 1, 15),
    )
    return buffer.getvalue()


def child(element: etree._Element, path: str) -> etree._Element:
    found = element.find(path, NS)
    assert found is not None, path
    return found


def text(element: etree._Element, path: str) -> str:
    value = element.findtext(path, namespaces=NS)
    assert value is not None, path
    return value


def amount(element, side):
    found = element.find(f"s:{side}/s:Amount", NS)
    return Decimal(found.text) if found is not None else ZERO


def balance(element, prefix):
    debit = element.find(f"s:{prefix}DebitBalance", NS)
    credit = element.find(f"s:{prefix}CreditBalance", NS)
    return Decimal(debit.text) if debit is not None else -Decimal(credit.text)


def test_saft_of_a_year_is_valid_balanced_and_complete(history):
    company = history[0].company
    xml = export(company, *YEAR)
    assert xsd_errors(xml) == []
    root = etree.fromstring(xml)
    entries = child(root, "s:GeneralLedgerEntries")
    transactions = entries.findall("s:Journal/s:Transaction", NS)
    assert int(text(entries, "s:NumberOfEntries")) == len(transactions)
    total_debit = total_credit = ZERO
    for tx in transactions:
        lines = tx.findall("s:Line", NS)
        debit = sum((amount(line, "DebitAmount") for line in lines), ZERO)
        credit = sum((amount(line, "CreditAmount") for line in lines), ZERO)
        assert debit == credit, tx.findtext("s:TransactionID", namespaces=NS)
        total_debit += debit
        total_credit += credit
    assert Decimal(text(entries, "s:TotalDebit")) == total_debit
    assert Decimal(text(entries, "s:TotalCredit")) == total_credit == total_debit
    # Every issued invoice and credit note of the year once, with KID and due date.
    ids = Counter(tx.findtext("s:TransactionID", namespaces=NS) for tx in transactions)
    documents = Invoice.objects.issued().filter(invoice_date__year=2026)
    expected = {("F" if d.kind == "invoice" else "K") + str(d.number) for d in documents}
    assert expected <= set(ids) and all(ids[key] == 1 for key in expected)
    for document in documents.filter(kind="invoice"):
        tx = next(
            t
            for t in transactions
            if t.findtext("s:TransactionID", namespaces=NS) == f"F{document.number}"
        )
        receivable = [
            item
            for item in tx.findall("s:Line", NS)
            if item.findtext("s:AccountID", namespaces=NS) == "1500"
        ]
        assert len(receivable) == 1
        assert receivable[0].findtext("s:CustomerID", namespaces=NS) == str(document.client.number)
        assert receivable[0].findtext("s:ReferenceNumber", namespaces=NS) == str(document.number)
        assert receivable[0].findtext("s:DueDate", namespaces=NS) == document.due_date.isoformat()
        assert (receivable[0].findtext("s:CID", namespaces=NS) or "") == document.kid
    # Every revenue line carries TaxInformation with a standard code of the tax table.
    table_codes = {e.text for e in root.iterfind(".//s:TaxCodeDetails/s:StandardTaxCode", NS)}
    for info in root.iterfind(".//s:Line/s:TaxInformation", NS):
        assert info.findtext("s:TaxCode", namespaces=NS) in table_codes


def test_customers_closing_balances_equal_the_nok_ledger(company_scope):
    """For a NOK company the customers' SAF-T balances are the ledger's, opening and closing."""
    from reports.tests.history import build_history

    history = build_history(company=company_scope, invoices=30, seed=11)
    company = history[0].company
    # Only NOK documents matter for the comparison (the ledger is per currency).
    date_from, date_to = datetime.date(2026, 4, 1), datetime.date(2026, 9, 30)
    root = etree.fromstring(export(company, date_from, date_to))
    ledger = ledger_totals(company=company, date_from=date_from, date_to=date_to, currency="NOK")
    by_number = {str(row.client.number): row for row in ledger.clients}
    eur_clients = set(
        Invoice.objects.issued().exclude(currency="NOK").values_list("client__number", flat=True)
    )
    customers = root.findall("s:MasterFiles/s:Customers/s:Customer", NS)
    assert customers
    for customer in customers:
        number = text(customer, "s:CustomerID")
        account = child(customer, "s:BalanceAccount")
        assert account.findtext("s:AccountID", namespaces=NS) == "1500"
        if int(number) in eur_clients:
            continue
        row = by_number[number]
        assert balance(account, "Opening") == row.opening
        assert balance(account, "Closing") == row.closing
    # The 1500 account's closing balance is the customers' sum.
    accounts = {
        a.findtext("s:AccountID", namespaces=NS): a
        for a in root.iterfind(".//s:GeneralLedgerAccounts/s:Account", NS)
    }
    assert balance(accounts["1500"], "Closing") == sum(
        (balance(c.find("s:BalanceAccount", NS), "Closing") for c in customers), ZERO
    )
    assert (
        accounts["1500"].findtext("s:GroupingCategory", namespaces=NS)
        == "balanseverdiForOmloepsmiddel"
    )


def test_saft_periods_chain(history):
    """The closing balances of one period are the opening balances of the next."""
    company = history[0].company
    first = etree.fromstring(export(company, datetime.date(2026, 1, 1), datetime.date(2026, 6, 30)))
    second = etree.fromstring(
        export(company, datetime.date(2026, 7, 1), datetime.date(2026, 12, 31))
    )

    def balances(root, prefix):
        return {
            a.findtext("s:AccountID", namespaces=NS): balance(a, prefix)
            for a in root.iterfind(".//s:GeneralLedgerAccounts/s:Account", NS)
        }

    closing = balances(first, "Closing")
    opening = balances(second, "Opening")
    for account in ("1500", "1920", "2700", "2701"):
        assert closing.get(account, ZERO) == opening.get(account, ZERO), account


def test_fees_interest_and_their_payments_are_in_the_saft(company_scope):
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
        company=company_scope, item=fee, date=datetime.date(2026, 4, 20), amount=Decimal("35.00")
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
    xml = export(company_scope, *YEAR)
    assert xsd_errors(xml) == []
    root = etree.fromstring(xml)
    ids = [text(t, "s:TransactionID") for t in root.iterfind(".//s:Transaction", NS)]
    assert {"TB", "TF", "T"} <= {i.rstrip("0123456789") for i in ids}
    accounts = {
        a.findtext("s:AccountID", namespaces=NS): a
        for a in root.iterfind(".//s:GeneralLedgerAccounts/s:Account", NS)
    }
    assert balance(accounts["3900"], "Closing") == Decimal("-35.00")  # fee income (credit)
    assert balance(accounts["8055"], "Closing") == ZERO  # interest claimed, then waived
    ledger = ledger_totals(company=company_scope, date_to=YEAR[1])
    assert balance(accounts["1500"], "Closing") == ledger.closing


def test_foreign_currency_is_in_nok_at_the_invoice_rate_without_currency_gain(company_scope):
    """An EUR invoice is booked in NOK at its own rate, and so are its payments: a payment
    stores only the amount in the invoice's currency (no NOK amount, no rate of the day),
    so no realised gain or loss can be computed and none is booked. The receivable is the
    total at the rate rounded once; the øre the rounded revenue and VAT lines differ from
    it is a conversion difference; the instalments are valued cumulatively, so the
    customer's NOK balance is back at exactly 0 when the invoice is paid."""
    from invoicing import services
    from invoicing.tests.factories import SYSTEM, ClientFactory, line

    client = ClientFactory(company=company_scope, number=1301)
    draft = services.invoice_create_draft(
        company=company_scope,
        actor=SYSTEM,
        header=services.InvoiceHeader(
            client=client,
            invoice_date=datetime.date(2026, 3, 2),
            currency="EUR",
            exchange_rate=Decimal("11.5125"),
        ),
        lines=[
            line(quantity="4", unit_price="99.90", code="3"),
            line(quantity="1", unit_price="50.00", code="31"),
        ],
    )
    invoice = services.invoice_issue(invoice=draft, actor=SYSTEM)
    assert invoice.total_incl_vat == Decimal("557.00")  # 399.60 + 99.90 + 50.00 + 7.50
    for day, paid in ((10, "300.00"), (20, "257.00")):
        services.payment_register(
            invoice=invoice, actor=SYSTEM, amount=Decimal(paid), date=datetime.date(2026, 3, day)
        )
    xml = export(company_scope, datetime.date(2026, 3, 1), datetime.date(2026, 3, 31))
    assert xsd_errors(xml) == []
    root = etree.fromstring(xml)
    transactions = {text(tx, "s:TransactionID"): tx for tx in root.iterfind(".//s:Transaction", NS)}

    def lines_of(tx_id):
        return {
            line.findtext("s:AccountID", namespaces=NS): line
            for line in transactions[tx_id].findall("s:Line", NS)
        }

    sale = lines_of(f"F{invoice.number}")
    assert amount(sale["3000"], "CreditAmount") == Decimal("4600.40")  # 399.60 × 11.5125
    assert sale["3000"].findtext("s:CreditAmount/s:CurrencyAmount", namespaces=NS) == "399.60"
    assert sale["3000"].findtext("s:CreditAmount/s:ExchangeRate", namespaces=NS) == "11.512500"
    assert amount(sale["3030"], "CreditAmount") == Decimal("575.63")
    assert amount(sale["2700"], "CreditAmount") + amount(sale["2701"], "CreditAmount") == (
        invoice.total_vat_nok
    )
    # 557.00 × 11.5125 = 6412.46, the rounded lines make 6412.47: 0.01 of conversion loss.
    assert amount(sale["1500"], "DebitAmount") == Decimal("6412.46")
    assert sale["1500"].findtext("s:DebitAmount/s:CurrencyAmount", namespaces=NS) == "557.00"
    assert amount(sale["8160"], "DebitAmount") == Decimal("0.01")
    payments = sorted(tx for tx in transactions if tx.startswith("B"))
    received = [amount(lines_of(tx)["1920"], "DebitAmount") for tx in payments]
    assert received == [Decimal("3453.75"), Decimal("2958.71")]  # 300.00 × rate; the rest
    for tx in transactions.values():
        lines = tx.findall("s:Line", NS)
        assert sum((amount(x, "DebitAmount") for x in lines), ZERO) == sum(
            (amount(x, "CreditAmount") for x in lines), ZERO
        )
    accounts = {
        a.findtext("s:AccountID", namespaces=NS)
        for a in root.iterfind(".//s:GeneralLedgerAccounts/s:Account", NS)
    }
    assert accounts == {"1500", "1920", "2700", "2701", "3000", "3030", "8160"}
    [customer] = root.findall("s:MasterFiles/s:Customers/s:Customer", NS)
    assert balance(customer.find("s:BalanceAccount", NS), "Closing") == ZERO
