"""The set-based issue: failures reported per draft without using a number, chunks,
a fixed number of queries per chunk, and the number series advancing by N (documents
stored exactly as by ``invoice_issue``: documents/tests/test_issue_many_equivalence.py)."""

from __future__ import annotations

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django_scopes import scope

from core.models import AuditEntry
from invoicing import services
from invoicing.models import Invoice, NumberingError, NumberSeries
from invoicing.tests.factories import SYSTEM, ClientFactory, draft_invoice, issued_invoice, line

pytestmark = pytest.mark.django_db


def _drafts(company, count: int, **kwargs) -> list[int]:
    client = kwargs.pop("client", None) or ClientFactory(company=company)
    return [draft_invoice(company=company, client=client, **kwargs).pk for _ in range(count)]


def test_a_failing_draft_in_a_chunk_is_reported_and_uses_no_number(company_scope):
    services.invoicing_settings_update(
        company=company_scope, actor=SYSTEM, first_invoice_number=100
    )
    homeless = ClientFactory(company=company_scope, organization_number="", address_line="")
    ids = _drafts(company_scope, 3)
    failing = draft_invoice(company=company_scope, client=homeless).pk
    ids[2:2] = [failing]
    ids += _drafts(company_scope, 2)

    result = services.invoice_issue_many(company=company_scope, invoice_ids=ids, actor=SYSTEM)

    assert list(result.failed) == [failing]
    assert "mangler adresse" in result.failed[failing].message_dict["client"][0]
    issued_ids = [pk for pk in ids if pk != failing]
    assert [invoice.pk for invoice in result.issued] == issued_ids
    stored = dict(Invoice.objects.filter(pk__in=issued_ids).values_list("pk", "number"))
    assert [stored[pk] for pk in issued_ids] == [100, 101, 102, 103, 104]
    assert Invoice.objects.get(pk=failing).is_draft
    assert NumberSeries.objects.get(kind="invoice").next_number == 105
    assert AuditEntry.objects.filter(action="invoicing.invoice.issued").count() == 5
    # The next issue, one by one, continues the series.
    assert issued_invoice(company=company_scope).number == 105


def test_chunks_continue_the_series_and_report_what_cannot_be_issued(company_scope, other_company):
    first = issued_invoice(company=company_scope)
    credit_note = services.invoice_credit(invoice=first, actor=SYSTEM)
    with scope(company=other_company):
        foreign = draft_invoice(company=other_company).pk
    ids = _drafts(company_scope, 5, invoice_date=None)  # today, as the credit note
    start = NumberSeries.objects.get(kind="invoice").next_number

    result = services.invoice_issue_many(
        company=company_scope,
        invoice_ids=[first.pk, *ids[:3], credit_note.pk, foreign, *ids[3:], ids[0]],
        actor=SYSTEM,
        chunk_size=2,
    )

    assert [invoice.number for invoice in result.issued] == list(range(start, start + 5))
    assert [invoice.pk for invoice in result.issued] == ids
    assert {pk: exc.messages[0] for pk, exc in result.failed.items()} == {
        first.pk: "Fakturaen er allerede utstedt med nummer 1.",
        credit_note.pk: f"Fakturaen er allerede utstedt med nummer {credit_note.number}.",
        foreign: "Finnes ikke.",
    }
    assert NumberSeries.objects.get(kind="invoice").next_number == start + 5


def test_a_chunk_costs_the_same_queries_for_few_and_many_drafts(company_scope):
    services.invoicing_settings_update(
        company=company_scope, actor=SYSTEM, kid_method="mod10", kid_length=10
    )
    issued_invoice(company=company_scope)  # the series and settings exist
    few, many = _drafts(company_scope, 3), _drafts(company_scope, 30)
    counts = []
    for ids in (few, many):
        with CaptureQueriesContext(connection) as queries:
            result = services.invoice_issue_many(
                company=company_scope, invoice_ids=ids, actor=SYSTEM
            )
        assert len(result.issued) == len(ids)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] < 30


def test_the_date_order_follows_the_drafts_already_issued_in_the_chunk(company_scope):
    later = draft_invoice(company=company_scope, invoice_date=datetime.date(2026, 11, 3)).pk
    earlier = draft_invoice(company=company_scope, invoice_date=datetime.date(2026, 11, 2)).pk

    result = services.invoice_issue_many(
        company=company_scope, invoice_ids=[later, earlier], actor=SYSTEM
    )

    assert [invoice.pk for invoice in result.issued] == [later]
    assert "invoice_date" in result.failed[earlier].message_dict


def test_the_series_advances_by_many_only_over_numbers_taken(company_scope):
    ids = _drafts(company_scope, 3, lines=[line()])
    series = NumberSeries.objects.get_or_create(company=company_scope, kind="invoice")[0]
    series.next_number = 4
    with pytest.raises(NumberingError):
        series.save()  # nothing issued: a skip
    services.invoice_issue_many(company=company_scope, invoice_ids=ids, actor=SYSTEM)
    series.refresh_from_db()
    assert series.next_number == 4
    series.next_number = 6
    with pytest.raises(NumberingError):
        series.save()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_postgresql_trigger_allows_advancing_over_issued_numbers_only(company):
    with scope(company=company):
        ids = _drafts(company, 3)
        issued_invoice(company=company)
        result = services.invoice_issue_many(company=company, invoice_ids=ids, actor=SYSTEM)
        assert [invoice.number for invoice in result.issued] == [2, 3, 4]
        assert NumberSeries.objects.get(kind="invoice").next_number == 5
    refused = [
        "UPDATE invoicing_numberseries SET next_number = next_number - 1",
        "UPDATE invoicing_numberseries SET next_number = next_number - 3",
        "UPDATE invoicing_numberseries SET next_number = next_number + 2",
        "UPDATE invoicing_numberseries SET next_number = next_number + 5",
    ]
    for sql in refused:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    with connection.cursor() as cursor:
        cursor.execute("SELECT next_number FROM invoicing_numberseries")
        assert cursor.fetchone() == (5,)
    # Advancing by 2 over documents that carry both numbers is what the service does.
    with scope(company=company):
        ids = _drafts(company, 2)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE invoicing_invoice SET status = 'issued', number = 5 + "
            "(CASE WHEN id = %s THEN 0 ELSE 1 END), series_id = "
            "(SELECT id FROM invoicing_numberseries) WHERE id = ANY(%s)",
            [ids[0], ids],
        )
        cursor.execute("UPDATE invoicing_numberseries SET next_number = next_number + 2")
        cursor.execute("SELECT next_number FROM invoicing_numberseries")
        assert cursor.fetchone() == (7,)
        transaction.set_rollback(True)
