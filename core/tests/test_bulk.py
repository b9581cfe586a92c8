"""``core.bulk.bulk_insert`` stores exactly what ``bulk_create`` stores."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from core.bulk import bulk_insert, bulk_set, id_array
from core.models import AuditEntry
from invoicing.models import ClientBalanceEntry, Invoice
from invoicing.tests.factories import ClientFactory, draft_invoice, issued_invoice, line


def _entries(company, invoice, client, tag):
    return [
        ClientBalanceEntry(
            company=company,
            client=client,
            invoice=invoice,  # a saved object: its id is taken
            date=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
            amount=Decimal("0.01") * n - Decimal("1000000.07"),
            currency="NOK" if n % 2 else "EUR",
            kind=tag,
        )
        for n in range(7)
    ]


def _values(rows):
    fields = ["date", "amount", "currency", "client_id", "invoice_id", "payment_id"]
    return [tuple(getattr(row, f) for f in fields) for row in rows]


def test_same_rows_as_bulk_create_with_ids_and_auto_now_add(company_scope):
    client = ClientFactory(company=company_scope)
    invoice = issued_invoice(company=company_scope, client=client, lines=[line()])
    created = ClientBalanceEntry.objects.bulk_create(
        _entries(company_scope, invoice, client, "overpayment")
    )
    inserted = bulk_insert(_entries(company_scope, invoice, client, "reversal"), batch_size=3)
    assert all(row.pk and not row._state.adding and row.created_at for row in inserted)
    stored = {row.pk: row for row in ClientBalanceEntry.objects.all()}
    assert _values(stored[row.pk] for row in inserted) == _values(stored[row.pk] for row in created)
    assert [stored[row.pk].kind for row in inserted] == ["reversal"] * 7


def test_json_and_related_objects_saved_after_assignment(company_scope):
    # Quotes, backslashes, tabs, newlines and COPY's NULL marker survive (PostgreSQL: COPY).
    text = "æøå \" ' \\ \t \n \\N"
    data = [{"n": n, "text": text, "nested": {"list": [1, None, True]}} for n in range(5)]
    rows = bulk_insert(
        [
            AuditEntry(
                company=company_scope,
                action=f"test.bulk.{n}\t\\N\n",
                actor_kind="system",
                data=d,
            )
            for n, d in enumerate(data)
        ]
    )
    stored = AuditEntry.objects.in_bulk([row.pk for row in rows])
    assert [stored[row.pk].data for row in rows] == data
    assert [stored[row.pk].action for row in rows] == [f"test.bulk.{n}\t\\N\n" for n in range(5)]


def test_refuses_saved_or_mixed_instances(company_scope):
    row = AuditEntry.objects.create(action="x", actor_kind="system")
    with pytest.raises(ValueError):
        bulk_insert([row])
    assert bulk_insert([]) == []


def test_bulk_set_updates_what_bulk_update_would(company_scope):
    from receivables.models import BankImport, BankTransaction

    bank_import = BankImport.objects.create(company=company_scope, file_name="f", format="ocr")
    rows = bulk_insert(
        [
            BankTransaction(
                company=company_scope,
                bank_import=bank_import,
                archive_reference=f"r{n}",
                amount=Decimal("1.00"),
                booking_date=datetime.date(2026, 5, 4),
                outcome="no_kid",
                status="unmatched",
            )
            for n in range(9)
        ]
    )
    for n, row in enumerate(rows):
        row.amount = Decimal("123456789.01") + n
        row.status = "credited" if n % 2 else "assigned"
        row.booking_date = datetime.date(2026, 1, 1 + n)
    assert bulk_set(rows[:8], ["amount", "status", "booking_date"], batch_size=3) == 8
    stored = BankTransaction.objects.in_bulk([row.pk for row in rows])
    assert [
        (stored[r.pk].amount, stored[r.pk].status, stored[r.pk].booking_date) for r in rows[:8]
    ] == [(r.amount, r.status, r.booking_date) for r in rows[:8]]
    last = stored[rows[8].pk]  # not in the list: unchanged
    assert (last.amount, last.status) == (Decimal("1.00"), "unmatched")


def test_bulk_set_writes_json_as_the_orm_would(company_scope):
    # Issued invoices' snapshots go through it (PostgreSQL: a jsonb array parameter).
    client = ClientFactory(company=company_scope)
    rows = [draft_invoice(company=company_scope, client=client) for _ in range(4)]
    values = [
        {"text": "æøå \" ' \\ \t \n \\N", "nested": {"list": [1, None, True, 2.5]}},
        [],
        {},
        ["a", {"b": "c"}],
    ]
    for row, value in zip(rows, values, strict=True):
        row.buyer_snapshot = value
    assert bulk_set(rows, ["buyer_snapshot"], batch_size=3) == 4
    stored = Invoice.objects.in_bulk([row.pk for row in rows])
    assert [stored[row.pk].buyer_snapshot for row in rows] == values


def test_a_duplicate_key_is_django_integrity_error(company_scope):
    """Callers retry on ``django.db.IntegrityError`` (two imports of one bank file): the
    PostgreSQL COPY path raises it as the ORM would, not psycopg's own exception."""
    from django.db import IntegrityError, transaction

    from receivables.models import BankImport, BankTransaction

    bank_import = BankImport.objects.create(company=company_scope, file_name="f", format="ocr")

    def row() -> BankTransaction:
        return BankTransaction(
            company=company_scope,
            bank_import=bank_import,
            archive_reference="same",
            amount=Decimal("1.00"),
            booking_date=datetime.date(2026, 5, 4),
            outcome="no_kid",
            status="unmatched",
        )

    bulk_insert([row()])
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert([row()])


def test_a_decimal_that_is_not_finite_is_refused_as_by_the_orm(company_scope):
    # Finite Decimals skip the field's preparation; NaN must still meet it (and be refused).
    from django.core.exceptions import ValidationError

    client = ClientFactory(company=company_scope)
    invoice = issued_invoice(company=company_scope, client=client, lines=[line()])
    entry = _entries(company_scope, invoice, client, "overpayment")[0]
    entry.amount = Decimal("NaN")
    with pytest.raises(ValidationError):
        bulk_insert([entry])


def test_in_ids_selects_and_updates_exactly_the_given_keys(company_scope):
    # On PostgreSQL one array parameter (``= ANY``), elsewhere ``IN``: the same rows. The
    # retention run anonymises and redacts its batches so (``invoicing``/``privacy``).
    from customers.models import Client

    rows = [ClientFactory(company=company_scope, name=f"Kunde {n}") for n in range(3)]
    chosen = [rows[0].pk, rows[2].pk]
    in_chosen = Client.objects.filter(pk__in_ids=id_array(chosen))
    assert set(in_chosen.values_list("pk", flat=True)) == set(chosen)
    assert in_chosen.update(name="Endret") == 2
    names = dict(Client.objects.values_list("pk", "name"))
    assert [names[row.pk] for row in rows] == ["Endret", "Kunde 1", "Endret"]
    nothing = Client.objects.filter(pk__in_ids=id_array([]))
    assert not nothing.exists()
    assert nothing.update(name="Endret") == 0
