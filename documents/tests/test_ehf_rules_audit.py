"""Rules added in the Peppol BIS Billing 3.0 (2026.5) audit: each one fires on a mutation.

Every test starts from a generated document that passes every rule, breaks one thing the
way a faulty sender would, and checks that the rule (by its official id) reports it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from lxml import etree

from documents.ehf import build_ehf
from documents.ehf_rules import check_ehf
from documents.tests.ehf_support import elements
from documents.tests.factories import make_buyer, make_document, make_line, make_seller

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CAC, CBC = (f"{{{NS[p]}}}" for p in ("cac", "cbc"))
SUBTOTAL = "cac:TaxTotal/cac:TaxSubtotal"


def rules(xml: bytes) -> set[str]:
    return {violation.rule for violation in check_ehf(xml)}


def xml_of(**document) -> bytes:
    xml = build_ehf(make_document(**document))
    assert rules(xml) == set(), rules(xml)
    return xml


def edit(xml: bytes, change) -> bytes:
    root = etree.fromstring(xml)
    change(root)
    return etree.tostring(root)


def find(root, path: str):
    found = root.xpath(path, namespaces=NS)
    assert found, path
    return found[0]


def set_text(path: str, value: str):
    def change(root):
        find(root, path).text = value

    return change


def remove(path: str):
    def change(root):
        element = find(root, path)
        element.getparent().remove(element)

    return change


def insert_after(path: str, snippet: str):
    def change(root):
        wrapped = f'<x xmlns:cac="{NS["cac"]}" xmlns:cbc="{NS["cbc"]}">{snippet}</x>'
        for element in reversed(list(etree.fromstring(wrapped))):
            find(root, path).addnext(element)

    return change


DOC_ALLOWANCE = (
    "<cac:AllowanceCharge><cbc:ChargeIndicator>{indicator}</cbc:ChargeIndicator>"
    "{reason}<cbc:Amount currencyID='NOK'>{amount}</cbc:Amount>{category}"
    "</cac:AllowanceCharge>"
)
S25 = (
    "<cac:TaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>25</cbc:Percent>"
    "<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme></cac:TaxCategory>"
)


def doc_allowance(
    indicator="false",
    reason="<cbc:AllowanceChargeReason>Rabatt</cbc:AllowanceChargeReason>",
    amount="0.00",
    category=S25,
):
    return DOC_ALLOWANCE.format(
        indicator=indicator, reason=reason, amount=amount, category=category
    )


@pytest.fixture
def good() -> bytes:
    return xml_of()


# --- VAT breakdown --------------------------------------------------------------------------


def test_br_co_17_allows_the_official_tolerance_but_not_more(good):
    one_ore = edit(good, set_text(f"{SUBTOTAL}[1]/cbc:TaxAmount", "2343.76"))
    assert "BR-CO-17" not in rules(one_ore)  # within one currency unit: a credit's last øre
    assert {"BR-CO-17", "BR-S-09"} <= rules(
        edit(good, set_text(f"{SUBTOTAL}[1]/cbc:TaxAmount", "2345.00"))
    )


@pytest.mark.parametrize(
    ("category", "rule"), [("Z", "BR-Z-09"), ("G", "BR-G-09"), ("E", "BR-E-09")]
)
def test_a_zero_rate_category_with_vat_is_caught(category, rule):
    line = make_line(vat_category=category, vat_rate="0")
    xml = build_ehf(make_document(lines=(line,)))
    broken = edit(xml, set_text(f"{SUBTOTAL}[1]/cbc:TaxAmount", "5.00"))
    assert rule in rules(broken)


def test_reverse_charge_and_outside_scope_with_vat_are_caught():
    reverse = build_ehf(
        make_document(lines=(make_line(description="Riving", vat_category="AE", vat_rate="0"),))
    )
    assert "BR-AE-09" in rules(edit(reverse, set_text(f"{SUBTOTAL}/cbc:TaxAmount", "1.00")))
    outside = build_ehf(
        make_document(
            seller=make_seller(vat_registered=False),
            lines=(make_line(vat_category="O", vat_rate="0"),),
        )
    )
    assert "BR-O-09" in rules(edit(outside, set_text(f"{SUBTOTAL}/cbc:TaxAmount", "1.00")))


@pytest.mark.parametrize(
    ("category", "rule"), [("Z", "BR-Z-01"), ("E", "BR-E-01"), ("G", "BR-G-01")]
)
def test_two_breakdowns_of_a_single_group_category_are_caught(category, rule):
    xml = build_ehf(make_document(lines=(make_line(vat_category=category, vat_rate="0"),)))

    def duplicate(root):
        subtotal = find(root, SUBTOTAL)
        subtotal.addnext(etree.fromstring(etree.tostring(subtotal)))

    assert rule in rules(edit(xml, duplicate))


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        (f"{SUBTOTAL}[1]/cbc:TaxableAmount", "BR-45"),
        (f"{SUBTOTAL}[1]/cbc:TaxAmount", "BR-46"),
        (f"{SUBTOTAL}[1]/cac:TaxCategory/cbc:ID", "BR-47"),
        (f"{SUBTOTAL}[1]/cac:TaxCategory/cbc:Percent", "BR-48"),
    ],
)
def test_an_incomplete_breakdown_is_caught(good, path, rule):
    assert rule in rules(edit(good, remove(path)))


def test_a_tax_registration_is_not_a_seller_vat_identifier():
    xml = build_ehf(make_document())
    vat = "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']"
    # Only «Foretaksregisteret» (TaxScheme TAX) left: not a VAT identifier.
    assert "BR-S-02" in rules(edit(xml, remove(vat)))


@pytest.mark.parametrize(
    ("code", "rule"),
    [
        ("VATEX-EU-G", "PEPPOL-EN16931-P0104"),
        ("VATEX-EU-O", "PEPPOL-EN16931-P0105"),
        ("VATEX-EU-IC", "PEPPOL-EN16931-P0106"),
        ("VATEX-EU-AE", "PEPPOL-EN16931-P0107"),
        ("VATEX-EU-D", "PEPPOL-EN16931-P0108"),
        ("VATEX-EU-F", "PEPPOL-EN16931-P0109"),
        ("VATEX-EU-I", "PEPPOL-EN16931-P0110"),
        ("VATEX-EU-J", "PEPPOL-EN16931-P0111"),
    ],
)
def test_an_exemption_code_of_another_category_is_caught(code, rule):
    category = "Z" if code in {"VATEX-EU-D", "VATEX-EU-F", "VATEX-EU-I", "VATEX-EU-J"} else "E"
    xml = build_ehf(make_document(lines=(make_line(vat_category=category, vat_rate="0"),)))
    broken = edit(
        xml,
        insert_after(
            f"{SUBTOTAL}/cac:TaxCategory/cbc:Percent",
            f"<cbc:TaxExemptionReasonCode>{code}</cbc:TaxExemptionReasonCode>",
        ),
    )
    assert rule in rules(broken)


# --- totals, document-level allowances and charges, decimals ----------------------------


@pytest.mark.parametrize(
    ("element", "value", "rule"),
    [
        ("AllowanceTotalAmount", "5.00", "BR-CO-11"),
        ("ChargeTotalAmount", "5.00", "BR-CO-12"),
        ("AllowanceTotalAmount", "0.001", "BR-DEC-10"),
        ("ChargeTotalAmount", "0.001", "BR-DEC-11"),
        ("PrepaidAmount", "0.001", "BR-DEC-16"),
        ("PayableRoundingAmount", "0.001", "BR-DEC-17"),
    ],
)
def test_optional_totals_are_checked(good, element, value, rule):
    snippet = f"<cbc:{element} currencyID='NOK'>{value}</cbc:{element}>"
    broken = edit(good, insert_after("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", snippet))
    assert rule in rules(broken)


@pytest.mark.parametrize(
    ("element", "rule"),
    [
        ("TaxExclusiveAmount", "BR-DEC-12"),
        ("TaxInclusiveAmount", "BR-DEC-14"),
        ("PayableAmount", "BR-DEC-18"),
    ],
)
def test_totals_with_more_than_two_decimals_are_caught(good, element, rule):
    path = f"cac:LegalMonetaryTotal/cbc:{element}"
    value = elements(etree.fromstring(good), path, NS)[0].text
    assert value is not None
    value += "1"
    assert rule in rules(edit(good, set_text(path, value)))


@pytest.mark.parametrize(
    ("snippet", "rule"),
    [
        (doc_allowance(category=""), "BR-32"),
        (doc_allowance(reason=""), "BR-33"),
        (doc_allowance(amount="0.001"), "BR-DEC-01"),
        (doc_allowance(indicator="true", category=""), "BR-37"),
        (doc_allowance(indicator="true", reason=""), "BR-38"),
        (doc_allowance(indicator="true", amount="0.001"), "BR-DEC-05"),
        (
            doc_allowance(
                reason="<cbc:AllowanceChargeReasonCode>999</cbc:AllowanceChargeReasonCode>"
            ),
            "PEPPOL-EN16931-CL002",
        ),
    ],
)
def test_a_faulty_document_allowance_or_charge_is_caught(good, snippet, rule):
    assert rule in rules(edit(good, insert_after("cac:PaymentTerms", snippet)))


def test_a_document_allowance_without_amount_is_caught(good):
    snippet = doc_allowance().replace("<cbc:Amount currencyID='NOK'>0.00</cbc:Amount>", "")
    charge = snippet.replace(">false<", ">true<")
    assert "BR-31" in rules(edit(good, insert_after("cac:PaymentTerms", snippet)))
    assert "BR-36" in rules(edit(good, insert_after("cac:PaymentTerms", charge)))


def test_document_allowance_base_amounts_with_three_decimals_are_caught(good):
    snippet = doc_allowance().replace(
        "</cbc:Amount>", "</cbc:Amount><cbc:BaseAmount currencyID='NOK'>1.001</cbc:BaseAmount>"
    )
    assert "BR-DEC-02" in rules(edit(good, insert_after("cac:PaymentTerms", snippet)))
    charge = snippet.replace(">false<", ">true<")
    assert "BR-DEC-06" in rules(edit(good, insert_after("cac:PaymentTerms", charge)))


# --- code lists and formats -------------------------------------------------------------------


def test_a_type_code_outside_the_billing_profile_is_caught(good):
    assert "PEPPOL-EN16931-P0100" in rules(edit(good, set_text("cbc:InvoiceTypeCode", "384")))
    credit = xml_of(kind="credit_note")
    assert "PEPPOL-EN16931-P0101" in rules(edit(credit, set_text("cbc:CreditNoteTypeCode", "384")))


@pytest.mark.parametrize("value", ["2026-13-01", "24.11.2026", "2026-11-24T10:00"])
def test_a_badly_formatted_date_is_caught(good, value):
    assert "PEPPOL-EN16931-F001" in rules(edit(good, set_text("cbc:IssueDate", value)))


def test_an_unknown_country_code_is_caught(good):
    path = (
        "cac:AccountingCustomerParty/cac:Party/cac:PostalAddress/cac:Country/cbc:IdentificationCode"
    )
    assert "BR-CL-14" in rules(edit(good, set_text(path, "NOR")))
    vat = "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"  # noqa: E501
    assert "BR-CO-09" in rules(edit(good, set_text(vat, "QQ995525828MVA")))


def test_invoice_period_rules(good):
    empty_period = (
        "<cac:InvoicePeriod><cbc:DescriptionCode>999</cbc:DescriptionCode></cac:InvoicePeriod>"
    )
    found = rules(edit(good, insert_after("cbc:BuyerReference", empty_period)))
    assert "PEPPOL-EN16931-CL006" in found
    no_dates = "<cac:InvoicePeriod><cbc:Description>x</cbc:Description></cac:InvoicePeriod>"
    assert "BR-CO-19" not in found
    root = etree.fromstring(good)
    wrapped = f'<x xmlns:cac="{NS["cac"]}" xmlns:cbc="{NS["cbc"]}">{no_dates}</x>'
    period = etree.fromstring(wrapped)[0]
    period.remove(period[0])
    find(root, "cbc:BuyerReference").addnext(period)
    assert "BR-CO-19" in rules(etree.tostring(root))
    both = "<cbc:TaxPointDate>2026-11-20</cbc:TaxPointDate>"
    coded = "<cac:InvoicePeriod><cbc:DescriptionCode>3</cbc:DescriptionCode></cac:InvoicePeriod>"
    xml = edit(good, insert_after("cbc:InvoiceTypeCode", both))
    assert "BR-CO-03" in rules(edit(xml, insert_after("cbc:BuyerReference", coded)))


def test_supporting_document_and_project_references(good):
    no_id = "<cac:AdditionalDocumentReference><cbc:DocumentDescription>x</cbc:DocumentDescription></cac:AdditionalDocumentReference>"  # noqa: E501
    assert "BR-52" in rules(edit(good, insert_after("cac:OrderReference", no_id)))
    project = "<cac:AdditionalDocumentReference><cbc:ID>P1</cbc:ID><cbc:DocumentTypeCode>50</cbc:DocumentTypeCode></cac:AdditionalDocumentReference>"  # noqa: E501
    assert "PEPPOL-EN16931-R080" in rules(
        edit(good, insert_after("cac:OrderReference", project + project))
    )


# --- lines: charges, prices, references ----------------------------------------------------

LINE = "cac:InvoiceLine[1]"
LINE_CHARGE = (
    "<cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator>{reason}"
    "<cbc:Amount currencyID='NOK'>{amount}</cbc:Amount>{base}</cac:AllowanceCharge>"
)


@pytest.mark.parametrize(
    ("reason", "amount", "base", "rule"),
    [
        ("", "0.00", "", "BR-44"),
        ("<cbc:AllowanceChargeReason>Frakt</cbc:AllowanceChargeReason>", "0.001", "", "BR-DEC-27"),
    ],
)
def test_faulty_line_charges_are_caught(good, reason, amount, base, rule):
    snippet = LINE_CHARGE.format(reason=reason, amount=amount, base=base)
    assert rule in rules(edit(good, insert_after(f"{LINE}/cbc:LineExtensionAmount", snippet)))


def test_a_line_charge_without_amount_and_base_decimals_are_caught(good):
    charge = "<cac:AllowanceCharge><cbc:ChargeIndicator>true</cbc:ChargeIndicator><cbc:AllowanceChargeReason>Frakt</cbc:AllowanceChargeReason></cac:AllowanceCharge>"  # noqa: E501
    assert "BR-43" in rules(edit(good, insert_after(f"{LINE}/cbc:LineExtensionAmount", charge)))
    discounted = xml_of(lines=(make_line(discount_percent="10"),))
    base = "cac:InvoiceLine/cac:AllowanceCharge/cbc:BaseAmount"
    assert "BR-DEC-25" in rules(edit(discounted, set_text(base, "1000.001")))


def _price_allowance(indicator: str, amount: str, base: str) -> str:
    return (
        f"<cac:AllowanceCharge><cbc:ChargeIndicator>{indicator}</cbc:ChargeIndicator>"
        f"<cbc:Amount currencyID='NOK'>{amount}</cbc:Amount>"
        f"<cbc:BaseAmount currencyID='NOK'>{base}</cbc:BaseAmount></cac:AllowanceCharge>"
    )


@pytest.mark.parametrize(
    ("snippet", "rule"),
    [
        (_price_allowance("true", "0.00", "1000.00"), "PEPPOL-EN16931-R044"),
        (_price_allowance("false", "100.00", "1000.00"), "PEPPOL-EN16931-R046"),
        (_price_allowance("false", "-1000.00", "-0.01"), "BR-28"),
    ],
)
def test_faulty_price_allowances_are_caught(good, snippet, rule):
    assert rule in rules(edit(good, insert_after(f"{LINE}/cac:Price/cbc:PriceAmount", snippet)))


def test_a_base_quantity_in_another_unit_is_caught(good):
    snippet = "<cbc:BaseQuantity unitCode='KGM'>1</cbc:BaseQuantity>"
    broken = edit(good, insert_after(f"{LINE}/cac:Price/cbc:PriceAmount", snippet))
    assert "PEPPOL-EN16931-R130" in rules(broken)


def test_line_object_references_are_checked(good):
    ref = "<cac:DocumentReference><cbc:ID>A1</cbc:ID><cbc:DocumentTypeCode>{code}</cbc:DocumentTypeCode></cac:DocumentReference>"  # noqa: E501
    two = edit(good, insert_after(f"{LINE}/cbc:LineExtensionAmount", ref.format(code="130") * 2))
    assert "PEPPOL-EN16931-R100" in rules(two)
    other = edit(good, insert_after(f"{LINE}/cbc:LineExtensionAmount", ref.format(code="916")))
    assert "PEPPOL-EN16931-R101" in rules(other)


# --- identifiers by ICD scheme ------------------------------------------------------------


@pytest.mark.parametrize(
    ("scheme", "valid", "invalid", "rule"),
    [
        ("0088", "5790000435975", "5790000435976", "PEPPOL-COMMON-R040"),
        ("0184", "DK13585628", "13585628", "PEPPOL-COMMON-R042"),
        ("0208", "0403019261", "0403019262", "PEPPOL-COMMON-R043"),
        ("0007", "5566778899", "5566778898", "PEPPOL-COMMON-R049"),
        ("0151", "51824753556", "51824753557", "PEPPOL-COMMON-R050"),
    ],
)
def test_identifiers_are_checked_by_their_scheme(scheme, valid, invalid, rule):
    buyer = make_buyer(peppol_id=f"{scheme}:{valid}")
    xml = build_ehf(make_document(buyer=buyer))
    assert rule not in rules(xml)
    endpoint = "cac:AccountingCustomerParty/cac:Party/cbc:EndpointID"
    assert rule in rules(edit(xml, set_text(endpoint, invalid)))


def test_br_57_a_deliver_to_address_needs_its_country_code():
    from documents.document import Address

    xml = xml_of(delivery_address=Address(line1="Kaia 1", postcode="5003", city="Bergen"))
    place = "/*/cac:Delivery/cac:DeliveryLocation/cac:Address"
    assert "BR-57" in rules(edit(xml, remove(f"{place}/cac:Country")))
    assert "BR-CL-14" in rules(
        edit(xml, set_text(f"{place}/cac:Country/cbc:IdentificationCode", "XX"))
    )


# --- Code lists (issue 9): ISO 4217 against the list, UN/ECE Rec 20/21 unit codes ---------


def test_br_cl_04_and_05_currency_codes_come_from_the_iso_4217_list():
    xml = xml_of(currency="EUR", exchange_rate=Decimal("11.5"))
    # Three capital letters are not enough: ABC is no currency.
    assert "BR-CL-04" in rules(edit(xml, set_text("cbc:DocumentCurrencyCode", "ABC")))
    assert "BR-CL-05" in rules(edit(xml, set_text("cbc:TaxCurrencyCode", "NOX")))
    assert "BR-CL-05" not in rules(xml) and "BR-CL-04" not in rules(xml)


def test_peppol_cl007_every_amounts_currency_id_is_iso_4217():
    xml = xml_of()

    def odd_currency(root):
        find(root, "cac:LegalMonetaryTotal/cbc:PayableAmount").set("currencyID", "KRN")

    assert "PEPPOL-EN16931-CL007" in rules(edit(xml, odd_currency))

    def odd_line_currency(root):
        find(root, "cac:InvoiceLine/cac:Price/cbc:PriceAmount").set("currencyID", "nok")

    assert "PEPPOL-EN16931-CL007" in rules(edit(xml, odd_line_currency))


@pytest.mark.parametrize("code", ["stk", "Kg", "", "HOUR", "t", "C-6"])
def test_br_cl_23_unit_codes_have_the_form_of_un_ece_rec_20_21(code):
    xml = xml_of()

    def odd_unit(root):
        find(root, "cac:InvoiceLine/cbc:InvoicedQuantity").set("unitCode", code)

    assert "BR-CL-23" in rules(edit(xml, odd_unit))


# Each unit the service offers, with its meaning in UN/ECE Recommendation 20 (Rec 21 for
# the X-codes of packages), as checked against the recommendation's code list.
REC_20_21 = {
    "EA": "each", "HUR": "hour", "DAY": "day", "WEE": "week", "MON": "month",
    "ANN": "year", "KGM": "kilogram", "TNE": "tonne (metric ton)", "MTR": "metre",
    "MTK": "square metre", "MTQ": "cubic metre", "KMT": "kilometre", "LTR": "litre",
    "SET": "set", "XPK": "package (Rec 21)", "LS": "lump sum",
}  # fmt: skip


def test_br_cl_23_the_units_the_service_offers_are_rec_20_21_codes():
    """Issuing refuses any other unit (invoicing), so every EHF's unit is on the list."""
    from catalog.units import Unit

    assert set(Unit.values) == set(REC_20_21)
    for unit in Unit.values:
        xml = build_ehf(make_document(lines=(make_line(unit_code=unit),)))
        assert "BR-CL-23" not in rules(xml), unit
