"""At issue, every invoice is checked with the full EHF rule set (documents.issue_check)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from customers.models import Client
from documents.issue_check import ehf_issue_problems
from invoicing import hooks, services
from invoicing.models import Invoice, NumberSeries
from invoicing.tests.factories import SYSTEM, ClientFactory, draft_invoice

D = datetime.date


def test_documents_registers_the_ehf_check_into_invoicing():
    assert ehf_issue_problems in hooks._validators


def test_an_invoice_whose_ehf_breaks_a_rule_is_not_issued(company_scope):
    buyer = ClientFactory(company=company_scope)
    # A client without a name (saved before the client form required one).
    Client.objects.filter(pk=buyer.pk).update(name="")
    buyer.refresh_from_db()
    draft = draft_invoice(company=company_scope, client=buyer)
    with pytest.raises(ValidationError) as excinfo:
        services.invoice_issue(invoice=draft, actor=SYSTEM)
    message = excinfo.value.message_dict["__all__"][0]
    assert "ugyldig EHF" in message and "kunden mangler navn (regel BR-07)" in message
    draft.refresh_from_db()
    assert draft.is_draft and draft.number is None
    assert not NumberSeries.objects.filter(next_number__gt=1).exists()


def test_a_buyer_without_peppol_address_is_still_checked_and_issued(company_scope):
    person = ClientFactory(
        company=company_scope,
        kind=Client.Kind.PERSON,
        organization_number="",
        peppol_id="",
        delivery_channel=Client.DeliveryChannel.EMAIL,
    )
    issued = services.invoice_issue(
        invoice=draft_invoice(company=company_scope, client=person), actor=SYSTEM
    )
    assert issued.number == 1 and issued.buyer_snapshot["peppol_id"] == ""


def test_the_check_uses_the_objects_in_memory(company_scope, django_assert_num_queries):
    """No query per line: the validator builds the EHF from what the issue holds."""
    draft = draft_invoice(company=company_scope)
    services.invoice_issue(invoice=draft, actor=SYSTEM)
    invoice = Invoice.objects.select_related("company", "client").get(pk=draft.pk)
    lines = list(invoice.lines.select_related("vat_code", "product"))
    vat_lines = list(invoice.vat_lines.all())
    with django_assert_num_queries(0):
        assert ehf_issue_problems(invoice=invoice, lines=lines, vat_lines=vat_lines) == []


def test_a_prepayment_invoice_is_type_386_in_the_ehf(company_scope):
    from documents.adapters import document_from_invoice, load_for_document
    from documents.ehf import build_ehf

    draft = draft_invoice(
        company=company_scope,
        invoice_date=D(2026, 11, 2),
        delivery_date=D(2026, 11, 20),
        is_prepayment=True,
    )
    issued = services.invoice_issue(invoice=draft, actor=SYSTEM)
    xml = build_ehf(document_from_invoice(load_for_document(issued.pk))).decode()
    assert "<cbc:InvoiceTypeCode>386</cbc:InvoiceTypeCode>" in xml
