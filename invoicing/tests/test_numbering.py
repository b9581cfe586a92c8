"""Numbering (bokføringsforskriften § 5-1-3): gapless, system-assigned, never changed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEntry
from invoicing import services
from invoicing.models import Invoice, NumberSeries
from invoicing.tests.factories import (
    SYSTEM,
    ClientFactory,
    draft_invoice,
    issued_invoice,
    line,
)


def test_drafts_have_no_number(company_scope):
    draft = draft_invoice(company=company_scope)
    assert draft.number is None
    assert draft.status == Invoice.Status.DRAFT
    assert not NumberSeries.objects.filter(next_number__gt=1).exists()


def test_numbers_are_gapless_from_the_chosen_first_number(company_scope, actor):
    services.invoicing_settings_update(
        company=company_scope, actor=actor, first_invoice_number=10001
    )
    drafts = [draft_invoice(company=company_scope) for _ in range(5)]
    # Issued in another order than created: numbers follow the issue order.
    numbers = [services.invoice_issue(invoice=d, actor=actor).number for d in reversed(drafts)]
    assert numbers == [10001, 10002, 10003, 10004, 10005]
    assert NumberSeries.objects.get(kind="invoice").next_number == 10006


def test_first_number_cannot_change_after_the_first_issue(company_scope, actor):
    services.invoicing_settings_update(company=company_scope, actor=actor, first_invoice_number=500)
    services.invoicing_settings_update(company=company_scope, actor=actor, first_invoice_number=700)
    assert issued_invoice(company=company_scope).number == 700
    with pytest.raises(ValidationError) as excinfo:
        services.invoicing_settings_update(
            company=company_scope, actor=actor, first_invoice_number=1
        )
    assert "first_invoice_number" in excinfo.value.message_dict
    # Setting it to what it already is changes nothing and is no error.
    services.invoicing_settings_update(company=company_scope, actor=actor, first_invoice_number=700)
    assert issued_invoice(company=company_scope).number == 701
    assert AuditEntry.objects.filter(action="invoicing.settings.updated").count() == 2


def test_failed_issue_consumes_no_number(company_scope, actor):
    first = issued_invoice(company=company_scope)
    bad = draft_invoice(company=company_scope, lines=[])  # no lines: refused at issue
    with pytest.raises(ValidationError):
        services.invoice_issue(invoice=bad, actor=actor)
    bad.refresh_from_db()
    assert bad.number is None and bad.status == "draft"
    # the audit entry is written in the issuing transaction: none for the failed issue
    issued_entries = AuditEntry.objects.filter(action="invoicing.invoice.issued")
    assert [e.object_id for e in issued_entries] == [str(first.pk)]
    assert first.number is not None
    assert issued_invoice(company=company_scope).number == first.number + 1


def test_failure_after_the_number_was_taken_rolls_the_number_back(company_scope, actor):
    # The KID is computed after the number is taken; a KID that doesn't fit fails then.
    services.invoicing_settings_update(
        company=company_scope, actor=actor, kid_method="mod10", kid_length=5
    )
    assert (
        issued_invoice(
            company=company_scope, client=ClientFactory(company=company_scope, number=7)
        ).number
        == 1
    )
    bad = draft_invoice(
        company=company_scope, client=ClientFactory(company=company_scope, number=987654)
    )
    with pytest.raises(ValidationError):
        services.invoice_issue(invoice=bad, actor=actor)
    assert NumberSeries.objects.get(kind="invoice").next_number == 2
    assert (
        issued_invoice(
            company=company_scope, client=ClientFactory(company=company_scope, number=8)
        ).number
        == 2
    )


def test_issuing_twice_is_refused(company_scope, actor):
    invoice = issued_invoice(company=company_scope)
    with pytest.raises(ValidationError, match="allerede utstedt"):
        services.invoice_issue(invoice=invoice, actor=actor)
    assert NumberSeries.objects.get(kind="invoice").next_number == 2


def test_credit_notes_in_the_invoice_series_by_default(company_scope, actor):
    invoice = issued_invoice(company=company_scope)
    credit_note = services.invoice_credit(invoice=invoice, actor=actor)
    assert invoice.number is not None
    assert credit_note.number == invoice.number + 1
    assert credit_note.series_id == invoice.series_id
    # Dated today, like the credit note: not before the series' last document.
    assert issued_invoice(company=company_scope, invoice_date=None).number == invoice.number + 2


def test_separate_credit_note_series(company_scope, actor):
    services.invoicing_settings_update(
        company=company_scope,
        actor=actor,
        credit_note_numbering="separate",
        first_credit_note_number=90001,
    )
    first = issued_invoice(company=company_scope)
    second = issued_invoice(company=company_scope)
    notes = [services.invoice_credit(invoice=inv, actor=actor) for inv in (first, second)]
    assert [n.number for n in notes] == [90001, 90002]
    assert [first.number, second.number] == [1, 2]
    assert issued_invoice(company=company_scope).number == 3
    assert notes[0].series is not None and notes[0].series.kind == "credit_note"
    # The credit note references its original (number and date available).
    assert notes[0].credited_invoice == first
    assert notes[0].credited_invoice.number == 1
    assert notes[0].credited_invoice.invoice_date == first.invoice_date


def test_credit_note_numbering_fixed_after_first_credit_note(company_scope, actor):
    services.invoice_credit(invoice=issued_invoice(company=company_scope), actor=actor)
    with pytest.raises(ValidationError) as excinfo:
        services.invoicing_settings_update(
            company=company_scope, actor=actor, credit_note_numbering="separate"
        )
    assert "credit_note_numbering" in excinfo.value.message_dict


def test_first_credit_note_number_needs_separate_series(company_scope, actor):
    with pytest.raises(ValidationError) as excinfo:
        services.invoicing_settings_update(
            company=company_scope, actor=actor, first_credit_note_number=5
        )
    assert "first_credit_note_number" in excinfo.value.message_dict


def test_numbers_are_per_company(company, other_company):
    from django_scopes import scope

    with scope(company=company):
        assert issued_invoice(company=company).number == 1
    with scope(company=other_company):
        assert issued_invoice(company=other_company).number == 1


def test_there_is_no_way_to_type_a_number(company_scope, actor):
    draft = draft_invoice(company=company_scope, lines=[line()])
    header = services.invoice_header_of(draft)
    assert not hasattr(header, "number")
    with pytest.raises(TypeError):
        services.invoice_issue(invoice=draft, actor=actor, number=77)  # type: ignore[call-arg]


@pytest.mark.django_db
def test_outside_scope_lines_cannot_share_an_invoice_with_other_vat_codes(company_scope):
    draft = draft_invoice(company=company_scope, lines=[line(code="3"), line(code="7")])
    with pytest.raises(ValidationError) as raised:
        services.invoice_issue(invoice=draft, actor=SYSTEM)
    assert "kode 7" in str(raised.value.message_dict["lines"])
    assert not NumberSeries.objects.filter(company=company_scope, next_number__gt=1).exists()
