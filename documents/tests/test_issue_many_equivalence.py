"""The set-based issue (``invoice_issue_many``) stores exactly what issuing the same drafts
one by one with ``invoice_issue`` stores, and its documents read the same.

The drafts are issued one by one inside a savepoint, everything stored is captured, the
savepoint is rolled back, and the same drafts are issued set-based: the same company,
clients and drafts both ways, so only row ids of new rows and timestamps may differ.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from pypdf import PdfReader

from core.models import AuditEntry, OutboxMessage
from customers.models import Client
from documents.adapters import document_from_invoice, load_for_document
from documents.ehf import build_ehf
from documents.pdf import render_pdf
from invoicing import services
from invoicing.models import Invoice, InvoiceLine, InvoiceVatLine, NumberSeries
from invoicing.tests.factories import SYSTEM, ClientFactory, ProductFactory, draft_invoice, line

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)
# Set by the database or the clock at the moment of writing: never compared.
MOMENTS = {"created_at", "updated_at", "issued_at"}


def _drafts(company) -> list[Invoice]:
    services.invoicing_settings_update(
        company=company, actor=SYSTEM, kid_method="mod11", kid_length=10, first_invoice_number=41
    )
    plain = ClientFactory(company=company, number=7)
    ehf = ClientFactory(
        company=company,
        number=8,
        delivery_channel=Client.DeliveryChannel.EHF,
        peppol_id="0192:988077917",
    )
    homeless = ClientFactory(
        company=company, number=9, organization_number="", address_line="", kind="person"
    )
    product = ProductFactory(company=company, name="Årsavgift", number="A-1")
    three_rates = [
        line(quantity="7.5", unit_price="1250.00", code="3", description="Rådgivning"),
        line(quantity="12", unit_price="89.50", code="31", discount="10", description="Lunsj"),
        line(quantity="2", unit_price="1195.00", code="33", description="Hotell"),
    ]
    return [
        draft_invoice(company=company, client=plain, lines=three_rates, buyer_reference="P-1"),
        draft_invoice(
            company=company,
            client=ehf,
            lines=[line(code="51", unit_price="5000.00"), line(code="3")],
            order_number="O-77",
        ),
        draft_invoice(
            company=company,
            client=plain,
            lines=[services.LineData(quantity=Decimal("1"), product=product)],
            free_text="Takk for handelen",
        ),
        # Fails: the buyer has neither address nor organisasjonsnummer.
        draft_invoice(company=company, client=homeless, lines=[line()]),
        draft_invoice(
            company=company,
            client=plain,
            lines=[line(unit_price="300.00", code="3"), line(unit_price="0.00", code="5")],
            currency="EUR",
            exchange_rate=Decimal("11.523400"),
        ),
        # A zero total: paid at once, its KID not open.
        draft_invoice(company=company, client=plain, lines=[line(unit_price="0.00")]),
        draft_invoice(
            company=company,
            client=ehf,
            lines=[
                line(
                    code="3",
                    period_start=datetime.date(2026, 12, 1),
                    period_end=datetime.date(2026, 12, 31),
                )
            ],
            is_prepayment=True,
            delivery_period_start=datetime.date(2026, 12, 1),
            delivery_period_end=datetime.date(2026, 12, 31),
            invoice_date=datetime.date(2026, 11, 3),
            buyer_reference="R-9",
        ),
        # Fails in the issue validator (EHF): no buyer reference or order number.
        draft_invoice(
            company=company, client=ehf, lines=[line()], invoice_date=datetime.date(2026, 11, 3)
        ),
        # Fails: dated before the previous document in the series.
        draft_invoice(company=company, client=plain, lines=[line()], invoice_date=DAY),
        draft_invoice(
            company=company,
            client=plain,
            lines=[line(quantity="3", unit_price="99.90")],
            invoice_date=datetime.date(2026, 11, 3),
            delivery_address="Byggeplass 4",
            delivery_postcode="5003",
            delivery_city="Bergen",
            delivery_country="NO",
        ),
    ]


def _row(obj: Any, *, drop: frozenset[str] = frozenset()) -> dict[str, Any]:
    values = model_to_dict(obj, fields=[f.name for f in obj._meta.concrete_fields])
    return {key: value for key, value in values.items() if key not in MOMENTS | drop}


def _pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _stored(company, ids: list[int]) -> dict[str, Any]:
    """Everything issuing stored about ``ids``, ids of rows it created left out."""
    invoices = {pk: _row(invoice) for pk, invoice in Invoice.objects.in_bulk(ids).items()}
    lines = [_row(row) for row in InvoiceLine.objects.filter(invoice_id__in=ids).order_by("id")]
    vat_lines = [
        _row(row, drop=frozenset({"id"}))
        for row in InvoiceVatLine.objects.filter(invoice_id__in=ids).order_by(
            "invoice_id", "vat_category", "vat_rate"
        )
    ]
    audit = [
        _row(row, drop=frozenset({"id"}))
        for row in AuditEntry.objects.filter(
            company=company, action="invoicing.invoice.issued"
        ).order_by("object_id")
    ]
    documents = {}
    for pk in ids:
        invoice = load_for_document(pk)
        if invoice.is_draft:
            continue
        document = document_from_invoice(invoice)
        documents[pk] = (_pdf_text(render_pdf(document)), build_ehf(document).decode())
    # The after-issue work: which documents are recorded for archiving (one task each,
    # or one per chunk), never which message row.
    archived = sorted(
        invoice_id
        for message in OutboxMessage.objects.filter(task__startswith="delivery.tasks.store_")
        for invoice_id in (
            message.args[1] if message.task.endswith("_chunk") else [message.args[0]]
        )
    )
    series = list(NumberSeries.objects.values_list("kind", "first_number", "next_number"))
    return {
        "invoices": invoices,
        "lines": lines,
        "vat_lines": vat_lines,
        "audit": audit,
        "documents": documents,
        "archived": archived,
        "series": series,
    }


def test_issue_many_stores_exactly_what_single_issue_stores(company_scope):
    ids = [draft.pk for draft in _drafts(company_scope)]
    with transaction.atomic():
        savepoint = transaction.savepoint()
        single_errors = {}
        for pk in ids:
            try:
                services.invoice_issue(invoice=Invoice.objects.get(pk=pk), actor=SYSTEM)
            except ValidationError as exc:
                single_errors[pk] = exc.message_dict
        one_by_one = _stored(company_scope, ids)
        transaction.savepoint_rollback(savepoint)

        assert not Invoice.objects.issued().exists()
        result = services.invoice_issue_many(
            company=company_scope, invoice_ids=ids, actor=SYSTEM, chunk_size=4
        )
        set_based = _stored(company_scope, ids)

    assert {pk: exc.message_dict for pk, exc in result.failed.items()} == single_errors
    assert list(single_errors) == [ids[3], ids[7], ids[8]], single_errors
    assert [invoice.pk for invoice in result.issued] == [
        pk for pk in ids if pk not in single_errors
    ]
    assert len(one_by_one["documents"]) == 7
    assert one_by_one["archived"] == sorted(one_by_one["documents"])
    statuses = [row["status"] for row in one_by_one["invoices"].values()]
    assert "paid" in statuses and "draft" in statuses
    assert [row["kid"] for row in one_by_one["invoices"].values() if row["kid"]]
    for part in one_by_one:
        assert set_based[part] == one_by_one[part], part
