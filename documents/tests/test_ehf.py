"""EHF (Peppol BIS Billing 3.0) output: XSD-valid, rule-clean, and as the law wants it."""

from __future__ import annotations

import base64
import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from lxml import etree

from documents.document import Address, DocumentReference
from documents.ehf import CUSTOMIZATION_ID, PROFILE_ID, EhfNotPossible, build_ehf
from documents.ehf_rules import check_ehf, fatal_violations
from documents.tests.ehf_support import xsd_errors
from documents.tests.factories import (
    make_buyer,
    make_document,
    make_line,
    make_seller,
    reverse_charge_lines,
)
from documents.tests.golden import assert_matches_golden

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}

EXEMPTIONS = {
    "E": ("", "Unntatt fra merverdiavgift, merverdiavgiftsloven kapittel 3"),
    "G": ("VATEX-EU-G", "Utførsel, fritatt for merverdiavgift"),
    "O": ("VATEX-EU-O", "Ikke merverdiavgiftspliktig"),
}


def with_exemptions(document):
    """Exemption reasons as the VAT code table gives them (the factory sets only AE's)."""
    subtotals = []
    for subtotal in document.vat_subtotals:
        if subtotal.vat_category in EXEMPTIONS:
            code, reason = EXEMPTIONS[subtotal.vat_category]
            subtotal = replace(subtotal, exemption_reason_code=code, exemption_reason=reason)
        subtotals.append(subtotal)
    return replace(document, vat_subtotals=tuple(subtotals))


def single(category: str, description: str, **line) -> object:
    document = make_document(
        lines=(make_line(description=description, vat_category=category, vat_rate="0", **line),)
    )
    return with_exemptions(document)


def foreign_currency():
    buyer = make_buyer(
        name="Nordic Timber GmbH",
        address=Address(line1="Hafenstraße 5", postcode="20457", city="Hamburg", country="DE"),
        organization_number="",
        vat_registered=False,
        in_foretaksregisteret=False,
        peppol_id="9930:DE136695976",
        foreign_vat_id="DE136695976",
    )
    return make_document(
        currency="EUR",
        exchange_rate=Decimal("11.7325"),
        buyer=buyer,
        iban="NO9386011117947",
        bic="DNBANOKKXXX",
    )


def credit_by_amount_with_cumulative_rounding():
    """The last of several credit notes: a lump-sum line credited by amount, and VAT that
    takes exactly what remained (0.01 off its own basis × rate, as cumulative rounding can
    leave it)."""
    document = make_document(
        kind="credit_note",
        lines=(
            make_line(
                description="Kreditert beløp: Rådgivning",
                unit_price="0.33",
                unit_code="LS",
                unit_label="rs",
            ),
            make_line(position=2, description="Porto", quantity="0.1", unit_price="3.33"),
        ),
    )
    subtotal = document.vat_subtotals[0]
    off = replace(subtotal, tax_amount=subtotal.tax_amount + Decimal("0.01"))
    totals = replace(
        document.totals,
        tax=document.totals.tax + Decimal("0.01"),
        tax_inclusive=document.totals.tax_inclusive + Decimal("0.01"),
    )
    return replace(document, vat_subtotals=(off,), totals=totals)


def delivered_elsewhere():
    """Goods delivered to a building site abroad, not to the buyer's address."""
    return make_document(
        delivery_address=Address(
            line1="Byggeplass Storgatan 5",
            line2="Port 3",
            postcode="411 38",
            city="Göteborg",
            country="SE",
        )
    )


VARIANTS = {
    "delivery-place": delivered_elsewhere,
    "credit-note-by-amount": credit_by_amount_with_cumulative_rounding,
    "credit-note-foreign-currency": lambda: replace(
        foreign_currency(),
        kind="credit_note",
        number="10024",
        due_date=None,
        kid="",
        credited=DocumentReference(number="10023", issue_date=datetime.date(2026, 11, 24)),
    ),
    "invoice-three-rates": lambda: make_document(),
    "credit-note": lambda: make_document(kind="credit_note"),
    "reverse-charge": lambda: make_document(lines=reverse_charge_lines()),
    "foreign-currency": foreign_currency,
    "zero-rated": lambda: single("Z", "Aviser, årsabonnement", unit_price="2400"),
    "export": lambda: single("G", "Maskindeler til Sverige", quantity="4", unit_price="990"),
    "exempt": lambda: single("E", "Helsetjeneste", unit_price="1500"),
    "outside-scope": lambda: with_exemptions(
        make_document(
            seller=make_seller(vat_registered=False, in_foretaksregisteret=False),
            lines=(
                make_line(
                    description="Konsulenttime",
                    quantity="7.5",
                    unit_price="800",
                    vat_category="O",
                    vat_rate="0",
                ),
            ),
        )
    ),
    "discounts": lambda: make_document(
        lines=(
            make_line(
                position=1,
                description="Lisens, årlig",
                quantity="3",
                unit_price="1999.99",
                discount_percent="12.5",
            ),
            make_line(
                position=2,
                description="Kurs\nHeldagskurs i fakturering",
                unit_price="4500",
                discount_percent="100",
            ),
            make_line(
                position=3,
                description="Retur av vare",
                quantity="-1",
                unit_price="300",
                discount_percent="10",
            ),
        )
    ),
    "period-and-lines-with-periods": lambda: make_document(
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 11, 30),
        lines=(
            make_line(
                description="Leie av kontorplass",
                unit_price="12000",
                unit_code="MON",
                unit_label="mnd",
                period_start=datetime.date(2026, 11, 1),
                period_end=datetime.date(2026, 11, 30),
            ),
        ),
    ),
}


def xpath(xml: bytes, path: str) -> list:
    found = etree.fromstring(xml).xpath(path, namespaces=NS)
    assert isinstance(found, list), path
    return found


def text(xml: bytes, path: str) -> str:
    found = xpath(xml, path)
    assert found, f"{path} not found"
    return found[0].text if hasattr(found[0], "text") else str(found[0])


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_variant_is_xsd_valid_and_passes_the_business_rules(variant):
    xml = build_ehf(VARIANTS[variant](), pdf=b"%PDF-1.7 test")
    assert xsd_errors(xml) == []
    assert [str(v) for v in check_ehf(xml) if v.rule != "NO-R-002"] == []


@pytest.mark.parametrize(
    "variant", ["invoice-three-rates", "credit-note", "foreign-currency", "delivery-place"]
)
def test_ehf_matches_its_golden_file(variant):
    xml = build_ehf(VARIANTS[variant]())
    assert_matches_golden(f"ehf-{variant}.xml", xml.decode("utf-8"))


def test_invoice_header_identifies_peppol_bis_3_and_norwegian_parties():
    xml = build_ehf(make_document())
    assert text(xml, "cbc:CustomizationID") == CUSTOMIZATION_ID
    assert text(xml, "cbc:ProfileID") == PROFILE_ID
    assert text(xml, "cbc:InvoiceTypeCode") == "380"
    seller = "cac:AccountingSupplierParty/cac:Party"
    assert text(xml, f"{seller}/cbc:EndpointID") == "995525828"
    assert text(xml, f"{seller}/cbc:EndpointID/@schemeID") == "0192"
    vat = text(xml, f"{seller}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID")
    assert vat == "NO995525828MVA"
    tax = text(xml, f"{seller}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='TAX']/cbc:CompanyID")
    assert tax == "Foretaksregisteret"
    assert text(xml, f"{seller}/cac:PartyLegalEntity/cbc:CompanyLegalForm") == "Foretaksregisteret"
    assert text(xml, "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID") == "988077917"


def test_vat_is_broken_down_per_rate_with_en16931_figures():
    document = make_document()
    xml = build_ehf(document)
    subtotals = xpath(xml, "cac:TaxTotal/cac:TaxSubtotal")
    rates = [s.xpath("cac:TaxCategory/cbc:Percent", namespaces=NS)[0].text for s in subtotals]
    assert rates == ["25", "15", "12"]
    # 7.5 × 1250 = 9375.00 at 25 %; 12 × 89.50 − 10 % = 966.60 at 15 %; 2 × 1195 at 12 %
    assert [s.xpath("cbc:TaxableAmount", namespaces=NS)[0].text for s in subtotals] == [
        "9375.00",
        "966.60",
        "2390.00",
    ]
    assert [s.xpath("cbc:TaxAmount", namespaces=NS)[0].text for s in subtotals] == [
        "2343.75",
        "144.99",
        "286.80",
    ]
    assert text(xml, "cac:LegalMonetaryTotal/cbc:PayableAmount") == str(
        document.totals.tax_inclusive
    )


def test_payment_means_carry_the_account_and_the_kid():
    document = make_document()
    xml = build_ehf(document)
    assert text(xml, "cac:PaymentMeans/cbc:PaymentMeansCode") == "30"
    assert text(xml, "cac:PaymentMeans/cbc:PaymentID") == document.kid
    assert document.kid
    assert text(xml, "cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID") == "86011117947"


def test_discount_is_a_line_allowance_with_percentage_and_base():
    xml = build_ehf(make_document())
    allowance = xpath(xml, "cac:InvoiceLine[cbc:ID='2']/cac:AllowanceCharge")[0]
    values = {etree.QName(e).localname: e.text for e in allowance}
    assert values == {
        "ChargeIndicator": "false",
        "AllowanceChargeReasonCode": "95",
        "AllowanceChargeReason": "Rabatt",
        "MultiplierFactorNumeric": "10",
        "Amount": "107.40",
        "BaseAmount": "1074.00",
    }


def test_credit_note_references_the_invoice_it_credits():
    xml = build_ehf(make_document(kind="credit_note"))
    assert etree.QName(etree.fromstring(xml)).localname == "CreditNote"
    assert text(xml, "cbc:CreditNoteTypeCode") == "381"
    assert text(xml, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID") == "10023"
    assert text(xml, "cac:BillingReference/cac:InvoiceDocumentReference/cbc:IssueDate") == (
        "2026-11-24"
    )
    assert xpath(xml, "cac:CreditNoteLine/cbc:CreditedQuantity")


def test_reverse_charge_states_the_exemption_and_the_mandatory_text():
    xml = build_ehf(make_document(lines=reverse_charge_lines()))
    category = "cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory"
    assert text(xml, f"{category}/cbc:ID") == "AE"
    assert text(xml, f"{category}/cbc:TaxExemptionReasonCode") == "VATEX-EU-AE"
    assert "Omvendt avgiftsplikt – Merverdiavgift ikke beregnet" in text(xml, "cbc:Note")
    assert len(xpath(xml, "cbc:Note")) == 1


def test_foreign_currency_states_vat_in_nok_as_well():
    document = foreign_currency()
    xml = build_ehf(document)
    assert text(xml, "cbc:DocumentCurrencyCode") == "EUR"
    assert text(xml, "cbc:TaxCurrencyCode") == "NOK"
    nok = xpath(xml, "cac:TaxTotal/cbc:TaxAmount[@currencyID='NOK']")
    assert len(nok) == 1
    assert Decimal(nok[0].text) == document.totals.tax_nok
    assert Decimal(nok[0].text) > document.totals.tax  # EUR → NOK at 11.7325


def test_foreign_currency_is_paid_to_the_iban_with_the_bic():
    xml = build_ehf(foreign_currency())
    account = "cac:PaymentMeans/cac:PayeeFinancialAccount"
    assert text(xml, f"{account}/cbc:ID") == "NO9386011117947"
    assert text(xml, f"{account}/cac:FinancialInstitutionBranch/cbc:ID") == "DNBANOKKXXX"
    # In NOK the Norwegian account number is used, and a BIC without the IBAN is left out.
    nok = build_ehf(make_document(iban="NO9386011117947", bic="DNBANOKKXXX"))
    assert text(nok, f"{account}/cbc:ID") == "86011117947"
    assert xpath(nok, f"{account}/cac:FinancialInstitutionBranch") == []


def test_a_foreign_buyers_vat_number_is_its_vat_identifier():
    xml = build_ehf(foreign_currency())
    buyer = "cac:AccountingCustomerParty/cac:Party"
    scheme = f"{buyer}/cac:PartyTaxScheme"
    assert text(xml, f"{scheme}/cbc:CompanyID") == "DE136695976"
    assert text(xml, f"{scheme}/cac:TaxScheme/cbc:ID") == "VAT"
    assert xpath(xml, f"{buyer}/cac:PartyLegalEntity/cbc:CompanyID") == []  # none in a DE VAT no.


@pytest.mark.parametrize(
    ("vat", "scheme", "registration"),
    [("SE556677889901", "0007", "5566778899"), ("DK13585628", "0184", "DK13585628")],
)
def test_swedish_and_danish_vat_numbers_also_give_the_legal_registration(vat, scheme, registration):
    buyer = make_buyer(
        name="Nordic Timber",
        address=Address(line1="Storgatan 1", postcode="41101", city="Göteborg", country=vat[:2]),
        organization_number="",
        vat_registered=False,
        peppol_id=f"{scheme}:{registration}",
        foreign_vat_id=vat,
    )
    xml = build_ehf(make_document(buyer=buyer, lines=(make_line(vat_category="G", vat_rate="0"),)))
    entity = xpath(xml, "cac:AccountingCustomerParty/cac:Party/cac:PartyLegalEntity/cbc:CompanyID")
    assert [(e.get("schemeID"), e.text) for e in entity] == [(scheme, registration)]
    assert xsd_errors(xml) == []


def test_outside_scope_invoice_carries_no_vat_identifier_and_no_rate():
    xml = build_ehf(VARIANTS["outside-scope"]())
    assert not xpath(xml, "//cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']")
    assert not xpath(xml, "//cac:TaxCategory/cbc:Percent")
    assert not xpath(xml, "//cac:ClassifiedTaxCategory/cbc:Percent")


def test_the_pdf_is_embedded_as_an_attachment():
    xml = build_ehf(make_document(), pdf=b"%PDF-1.7 faktura")
    binary = xpath(xml, "cac:AdditionalDocumentReference/cac:Attachment/*")[0]
    assert binary.get("mimeCode") == "application/pdf"
    assert binary.get("filename") == "faktura-10023.pdf"
    assert base64.b64decode(binary.text) == b"%PDF-1.7 faktura"


def test_buyer_reference_is_the_buyers_own_reference():
    xml = build_ehf(make_document(buyer_reference="PO-ANSV-17", their_reference="Per Østli"))
    assert text(xml, "cbc:BuyerReference") == "PO-ANSV-17"


def test_buyer_reference_falls_back_to_their_reference_never_to_our_numbers():
    document = make_document(buyer_reference="", their_reference="Per Østli", order_reference="")
    xml = build_ehf(document)
    assert text(xml, "cbc:BuyerReference") == "Per Østli"
    assert fatal_violations(xml) == []


def test_without_any_buyer_reference_bt10_is_left_out_not_filled_with_our_client_number():
    document = make_document(buyer_reference="", their_reference="", order_reference="")
    xml = build_ehf(document)
    assert xpath(xml, "cbc:BuyerReference") == []
    assert document.client_number not in [e.text for e in xpath(xml, "//cbc:BuyerReference")]
    # With no order reference either, Peppol's R003 says the EHF is not valid.
    assert "PEPPOL-EN16931-R003" in {v.rule for v in fatal_violations(xml)}


def test_an_order_reference_alone_satisfies_r003():
    document = make_document(buyer_reference="", their_reference="", order_reference="4500012")
    xml = build_ehf(document)
    assert xpath(xml, "cbc:BuyerReference") == []
    assert text(xml, "cac:OrderReference/cbc:ID") == "4500012"
    assert fatal_violations(xml) == []


def test_a_buyer_without_peppol_address_cannot_get_an_ehf():
    person = make_buyer(organization_number="", peppol_id="", is_person=True)
    with pytest.raises(EhfNotPossible):
        build_ehf(make_document(buyer=person))


def test_a_draft_cannot_be_built():
    with pytest.raises(EhfNotPossible):
        build_ehf(make_document(number=None))


def test_no_empty_elements_even_with_sparse_data():
    sparse_buyer = make_buyer(email="", phone="", contact_name="")
    xml = build_ehf(make_document(buyer=sparse_buyer, note="", our_reference="", bic=""))
    assert [v.rule for v in check_ehf(xml)] == []


def test_place_of_delivery_is_the_deliver_to_address_with_its_country():
    xml = build_ehf(delivered_elsewhere())
    delivery = "/*/cac:Delivery"
    assert text(xml, f"{delivery}/cbc:ActualDeliveryDate") == "2026-11-20"
    place = f"{delivery}/cac:DeliveryLocation/cac:Address"
    assert text(xml, f"{place}/cbc:StreetName") == "Byggeplass Storgatan 5"  # BT-75
    assert text(xml, f"{place}/cbc:AdditionalStreetName") == "Port 3"  # BT-76
    assert text(xml, f"{place}/cbc:CityName") == "Göteborg"  # BT-77
    assert text(xml, f"{place}/cbc:PostalZone") == "411 38"  # BT-78
    assert text(xml, f"{place}/cac:Country/cbc:IdentificationCode") == "SE"  # BT-80 (BR-57)
    # The buyer's own address is untouched.
    assert text(xml, "//cac:AccountingCustomerParty//cac:PostalAddress/cbc:CityName") != "Göteborg"


def test_place_of_delivery_without_a_delivery_date_still_gives_a_delivery():
    document = replace(
        delivered_elsewhere(),
        delivery_date=None,
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 11, 30),
    )
    xml = build_ehf(document)
    assert xpath(xml, "/*/cac:Delivery/cbc:ActualDeliveryDate") == []
    assert text(xml, "/*/cac:Delivery/cac:DeliveryLocation/cac:Address/cbc:CityName") == "Göteborg"
    assert xsd_errors(xml) == []
    assert [str(v) for v in check_ehf(xml) if v.rule != "NO-R-002"] == []


def test_without_a_place_of_delivery_there_is_no_delivery_location():
    xml = build_ehf(make_document())
    assert xpath(xml, "//cac:DeliveryLocation") == []
    assert xpath(xml, "/*/cac:Delivery/cbc:ActualDeliveryDate")
    sparse = build_ehf(make_document(delivery_date=None))
    assert xpath(sparse, "/*/cac:Delivery") == []


def test_kosovo_is_1a_in_the_ehf_not_xk():
    """Our client register uses XK for Kosovo; the EN 16931 country list (BR-CL-14) has
    only 1A, so the EHF writes 1A for the buyer's and the delivery address."""
    kosovo = Address(
        line1="Rruga Agim Ramadani 15", postcode="10000", city="Prishtina", country="XK"
    )
    document = make_document(
        buyer=make_buyer(
            name="Dardania Trade LLC",
            address=kosovo,
            organization_number="",
            vat_registered=False,
            in_foretaksregisteret=False,
            peppol_id="0088:7080000801234",
        ),
        delivery_address=kosovo,
    )
    xml = build_ehf(document)
    codes = [element.text for element in xpath(xml, "//cac:Country/cbc:IdentificationCode")]
    assert "XK" not in codes and codes.count("1A") == 2
    assert xsd_errors(xml) == []
    assert "BR-CL-14" not in {violation.rule for violation in check_ehf(xml)}
    raw = xml.replace(b">1A<", b">XK<")
    assert "BR-CL-14" in {violation.rule for violation in check_ehf(raw)}
