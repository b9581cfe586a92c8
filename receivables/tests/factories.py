"""Test helpers for receivables: overdue invoices with KID, and bank files built with the
formats' own tools (netsgiro's writer for OCR giro, lxml for camt.054/053)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import netsgiro
from lxml import etree

from accounts.models import Company
from core.audit import Actor
from invoicing import services as invoicing_services
from invoicing.models import Invoice
from invoicing.tests.factories import ClientFactory, draft_invoice, line

SYSTEM = Actor.system("tests")


def use_kid(company: Company) -> None:
    invoicing_services.invoicing_settings_update(
        company=company, actor=SYSTEM, kid_method="mod10", kid_length=10
    )


def overdue_invoice(
    *,
    company: Company,
    due_date: datetime.date,
    amount: str = "1000.00",
    client=None,
    **kwargs,
) -> Invoice:
    """An issued invoice of ``amount`` incl. VAT (code 6: no VAT), due on ``due_date``."""
    client = client or ClientFactory(company=company)
    draft = draft_invoice(
        company=company,
        client=client,
        invoice_date=due_date - datetime.timedelta(days=14),
        due_date=due_date,
        lines=[line(unit_price=amount, code="6")],
        **kwargs,
    )
    return invoicing_services.invoice_issue(invoice=draft, actor=SYSTEM)


@dataclass(frozen=True)
class BankLine:
    kid: str | None
    amount: Decimal | str
    reference: str
    date: datetime.date = datetime.date(2026, 5, 4)
    payer: str = "Ola Nordmann"
    currency: str = "NOK"  # camt only: OCR giro is always NOK


def ocr_file(lines: Sequence[BankLine], *, number: str = "1000081") -> bytes:
    """An OCR giro transmission written by netsgiro itself."""
    transmission = netsgiro.Transmission(
        number=number,
        data_transmitter="55555555",
        data_recipient=netsgiro.NETS_ID,
        date=lines[0].date if lines else datetime.date(2026, 5, 4),
    )
    assignment = transmission.add_assignment(
        service_code=netsgiro.ServiceCode.OCR_GIRO,
        assignment_type=netsgiro.AssignmentType.TRANSACTIONS,
        number="4000086",
        account="86011117947",
    )
    for n, bank_line in enumerate(lines, start=1):
        assignment.transactions.append(
            netsgiro.Transaction(
                service_code=netsgiro.ServiceCode.OCR_GIRO,
                type=netsgiro.TransactionType.FROM_GIRO_DEBITED_ACCOUNT,
                number=n,
                date=bank_line.date,
                amount=Decimal(bank_line.amount),
                kid=bank_line.kid,
                reference=bank_line.reference,
                text=None,
                centre_id="13",
                day_code=bank_line.date.day,
                partial_settlement_number=1,
                partial_settlement_serial_number="00001",
                sign="0",
                form_number="9636827194",
                bank_date=bank_line.date,
                debit_account="99990512341",
                filler=None,
            )
        )
    return transmission.to_ocr().encode("iso-8859-1")


def camt_file(lines: Sequence[BankLine], *, kind: str = "054", version: str = "08") -> bytes:
    """An ISO 20022 camt.054 (or camt.053) credit notification, one entry per line."""
    ns = f"urn:iso:std:iso:20022:tech:xsd:camt.{kind}.001.{version}"
    e = etree.ElementTree
    # lxml takes None for the default namespace; lxml-stubs allow str keys only.
    root = etree.Element(f"{{{ns}}}Document", nsmap={None: ns})  # type: ignore[dict-item]

    def sub(parent, name, text=None, **attrs):
        element = etree.SubElement(parent, f"{{{ns}}}{name}", **attrs)
        if text is not None:
            element.text = text
        return element

    container = sub(root, "BkToCstmrDbtCdtNtfctn" if kind == "054" else "BkToCstmrStmt")
    header = sub(container, "GrpHdr")
    sub(header, "MsgId", "MSG-1")
    sub(header, "CreDtTm", "2026-05-04T08:00:00")
    report = sub(container, "Ntfctn" if kind == "054" else "Stmt")
    sub(report, "Id", "REPORT-1")
    account = sub(report, "Acct")
    sub(sub(account, "Id"), "IBAN", "NO9386011117947")
    for bank_line in lines:
        entry = sub(report, "Ntry")
        sub(entry, "Amt", f"{Decimal(bank_line.amount):.2f}", Ccy=bank_line.currency)
        sub(entry, "CdtDbtInd", "CRDT")
        sub(sub(entry, "Sts"), "Cd", "BOOK")
        sub(sub(entry, "BookgDt"), "Dt", bank_line.date.isoformat())
        sub(sub(entry, "ValDt"), "Dt", bank_line.date.isoformat())
        sub(entry, "AcctSvcrRef", bank_line.reference)
        tx = sub(sub(entry, "NtryDtls"), "TxDtls")
        refs = sub(tx, "Refs")
        sub(refs, "AcctSvcrRef", bank_line.reference)
        sub(refs, "EndToEndId", "NOTPROVIDED")
        sub(tx, "Amt", f"{Decimal(bank_line.amount):.2f}", Ccy=bank_line.currency)
        sub(tx, "CdtDbtInd", "CRDT")
        parties = sub(tx, "RltdPties")
        sub(sub(sub(parties, "Dbtr"), "Pty"), "Nm", bank_line.payer)
        sub(sub(sub(sub(parties, "DbtrAcct"), "Id"), "Othr"), "Id", "12345678903")
        remittance = sub(tx, "RmtInf")
        if bank_line.kid:
            strd = sub(remittance, "Strd")
            creditor_ref = sub(strd, "CdtrRefInf")
            sub(sub(sub(creditor_ref, "Tp"), "CdOrPrtry"), "Cd", "SCOR")
            sub(creditor_ref, "Ref", bank_line.kid)
        else:
            sub(remittance, "Ustrd", "Betaling faktura")
    del e
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
