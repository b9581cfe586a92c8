"""The business-rule checker: it catches broken documents and accepts official examples."""

from __future__ import annotations

import pytest
from lxml import etree

from documents.ehf import build_ehf
from documents.ehf_rules import check_ehf
from documents.tests.ehf_support import EHF_EXAMPLES as EXAMPLES
from documents.tests.ehf_support import elements
from documents.tests.factories import make_buyer, make_document, make_line, make_seller

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}


def rules(xml: bytes) -> set[str]:
    return {violation.rule for violation in check_ehf(xml)}


def mutate(xml: bytes, path: str, *, text: str | None = None, remove: bool = False) -> bytes:
    root = etree.fromstring(xml)
    for element in elements(root, path, NS):
        if remove:
            parent = element.getparent()
            assert parent is not None
            parent.remove(element)
        else:
            element.text = text
    return etree.tostring(root)


@pytest.fixture
def good() -> bytes:
    xml = build_ehf(make_document())
    assert rules(xml) == set()
    return xml


OFFICIAL_EXAMPLES = sorted(
    p.name
    for p in EXAMPLES.glob("*.xml")
    if p.name not in {"sales-order-example.xml", "base-example_profile02.xml"}
)


@pytest.mark.parametrize("example", OFFICIAL_EXAMPLES)
def test_official_examples_pass_the_checker(example):
    violations = [v for v in check_ehf((EXAMPLES / example).read_bytes()) if v.fatal]
    assert violations == []


def test_official_example_with_a_non_peppol_profile_fails_only_r007():
    # Its ProfileID is "urn:peppol:bis:billing_with_response", which the Peppol rule
    # PEPPOL-EN16931-R007 rejects in the official rule set too.
    xml = (EXAMPLES / "base-example_profile02.xml").read_bytes()
    assert {v.rule for v in check_ehf(xml) if v.fatal} == {"PEPPOL-EN16931-R007"}


@pytest.mark.parametrize(
    ("path", "value", "rule"),
    [
        ("cac:LegalMonetaryTotal/cbc:TaxInclusiveAmount", "1.00", "BR-CO-15"),
        ("cac:LegalMonetaryTotal/cbc:PayableAmount", "1.00", "BR-CO-16"),
        ("cac:LegalMonetaryTotal/cbc:LineExtensionAmount", "1.00", "BR-CO-10"),
        ("cac:TaxTotal/cbc:TaxAmount", "1.00", "BR-CO-14"),
        ("cac:TaxTotal/cac:TaxSubtotal[1]/cbc:TaxAmount", "2344.75", "BR-CO-17"),
        ("cac:TaxTotal/cac:TaxSubtotal[1]/cbc:TaxableAmount", "9375.01", "BR-S-08"),
        ("cac:InvoiceLine[1]/cbc:LineExtensionAmount", "9375.10", "PEPPOL-EN16931-R120"),
        ("cac:InvoiceLine[2]/cac:AllowanceCharge/cbc:Amount", "100.00", "PEPPOL-EN16931-R040"),
        ("cac:InvoiceLine[1]/cbc:LineExtensionAmount", "9375.001", "BR-DEC-23"),
        ("cbc:CustomizationID", "urn:cen.eu:en16931:2017", "PEPPOL-EN16931-R004"),
        ("cbc:ProfileID", "urn:fdc:peppol.eu:billing", "PEPPOL-EN16931-R007"),
        (
            "cac:AccountingSupplierParty/cac:Party/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']"
            "/cbc:CompanyID",
            "NO995525829MVA",
            "NO-R-001",
        ),
        ("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", "988077918", "PEPPOL-COMMON-R041"),
        ("cac:InvoiceLine[1]/cac:Price/cbc:PriceAmount", "-1250.00", "BR-27"),
        ("cac:InvoiceLine[1]/cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", "0", "BR-S-05"),
        ("cbc:DocumentCurrencyCode", "kroner", "BR-CL-04"),
        ("cac:PaymentMeans/cbc:PaymentMeansCode", "999", "BR-CL-16"),
        ("cbc:BuyerReference", "", "PEPPOL-EN16931-R008"),
    ],
)
def test_a_broken_value_is_caught(good, path, value, rule):
    assert rule in rules(mutate(good, path, text=value))


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("cac:AccountingCustomerParty/cac:Party/cbc:EndpointID", "PEPPOL-EN16931-R010"),
        ("cac:AccountingSupplierParty/cac:Party/cbc:EndpointID", "PEPPOL-EN16931-R020"),
        ("cac:PaymentMeans/cac:PayeeFinancialAccount", "BR-61"),
        ("cac:InvoiceLine", "BR-16"),
        ("cac:InvoiceLine[1]/cac:Item/cbc:Name", "BR-25"),
        ("cac:TaxTotal/cac:TaxSubtotal[3]", "BR-CO-14"),
    ],
)
def test_a_missing_element_is_caught(good, path, rule):
    assert rule in rules(mutate(good, path, remove=True))


def test_a_missing_buyer_and_order_reference_is_caught(good):
    xml = mutate(good, "cbc:BuyerReference", remove=True)
    assert "PEPPOL-EN16931-R003" not in rules(xml)  # the order reference still counts
    xml = mutate(xml, "cac:OrderReference", remove=True)
    assert "PEPPOL-EN16931-R003" in rules(xml)


def test_two_notes_are_caught(good):
    root = etree.fromstring(good)
    note = root.find("cbc:Note", NS)
    assert note is not None
    note.addnext(etree.fromstring(etree.tostring(note)))
    assert "PEPPOL-EN16931-R002" in rules(etree.tostring(root))


def test_outside_scope_mixed_with_standard_rate_is_caught():
    document = make_document(
        lines=(
            make_line(position=1, description="Time", unit_price="100"),
            make_line(
                position=2, description="Gebyr", unit_price="50", vat_category="O", vat_rate="0"
            ),
        )
    )
    found = rules(build_ehf(document))
    assert "BR-O-11" in found


def test_missing_foretaksregisteret_is_a_warning_not_an_error():
    document = make_document(seller=make_seller(in_foretaksregisteret=False))
    violations = check_ehf(build_ehf(document))
    assert [(v.rule, v.fatal) for v in violations] == [("NO-R-002", False)]


def test_reverse_charge_without_buyer_identification_is_caught():
    document = make_document(
        lines=(make_line(description="Rivearbeid", vat_category="AE", vat_rate="0"),),
        buyer=make_buyer(organization_number="", vat_registered=False, peppol_id="9908:12345"),
    )
    xml = build_ehf(document)
    assert "BR-AE-02" in rules(xml)


# Elements of UBL's decimal types (AmountType, QuantityType, PercentType, NumericType).
NUMERIC_SUFFIXES = ("Amount", "Quantity", "Percent", "Numeric")


@pytest.mark.parametrize(
    ("value", "not_a_number"),
    [
        ("abc", True),
        ("NaN", True),
        ("sNaN", True),
        ("Infinity", True),
        ("1e999999", True),
        ("1_000", True),
        ("9" * 60, False),  # a decimal, but out of any sensible range
    ],
)
def test_a_number_that_is_no_number_is_a_violation_not_an_error(good, value, not_a_number):
    root = etree.fromstring(good)
    numeric = [
        element
        for element in root.iter()
        if isinstance(element.tag, str)
        and etree.QName(element).localname.endswith(NUMERIC_SUFFIXES)
        and len(element) == 0
    ]
    assert len(numeric) > 20  # the VAT breakdown's, the totals', the lines' ...
    for element in numeric:
        before = element.text
        element.text = value
        where = root.getroottree().getpath(element)
        violations = [v for v in check_ehf(etree.tostring(root)) if v.fatal]  # must not raise
        assert violations, where
        if not_a_number:
            assert "UBL" in {v.rule for v in violations}, where
        element.text = before


def test_a_vat_breakdown_amount_that_is_no_number_is_reported(good):
    xml = mutate(good, "cac:TaxTotal/cac:TaxSubtotal[1]/cbc:TaxableAmount", text="12,50")
    violations = check_ehf(xml)
    assert ("UBL", True) in {(v.rule, v.fatal) for v in violations}
    assert any("TaxableAmount" in v.message and "12,50" in v.message for v in violations)
