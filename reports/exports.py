"""Exports of invoices, credit notes, payments and lines (CSV, XLSX) and the company ZIP.

Every table is a header and a lazy row iterator (``.iterator()`` over one query with its
joins), written as it is read: CSV through ``core.csvfiles.csv_chunks`` (the
project's writer: BOM, ``;``, formula guard), XLSX through openpyxl's write-only mode
(rows go straight to a temporary file) with the same formula guard on text cells.
"""

from __future__ import annotations

import datetime
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook

from accounts.models import Company
from catalog.models import Product
from catalog.services import CSV_COLUMNS as PRODUCT_COLUMNS
from catalog.services import product_csv_rows
from core.csvfiles import csv_chunks, format_decimal, protect
from customers.models import Client
from customers.services import CSV_COLUMNS as CLIENT_COLUMNS
from customers.services import client_csv_rows
from invoicing.models import Invoice, InvoiceLine, Payment

CHUNK = 2000


@dataclass(frozen=True)
class Table:
    key: str
    label: Any
    header: list[Any]
    rows: Callable[..., Iterator[list[Any]]]  # (company, date_from, date_to) → rows


def _documents(kind: str, date_from: datetime.date, date_to: datetime.date) -> Any:
    return (
        Invoice.objects.issued()
        .filter(kind=kind, invoice_date__gte=date_from, invoice_date__lte=date_to)
        .select_related("client", "credited_invoice")
        .order_by("number", "id")
    )


def invoice_rows(
    *, company: Company, date_from: datetime.date, date_to: datetime.date
) -> Iterator[list[Any]]:
    for doc in _documents(Invoice.Kind.INVOICE, date_from, date_to).iterator(chunk_size=CHUNK):
        yield [
            doc.number,
            doc.invoice_date,
            doc.due_date,
            doc.client.number,
            doc.buyer_snapshot.get("name") or doc.client.name,
            doc.buyer_snapshot.get("organization_number", ""),
            doc.currency,
            doc.exchange_rate,
            doc.total_excl_vat,
            doc.total_vat,
            doc.total_incl_vat,
            doc.total_vat_nok,
            doc.paid_amount,
            doc.credited_amount,
            doc.open_balance,
            doc.get_status_display(),
            doc.kid,
            doc.order_number,
            doc.their_reference,
        ]


INVOICE_HEADER = [
    _("Fakturanummer"),
    _("Fakturadato"),
    _("Forfallsdato"),
    _("Kundenummer"),
    _("Kunde"),
    _("Kundens org.nr"),
    _("Valuta"),
    _("Valutakurs"),
    _("Sum eks. MVA"),
    _("MVA"),
    _("Sum inkl. MVA"),
    _("MVA i NOK"),
    _("Innbetalt"),
    _("Kreditert"),
    _("Åpent"),
    _("Status"),
    _("KID"),
    _("Ordrenummer"),
    _("Deres referanse"),
]


def credit_note_rows(
    *, company: Company, date_from: datetime.date, date_to: datetime.date
) -> Iterator[list[Any]]:
    documents = _documents(Invoice.Kind.CREDIT_NOTE, date_from, date_to)
    for doc in documents.iterator(chunk_size=CHUNK):
        yield [
            doc.number,
            doc.invoice_date,
            doc.credited_invoice.number if doc.credited_invoice else "",
            doc.client.number,
            doc.buyer_snapshot.get("name") or doc.client.name,
            doc.currency,
            doc.exchange_rate,
            doc.total_excl_vat,
            doc.total_vat,
            doc.total_incl_vat,
            doc.total_vat_nok,
            doc.free_text,
        ]


CREDIT_NOTE_HEADER = [
    _("Kreditnotanummer"),
    _("Dato"),
    _("Kreditert faktura"),
    _("Kundenummer"),
    _("Kunde"),
    _("Valuta"),
    _("Valutakurs"),
    _("Sum eks. MVA"),
    _("MVA"),
    _("Sum inkl. MVA"),
    _("MVA i NOK"),
    _("Fritekst"),
]


def payment_rows(
    *, company: Company, date_from: datetime.date, date_to: datetime.date
) -> Iterator[list[Any]]:
    payments = (
        Payment.objects.filter(date__gte=date_from, date__lte=date_to)
        .select_related("invoice__client")
        .order_by("date", "id")
    )
    for payment in payments.iterator(chunk_size=CHUNK):
        yield [
            payment.pk,
            payment.date,
            payment.invoice.number,
            payment.invoice.client.number,
            payment.invoice.client.name,
            payment.invoice.currency,
            payment.amount,
            payment.applied_amount,
            payment.to_credit_amount,
            payment.get_method_display(),
            payment.reference,
            payment.reverses_id or "",
            payment.note,
        ]


PAYMENT_HEADER = [
    _("ID"),
    _("Betalingsdato"),
    _("Fakturanummer"),
    _("Kundenummer"),
    _("Kunde"),
    _("Valuta"),
    _("Beløp"),
    _("Ført mot fakturaen"),
    _("Til kundens tilgodehavende"),
    _("Betalingsmåte"),
    _("Referanse"),
    _("Tilbakefører innbetaling"),
    _("Merknad"),
]


def line_rows(
    *, company: Company, date_from: datetime.date, date_to: datetime.date
) -> Iterator[list[Any]]:
    lines = (
        InvoiceLine.objects.filter(
            invoice__status__in=[s for s in Invoice.Status.values if s != "draft"],
            invoice__invoice_date__gte=date_from,
            invoice__invoice_date__lte=date_to,
        )
        .select_related("invoice", "vat_code")
        .order_by("invoice__invoice_date", "invoice__number", "position")
    )
    for item in lines.iterator(chunk_size=CHUNK):
        yield [
            item.invoice.get_kind_display(),
            item.invoice.number,
            item.invoice.invoice_date,
            item.position,
            item.item_number,
            item.description,
            item.quantity,
            item.unit,
            item.unit_price,
            item.discount_percent,
            item.vat_code.code,
            item.vat_rate,
            item.net_amount,
            item.invoice.currency,
        ]


LINE_HEADER = [
    _("Type"),
    _("Nummer"),
    _("Dato"),
    _("Linje"),
    _("Varenummer"),
    _("Beskrivelse"),
    _("Antall"),
    _("Enhet"),
    _("Enhetspris eks. MVA"),
    _("Rabatt %"),
    _("MVA-kode"),
    _("MVA-sats"),
    _("Beløp eks. MVA"),
    _("Valuta"),
]

TABLES: dict[str, Table] = {
    "invoices": Table("invoices", _("Fakturaer"), INVOICE_HEADER, invoice_rows),
    "credit-notes": Table("credit-notes", _("Kreditnotaer"), CREDIT_NOTE_HEADER, credit_note_rows),
    "payments": Table("payments", _("Innbetalinger"), PAYMENT_HEADER, payment_rows),
    "lines": Table("lines", _("Fakturalinjer"), LINE_HEADER, line_rows),
}
FORMATS = ("csv", "xlsx")


def _csv_cell(value: Any) -> str:
    if isinstance(value, Decimal):
        return (
            format_decimal(value)
            if value == value.quantize(Decimal("0.01"))
            else (f"{value.normalize():f}".replace(".", ","))
        )
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def table_csv(
    table: Table, *, company: Company, date_from: datetime.date, date_to: datetime.date
) -> Iterator[bytes]:
    rows = (
        [_csv_cell(value) for value in row]
        for row in table.rows(company=company, date_from=date_from, date_to=date_to)
    )
    return csv_chunks(header=[str(label) for label in table.header], rows=rows)


def _xlsx_cell(value: Any) -> Any:
    if isinstance(value, str):
        return protect(value)
    return value


def table_xlsx(
    table: Table,
    *,
    company: Company,
    date_from: datetime.date,
    date_to: datetime.date,
    target: IO[bytes],
) -> None:
    """Write the table as an XLSX workbook (write-only: rows are not kept in memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(table.label)[:31])
    sheet.append([str(label) for label in table.header])
    for row in table.rows(company=company, date_from=date_from, date_to=date_to):
        sheet.append([_xlsx_cell(value) for value in row])
    workbook.save(target)


def company_zip(*, company: Company, target: IO[bytes], today: datetime.date) -> None:
    """Everything the company takes with it on leaving, as one ZIP.

    Clients and products (the import format), every invoice, credit note, payment and
    line (CSV), the SAF-T Financial file of all years, and the archived PDF/EHF of every
    document. Written entry by entry into ``target`` (a temporary file).
    """
    from documents.models import StoredDocument
    from reports.saft import write_saft

    first = (
        Invoice.objects.issued().order_by("invoice_date").values_list("invoice_date", flat=True)
    ).first() or today
    first_payment = Payment.objects.order_by("date").values_list("date", flat=True).first()
    date_from = min(first, first_payment or first).replace(month=1, day=1)
    date_to = max(today, datetime.date(today.year, 12, 31))
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:

        def write_chunks(name: str, chunks: Iterator[bytes]) -> None:
            with archive.open(name, "w") as handle:
                for chunk in chunks:
                    handle.write(chunk)

        write_chunks(
            "kunder.csv",
            csv_chunks(
                header=[header for header, _field in CLIENT_COLUMNS],
                rows=client_csv_rows(Client.objects.all().order_by("number")),
            ),
        )
        write_chunks(
            "produkter.csv",
            csv_chunks(
                header=[header for header, _field in PRODUCT_COLUMNS],
                rows=product_csv_rows(Product.objects.all().order_by("number")),
            ),
        )
        names = {
            "invoices": "fakturaer.csv",
            "credit-notes": "kreditnotaer.csv",
            "payments": "innbetalinger.csv",
            "lines": "fakturalinjer.csv",
        }
        for key, table in TABLES.items():
            write_chunks(
                names[key],
                table_csv(table, company=company, date_from=date_from, date_to=date_to),
            )
        with archive.open("saft.xml", "w") as handle:
            write_saft(company=company, date_from=date_from, date_to=date_to, target=handle)
        stored = StoredDocument.objects.select_related("invoice").order_by("invoice_id", "id")
        for document in stored.iterator(chunk_size=200):
            prefix = "kreditnotaer" if document.invoice.is_credit_note else "fakturaer"
            extension = "pdf" if document.kind == "pdf" else "xml"
            name = f"dokumenter/{prefix}/{document.invoice.number}-{document.kind}.{extension}"
            try:
                content = document.read()
            except OSError:
                continue  # a file missing from storage: the CSV and SAF-T still hold the data
            archive.writestr(name, content)


def spooled_file() -> IO[bytes]:
    return tempfile.TemporaryFile(prefix="fakturanett-export-")
