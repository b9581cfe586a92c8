"""The reported VAT term: marked forward only, reopened by an owner, and closed for issue."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError

from core.audit import Actor
from core.models import AuditEntry
from invoicing import selectors, services
from invoicing.models import Invoice
from invoicing.tests.factories import draft_invoice, issued_invoice

D = datetime.date
TODAY = datetime.datetime(2026, 12, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_no_term_reported_until_marked(company_scope):
    assert selectors.vat_reported_through(company=company_scope) is None


def test_mark_reported_is_audited_and_read_back(company_scope, actor):
    row = services.vat_term_mark_reported(
        company=company_scope, actor=actor, through=D(2026, 10, 31)
    )
    assert row.vat_reported_through == D(2026, 10, 31)
    assert selectors.vat_reported_through(company=company_scope) == D(2026, 10, 31)
    entry = AuditEntry.objects.get(action="invoicing.vat_term.reported")
    assert entry.data == {"through": "2026-10-31", "previous": None}


def test_mark_reported_only_moves_forward(company_scope, actor):
    services.vat_term_mark_reported(company=company_scope, actor=actor, through=D(2026, 10, 31))
    with pytest.raises(ValidationError) as excinfo:
        services.vat_term_mark_reported(company=company_scope, actor=actor, through=D(2026, 8, 31))
    assert excinfo.value.error_dict["through"][0].code == "not_forward"
    # The same date again is no change (and no second audit entry).
    services.vat_term_mark_reported(company=company_scope, actor=actor, through=D(2026, 10, 31))
    assert AuditEntry.objects.filter(action="invoicing.vat_term.reported").count() == 1
    assert selectors.vat_reported_through(company=company_scope) == D(2026, 10, 31)


@pytest.mark.parametrize(
    ("through", "code"),
    [(D(2026, 10, 15), "not_term_end"), (D(2026, 12, 31), "term_not_ended")],
)
def test_mark_reported_needs_an_ended_term(company_scope, actor, through, code):
    with pytest.raises(ValidationError) as excinfo:
        services.vat_term_mark_reported(company=company_scope, actor=actor, through=through)
    assert excinfo.value.error_dict["through"][0].code == code
    assert selectors.vat_reported_through(company=company_scope) is None


def test_owner_reopens_with_a_reason(company_scope, actor):
    services.vat_term_mark_reported(company=company_scope, actor=actor, through=D(2026, 10, 31))
    row = services.vat_term_reopen(
        company=company_scope,
        actor=actor,
        through=D(2026, 8, 31),
        reason="Feil termin markert; september-oktober er ikke levert.",
    )
    assert row.vat_reported_through == D(2026, 8, 31)
    entry = AuditEntry.objects.get(action="invoicing.vat_term.reopened")
    assert entry.data["previous"] == "2026-10-31"
    assert entry.data["through"] == "2026-08-31"
    assert entry.data["reason"].startswith("Feil termin")
    services.vat_term_reopen(company=company_scope, actor=actor, through=None, reason="Alt åpent")
    assert selectors.vat_reported_through(company=company_scope) is None


def test_reopen_refused_without_reason_or_by_others(company_scope, actor, accountant):
    services.vat_term_mark_reported(company=company_scope, actor=actor, through=D(2026, 10, 31))
    with pytest.raises(ValidationError) as excinfo:
        services.vat_term_reopen(
            company=company_scope, actor=actor, through=D(2026, 8, 31), reason="  "
        )
    assert "reason" in excinfo.value.message_dict
    for other in (Actor.user(accountant), Actor.system("tests")):
        with pytest.raises(ValidationError) as excinfo:
            services.vat_term_reopen(
                company=company_scope, actor=other, through=None, reason="Feil"
            )
        assert excinfo.value.error_list[0].code == "not_owner"
    with pytest.raises(ValidationError) as excinfo:
        services.vat_term_reopen(
            company=company_scope, actor=actor, through=D(2026, 12, 31), reason="Feil"
        )
    assert "through" in excinfo.value.message_dict
    assert selectors.vat_reported_through(company=company_scope) == D(2026, 10, 31)
    assert not AuditEntry.objects.filter(action="invoicing.vat_term.reopened").exists()


def test_invoice_dated_in_a_reported_term_is_not_issued(company_scope, actor):
    services.vat_term_mark_reported(company=company_scope, actor=actor, through=D(2026, 10, 31))
    draft = draft_invoice(company=company_scope, invoice_date=D(2026, 10, 31))
    with pytest.raises(ValidationError) as excinfo:
        services.invoice_issue(invoice=draft, actor=actor)
    message = excinfo.value.message_dict["invoice_date"][0]
    assert "rapportert" in message
    draft.refresh_from_db()
    assert draft.is_draft and draft.number is None
    # The day after the reported term is open, and takes the first number.
    later = draft_invoice(company=company_scope, invoice_date=D(2026, 11, 1))
    assert services.invoice_issue(invoice=later, actor=actor).number == 1


def test_credit_note_dated_in_a_reported_term_is_not_issued(company_scope, actor):
    invoice = issued_invoice(company=company_scope, invoice_date=D(2026, 10, 20))
    services.vat_term_mark_reported(company=company_scope, actor=actor, through=D(2026, 10, 31))
    with pytest.raises(ValidationError) as excinfo:
        services.invoice_credit(invoice=invoice, actor=actor, credit_date=D(2026, 10, 25))
    assert "credit_date" in excinfo.value.message_dict
    assert not Invoice.objects.credit_notes().exists()
    # Crediting today (the term in which the credit note is issued) works.
    note = services.invoice_credit(invoice=invoice, actor=actor)
    assert note.invoice_date == D(2026, 12, 10) and note.number == 2
