"""Drafts and the issue: validation, legal rules, VAT rate by delivery date, snapshots."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalog.models import VatCode, VatRate
from core.models import AuditEntry
from invoicing import hooks, services
from invoicing.models import Invoice
from invoicing.tests.factories import (
    ClientFactory,
    ProductFactory,
    draft_invoice,
    issued_invoice,
    line,
)

D = datetime.date


def _errors(excinfo) -> dict:
    return excinfo.value.message_dict


# --- drafts -------------------------------------------------------------------------------


def test_draft_defaults_from_client_and_product(company_scope, buyer, actor):
    buyer.payment_terms_days = 30
    buyer.their_reference = "Kari Kjøper"
    buyer.save()
    product = ProductFactory(company=company_scope, unit_price=Decimal("750.00"))
    draft = services.invoice_create_draft(
        company=company_scope,
        actor=actor,
        header=services.InvoiceHeader(client=buyer, invoice_date=D(2026, 11, 2)),
        lines=[services.LineData(quantity=Decimal("1.5"), product=product)],
    )
    assert draft.due_date == D(2026, 12, 2)
    assert draft.delivery_date == D(2026, 11, 2)
    assert draft.their_reference == "Kari Kjøper"
    assert draft.currency == "NOK" and draft.exchange_rate == 1
    draft_line = draft.lines.get()
    assert draft_line.unit_price == Decimal("750.00")
    assert draft_line.unit == "HUR"
    assert draft_line.net_amount == Decimal("1125.00")
    assert draft_line.vat_rate is None  # fixed at issue
    assert AuditEntry.objects.filter(action="invoicing.invoice.draft_created").count() == 1


def test_update_draft_replaces_lines_as_a_whole(company_scope, actor):
    draft = draft_invoice(company=company_scope, lines=[line(), line(), line()])
    header = dataclasses.replace(services.invoice_header_of(draft), order_number="PO-17")
    kept = [services.line_data_of(draft.lines.get(position=2))]
    updated = services.invoice_update_draft(
        invoice=draft, actor=actor, header=header, lines=[*kept, line(description="Ny")]
    )
    assert updated.order_number == "PO-17"
    assert list(updated.lines.values_list("position", "description")) == [
        (1, "Tjeneste"),
        (2, "Ny"),
    ]


def test_draft_validation_keyed_by_field(company_scope, buyer, actor):
    with pytest.raises(ValidationError) as excinfo:
        services.invoice_create_draft(
            company=company_scope,
            actor=actor,
            header=services.InvoiceHeader(
                client=buyer,
                invoice_date=D(2026, 11, 2),
                due_date=D(2026, 11, 1),
                currency="EUR",
                delivery_period_start=D(2026, 10, 1),
            ),
            lines=[
                line(quantity="0"),
                line(unit_price="-1"),
                line(discount="101"),
                line(quantity="1.23456"),
            ],
        )
    errors = _errors(excinfo)
    assert set(errors) >= {"due_date", "exchange_rate", "delivery_period_end", "lines"}
    assert len(errors["lines"]) == 4
    assert errors["lines"][0].startswith("Linje 1:")
    assert Invoice.objects.count() == 0


def test_other_companys_client_or_product_refused(company_scope, other_company, actor):
    foreign_client = ClientFactory(company=other_company)
    with pytest.raises(ValidationError) as excinfo:
        draft_invoice(company=company_scope, client=foreign_client)
    assert "client" in _errors(excinfo)
    foreign_product = ProductFactory(company=other_company)
    with pytest.raises(ValidationError) as excinfo:
        draft_invoice(
            company=company_scope,
            lines=[services.LineData(quantity=Decimal(1), product=foreign_product)],
        )
    assert "lines" in _errors(excinfo)


# --- issue ----------------------------------------------------------------------------------


def test_issue_snapshots_parties_and_line_texts(company_scope, buyer, actor):
    product = ProductFactory(company=company_scope, name="Rådgivning", number="R-1")
    draft = draft_invoice(
        company=company_scope,
        client=buyer,
        lines=[services.LineData(quantity=Decimal(2), product=product)],
        our_reference="Olga",
    )
    invoice = services.invoice_issue(invoice=draft, actor=actor)
    assert invoice.status == "issued"
    assert invoice.issued_by_id == actor.id and invoice.issued_at is not None
    seller = invoice.seller_snapshot
    assert seller["organization_number"] == company_scope.organization_number
    assert seller["vat_registered"] is True and seller["in_foretaksregisteret"] is True
    assert seller["organization_number_display"].endswith("MVA Foretaksregisteret")
    assert seller["bank_account"] == company_scope.bank_account
    assert invoice.buyer_snapshot["name"] == "Fjord Bygg AS"
    assert invoice.buyer_snapshot["client_number"] == 42
    issued_line = invoice.lines.get()
    assert (issued_line.description, issued_line.item_number) == ("Rådgivning", "R-1")
    assert issued_line.vat_rate == Decimal("25.00") and issued_line.vat_category == "S"
    assert invoice.total_excl_vat == Decimal("2000.00")
    assert invoice.total_vat == invoice.total_vat_nok == Decimal("500.00")
    assert invoice.total_incl_vat == Decimal("2500.00")
    # Later changes to client, company and product don't touch the issued invoice.
    buyer.name = "Nytt Navn AS"
    buyer.save()
    product.name = "Annet"
    product.save()
    company_scope.name = "Omdøpt AS"
    company_scope.save()
    invoice.refresh_from_db()
    assert invoice.buyer_snapshot["name"] == "Fjord Bygg AS"
    assert invoice.seller_snapshot["name"] == "Nordlys Regnskap AS"
    assert invoice.lines.get().description == "Rådgivning"
    entry = AuditEntry.objects.get(action="invoicing.invoice.issued")
    assert entry.object_id == str(invoice.pk) and entry.data["number"] == invoice.number


@time_machine.travel(datetime.datetime(2027, 2, 10, 12, tzinfo=datetime.UTC), tick=False)
def test_vat_rate_chosen_by_delivery_date(company_scope, actor):
    code = VatCode.objects.get(code="31")
    VatRate.objects.create(vat_code=code, valid_from=D(2027, 1, 1), rate=Decimal("10.00"))
    before = issued_invoice(
        company=company_scope,
        invoice_date=D(2027, 1, 5),
        delivery_date=D(2026, 12, 31),
        lines=[line(code="31")],
    )
    after = issued_invoice(
        company=company_scope,
        invoice_date=D(2027, 1, 5),
        delivery_date=D(2027, 1, 1),
        lines=[line(code="31")],
    )
    period = issued_invoice(
        company=company_scope,
        invoice_date=D(2027, 2, 1),
        delivery_period_start=D(2026, 12, 1),  # the line's period lies inside it
        delivery_period_end=D(2027, 1, 31),
        lines=[
            line(code="31"),
            line(code="31", period_start=D(2026, 12, 1), period_end=D(2026, 12, 31)),
        ],
    )
    assert before.lines.get().vat_rate == Decimal("15.00")
    assert before.total_vat == Decimal("15.00")
    assert after.lines.get().vat_rate == Decimal("10.00")
    assert after.total_vat == Decimal("10.00")
    assert sorted(rate for rate in period.lines.values_list("vat_rate", flat=True) if rate) == [
        Decimal("10.00"),
        Decimal("15.00"),
    ]
    assert period.vat_lines.count() == 2


def test_non_vat_registered_seller_only_code_7(company_scope, actor):
    company_scope.vat_registered = False
    company_scope.save()
    draft = draft_invoice(company=company_scope, lines=[line(code="7"), line(code="3")])
    with pytest.raises(ValidationError) as excinfo:
        services.invoice_issue(invoice=draft, actor=actor)
    assert "Linje 2" in " ".join(_errors(excinfo)["lines"])
    ok = issued_invoice(company=company_scope, lines=[line(code="7", unit_price="500.00")])
    assert ok.total_vat == 0 and ok.total_incl_vat == Decimal("500.00")
    assert ok.seller_snapshot["vat_registered"] is False
    vat_line = ok.vat_lines.get()
    assert (vat_line.vat_category, vat_line.vat_codes) == ("O", ["7"])


def test_reverse_charge_needs_buyer_orgnr_and_prints_the_text(company_scope, actor):
    person = ClientFactory(company=company_scope, organization_number="", kind="person")
    draft = draft_invoice(company=company_scope, client=person, lines=[line(code="51")])
    with pytest.raises(ValidationError) as excinfo:
        services.invoice_issue(invoice=draft, actor=actor)
    assert "client" in _errors(excinfo)
    invoice = issued_invoice(company=company_scope, lines=[line(code="51"), line(code="3")])
    reverse = invoice.vat_lines.get(vat_category="AE")
    assert reverse.invoice_text == "Omvendt avgiftsplikt – Merverdiavgift ikke beregnet"
    assert reverse.exemption_reason_code == "VATEX-EU-AE"
    assert reverse.vat == 0
    assert invoice.buyer_snapshot["vat_registered"] is True
    assert invoice.total_vat == Decimal("25.00")


def test_seller_needs_orgnr_and_bank_account(company_scope, actor):
    draft = draft_invoice(company=company_scope)
    company_scope.bank_account = ""
    company_scope.save()
    draft.company.refresh_from_db()
    with pytest.raises(ValidationError, match="kontonummer"):
        services.invoice_issue(invoice=draft, actor=actor)


def test_due_date_before_invoice_date_refused_by_the_database_too(company_scope):
    draft = draft_invoice(company=company_scope)
    draft.due_date = draft.invoice_date - datetime.timedelta(days=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        draft.save()


def test_delivery_after_invoice_date_only_on_a_prepayment_invoice(company_scope, actor):
    later = draft_invoice(
        company=company_scope, invoice_date=D(2026, 11, 2), delivery_date=D(2026, 11, 30)
    )
    with pytest.raises(ValidationError) as excinfo:
        services.invoice_issue(invoice=later, actor=actor)
    assert "delivery_date" in _errors(excinfo)
    invoice = issued_invoice(
        company=company_scope,
        invoice_date=D(2026, 11, 2),
        delivery_date=D(2026, 11, 30),
        is_prepayment=True,
    )
    assert invoice.number == 1 and invoice.is_prepayment


def test_negative_total_refused_but_deduction_lines_allowed(company_scope, actor):
    invoice = issued_invoice(
        company=company_scope,
        lines=[line(unit_price="100.00"), line(quantity="-1", unit_price="40.00")],
    )
    assert invoice.total_excl_vat == Decimal("60.00")
    draft = draft_invoice(company=company_scope, lines=[line(quantity="-1")])
    with pytest.raises(ValidationError, match="negativ"):
        services.invoice_issue(invoice=draft, actor=actor)


def test_foreign_currency_vat_also_in_nok(company_scope):
    invoice = issued_invoice(
        company=company_scope,
        currency="EUR",
        exchange_rate=Decimal("11.75"),
        lines=[line(unit_price="100.00")],
    )
    assert (invoice.currency, invoice.total_vat) == ("EUR", Decimal("25.00"))
    assert invoice.total_vat_nok == Decimal("293.75")
    assert invoice.vat_lines.get().vat_nok == Decimal("293.75")


def test_hooks_run_for_issued_documents_only(
    company_scope, actor, django_capture_on_commit_callbacks
):
    """Receivers run in the issuing transaction once the document is complete; a refused
    issue calls none (their outbox rows would roll back with it anyway)."""
    seen = []

    def receiver(*, invoice_id):
        seen.append(invoice_id)

    hooks.on_document_issued(receiver)
    try:
        draft = draft_invoice(company=company_scope)
        with django_capture_on_commit_callbacks(execute=True):
            invoice = services.invoice_issue(invoice=draft, actor=actor)
        assert seen == [invoice.pk]
        bad = draft_invoice(company=company_scope, lines=[])
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
            services.invoice_issue(invoice=bad, actor=actor)
        assert seen == [invoice.pk]
    finally:
        hooks.remove_receiver(receiver)


# --- foreign buyers and foreign currency (issue 9, defect 6) ---------------------------------


def test_a_foreign_currency_invoice_needs_the_companys_iban(company_scope, actor):
    company_scope.iban = ""
    company_scope.save()
    draft = draft_invoice(company=company_scope, currency="EUR", exchange_rate=Decimal("11.5"))
    with pytest.raises(ValidationError) as excinfo:
        services.invoice_issue(invoice=draft, actor=actor)
    assert "IBAN" in " ".join(excinfo.value.message_dict["currency"])
    draft.refresh_from_db()
    assert draft.is_draft and draft.number is None
    company_scope.iban = "NO9386011117947"
    company_scope.save()
    issued = services.invoice_issue(invoice=draft, actor=actor)
    assert issued.seller_snapshot["iban"] == "NO9386011117947"
    # A NOK invoice is paid to the Norwegian account number and needs no IBAN.
    company_scope.iban = ""
    company_scope.save()
    services.invoice_issue(invoice=draft_invoice(company=company_scope), actor=actor)
