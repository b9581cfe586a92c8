"""Issued invoices become documents from their frozen data only; EHF and PDF agree."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from documents.adapters import document_from_invoice, load_for_document
from documents.ehf import build_ehf
from documents.ehf_rules import fatal_violations
from documents.pdf import render_pdf
from documents.tests.ehf_support import elements, xsd_errors
from invoicing import services
from invoicing.tests.factories import SYSTEM, ClientFactory, draft_invoice, line

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def three_rate_lines():
    return [
        line(quantity="7.5", unit_price="1250.00", code="3", description="Rådgivning"),
        line(quantity="12", unit_price="89.50", code="31", discount="10", description="Lunsj"),
        line(quantity="2", unit_price="1195.00", code="33", description="Hotell"),
    ]


def issue(company, **kwargs):
    draft = draft_invoice(company=company, **kwargs)
    issued = services.invoice_issue(invoice=draft, actor=SYSTEM)
    return load_for_document(issued.pk)


def test_issued_invoice_document_has_the_stored_figures_and_passes_ehf_rules(company_scope):
    invoice = issue(company_scope, lines=three_rate_lines(), buyer_reference="PRJ-9")
    document = document_from_invoice(invoice)
    assert document.number == str(invoice.number)
    assert document.totals.tax_inclusive == invoice.total_incl_vat
    assert [s.vat_rate for s in document.vat_subtotals] == [
        Decimal("25.00"),
        Decimal("15.00"),
        Decimal("12.00"),
    ]
    assert document.seller.organization_number == company_scope.organization_number
    xml = build_ehf(document, pdf=render_pdf(document))
    assert xsd_errors(xml) == []
    assert fatal_violations(xml) == []


def test_document_uses_the_snapshot_not_live_data(company_scope):
    invoice = issue(company_scope, lines=three_rate_lines())
    company_scope.name = "Nytt Navn AS"
    company_scope.save()
    invoice.client.name = "Omdøpt Kunde AS"
    invoice.client.save()
    document = document_from_invoice(load_for_document(invoice.pk))
    assert document.seller.name == "Nordlys Regnskap AS"
    assert document.buyer.name != "Omdøpt Kunde AS"


def test_credit_note_document_references_its_invoice(company_scope):
    invoice = issue(company_scope, lines=three_rate_lines(), their_reference="Kari Nordmann")
    credit_note = services.invoice_credit(invoice=invoice, actor=SYSTEM)
    document = document_from_invoice(load_for_document(credit_note.pk))
    assert document.is_credit_note
    assert document.credited is not None
    assert document.credited.number == str(invoice.number)
    assert document.totals.tax_inclusive == invoice.total_incl_vat
    xml = build_ehf(document)
    assert xsd_errors(xml) == []
    assert fatal_violations(xml) == []


def test_reverse_charge_document_carries_the_mandatory_text(company_scope):
    invoice = issue(
        company_scope,
        lines=[line(quantity="10", unit_price="800", code="51", description="Tømrerarbeid")],
        order_number="4500012",
    )
    document = document_from_invoice(invoice)
    assert "Omvendt avgiftsplikt – Merverdiavgift ikke beregnet" in document.legal_texts
    assert document.buyer.vat_id == f"NO{invoice.client.organization_number}MVA"
    xml = build_ehf(document)
    assert fatal_violations(xml) == []


def test_foreign_currency_document_has_vat_in_nok(company_scope):
    invoice = issue(
        company_scope,
        lines=three_rate_lines(),
        currency="EUR",
        exchange_rate=Decimal("11.5"),
        buyer_reference="Innkjøp 7",
    )
    document = document_from_invoice(invoice)
    assert document.currency == "EUR"
    assert document.totals.tax_nok == invoice.total_vat_nok
    xml = build_ehf(document)
    assert xsd_errors(xml) == []
    assert fatal_violations(xml) == []


def test_draft_preview_has_no_number_and_the_same_arithmetic(company_scope):
    client = ClientFactory(company=company_scope)
    draft = draft_invoice(company=company_scope, client=client, lines=three_rate_lines())
    preview = document_from_invoice(load_for_document(draft.pk))
    assert preview.is_draft
    issued = services.invoice_issue(invoice=draft, actor=SYSTEM)
    final = document_from_invoice(load_for_document(issued.pk))
    assert preview.totals.tax_inclusive == final.totals.tax_inclusive
    assert [s.tax_amount for s in preview.vat_subtotals] == [
        s.tax_amount for s in final.vat_subtotals
    ]
    assert "UTKAST" in pdf_text(render_pdf(preview))


def test_document_queries_are_bounded(company_scope, django_assert_max_num_queries):
    invoice = issue(
        company_scope,
        lines=three_rate_lines() * 10,
        invoice_date=datetime.date(2026, 11, 2),
    )
    with django_assert_max_num_queries(6):
        document_from_invoice(load_for_document(invoice.pk))


def test_units_are_named_in_the_documents_language_not_the_requests(company_scope, settings):
    """Issue 9 defect 7: an English PDF used the Norwegian unit names (and the reverse in
    an English session)."""
    from django.utils import translation

    english = ClientFactory(company=company_scope, language="en")
    norwegian = ClientFactory(company=company_scope, language="nb")
    lines = [line(unit="HUR"), line(unit="EA", description="Ting")]
    en_doc = document_from_invoice(issue(company_scope, client=english, lines=lines))
    assert [item.unit_label for item in en_doc.lines] == ["h", "pcs"]
    with translation.override("en"):
        nb_doc = document_from_invoice(issue(company_scope, client=norwegian, lines=lines))
    assert [item.unit_label for item in nb_doc.lines] == ["t", "stk"]
    assert " pcs " in pdf_text(render_pdf(en_doc)).replace("\n", " ")


def test_consumers_see_prices_incl_vat_by_default_and_the_setting_is_frozen_at_issue(
    company_scope,
):
    """Issue 9 defect 7: a per-client setting, person clients default to prices incl. VAT."""
    from customers.models import Client

    person = ClientFactory(
        company=company_scope, kind="person", organization_number="", peppol_id=""
    )
    business = ClientFactory(company=company_scope)
    forced = ClientFactory(company=company_scope, price_display="incl")
    lines = [line(quantity="2", unit_price="100.00")]
    person_doc = document_from_invoice(issue(company_scope, client=person, lines=lines))
    assert person_doc.prices_include_vat
    text = pdf_text(render_pdf(person_doc))
    assert "Pris inkl. mva" in text and "250,00" in text
    assert "Sum eks. MVA" in text  # the VAT breakdown stays
    assert not document_from_invoice(
        issue(company_scope, client=business, lines=lines)
    ).prices_include_vat
    issued = issue(company_scope, client=forced, lines=lines)
    assert document_from_invoice(issued).prices_include_vat
    Client.objects.filter(pk=forced.pk).update(price_display="excl")
    assert document_from_invoice(load_for_document(issued.pk)).prices_include_vat


def test_the_buyers_foreign_vat_number_is_frozen_at_issue(company_scope):
    client = ClientFactory(
        company=company_scope, country="SE", organization_number="", vat_number="SE556677889901"
    )
    issued = services.invoice_issue(
        invoice=draft_invoice(company=company_scope, client=client), actor=SYSTEM
    )
    client.vat_number = "SE556677889901"[:-2] + "02"
    client.save()
    assert issued.buyer_snapshot["vat_number"] == "SE556677889901"
    document = document_from_invoice(load_for_document(issued.pk))
    assert document.buyer.foreign_vat_id == "SE556677889901"
    assert document.buyer.vat_id == "SE556677889901"


def test_place_of_delivery_goes_to_the_ehf_deliver_to_address(company_scope):
    """BG-15 (BT-75..BT-80) from the invoice's place of delivery; the country defaults
    to NO (BR-57: a deliver-to address always has its country)."""
    from lxml import etree

    document = document_from_invoice(
        issue(
            company_scope,
            buyer_reference="PRJ-9",
            delivery_address="Kaia 1",
            delivery_city="Bergen",
        )
    )
    xml = build_ehf(document)
    assert xsd_errors(xml) == []
    assert fatal_violations(xml) == []
    ns = {
        "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
        "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    }
    place = elements(etree.fromstring(xml), "/*/cac:Delivery/cac:DeliveryLocation/cac:Address", ns)
    assert len(place) == 1
    assert place[0].findtext("cbc:StreetName", namespaces=ns) == "Kaia 1"
    assert place[0].findtext("cbc:CityName", namespaces=ns) == "Bergen"
    assert place[0].findtext("cac:Country/cbc:IdentificationCode", namespaces=ns) == "NO"


def test_place_of_delivery_country_must_be_an_iso_3166_code(company_scope):
    """Two letters are not enough: "XX" would give an EHF that fails BR-CL-14, so the
    draft is refused with the field named, as for a client's country."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as excinfo:
        draft_invoice(company=company_scope, delivery_city="Malmö", delivery_country="XX")
    assert "delivery_country" in excinfo.value.message_dict
    assert "XX" in excinfo.value.message_dict["delivery_country"][0]
    draft = draft_invoice(company=company_scope, delivery_city="Malmö", delivery_country="se")
    assert draft.delivery_country == "SE"


def test_place_of_delivery_is_on_the_pdf_and_frozen_at_issue(company_scope):
    """Issue 9 defect 7 / § 5-1-1 nr. 4: the place of delivery when it is not the buyer's."""
    from django.core.exceptions import ValidationError

    from invoicing.models import Invoice, IssuedDocumentError

    issued = issue(
        company_scope,
        delivery_address=" Byggeplass Fjordgata 12 ",
        delivery_postcode="7010",
        delivery_city="Trondheim",
    )
    document = document_from_invoice(issued)
    assert document.delivery_address is not None
    assert document.delivery_address.line1 == "Byggeplass Fjordgata 12"
    assert document.delivery_address.country == "NO"
    text = " ".join(pdf_text(render_pdf(document)).split())
    assert "Leveringssted Byggeplass Fjordgata 12, 7010 Trondheim" in text
    frozen = Invoice.objects.get(pk=issued.pk)
    frozen.delivery_city = "Oslo"
    with pytest.raises(IssuedDocumentError):
        frozen.save()
    plain = document_from_invoice(issue(company_scope))
    assert plain.delivery_address is None
    assert "Leveringssted" not in pdf_text(render_pdf(plain))
    with pytest.raises(ValidationError) as excinfo:
        draft_invoice(company=company_scope, delivery_postcode="7010")
    assert "delivery_address" in excinfo.value.message_dict
    with pytest.raises(ValidationError) as excinfo:
        draft_invoice(company=company_scope, delivery_city="Malmö", delivery_country="Sverige")
    assert "delivery_country" in excinfo.value.message_dict
