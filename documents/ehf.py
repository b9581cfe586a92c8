"""EHF Billing 3.0 = Peppol BIS Billing 3.0 (UBL 2.1), built from an ``InvoiceDocument``.

Element order follows the UBL 2.1 XSD sequences; content follows EN 16931 and the
Peppol rules (release 2026.5). ``documents.ehf_rules`` checks the business rules on
the output; the tests validate every variant against the UBL 2.1 XSD.
"""

from __future__ import annotations

import base64
from decimal import Decimal

from lxml import etree

from core.money import round_money
from documents.document import Address, DocumentLine, InvoiceDocument, Party, VatSubtotal

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
NS_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
NS_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"

# Electronic address scheme for Norwegian organisation numbers (Enhetsregisteret).
SCHEME_NO_ORGNR = "0192"
INVOICE_TYPE_CODE = "380"  # commercial invoice
PREPAYMENT_INVOICE_TYPE_CODE = "386"  # prepayment invoice (forskuddsfaktura)
CREDIT_NOTE_TYPE_CODE = "381"
PAYMENT_MEANS_CREDIT_TRANSFER = "30"
ALLOWANCE_REASON_DISCOUNT = "95"
# EN 16931 BR-O-*: an invoice "not subject to VAT" states no rate at all.
CATEGORIES_WITHOUT_RATE = frozenset({"O"})


class EhfNotPossible(ValueError):
    """The document lacks what an EHF needs (e.g. the buyer has no Peppol address)."""


def _cac(name: str) -> str:
    return f"{{{NS_CAC}}}{name}"


def _cbc(name: str) -> str:
    return f"{{{NS_CBC}}}{name}"


def _amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _number(value: Decimal) -> str:
    """A quantity, rate or price without trailing zeros: 25, 11.11, 1.5."""
    text = format(value.normalize(), "f")
    return text if text not in {"-0", ""} else "0"


class _Builder:
    """Appends UBL elements; never writes an empty element (PEPPOL-EN16931-R008)."""

    def __init__(self, document: InvoiceDocument):
        self.document = document
        self.currency = document.currency

    def cbc(self, parent: etree._Element, name: str, text: str | None, **attrs: str):
        if text is None or str(text).strip() == "":
            return None
        element = etree.SubElement(parent, _cbc(name), {k: v for k, v in attrs.items() if v})
        element.text = str(text)
        return element

    def money(self, parent: etree._Element, name: str, value: Decimal, currency: str = ""):
        return self.cbc(parent, name, _amount(value), currencyID=currency or self.currency)

    def cac(self, parent: etree._Element, name: str) -> etree._Element:
        return etree.SubElement(parent, _cac(name))


def endpoint_of(party: Party) -> tuple[str, str]:
    """The party's Peppol electronic address as (scheme, identifier)."""
    if party.peppol_id and ":" in party.peppol_id:
        scheme, _, value = party.peppol_id.partition(":")
        if scheme and value:
            return scheme, value
    if party.organization_number and party.address.country == "NO":
        return SCHEME_NO_ORGNR, party.organization_number
    raise EhfNotPossible(f"{party.name} has no Peppol address (participant id).")


def build_ehf(document: InvoiceDocument, *, pdf: bytes | None = None) -> bytes:
    """The EHF XML (UTF-8 bytes) of an issued invoice or credit note.

    ``pdf``, when given, is embedded as the document's visual representation.
    """
    root = build_ehf_tree(document, pdf=pdf)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def build_ehf_tree(document: InvoiceDocument, *, pdf: bytes | None = None) -> etree._Element:
    """The root element of ``build_ehf``'s XML, before it is written out (the at-issue
    check reads it as it is instead of parsing the bytes again)."""
    if document.is_draft:
        raise EhfNotPossible("A draft has no number and cannot be sent as EHF.")
    if not document.lines:
        raise EhfNotPossible("An EHF needs at least one line.")
    endpoint_of(document.seller)
    endpoint_of(document.buyer)

    is_credit = document.is_credit_note
    root_ns = NS_CREDIT_NOTE if is_credit else NS_INVOICE
    root = etree.Element(
        f"{{{root_ns}}}{'CreditNote' if is_credit else 'Invoice'}",
        # None is lxml's key for the default namespace; lxml-stubs' _NSMapArg allows str keys only.
        nsmap={None: root_ns, "cac": NS_CAC, "cbc": NS_CBC},  # type: ignore[dict-item]
    )
    b = _Builder(document)
    outside_scope = _is_outside_scope(document)

    b.cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    b.cbc(root, "ProfileID", PROFILE_ID)
    b.cbc(root, "ID", document.number)
    b.cbc(root, "IssueDate", document.issue_date.isoformat())
    if is_credit:
        b.cbc(root, "CreditNoteTypeCode", CREDIT_NOTE_TYPE_CODE)
    else:
        if document.due_date:
            b.cbc(root, "DueDate", document.due_date.isoformat())
        b.cbc(
            root,
            "InvoiceTypeCode",
            PREPAYMENT_INVOICE_TYPE_CODE if document.prepayment else INVOICE_TYPE_CODE,
        )
    b.cbc(root, "Note", _note(document))
    b.cbc(root, "DocumentCurrencyCode", document.currency)
    if document.currency != "NOK":
        b.cbc(root, "TaxCurrencyCode", "NOK")
    b.cbc(root, "BuyerReference", _buyer_reference(document))
    if document.period_start and document.period_end:
        period = b.cac(root, "InvoicePeriod")
        b.cbc(period, "StartDate", document.period_start.isoformat())
        b.cbc(period, "EndDate", document.period_end.isoformat())
    if document.order_reference:
        b.cbc(b.cac(root, "OrderReference"), "ID", document.order_reference)
    if document.credited is not None:
        reference = b.cac(b.cac(root, "BillingReference"), "InvoiceDocumentReference")
        b.cbc(reference, "ID", document.credited.number)
        b.cbc(reference, "IssueDate", document.credited.issue_date.isoformat())
    if pdf:
        _attachment(b, root, pdf)

    _supplier(b, b.cac(root, "AccountingSupplierParty"), outside_scope)
    _customer(b, b.cac(root, "AccountingCustomerParty"), outside_scope)

    _delivery(b, root)
    if not is_credit:
        _payment_means(b, root)
    _payment_terms(b, root)
    _tax_totals(b, root)
    _monetary_total(b, root)
    for line in document.lines:
        _line(b, root, line, is_credit)
    return root


def _is_outside_scope(document: InvoiceDocument) -> bool:
    return any(subtotal.vat_category == "O" for subtotal in document.vat_subtotals)


def _note(document: InvoiceDocument) -> str:
    """One note at most (PEPPOL-EN16931-R002): legal texts first, then the free text."""
    parts = [*document.legal_texts, document.note.strip()]
    return "\n".join(part for part in parts if part)


def _buyer_reference(document: InvoiceDocument) -> str:
    """BT-10: the buyer's own reference, which routes the invoice inside the buyer.

    The invoice's "kjøpers referanse", else the buyer's "deres referanse". Never one of
    our own numbers (client or invoice number): the buyer cannot route by those. With
    neither, the element is left out and an order reference must stand in (Peppol
    PEPPOL-EN16931-R003; the issue rules refuse an EHF invoice that has none of them).
    """
    return (document.buyer_reference or document.their_reference).strip()


def _attachment(b: _Builder, root: etree._Element, pdf: bytes) -> None:
    document = b.document
    reference = b.cac(root, "AdditionalDocumentReference")
    b.cbc(reference, "ID", document.number)
    title = "Kreditnota" if document.is_credit_note else "Faktura"
    b.cbc(reference, "DocumentDescription", f"{title} {document.number}")
    attachment = b.cac(reference, "Attachment")
    b.cbc(
        attachment,
        "EmbeddedDocumentBinaryObject",
        base64.b64encode(pdf).decode("ascii"),
        mimeCode="application/pdf",
        filename=f"{title.lower()}-{document.number}.pdf",
    )


def _address(b: _Builder, parent: etree._Element, party: Party) -> None:
    _address_parts(b, b.cac(parent, "PostalAddress"), party.address)


# Country codes the EN 16931 code list (BR-CL-14) spells otherwise: Kosovo is "1A" there
# (the EU's code), not the user-assigned "XK" that our client register uses; CEN declined
# to add XK (eInvoicing-EN16931 issue 326).
EHF_COUNTRY = {"XK": "1A"}


def _address_parts(b: _Builder, element: etree._Element, address: Address) -> None:
    """UBL AddressType children in schema order; the country is always there (BR-09,
    BR-11, BR-57: every address of the invoice carries its country code)."""
    b.cbc(element, "StreetName", address.line1)
    b.cbc(element, "AdditionalStreetName", address.line2)
    b.cbc(element, "CityName", address.city)
    b.cbc(element, "PostalZone", address.postcode)
    country = address.country or "NO"
    b.cbc(b.cac(element, "Country"), "IdentificationCode", EHF_COUNTRY.get(country, country))


def _delivery(b: _Builder, root: etree._Element) -> None:
    """BG-13 delivery information: the actual delivery date (BT-72) and, when the goods
    or services were delivered elsewhere than at the buyer's address, the place of
    delivery (BG-15 deliver-to address, BT-75..BT-80; bokføringsforskriften § 5-1-1
    nr. 4). Left out when there is neither."""
    document = b.document
    place = document.delivery_address
    if not document.delivery_date and place is None:
        return
    delivery = b.cac(root, "Delivery")
    if document.delivery_date:
        b.cbc(delivery, "ActualDeliveryDate", document.delivery_date.isoformat())
    if place is not None:
        _address_parts(b, b.cac(b.cac(delivery, "DeliveryLocation"), "Address"), place)


def _tax_scheme(b: _Builder, parent: etree._Element, company_id: str, scheme: str) -> None:
    tax_scheme = b.cac(parent, "PartyTaxScheme")
    b.cbc(tax_scheme, "CompanyID", company_id)
    b.cbc(b.cac(tax_scheme, "TaxScheme"), "ID", scheme)


def legal_registration_of(party: Party) -> tuple[str, str] | None:
    """BT-30/BT-47: the party's legal registration id as (ICD scheme, identifier).

    A Norwegian orgnr (0192); for a foreign buyer, what its VAT number contains: a Swedish
    VAT number is SE + organisationsnummer + 01 (0007), a Danish one is the CVR (0184).
    """
    if party.organization_number and party.address.country == "NO":
        return SCHEME_NO_ORGNR, party.organization_number
    vat = party.foreign_vat_id
    if vat.startswith("SE") and len(vat) == 14:
        return "0007", vat[2:12]
    if vat.startswith("DK") and len(vat) == 10:
        return "0184", vat  # Peppol writes the CVR as DK + 8 digits (PEPPOL-COMMON-R042)
    return None


def _legal_entity(b: _Builder, parent: etree._Element, party: Party, legal_form: str = ""):
    entity = b.cac(parent, "PartyLegalEntity")
    b.cbc(entity, "RegistrationName", party.name)
    registration = legal_registration_of(party)
    if registration:
        scheme, identifier = registration
        b.cbc(entity, "CompanyID", identifier, schemeID=scheme)
    b.cbc(entity, "CompanyLegalForm", legal_form)


def _contact(b: _Builder, parent: etree._Element, party: Party) -> None:
    if not (party.contact_name or party.phone or party.email):
        return
    contact = b.cac(parent, "Contact")
    b.cbc(contact, "Name", party.contact_name)
    b.cbc(contact, "Telephone", party.phone)
    b.cbc(contact, "ElectronicMail", party.email)


def _supplier(b: _Builder, parent: etree._Element, outside_scope: bool) -> None:
    seller = b.document.seller
    party = b.cac(parent, "Party")
    scheme, identifier = endpoint_of(seller)
    b.cbc(party, "EndpointID", identifier, schemeID=scheme)
    b.cbc(b.cac(party, "PartyName"), "Name", seller.name)
    _address(b, party, seller)
    # BR-O-02: an invoice not subject to VAT carries no seller VAT identifier.
    if seller.vat_id and not outside_scope:
        _tax_scheme(b, party, seller.vat_id, "VAT")
    if seller.in_foretaksregisteret:
        _tax_scheme(b, party, "Foretaksregisteret", "TAX")  # NO-R-002
    _legal_entity(b, party, seller, "Foretaksregisteret" if seller.in_foretaksregisteret else "")
    _contact(b, party, seller)


def _customer(b: _Builder, parent: etree._Element, outside_scope: bool) -> None:
    buyer = b.document.buyer
    party = b.cac(parent, "Party")
    scheme, identifier = endpoint_of(buyer)
    b.cbc(party, "EndpointID", identifier, schemeID=scheme)
    if b.document.client_number:
        b.cbc(b.cac(party, "PartyIdentification"), "ID", b.document.client_number)
    b.cbc(b.cac(party, "PartyName"), "Name", buyer.name)
    _address(b, party, buyer)
    if buyer.vat_id and not outside_scope:
        _tax_scheme(b, party, buyer.vat_id, "VAT")
    _legal_entity(b, party, buyer)
    _contact(b, party, buyer)


def _payment_means(b: _Builder, root: etree._Element) -> None:
    document = b.document
    account = document.bank_account
    if document.currency != "NOK" and document.iban:
        # A payer abroad pays to the IBAN, with the BIC as the financial institution
        # (BT-84, BT-86); issue refuses a foreign-currency invoice without an IBAN.
        account = document.iban
    if not account:
        return
    means = b.cac(root, "PaymentMeans")
    b.cbc(means, "PaymentMeansCode", PAYMENT_MEANS_CREDIT_TRANSFER)
    b.cbc(means, "PaymentID", document.kid)
    financial_account = b.cac(means, "PayeeFinancialAccount")
    b.cbc(financial_account, "ID", account)
    b.cbc(financial_account, "Name", document.seller.name)
    if account == document.iban and document.bic:  # a BIC belongs with an IBAN
        b.cbc(b.cac(financial_account, "FinancialInstitutionBranch"), "ID", document.bic)


def _payment_terms(b: _Builder, root: etree._Element) -> None:
    document = b.document
    if document.is_credit_note:
        text = f"Kreditnota til faktura {document.credited.number}" if document.credited else ""
        text = text or "Kreditnota"
    elif document.due_date:
        text = f"Forfall {document.due_date:%d.%m.%Y}"
        if document.kid:
            text += f", KID {document.kid}"
    else:
        return
    if document.payment_note and not document.is_credit_note:
        text += "\n" + document.payment_note  # BT-20 is the terms in words: the PDF's note
    b.cbc(b.cac(root, "PaymentTerms"), "Note", text)


def _tax_category(
    b: _Builder, parent: etree._Element, name: str, category: str, rate: Decimal, subtotal=None
) -> None:
    tax_category = b.cac(parent, name)
    b.cbc(tax_category, "ID", category)
    if category not in CATEGORIES_WITHOUT_RATE:
        b.cbc(tax_category, "Percent", _number(rate))
    if subtotal is not None:
        b.cbc(tax_category, "TaxExemptionReasonCode", subtotal.exemption_reason_code)
        b.cbc(tax_category, "TaxExemptionReason", subtotal.exemption_reason)
    b.cbc(b.cac(tax_category, "TaxScheme"), "ID", "VAT")


def _tax_totals(b: _Builder, root: etree._Element) -> None:
    document = b.document
    tax_total = b.cac(root, "TaxTotal")
    b.money(tax_total, "TaxAmount", document.totals.tax)
    for subtotal in document.vat_subtotals:
        _tax_subtotal(b, tax_total, subtotal)
    if document.currency != "NOK":
        # BT-111: the VAT total in the accounting currency, without subtotals.
        tax_nok = document.totals.tax_nok
        if tax_nok is None:
            tax_nok = sum((s.tax_amount_nok for s in document.vat_subtotals), Decimal("0.00"))
        b.money(b.cac(root, "TaxTotal"), "TaxAmount", tax_nok, "NOK")


def _tax_subtotal(b: _Builder, parent: etree._Element, subtotal: VatSubtotal) -> None:
    element = b.cac(parent, "TaxSubtotal")
    b.money(element, "TaxableAmount", subtotal.taxable_amount)
    b.money(element, "TaxAmount", subtotal.tax_amount)
    _tax_category(b, element, "TaxCategory", subtotal.vat_category, subtotal.vat_rate, subtotal)


def _monetary_total(b: _Builder, root: etree._Element) -> None:
    totals = b.document.totals
    total = b.cac(root, "LegalMonetaryTotal")
    b.money(total, "LineExtensionAmount", totals.line_extension)
    b.money(total, "TaxExclusiveAmount", totals.tax_exclusive)
    b.money(total, "TaxInclusiveAmount", totals.tax_inclusive)
    if totals.prepaid:
        b.money(total, "PrepaidAmount", totals.prepaid)
    b.money(total, "PayableAmount", totals.amount_due)


def _line(b: _Builder, root: etree._Element, line: DocumentLine, is_credit: bool) -> None:
    element = b.cac(root, "CreditNoteLine" if is_credit else "InvoiceLine")
    quantity, price = line.quantity, line.unit_price
    if price < 0:
        # BR-27: the item net price is never negative; the sign goes on the quantity.
        quantity, price = -quantity, -price
    b.cbc(element, "ID", str(line.position))
    b.cbc(
        element,
        "CreditedQuantity" if is_credit else "InvoicedQuantity",
        _number(quantity),
        unitCode=line.unit_code,
    )
    b.money(element, "LineExtensionAmount", line.line_net)
    if line.period_start and line.period_end:
        period = b.cac(element, "InvoicePeriod")
        b.cbc(period, "StartDate", line.period_start.isoformat())
        b.cbc(period, "EndDate", line.period_end.isoformat())
    if line.discount_percent:
        allowance = b.cac(element, "AllowanceCharge")
        b.cbc(allowance, "ChargeIndicator", "false")
        b.cbc(allowance, "AllowanceChargeReasonCode", ALLOWANCE_REASON_DISCOUNT)
        b.cbc(allowance, "AllowanceChargeReason", "Rabatt")
        b.cbc(allowance, "MultiplierFactorNumeric", _number(line.discount_percent))
        # Signed like the line: a negative line's discount is a negative allowance.
        b.money(allowance, "Amount", line.discount_amount)
        b.money(allowance, "BaseAmount", round_money(line.gross_amount))
    item = b.cac(element, "Item")
    name, _, rest = line.description.strip().partition("\n")
    b.cbc(item, "Description", rest.strip())
    b.cbc(item, "Name", name.strip()[:200] or "-")
    if line.product_number:
        b.cbc(b.cac(item, "SellersItemIdentification"), "ID", line.product_number)
    _tax_category(b, item, "ClassifiedTaxCategory", line.vat_category, line.vat_rate)
    b.cbc(b.cac(element, "Price"), "PriceAmount", _number_price(price), currencyID=b.currency)


def _number_price(price: Decimal) -> str:
    """Item net price: at least two decimals, more only when the price has them."""
    text = _number(price)
    whole, _, fraction = text.partition(".")
    return f"{whole}.{fraction.ljust(2, '0')}"
