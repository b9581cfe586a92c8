"""An issued invoice's content never changes and it is never deleted (model layer + DB)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction

from core.models import AppendOnlyError
from invoicing import services
from invoicing.models import (
    ClientBalanceEntry,
    Invoice,
    InvoiceLine,
    InvoiceVatLine,
    IssuedDocumentError,
    NumberingError,
    NumberSeries,
    Payment,
)
from invoicing.tests.factories import draft_invoice, issued_invoice, line


@pytest.fixture
def issued(company_scope):
    return issued_invoice(company=company_scope, lines=[line(quantity="2"), line(code="31")])


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("number", 999),
        ("invoice_date", datetime.date(2020, 1, 1)),
        ("due_date", datetime.date(2030, 1, 1)),
        ("total_incl_vat", Decimal("1.00")),
        ("kid", "12344"),
        ("their_reference", "changed"),
        ("seller_snapshot", {"name": "Other"}),
    ],
)
def test_save_refuses_changed_content(issued, field, value):
    setattr(issued, field, value)
    with pytest.raises(IssuedDocumentError):
        issued.save()
    with pytest.raises(IssuedDocumentError):
        issued.save(update_fields=[field])
    stored = Invoice.objects.get(pk=issued.pk)
    assert getattr(stored, field) != value


def test_issued_invoice_cannot_become_a_draft(issued):
    issued.status = Invoice.Status.DRAFT
    with pytest.raises(IssuedDocumentError):
        issued.save()


def test_queryset_update_and_delete_refused(issued):
    with pytest.raises(IssuedDocumentError):
        Invoice.objects.filter(pk=issued.pk).update(number=5)
    with pytest.raises(IssuedDocumentError):
        Invoice.objects.all().update(total_incl_vat=Decimal(0))
    with pytest.raises(IssuedDocumentError):
        Invoice.objects.filter(pk=issued.pk).delete()
    with pytest.raises(IssuedDocumentError):
        issued.delete()
    assert Invoice.objects.get(pk=issued.pk).number == issued.number


def test_draft_can_be_changed_and_deleted_through_the_services(company_scope, actor):
    draft = draft_invoice(company=company_scope)
    services.invoice_delete_draft(invoice=draft, actor=actor)
    assert not Invoice.objects.filter(pk=draft.pk).exists()


def test_delete_draft_service_refuses_issued(issued, actor):
    with pytest.raises(ValidationError):
        services.invoice_delete_draft(invoice=issued, actor=actor)
    with pytest.raises(ValidationError):
        services.invoice_update_draft(
            invoice=issued, actor=actor, header=services.invoice_header_of(issued), lines=[line()]
        )


def test_lines_of_issued_invoice_are_frozen(issued):
    first = issued.lines.first()
    first.quantity = Decimal("100")
    with pytest.raises(IssuedDocumentError):
        first.save()
    with pytest.raises(IssuedDocumentError):
        first.delete()
    with pytest.raises(IssuedDocumentError):
        InvoiceLine.objects.filter(invoice=issued).update(unit_price=Decimal(0))
    with pytest.raises(IssuedDocumentError):
        issued.lines.all().delete()
    extra = InvoiceLine(
        company=issued.company,
        invoice=issued,
        position=9,
        description="Sneaked in",
        quantity=Decimal(1),
        unit_price=Decimal(1),
        vat_code=first.vat_code,
    )
    with pytest.raises(IssuedDocumentError):
        extra.save()
    with pytest.raises(IssuedDocumentError):
        InvoiceLine.objects.bulk_create([extra])
    vat_line = issued.vat_lines.first()
    vat_line.vat = Decimal(0)
    with pytest.raises(IssuedDocumentError):
        vat_line.save()
    with pytest.raises(IssuedDocumentError):
        InvoiceVatLine.objects.filter(invoice=issued).delete()
    assert issued.lines.count() == 2


def test_number_series_only_takes_its_next_number(company_scope, actor):
    issued_invoice(company=company_scope)
    series = NumberSeries.objects.get(kind="invoice")
    assert (series.first_number, series.next_number) == (1, 2)
    for first, next_number in [(1, 5), (1, 1), (2, 2), (7, 7)]:
        series.first_number, series.next_number = first, next_number
        with pytest.raises(NumberingError):
            series.save()
    with pytest.raises(NumberingError):
        NumberSeries.objects.filter(pk=series.pk).update(next_number=10)
    with pytest.raises(NumberingError):
        NumberSeries.objects.all().delete()
    with pytest.raises(NumberingError):
        series.delete()
    stored = NumberSeries.objects.get(pk=series.pk)
    assert (stored.first_number, stored.next_number) == (1, 2)


def test_status_and_amounts_change_only_through_services(issued, actor):
    payment = services.payment_register(
        invoice=issued, actor=actor, amount=Decimal("10.00"), date=issued.invoice_date
    )
    issued.refresh_from_db()
    assert issued.status == "partially_paid"
    assert issued.paid_amount == Decimal("10.00")
    # payments and balance entries are append-only
    payment.amount = Decimal("1.00")
    with pytest.raises(AppendOnlyError):
        payment.save()
    with pytest.raises(AppendOnlyError):
        payment.delete()
    with pytest.raises(AppendOnlyError):
        Payment.objects.filter(pk=payment.pk).delete()
    with pytest.raises(AppendOnlyError):
        ClientBalanceEntry.objects.all().update(amount=0)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgresql_triggers_refuse_changes_that_bypass_the_orm(company, actor):
    from django_scopes import scope

    with scope(company=company):
        invoice = issued_invoice(company=company, lines=[line(), line(code="31")])
        draft = draft_invoice(company=company)
        services.payment_register(
            invoice=invoice,
            actor=actor,
            amount=invoice.total_incl_vat + 5,
            date=invoice.invoice_date,
            confirm_overpayment=True,
        )
    statements = [
        ("UPDATE invoicing_invoice SET number = 999 WHERE id = %s", [invoice.pk]),
        ("UPDATE invoicing_invoice SET total_incl_vat = 0 WHERE id = %s", [invoice.pk]),
        ("UPDATE invoicing_invoice SET buyer_snapshot = '{}' WHERE id = %s", [invoice.pk]),
        # The references' stored text is left out of the guard's comparison (migration
        # 0038); the references it is made of are not.
        ("UPDATE invoicing_invoice SET order_number = 'PO-1' WHERE id = %s", [invoice.pk]),
        ("UPDATE invoicing_invoice SET status = 'draft' WHERE id = %s", [invoice.pk]),
        ("DELETE FROM invoicing_invoice WHERE id = %s", [invoice.pk]),
        ("UPDATE invoicing_invoiceline SET unit_price = 0 WHERE invoice_id = %s", [invoice.pk]),
        ("DELETE FROM invoicing_invoiceline WHERE invoice_id = %s", [invoice.pk]),
        (
            "INSERT INTO invoicing_invoiceline (company_id, invoice_id, position, description, "
            "item_number, quantity, unit, unit_price, discount_percent, vat_code_id, net_amount, "
            "vat_category) SELECT company_id, invoice_id, 9, 'x', '', 1, 'EA', 1, 0, vat_code_id, "
            "1, 'S' FROM invoicing_invoiceline WHERE invoice_id = %s LIMIT 1",
            [invoice.pk],
        ),
        ("UPDATE invoicing_invoicevatline SET vat = 0 WHERE invoice_id = %s", [invoice.pk]),
        ("UPDATE invoicing_payment SET amount = 1 WHERE invoice_id = %s", [invoice.pk]),
        ("DELETE FROM invoicing_payment WHERE invoice_id = %s", [invoice.pk]),
        ("UPDATE invoicing_clientbalanceentry SET amount = 0 WHERE invoice_id = %s", [invoice.pk]),
        ("DELETE FROM invoicing_clientbalanceentry WHERE invoice_id = %s", [invoice.pk]),
        ("UPDATE invoicing_numberseries SET next_number = next_number + 2", []),
        ("UPDATE invoicing_numberseries SET next_number = next_number - 1", []),
        ("UPDATE invoicing_numberseries SET first_number = 7, next_number = 7", []),
        ("DELETE FROM invoicing_numberseries", []),
    ]
    for sql, params in statements:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
    # What may change does: the mutable columns of an issued invoice, anything on a draft,
    # taking the next number.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE invoicing_invoice SET sent_at = now(), status = 'sent' WHERE id = %s",
            [invoice.pk],
        )
        cursor.execute(
            "UPDATE invoicing_invoiceline SET quantity = 3 WHERE invoice_id = %s", [draft.pk]
        )
        cursor.execute(
            "UPDATE invoicing_invoice SET their_reference = 'ok' WHERE id = %s", [draft.pk]
        )
        cursor.execute("UPDATE invoicing_numberseries SET next_number = next_number + 1")
    with scope(company=company):
        stored = Invoice.objects.get(pk=invoice.pk)
        assert stored.number == invoice.number
        assert stored.total_incl_vat == invoice.total_incl_vat
        assert stored.lines.count() == 2
