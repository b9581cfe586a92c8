"""Issue rules of issue 9 (defect 3): each refused at issue, before a number is taken."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from core.models import AuditEntry
from customers.models import Client
from invoicing import hooks, services
from invoicing.models import Invoice, NumberSeries
from invoicing.services import MAX_AMOUNT
from invoicing.tests.factories import ClientFactory, draft_invoice, issued_invoice, line

D = datetime.date
TODAY = D(2026, 12, 10)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(datetime.datetime(2026, 12, 10, 12, tzinfo=datetime.UTC), tick=False):
        yield


def _refused(draft, actor) -> dict[str, list[str]]:
    """Issue ``draft``, expect a refusal; check that no number was used."""
    series_before = list(NumberSeries.objects.values_list("kind", "next_number"))
    with pytest.raises(ValidationError) as excinfo:
        services.invoice_issue(invoice=draft, actor=actor)
    draft.refresh_from_db()
    assert draft.is_draft and draft.number is None
    assert list(NumberSeries.objects.values_list("kind", "next_number")) == series_before
    assert not AuditEntry.objects.filter(action="invoicing.invoice.issued", object_id=str(draft.pk))
    return excinfo.value.message_dict


# --- the buyer (bokføringsforskriften § 5-1-1 nr 2) -------------------------------------------


def test_person_without_address_cannot_be_invoiced(company_scope, actor):
    person = ClientFactory(
        company=company_scope,
        kind=Client.Kind.PERSON,
        name="Kari Nordmann",
        organization_number="",
        address_line="",
        postcode="",
        city="",
    )
    errors = _refused(draft_invoice(company=company_scope, client=person), actor)
    assert "adresse" in errors["client"][0] and "§ 5-1-1" in errors["client"][0]
    Client.objects.filter(pk=person.pk).update(
        address_line="Storgata 1", postcode="0155", city="Oslo"
    )
    person.refresh_from_db()
    assert services.invoice_issue(
        invoice=draft_invoice(company=company_scope, client=person), actor=actor
    ).number


def test_company_with_orgnr_needs_no_address(company_scope, actor):
    buyer = ClientFactory(company=company_scope, address_line="", postcode="", city="")
    assert issued_invoice(company=company_scope, client=buyer).number == 1


# --- dates ------------------------------------------------------------------------------------


def test_date_not_before_the_previous_document_in_the_series(company_scope, actor):
    issued_invoice(company=company_scope, invoice_date=D(2026, 12, 5))
    errors = _refused(draft_invoice(company=company_scope, invoice_date=D(2026, 12, 4)), actor)
    assert "nr. 1" in errors["invoice_date"][0]
    # The same day is fine, and takes the next number.
    assert issued_invoice(company=company_scope, invoice_date=D(2026, 12, 5)).number == 2


def test_credit_note_date_follows_its_series_too(company_scope, actor):
    first = issued_invoice(company=company_scope, invoice_date=D(2026, 12, 1))
    issued_invoice(company=company_scope, invoice_date=D(2026, 12, 8))
    with pytest.raises(ValidationError) as excinfo:
        services.invoice_credit(invoice=first, actor=actor, credit_date=D(2026, 12, 2))
    assert "credit_date" in excinfo.value.message_dict
    assert not Invoice.objects.credit_notes().exists()


def test_date_too_far_ahead_is_refused_and_the_limit_is_a_setting(company_scope, actor):
    draft = draft_invoice(company=company_scope, invoice_date=TODAY + datetime.timedelta(days=31))
    errors = _refused(draft, actor)
    assert "30 dager" in errors["invoice_date"][0]
    services.invoicing_settings_update(company=company_scope, actor=actor, max_days_ahead=60)
    assert services.invoice_issue(invoice=draft, actor=actor).number == 1


def test_delivery_after_the_invoice_date_needs_a_prepayment_invoice(company_scope, actor):
    later = draft_invoice(company=company_scope, invoice_date=TODAY, delivery_date=D(2026, 12, 20))
    errors = _refused(later, actor)
    assert "forskuddsfaktura" in errors["delivery_date"][0]
    period = draft_invoice(
        company=company_scope,
        invoice_date=TODAY,
        delivery_period_start=D(2026, 12, 1),
        delivery_period_end=D(2026, 12, 31),
    )
    assert "delivery_period_end" in _refused(period, actor)
    line_period = draft_invoice(
        company=company_scope,
        invoice_date=TODAY,
        lines=[line(period_start=D(2026, 12, 1), period_end=D(2026, 12, 31))],
    )
    assert "lines" in _refused(line_period, actor)
    prepaid = draft_invoice(
        company=company_scope,
        invoice_date=TODAY,
        delivery_period_start=D(2026, 12, 1),
        delivery_period_end=D(2026, 12, 31),
        is_prepayment=True,
    )
    issued = services.invoice_issue(invoice=prepaid, actor=actor)
    assert issued.number == 1 and issued.is_prepayment


def test_line_periods_inside_the_invoice_period(company_scope, actor):
    draft = draft_invoice(
        company=company_scope,
        invoice_date=TODAY,
        delivery_period_start=D(2026, 11, 1),
        delivery_period_end=D(2026, 11, 30),
        lines=[
            line(period_start=D(2026, 11, 1), period_end=D(2026, 11, 15)),
            line(period_start=D(2026, 10, 25), period_end=D(2026, 11, 5)),
        ],
    )
    errors = _refused(draft, actor)
    assert errors["lines"][0].startswith("Linje 2:")
    assert len(errors["lines"]) == 1


# --- currency (ISO 4217) ---------------------------------------------------------------------


@pytest.mark.parametrize("code", ["XYZ", "ABC", "XAU", "XXX", "NO", "N0K", "ÆØÅ"])
def test_currency_must_be_iso_4217(company_scope, buyer, actor, code):
    with pytest.raises(ValidationError) as excinfo:
        services.invoice_create_draft(
            company=company_scope,
            actor=actor,
            header=services.InvoiceHeader(
                client=buyer, currency=code, exchange_rate=Decimal("11.5")
            ),
            lines=[line()],
        )
    assert "ISO 4217" in excinfo.value.message_dict["currency"][0]


def test_real_currencies_accepted_in_any_case(company_scope, buyer, actor):
    for code in ("eur", "SEK", "JPY", "chf"):
        draft = services.invoice_create_draft(
            company=company_scope,
            actor=actor,
            header=services.InvoiceHeader(
                client=buyer, currency=code, exchange_rate=Decimal("11.5")
            ),
            lines=[line()],
        )
        assert draft.currency == code.upper()


def test_a_stored_currency_outside_iso_4217_is_refused_at_issue(company_scope, buyer, actor):
    """A draft whose currency was stored before the list check (three capital letters
    were enough then): the EHF check at issue refuses it by BR-CL-04 against the list."""
    draft = draft_invoice(company=company_scope, client=buyer, buyer_reference="PRJ-9")
    Invoice.objects.filter(pk=draft.pk).update(currency="ABC", exchange_rate=Decimal("2"))
    draft.refresh_from_db()
    errors = _refused(draft, actor)
    assert any("(regel BR-CL-04)" in message for message in errors["__all__"])


# --- unit codes (UN/ECE Recommendation 20/21, BR-CL-23) -----------------------------------------


def test_a_line_unit_outside_the_units_is_refused_at_issue(company_scope, buyer, actor):
    """Units are UN/ECE Rec 20/21 codes from catalog.units; a line stored with another
    (a withdrawn unit, a write around the services) stops the issue with the line named."""
    draft = draft_invoice(company=company_scope, client=buyer, lines=[line(), line()])
    second = draft.lines.order_by("position")[1]
    type(second).objects.filter(pk=second.pk).update(unit="PCS")
    errors = _refused(draft, actor)
    assert any(
        message.startswith(f"Linje {second.position}: enheten «PCS»") for message in errors["lines"]
    ), errors


# --- Peppol participant id of the buyer -------------------------------------------------------


def test_invalid_stored_peppol_id_refused_at_issue(company_scope, actor):
    buyer = ClientFactory(company=company_scope)
    # Stored before the check existed (the client services refuse it now).
    Client.objects.filter(pk=buyer.pk).update(peppol_id="0007:5560360794")
    buyer.refresh_from_db()
    errors = _refused(draft_invoice(company=company_scope, client=buyer), actor)
    assert any("Peppol" in message for message in errors["client"])


# --- amounts the database stores exactly ------------------------------------------------------


def test_the_largest_amount_round_trips_exactly(company_scope, actor):
    issued = issued_invoice(
        company=company_scope,
        invoice_date=TODAY,
        lines=[line(unit_price=MAX_AMOUNT, code="5")],  # zero-rated: total = the price
    )
    stored = Invoice.objects.get(pk=issued.pk)
    assert stored.total_excl_vat == MAX_AMOUNT
    assert stored.total_incl_vat == MAX_AMOUNT
    assert stored.lines.get().unit_price == MAX_AMOUNT
    assert stored.lines.get().net_amount == MAX_AMOUNT
    assert stored.vat_lines.get().basis == MAX_AMOUNT


def test_line_above_the_limit_is_refused_with_the_limit_named(company_scope, buyer, actor):
    with pytest.raises(ValidationError) as excinfo:
        services.invoice_create_draft(
            company=company_scope,
            actor=actor,
            header=services.InvoiceHeader(client=buyer),
            lines=[line(unit_price=MAX_AMOUNT + Decimal("0.01"))],
        )
    assert "9 999 999 999 999,99" in excinfo.value.message_dict["lines"][0].replace("\xa0", " ")
    with pytest.raises(ValidationError) as excinfo:
        services.invoice_create_draft(
            company=company_scope,
            actor=actor,
            header=services.InvoiceHeader(client=buyer),
            lines=[line(unit_price="5000000000000.00", quantity="2")],
        )
    assert "Linje 1" in excinfo.value.message_dict["lines"][0]


def test_document_total_above_the_limit_is_refused(company_scope, actor):
    # Each line fits; their sum with 25 % VAT does not.
    draft = draft_invoice(
        company=company_scope,
        invoice_date=TODAY,
        lines=[line(unit_price="5000000000000.00"), line(unit_price="5000000000000.00")],
    )
    errors = _refused(draft, actor)
    assert "nøyaktig" in errors["lines"][0]


def test_foreign_currency_vat_in_nok_is_capped_too(company_scope, actor):
    draft = draft_invoice(
        company=company_scope,
        invoice_date=TODAY,
        currency="EUR",
        exchange_rate=Decimal("12"),
        lines=[line(unit_price="4000000000000.00")],  # VAT 1e12 EUR = 1.2e13 NOK
    )
    assert "lines" in _refused(draft, actor)


# --- validators registered by higher layers (documents: the EHF rule set) ------------------


def test_a_registered_validator_stops_the_issue_in_its_transaction(company_scope, actor):
    seen = []

    def validator(*, invoice, lines, vat_lines):
        seen.append((invoice.number, len(lines), len(vat_lines)))
        return ["Nei."]

    hooks.register_issue_validator(validator)
    try:
        errors = _refused(draft_invoice(company=company_scope, invoice_date=TODAY), actor)
    finally:
        hooks.remove_issue_validator(validator)
    assert seen == [(1, 1, 1)]  # called with the number taken, then rolled back
    assert errors["__all__"] == ["Nei."]
