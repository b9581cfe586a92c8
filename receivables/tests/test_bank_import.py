"""Bank payment matching by KID: OCR giro (netsgiro) and camt.054/053 (lxml)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.audit import Actor
from core.models import AuditEntry
from invoicing.models import Invoice, Payment
from invoicing.selectors import client_credit_balance
from invoicing.tests.factories import ClientFactory
from receivables import selectors, services
from receivables.bankfiles import parse_bank_file
from receivables.models import BankTransaction, ReceivableItem
from receivables.tests.factories import BankLine, camt_file, ocr_file, overdue_invoice, use_kid

D = datetime.date
DUE = D(2026, 3, 2)
SYSTEM = Actor.system("tests")


@pytest.fixture
def invoices(company_scope):
    use_kid(company_scope)
    client = ClientFactory(company=company_scope)
    return [
        overdue_invoice(company=company_scope, due_date=DUE, amount="1000.00", client=client)
        for _ in range(5)
    ]


def run(company, data, name="bank.txt"):
    return services.bank_file_import(company=company, actor=SYSTEM, file_name=name, data=data)


@pytest.mark.parametrize("builder", [ocr_file, camt_file], ids=["ocr", "camt054"])
def test_matched_partial_overpaid_unknown_and_no_kid(company_scope, invoices, builder):
    a, b, c, _d, _e = invoices
    lines = [
        BankLine(a.kid, "1000.00", "900000101"),  # matched
        BankLine(b.kid, "400.00", "900000102"),  # partial
        BankLine(c.kid, "1500.00", "900000103"),  # overpaid
        BankLine("1234567897", "1000.00", "900000104"),  # unknown KID
    ]
    if builder is camt_file:
        lines.append(BankLine(None, "1000.00", "900000105"))  # no KID (OCR always has one)
    result = run(company_scope, builder(lines))
    assert (result.matched_count, result.unmatched_count) == (1, len(lines) - 1)
    outcomes = dict(BankTransaction.objects.values_list("archive_reference", "outcome"))
    prefix = "ocr:" if builder is ocr_file else "camt:"
    assert outcomes[prefix + "900000101"] == "matched"
    assert outcomes[prefix + "900000102"] == "partial"
    assert outcomes[prefix + "900000103"] == "overpaid"
    assert outcomes[prefix + "900000104"] == "unknown_kid"
    if builder is camt_file:
        assert outcomes["camt:900000105"] == "no_kid"
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.status == Invoice.Status.PAID
    assert b.paid_amount == 0  # waits for the user
    payment = Payment.objects.get(invoice=a)
    assert payment.method == "kid" and payment.reference == prefix + "900000101"


def test_an_amount_in_another_currency_than_the_invoice_is_never_booked_as_its_currency(
    company_scope, invoices
):
    # 1 000 EUR paid with the KID of a 1 000 NOK invoice is not 1 000 kroner.
    invoice = invoices[0]
    result = run(
        company_scope, camt_file([BankLine(invoice.kid, "1000.00", "900000301", currency="EUR")])
    )
    assert (result.matched_count, result.unmatched_count) == (0, 1)
    row = BankTransaction.objects.get()
    assert (row.outcome, row.currency, row.status) == ("other_currency", "EUR", "unmatched")
    invoice.refresh_from_db()
    assert invoice.paid_amount == 0 and not Payment.objects.exists()
    with pytest.raises(ValidationError) as refused:
        services.bank_transaction_assign(transaction_row=row, actor=SYSTEM, invoice=invoice)
    assert "EUR" in str(refused.value) and "NOK" in str(refused.value)
    assert not Payment.objects.exists()


@pytest.mark.parametrize("builder", [ocr_file, camt_file], ids=["ocr", "camt054"])
def test_same_file_twice_registers_nothing_new(company_scope, invoices, builder):
    unknown = "1234567897" if builder is ocr_file else None  # OCR lines always have a KID
    data = builder(
        [BankLine(invoices[0].kid, "1000.00", "900000201"), BankLine(unknown, "5.00", "900000202")]
    )
    first = run(company_scope, data)
    second = run(company_scope, data)
    assert (first.matched_count, first.unmatched_count) == (1, 1)
    assert (second.matched_count, second.unmatched_count, second.duplicate_count) == (0, 0, 2)
    assert Payment.objects.count() == 1
    assert BankTransaction.objects.count() == 2
    if builder is ocr_file:
        return
    # The same bank transaction arriving in the day's camt.053 statement is known too.
    third = run(
        company_scope, camt_file([BankLine(invoices[0].kid, "1000.00", "900000201")], kind="053")
    )
    assert third.duplicate_count == 1 and Payment.objects.count() == 1


def test_payment_of_principal_and_fee_pays_the_fee(company_scope, invoices):
    invoice = invoices[0]
    services.reminder_settings_update(company=company_scope, actor=SYSTEM, add_interest=False)
    services.letter_send(invoice=invoice, actor=SYSTEM, send_on=DUE + datetime.timedelta(days=14))
    fee = ReceivableItem.objects.get(invoice=invoice)
    result = run(company_scope, ocr_file([BankLine(invoice.kid, "1038.00", "900000301")]))
    assert result.matched_count == 1
    invoice.refresh_from_db()
    fee.refresh_from_db()
    assert invoice.status == Invoice.Status.PAID and invoice.paid_amount == Decimal("1000.00")
    assert fee.is_paid and fee.allocations.get().amount == Decimal("38.00")
    assert Payment.objects.get(invoice=invoice).amount == Decimal("1000.00")


def test_principal_alone_is_matched_and_leaves_the_fee_open(company_scope, invoices):
    invoice = invoices[0]
    services.reminder_settings_update(company=company_scope, actor=SYSTEM, add_interest=False)
    services.letter_send(invoice=invoice, actor=SYSTEM, send_on=DUE + datetime.timedelta(days=14))
    run(company_scope, ocr_file([BankLine(invoice.kid, "1000.00", "900000401")]))
    fee = ReceivableItem.objects.get(invoice=invoice)
    assert fee.open_amount == Decimal("38.00")  # principal first


def test_unmatched_assigned_to_invoice_with_the_surplus_to_credit(company_scope, invoices):
    a, b = invoices[0], invoices[1]
    run(
        company_scope,
        camt_file([BankLine(None, "1000.00", "900000501"), BankLine(None, "1250.00", "900000502")]),
    )
    u1 = BankTransaction.objects.get(archive_reference="camt:900000501")
    services.bank_transaction_assign(transaction_row=u1, actor=SYSTEM, invoice=a)
    a.refresh_from_db()
    assert a.status == Invoice.Status.PAID
    with pytest.raises(ValidationError):
        services.bank_transaction_assign(transaction_row=u1, actor=SYSTEM, invoice=b)
    # Money for a client: assigned to one of its invoices, what is too much is its credit.
    u2 = BankTransaction.objects.get(archive_reference="camt:900000502")
    services.bank_transaction_assign(transaction_row=u2, actor=SYSTEM, invoice=b)
    assert client_credit_balance(client=b.client, currency="NOK") == Decimal("250.00")
    payment = Payment.objects.get(invoice=b)
    assert (payment.applied_amount, payment.to_credit_amount) == (
        Decimal("1000.00"),
        Decimal("250.00"),
    )


def test_unmatched_money_waits_in_the_queue_and_is_booked_nowhere(company_scope, invoices):
    """An unknown amount stays unmatched (no payment, no credit balance) until the user
    assigns it; setting it aside books nothing either, and it can be reopened."""
    client = invoices[0].client
    services.bank_transaction_assign(
        transaction_row=run(
            company_scope, camt_file([BankLine(None, "1000.00", "900000510")])
        ).transactions.get(),
        actor=SYSTEM,
        invoice=invoices[0],
    )  # the client now has a paid invoice: nothing may be parked on it any more
    payments_before = Payment.objects.count()
    result = run(
        company_scope,
        camt_file(
            [
                BankLine(None, "10.00", "900000503"),
                BankLine("1234567897", "70.00", "900000504"),
            ]
        ),
    )
    assert (result.matched_count, result.unmatched_count) == (0, 2)
    assert Payment.objects.count() == payments_before
    assert client_credit_balance(client=client, currency="NOK") == 0
    assert selectors.unmatched_totals(company=company_scope) == [("NOK", 2, Decimal("80.00"))]

    row = BankTransaction.objects.get(archive_reference="camt:900000503")
    with pytest.raises(ValidationError) as exc:
        services.bank_transaction_set_aside(transaction_row=row, actor=SYSTEM, reason="lost")
    assert "reason" in exc.value.message_dict
    services.bank_transaction_set_aside(
        transaction_row=row, actor=SYSTEM, reason="returned", note="Sendt tilbake 5. mai"
    )
    row.refresh_from_db()
    assert (row.status, row.set_aside_reason, row.note) == (
        "set_aside",
        "returned",
        "Sendt tilbake 5. mai",
    )
    assert Payment.objects.count() == payments_before
    assert selectors.unmatched_totals(company=company_scope) == [("NOK", 1, Decimal("70.00"))]
    assert AuditEntry.objects.filter(action="receivables.bank_transaction.set_aside").exists()
    with pytest.raises(ValidationError):  # only unmatched lines can be set aside
        services.bank_transaction_set_aside(transaction_row=row, actor=SYSTEM, reason="returned")

    services.bank_transaction_reopen(transaction_row=row, actor=SYSTEM)
    row.refresh_from_db()
    assert (row.status, row.set_aside_reason, row.note) == ("unmatched", "", "")
    with pytest.raises(ValidationError):
        services.bank_transaction_reopen(transaction_row=row, actor=SYSTEM)
    assert selectors.unmatched_totals(company=company_scope) == [("NOK", 2, Decimal("80.00"))]


@pytest.mark.parametrize(
    "data",
    [b"", b"hello", b"<xml/>", b"<Document xmlns='urn:other'/>", b"NY00001bad", b"<a><b></a>"],
)
def test_bad_files_are_clear_errors(company_scope, data):
    with pytest.raises(ValidationError) as exc:
        run(company_scope, data)
    assert "file" in exc.value.message_dict
    assert BankTransaction.objects.count() == 0


def _without_dates(data: bytes, fmt: str) -> bytes:
    """The same file with every date blanked, as a broken bank export might send it."""
    if fmt == "ocr":  # OCR dates are DDMMYY; the factory's lines are dated 4 May 2026
        return data.replace(b"040526", b"000000")
    return data.replace(b"<Dt>2026-05-04</Dt>", b"<Dt></Dt>")


@pytest.mark.parametrize("fmt", ["ocr", "camt"])
def test_a_file_without_dates_is_refused_with_a_message(company_scope, invoices, fmt):
    lines = [BankLine(kid=invoices[0].kid, amount="100.00", reference="NODATE1")]
    data = ocr_file(lines) if fmt == "ocr" else camt_file(lines)
    blanked = _without_dates(data, fmt)
    assert blanked != data
    with pytest.raises(ValidationError) as exc:
        run(company_scope, blanked)
    assert exc.value.message_dict["file"]
    assert BankTransaction.objects.count() == 0
    assert not Payment.objects.exists()


def test_xml_entities_are_not_resolved():
    evil = b"""<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><BkToCstmrDbtCdtNtfctn>
<Ntfctn><Ntry><Amt Ccy="NOK">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-05-04</Dt>
</BookgDt><AcctSvcrRef>E1</AcctSvcrRef><NtryDtls><TxDtls><RmtInf><Ustrd>&x;</Ustrd></RmtInf>
</TxDtls></NtryDtls></Ntry></Ntfctn></BkToCstmrDbtCdtNtfctn></Document>"""
    fmt, rows = parse_bank_file(evil)
    assert fmt == "camt054" and "root:" not in rows[0].message


def test_two_invoices_same_file_and_whole_file_kid_lookup(
    company_scope, invoices, django_assert_max_num_queries
):
    data = camt_file(
        [BankLine(inv.kid, "1000.00", f"90000060{n}") for n, inv in enumerate(invoices)]
    )
    result = run(company_scope, data)
    assert result.matched_count == 5
    assert Invoice.objects.filter(status="paid").count() == 5
