"""``payment_register_many`` (bank files) gives exactly what ``payment_register`` gives one
payment at a time: the same payments, credit balance rows, audit entries and balances."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEntry
from invoicing import services
from invoicing.models import ClientBalanceEntry, Invoice, Payment
from invoicing.services import PaymentData
from invoicing.tests.factories import ClientFactory, issued_invoice, line

D = datetime.date(2026, 11, 20)


def _world(company):
    """Two clients, four invoices of 1,000/500/250/2,000 incl. VAT (code 6: no VAT)."""
    a, b = ClientFactory(company=company), ClientFactory(company=company)
    amounts = [("1000.00", a), ("500.00", a), ("250.00", b), ("2000.00", b)]
    return [
        issued_invoice(company=company, client=c, lines=[line(unit_price=amt, code="6")])
        for amt, c in amounts
    ]


def _script(invoices):
    """(invoice, amount, method, reference) covering every branch of the rules."""
    i1, i2, i3, i4 = invoices
    return [
        (i1, "1000.00", "kid", "ref-1"),  # exact: paid
        (i2, "200.00", "bank", "ref-2"),  # partial
        (i2, "300.50", "bank", "ref-3"),  # the rest and 0.50 over (inside the margin)
        (i3, "400.00", "kid", "ref-4"),  # 150 over: to the client's credit (confirmed)
        (i4, "100.00", "credit", ""),  # paid from that credit balance
        (i4, "49.00", "credit", " "),  # the rest of the credit (reference stripped)
        (i4, "100.00", "bank", "ref-4"),  # same amount/date/ref on another invoice: fine
    ]


def _stored(invoices):
    numbers = {inv.pk: n for n, inv in enumerate(invoices)}
    payment_fields = ("date", "amount", "applied_amount", "to_credit_amount", "method")
    payments = [
        (numbers[p.invoice_id], *(getattr(p, f) for f in payment_fields), p.reference)
        for p in Payment.objects.filter(invoice__in=invoices).order_by("id")
    ]
    entries = [
        (
            numbers[e.invoice_id],
            e.client_id == invoices[numbers[e.invoice_id]].client_id,
            *(e.date, e.amount, e.currency, e.kind, e.payment.amount if e.payment else None),
        )
        for e in ClientBalanceEntry.objects.filter(invoice__in=invoices).order_by("id")
    ]
    balances = [
        (inv.status, inv.paid_amount, inv.credited_amount)
        for inv in Invoice.objects.filter(pk__in=[i.pk for i in invoices]).order_by("id")
    ]
    audit = [
        (entry.actor_kind, entry.actor_label, {**entry.data, "invoice": None})
        for entry in AuditEntry.objects.filter(
            action="invoicing.payment.registered",
            object_id__in=[
                str(pk)
                for pk in Payment.objects.filter(invoice__in=invoices).values_list("pk", flat=True)
            ],
        ).order_by("id")
    ]
    return payments, entries, balances, audit


def test_bulk_registration_stores_what_one_by_one_stores(company_scope, actor):
    one_by_one, bulk = _world(company_scope), _world(company_scope)
    for invoice, amount, method, reference in _script(one_by_one):
        services.payment_register(
            invoice=invoice,
            actor=actor,
            amount=Decimal(amount),
            date=D,
            method=method,
            reference=reference,
            confirm_overpayment=True,
        )
    made = services.payment_register_many(
        company=company_scope,
        actor=actor,
        payments=[
            PaymentData(invoice.pk, Decimal(amount), D, method, reference)
            for invoice, amount, method, reference in _script(bulk)
        ],
        confirm_overpayment=True,
    )
    assert [p.pk is not None for p in made] == [True] * 7
    assert _stored(bulk) == _stored(one_by_one)
    _payments, entries, balances, audit = _stored(bulk)
    assert [b[0] for b in balances] == ["paid", "paid", "paid", "partially_paid"]
    assert len(entries) == 4 and len(audit) == 7  # 0.50 + 150 over, 100 + 49 used


@pytest.mark.parametrize(
    ("amount", "method", "reference", "field"),
    [
        ("5000.00", "bank", "x", "confirm_overpayment"),  # far over the open balance
        ("0.001", "bank", "x", "amount"),
        ("10.00", "cheque", "x", "method"),
        ("10.00", "credit", "x", "amount"),  # no credit balance
        ("100.00", "bank", "dup", "confirm_duplicate"),  # registered just before
    ],
)
def test_bulk_refuses_what_one_by_one_refuses_and_writes_nothing(
    company_scope, actor, amount, method, reference, field
):
    invoices = _world(company_scope)
    services.payment_register(
        invoice=invoices[1], actor=actor, amount=Decimal("100.00"), date=D, reference="dup"
    )
    before = (
        Payment.objects.count(),
        ClientBalanceEntry.objects.count(),
        AuditEntry.objects.count(),
    )
    with pytest.raises(ValidationError) as single:
        services.payment_register(
            invoice=invoices[1],
            actor=actor,
            amount=Decimal(amount),
            date=D,
            method=method,
            reference=reference,
        )
    assert field in single.value.message_dict
    with pytest.raises(ValidationError) as many:
        services.payment_register_many(
            company=company_scope,
            actor=actor,
            payments=[
                PaymentData(invoices[0].pk, Decimal("1000.00"), D, "bank", "fine"),
                PaymentData(invoices[1].pk, Decimal(amount), D, method, reference),
            ],
        )
    assert f"payments.1.{field}" in many.value.message_dict
    after = (
        Payment.objects.count(),
        ClientBalanceEntry.objects.count(),
        AuditEntry.objects.count(),
    )
    assert after == before
    assert Invoice.objects.get(pk=invoices[0].pk).status == "issued"


def test_bulk_sees_its_own_duplicates_and_refuses_drafts_and_other_companies(
    company_scope, actor, other_company
):
    invoices = _world(company_scope)
    twice = [PaymentData(invoices[3].pk, Decimal("10.00"), D, "bank", "r")] * 2
    with pytest.raises(ValidationError) as exc:
        services.payment_register_many(company=company_scope, actor=actor, payments=twice)
    assert "payments.1.confirm_duplicate" in exc.value.message_dict
    made = services.payment_register_many(
        company=company_scope, actor=actor, payments=twice, confirm_duplicate=True
    )
    assert len(made) == 2
    from django_scopes import scopes_disabled

    with scopes_disabled():
        foreign = issued_invoice(company=other_company, lines=[line(unit_price="10.00")])
    with pytest.raises(ValidationError) as exc:
        services.payment_register_many(
            company=company_scope,
            actor=actor,
            payments=[PaymentData(foreign.pk, Decimal("10.00"), D)],
        )
    assert "payments.0.invoice" in exc.value.message_dict


def test_bulk_queries_do_not_grow_with_the_payments(
    company_scope, actor, django_assert_max_num_queries
):
    invoices = [
        issued_invoice(company=company_scope, lines=[line(unit_price="100.00", code="6")])
        for _ in range(12)
    ]
    with django_assert_max_num_queries(12):
        services.payment_register_many(
            company=company_scope,
            actor=actor,
            payments=[
                PaymentData(inv.pk, Decimal("150.00"), D, "kid", f"r{n}")
                for n, inv in enumerate(invoices)
            ],
            confirm_overpayment=True,
        )
    assert Invoice.objects.filter(status="paid").count() == 12
