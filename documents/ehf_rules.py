"""The EN 16931 and Peppol BIS Billing 3.0 business rules an EHF must pass.

A Python reading of the rules this service's documents can break (core BR-*,
calculation BR-CO-*, per VAT category BR-S/Z/E/AE/G/O-*, decimals BR-DEC-*, the
Peppol transaction rules PEPPOL-EN16931-R*, identifier rules PEPPOL-COMMON-R041 and
the Norwegian NO-R-001/002). Used by the tests on every generated document and by
the sender before anything leaves the system. Rule ids and texts follow the
official rule set so a failure can be looked up.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, DecimalException
from typing import Any

from lxml import etree
from stdnum import ean, luhn
from stdnum.au import abn
from stdnum.no import orgnr

from core.currencies import ISO_4217_CODES
from core.peppol import EAS_SCHEMES
from customers.countries import ISO_3166_ALPHA2
from documents.ehf import CUSTOMIZATION_ID, NS_CAC, NS_CBC, NS_CREDIT_NOTE, NS_INVOICE

NS = {"cac": NS_CAC, "cbc": NS_CBC, "inv": NS_INVOICE, "cn": NS_CREDIT_NOTE}
TWO = Decimal("0.01")
SLACK = Decimal("0.02")

VAT_CATEGORIES = {"S", "Z", "E", "AE", "K", "G", "O", "L", "M", "B"}
EXEMPT_CATEGORIES = {"E", "AE", "K", "G", "O"}  # need an exemption reason
ZERO_RATE_CATEGORIES = {"Z", "E", "AE", "K", "G"}
INVOICE_TYPE_CODES = {"380", "383", "384", "386", "389", "393", "395", "575", "623", "780"}
CREDIT_NOTE_TYPE_CODES = {"381", "396", "532"}
PAYMENT_MEANS_CODES = {
    "1", "10", "20", "30", "31", "42", "48", "49", "50", "54", "55", "57", "58", "59", "68",
    "93", "97", "ZZZ",
}  # fmt: skip
CREDIT_TRANSFER_CODES = {"30", "58"}
MIME_CODES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "text/csv",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.oasis.opendocument.spreadsheet",
}
# BR-CL-23 (UN/ECE Recommendation 20 with the Rec 21 extension): the full list (some
# 2 000 codes) is not shipped, so the checker checks the codes' form: two or three
# capital letters or digits (Rec 21 codes are X + two). Membership is kept at issue
# instead: invoicing refuses a line whose unit is not one of ``catalog.units``, each of
# which is on the list (documents/tests/test_ehf_rules_audit.py names them).
UNIT_CODE_FORM = re.compile(r"[A-Z0-9]{2,3}")
# The amounts whose currencyID PEPPOL-EN16931-CL007 checks (the official rule context).
CURRENCY_AMOUNTS = (
    "Amount", "BaseAmount", "PriceAmount", "TaxAmount", "TaxableAmount",
    "LineExtensionAmount", "TaxExclusiveAmount", "TaxInclusiveAmount",
    "AllowanceTotalAmount", "ChargeTotalAmount", "PrepaidAmount", "PayableRoundingAmount",
    "PayableAmount",
)  # fmt: skip
# ISO 3166-1 alpha-2 as Peppol lists it: with 1A (Kosovo) and XI (Northern Ireland).
# Not XK: the user-assigned code for Kosovo is not on the list (the builder writes 1A).
PEPPOL_COUNTRY_CODES = ISO_3166_ALPHA2 | {"1A", "XI"}
RULE_PREFIX = {"S": "BR-S", "Z": "BR-Z", "E": "BR-E", "AE": "BR-AE", "G": "BR-G", "O": "BR-O"}
# PEPPOL-EN16931-P0104..P0111: an exemption reason code belongs to one VAT category.
VATEX_CATEGORY = {
    "VATEX-EU-G": ("G", "PEPPOL-EN16931-P0104"),
    "VATEX-EU-O": ("O", "PEPPOL-EN16931-P0105"),
    "VATEX-EU-IC": ("K", "PEPPOL-EN16931-P0106"),
    "VATEX-EU-AE": ("AE", "PEPPOL-EN16931-P0107"),
    "VATEX-EU-D": ("E", "PEPPOL-EN16931-P0108"),
    "VATEX-EU-F": ("E", "PEPPOL-EN16931-P0109"),
    "VATEX-EU-I": ("E", "PEPPOL-EN16931-P0110"),
    "VATEX-EU-J": ("E", "PEPPOL-EN16931-P0111"),
}
# Peppol's subsets of UNCL 5189 (allowance reasons), UNCL 2005 (period codes) and the
# type codes of profile 01 (billing).
ALLOWANCE_REASON_CODES = {
    "41", "42", "60", "62", "63", "64", "65", "66", "67", "68", "70", "71", "88", "95",
    "100", "102", "103", "104", "105",
}  # fmt: skip
BILLING_INVOICE_TYPE_CODES = {
    "71", "80", "82", "84", "102", "218", "219", "331", "380", "382", "383", "386", "388",
    "393", "395", "553", "575", "623", "780", "817", "870", "875", "876", "877",
}  # fmt: skip
BILLING_CREDIT_NOTE_TYPE_CODES = {"381", "396", "81", "83", "532"}
INVOICE_PERIOD_CODES = {"3", "35", "432"}
DATE_ELEMENTS = (
    "IssueDate",
    "DueDate",
    "TaxPointDate",
    "StartDate",
    "EndDate",
    "ActualDeliveryDate",
)
VATEX_PATTERN = re.compile(r"^VATEX-(EU|FR)-[A-Z0-9-]+$")
PROFILE_PATTERN = re.compile(r"^urn:fdc:peppol\.eu:2017:poacc:billing:\d{2}:1\.0$")


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    fatal: bool = True

    def __str__(self) -> str:
        return f"[{self.rule}] {self.message}"


# xsd:decimal, the lexical form of UBL's amounts, quantities, percents and numerics: no
# exponent, NaN, infinity, digit separators or non-ASCII digits (which Decimal() accepts).
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# The cbc elements of those types, by the end of their name.
_NUMERIC_SUFFIXES = ("Amount", "Quantity", "Percent", "Numeric")
_CBC = f"{{{NS_CBC}}}"


def _dec(text: str | None) -> Decimal | None:
    """The number in ``text``, or None when it is missing or not an xsd:decimal (such a
    value is reported once, by ``_document_rules``)."""
    if text is None or not _DECIMAL.fullmatch(text := text.strip()):
        return None
    return Decimal(text)


def _round(value: Decimal) -> Decimal:
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def _decimals(text: str) -> int:
    _, _, fraction = text.strip().partition(".")
    return len(fraction)


@functools.lru_cache(maxsize=1024)
def _xpath(path: str) -> etree.XPath:
    """The compiled expression: ``element.xpath(path)`` compiles it on every call, which
    was most of the at-issue EHF check (about 230 evaluations per invoice)."""
    return etree.XPath(path, namespaces=NS)


# --- Paths without an XPath engine ------------------------------------------------------
# The rules select with a small part of XPath: child steps ``cac:Name`` (or ``cbc:*``)
# with at most one predicate (``[@attr]``, ``[@attr='v']`` or ``[cac:A/cbc:B='v']``),
# optionally from ``//`` (anywhere in the document), a final ``@attr`` step, and unions of
# such paths. Even compiled, an XPath call costs a context and a result list; about 230
# calls per invoice were most of the at-issue EHF check. ``_selector`` answers such a
# path from ``_Index``, a view of the document built as the rules ask (each element's
# children by tag, on first use; every element by tag, in one pass), with the same
# result as XPath: the same nodes, in document order, without duplicates. Any other path
# is evaluated by lxml's XPath. documents/tests/test_ehf_rules_selectors.py compares both
# on every path the rules evaluate over the official examples and broken documents.


class _Index:
    """One document's nodes: all of them in document order and by tag (one pass, on the
    first question that needs them), and each element's children by tag (on the first
    question about that element)."""

    __slots__ = ("_all", "_children", "_everywhere", "root")

    def __init__(self, root: etree._Element):
        self.root = root
        self._children: dict[etree._Element, dict[Any, list[etree._Element]]] = {}
        self._all: list[Any] | None = None
        self._everywhere: dict[Any, list[etree._Element]] = {}

    def children(self, node: etree._Element, tag: str) -> list[etree._Element]:
        by_tag = self._children.get(node)
        if by_tag is None:
            by_tag = self._children[node] = {}
            for child in node:  # comments and processing instructions too, never matched
                by_tag.setdefault(child.tag, []).append(child)
        return by_tag.get(tag, [])

    def all(self) -> list[Any]:
        """Every node of ``root.iter()`` (comments and processing instructions too), in
        document order."""
        if self._all is None:
            self._all = list(self.root.iter())
            for node in self._all:
                self._everywhere.setdefault(node.tag, []).append(node)
        return self._all

    def everywhere(self, tag: str) -> list[etree._Element]:
        """Every element ``tag`` in document order, the root element included."""
        if self._all is None:
            self.all()
        return self._everywhere.get(tag, [])


Selector = Callable[[_Index, etree._Element], list[Any]]
Test = Callable[[_Index, etree._Element], bool]
_STEP = re.compile(r"(cac|cbc):(\w+|\*)(?:\[(.+)\])?")
_PREDICATE_ATTRIBUTE = re.compile(r"@(\w+)(?:='([^']*)')?")
_PREDICATE_PATH = re.compile(r"((?:(?:cac|cbc):\w+/)*(?:cac|cbc):\w+)='([^']*)'")
_STRING_VALUE = etree.XPath("string()")


def _string_value(element: etree._Element) -> str:
    """XPath's string-value of an element (all its descendant text)."""
    if len(element) == 0:  # no child elements, comments or processing instructions
        return element.text or ""
    return str(_STRING_VALUE(element))


def _tag(prefix: str, name: str) -> str:
    return f"{{{NS[prefix]}}}{name}"


def _predicate(text: str) -> Test | None:
    """A test of one element for a predicate of the subset; None if it is not one."""
    attribute = _PREDICATE_ATTRIBUTE.fullmatch(text)
    if attribute:
        name, value = attribute.groups()
        if value is None:
            return lambda index, element: element.get(name) is not None
        return lambda index, element: element.get(name) == value
    path = _PREDICATE_PATH.fullmatch(text)
    if path is None:
        return None
    tags = [_tag(*step.split(":")) for step in path.group(1).split("/")]
    wanted = path.group(2)

    def test(index: _Index, element: etree._Element) -> bool:
        nodes = [element]
        for tag in tags:
            nodes = [child for node in nodes for child in index.children(node, tag)]
        return any(_string_value(node) == wanted for node in nodes)

    return test


def _split(path: str) -> list[str]:
    """``path`` split at ``/`` outside predicates."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in path:
        if char == "/" and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        depth += char == "["
        depth -= char == "]"
        current.append(char)
    parts.append("".join(current))
    return parts


def _step(text: str, *, anywhere: bool) -> Callable[[_Index, list[Any]], list[Any]] | None:
    """One location step: from a list of context nodes to the list of nodes it selects."""
    if anywhere and text.startswith("@"):
        return None
    if text.startswith("@"):
        if not re.fullmatch(r"@\w+", text):
            return None
        name = text[1:]
        return lambda index, nodes: [v for v in (n.get(name) for n in nodes) if v is not None]
    match = _STEP.fullmatch(text)
    if match is None:
        return None
    prefix, local, predicate_text = match.groups()
    tag = _tag(prefix, local)
    test = _predicate(predicate_text) if predicate_text is not None else None
    if predicate_text is not None and test is None:
        return None
    if local == "*":  # lxml matches "{namespace}*" in C, in document order
        if anywhere:
            return lambda index, nodes: [
                e for e in index.root.iter(tag) if test is None or test(index, e)
            ]
        return lambda index, nodes: [
            child
            for node in nodes
            for child in node.iterchildren(tag)
            if test is None or test(index, child)
        ]
    if anywhere:
        if test is None:
            return lambda index, nodes: list(index.everywhere(tag))
        return lambda index, nodes: [e for e in index.everywhere(tag) if test(index, e)]
    if test is None:
        return lambda index, nodes: [child for node in nodes for child in index.children(node, tag)]
    return lambda index, nodes: [
        child for node in nodes for child in index.children(node, tag) if test(index, child)
    ]


def _select_path(path: str) -> tuple[Selector, str | None] | None:
    """One path of the subset (no union): its selector and the tag of the elements it
    selects (None for attribute values); None if the path is not of the subset."""
    anywhere = path.startswith("//")
    texts = _split(path[2:] if anywhere else path)
    steps = []
    for position, text in enumerate(texts):
        step = _step(text, anywhere=anywhere and position == 0)
        if step is None:
            return None
        steps.append(step)
    last = texts[-1]
    tag = None if last.startswith("@") else _tag(*last.partition("[")[0].split(":"))
    if not anywhere and all(re.fullmatch(r"(cac|cbc):\w+", text) for text in texts):
        # Child steps without predicates, the rules' most common path.
        first, *rest = [_tag(*text.split(":")) for text in texts]

        def children(index: _Index, node: etree._Element) -> list[Any]:
            nodes = index.children(node, first)
            for step_tag in rest:
                nodes = [child for parent in nodes for child in index.children(parent, step_tag)]
            return nodes

        return children, tag
    if len(steps) == 1:
        (only,) = steps
        return (lambda index, node: only(index, [node])), tag

    def select(index: _Index, node: etree._Element) -> list[Any]:
        nodes = [node]
        for step in steps:
            nodes = step(index, nodes)
        return nodes

    return select, tag


@functools.lru_cache(maxsize=1024)
def _selector(path: str) -> Selector | None:
    """``path`` answered from an ``_Index``, or None (then XPath evaluates it)."""
    parts = [part.strip() for part in path.split("|")]
    compiled = []
    for part in parts:
        selected = _select_path(part)
        if selected is None:
            return None
        compiled.append(selected)
    if len(parts) == 1:
        # Child steps keep document order, and so does ``//a`` alone; ``//a/b`` could
        # interleave if an ``a`` held another ``a``, so it is put in order below.
        select, tag = compiled[0]
        if not path.startswith("//") or len(_split(path[2:])) == 1 or tag is None:
            return select
    elif not all(
        part.startswith("//") and tag for part, (_, tag) in zip(parts, compiled, strict=True)
    ):
        return None
    selects = [select for select, _ in compiled]
    tags = sorted({tag for _, tag in compiled if tag is not None})

    def in_document_order(index: _Index, node: etree._Element) -> list[Any]:
        found = {id(element): element for select in selects for element in select(index, node)}
        if not found:
            return []
        return [element for element in index.root.iter(*tags) if id(element) in found]

    return in_document_order


class _Checker:
    def __init__(self, root: etree._Element):
        self.root = root
        self.index = _Index(root)
        # The document does not change while it is checked: each (path, node) is answered once.
        self.answers: dict[tuple[str, etree._Element | None], list[Any]] = {}
        self.violations: list[Violation] = []
        self.is_credit = etree.QName(root).namespace == NS_CREDIT_NOTE
        self.line_tag = "cac:CreditNoteLine" if self.is_credit else "cac:InvoiceLine"
        self.quantity_tag = "cbc:CreditedQuantity" if self.is_credit else "cbc:InvoicedQuantity"

    def x(self, path: str, node: etree._Element | None = None) -> list[Any]:
        return list(self._answer(path, node))  # a copy: the answer is kept

    def _answer(self, path: str, node: etree._Element | None) -> list[Any]:
        """What ``path`` selects from ``node`` (the root when None), answered once."""
        key = (path, node)
        found = self.answers.get(key)
        if found is None:
            select = _selector(path)
            if select is None:
                found = self.answers[key] = self._by_xpath(path, node)
            else:
                found = self.answers[key] = select(self.index, self.root if node is None else node)
        return found

    def _by_xpath(self, path: str, node: etree._Element | None) -> list[Any]:
        found = _xpath(path)(node if node is not None else self.root)
        # The rules select nodes or their text, never a count or a boolean.
        if not isinstance(found, list):
            raise TypeError(f"{path!r} does not select a node set")
        return found

    def text(self, path: str, node: etree._Element | None = None) -> str | None:
        found = self._answer(path, node)
        if not found:
            return None
        value = found[0] if isinstance(found[0], str) else found[0].text
        return value.strip() if value is not None else None

    def amount(self, path: str, node: etree._Element | None = None) -> Decimal:
        return _dec(self.text(path, node)) or Decimal("0")

    def fail(self, rule: str, message: str, *, fatal: bool = True) -> None:
        self.violations.append(Violation(rule, message, fatal))

    def check(self, condition: bool, rule: str, message: str, *, fatal: bool = True) -> None:
        if not condition:
            self.fail(rule, message, fatal=fatal)


def check_ehf(xml: bytes) -> list[Violation]:
    """Every rule violation in ``xml``; an empty list means the document passes."""
    try:
        root = etree.fromstring(xml)
    except etree.XMLSyntaxError as exc:
        return [Violation("XML", f"Not well-formed: {exc}")]
    return check_ehf_tree(root)


def check_ehf_tree(root: etree._Element) -> list[Violation]:
    """``check_ehf`` of a document already in memory (``documents.ehf.build_ehf_tree``):
    the same verdicts as on its written-out bytes, without writing and parsing them."""
    namespace = etree.QName(root).namespace
    if namespace not in {NS_INVOICE, NS_CREDIT_NOTE}:
        return [Violation("UBL", f"Unknown root element {root.tag}")]
    c = _Checker(root)
    for rules in _RULE_GROUPS:
        try:
            rules(c)
        except DecimalException:
            # A decimal too long to compute with (an xsd:decimal has no bound): a verdict,
            # never an error for the caller (the issue check, the sender).
            c.fail("UBL", f"A number is too large to check ({rules.__name__[1:]}).")
    return c.violations


def fatal_violations(xml: bytes) -> list[Violation]:
    return [violation for violation in check_ehf(xml) if violation.fatal]


def _document_rules(c: _Checker) -> None:
    for element in c.index.all():
        if not isinstance(element.tag, str) or len(element):
            continue
        text = (element.text or "").strip()
        if not text:
            c.fail("PEPPOL-EN16931-R008", f"Empty element {etree.QName(element).localname}.")
        elif element.tag.endswith(_NUMERIC_SUFFIXES) and element.tag.startswith(_CBC):
            c.check(
                _dec(text) is not None,
                "UBL",
                f"{etree.QName(element).localname}: «{text[:30]}» is not a decimal number.",
            )
    customization = c.text("cbc:CustomizationID") or ""
    c.check(bool(customization), "BR-01", "Specification identifier (BT-24) missing.")
    c.check(
        customization.startswith(CUSTOMIZATION_ID),
        "PEPPOL-EN16931-R004",
        "Specification identifier MUST start with the Peppol BIS Billing 3.0 value.",
    )
    profile = c.text("cbc:ProfileID")
    c.check(profile is not None, "PEPPOL-EN16931-R001", "Business process MUST be provided.")
    c.check(
        profile is None or bool(PROFILE_PATTERN.match(profile)),
        "PEPPOL-EN16931-R007",
        "Business process MUST be in the format urn:fdc:peppol.eu:2017:poacc:billing:NN:1.0.",
    )
    c.check(bool(c.text("cbc:ID")), "BR-02", "Invoice number (BT-1) missing.")
    c.check(bool(c.text("cbc:IssueDate")), "BR-03", "Issue date (BT-2) missing.")
    type_code = c.text("cbc:CreditNoteTypeCode" if c.is_credit else "cbc:InvoiceTypeCode")
    allowed = CREDIT_NOTE_TYPE_CODES if c.is_credit else INVOICE_TYPE_CODES
    c.check(bool(type_code), "BR-04", "Invoice type code (BT-3) missing.")
    c.check(type_code in allowed, "BR-CL-01", f"Type code {type_code} is not allowed.")
    currency = c.text("cbc:DocumentCurrencyCode") or ""
    c.check(bool(currency), "BR-05", "Invoice currency code (BT-5) missing.")
    c.check(
        currency in ISO_4217_CODES,
        "BR-CL-04",
        f"Invoice currency code {currency} MUST be coded using ISO code list 4217 alpha-3.",
    )
    c.check(len(c.x("cbc:Note")) <= 1, "PEPPOL-EN16931-R002", "No more than one note allowed.")
    c.check(
        bool(c.text("cbc:BuyerReference")) or bool(c.text("cac:OrderReference/cbc:ID")),
        "PEPPOL-EN16931-R003",
        "A buyer reference or purchase order reference MUST be provided.",
    )
    tax_currency = c.text("cbc:TaxCurrencyCode")
    if tax_currency:
        c.check(
            tax_currency in ISO_4217_CODES,
            "BR-CL-05",
            f"Tax currency code {tax_currency} MUST be coded using ISO code list 4217 alpha-3.",
        )
        c.check(
            tax_currency != currency,
            "PEPPOL-EN16931-R005",
            "VAT accounting currency code MUST be different from invoice currency code.",
        )
    for reference in c.x("cac:BillingReference"):
        c.check(
            bool(c.text("cac:InvoiceDocumentReference/cbc:ID", reference)),
            "BR-55",
            "Each preceding invoice reference shall contain a preceding invoice reference.",
        )
    for binary in c.x("//cbc:EmbeddedDocumentBinaryObject"):
        c.check(
            binary.get("mimeCode") in MIME_CODES,
            "BR-CL-24",
            f"Attachment MIME code {binary.get('mimeCode')} is not allowed.",
        )
        c.check(bool(binary.get("filename")), "BR-CL-24", "Attachment needs a filename.")
    line_start, line_end = (
        c.text("cac:InvoicePeriod/cbc:StartDate"),
        c.text("cac:InvoicePeriod/cbc:EndDate"),
    )
    if line_start and line_end:
        c.check(line_end >= line_start, "BR-29", "Invoicing period end before its start.")


def _party_rules(c: _Checker) -> None:
    seller = c.x("cac:AccountingSupplierParty/cac:Party")
    buyer = c.x("cac:AccountingCustomerParty/cac:Party")
    if not seller or not buyer:
        c.fail("BR-06", "Seller and buyer parties are required.")
        return
    seller, buyer = seller[0], buyer[0]
    c.check(
        bool(c.text("cac:PartyLegalEntity/cbc:RegistrationName", seller)),
        "BR-06",
        "Seller name (BT-27) missing.",
    )
    c.check(
        bool(c.text("cac:PartyLegalEntity/cbc:RegistrationName", buyer)),
        "BR-07",
        "Buyer name (BT-44) missing.",
    )
    c.check(bool(c.x("cac:PostalAddress", seller)), "BR-08", "Seller postal address missing.")
    c.check(
        bool(c.text("cac:PostalAddress/cac:Country/cbc:IdentificationCode", seller)),
        "BR-09",
        "Seller country code missing.",
    )
    c.check(bool(c.x("cac:PostalAddress", buyer)), "BR-10", "Buyer postal address missing.")
    c.check(
        bool(c.text("cac:PostalAddress/cac:Country/cbc:IdentificationCode", buyer)),
        "BR-11",
        "Buyer country code missing.",
    )
    for address in c.x("cac:Delivery/cac:DeliveryLocation/cac:Address"):
        c.check(
            bool(c.text("cac:Country/cbc:IdentificationCode", address)),
            "BR-57",
            "Each Deliver to address (BG-15) shall contain a Deliver to country code (BT-80).",
        )
    for party, rule, scheme_rule, who in (
        (seller, "PEPPOL-EN16931-R020", "BR-62", "Seller"),
        (buyer, "PEPPOL-EN16931-R010", "BR-63", "Buyer"),
    ):
        endpoint = c.x("cbc:EndpointID", party)
        c.check(bool(endpoint), rule, f"{who} electronic address MUST be provided.")
        if endpoint:
            scheme = endpoint[0].get("schemeID")
            c.check(bool(scheme), scheme_rule, f"{who} electronic address needs a scheme.")
            c.check(scheme in EAS_SCHEMES, "BR-CL-25", f"Unknown endpoint scheme {scheme}.")
    c.check(
        bool(c.x("cac:PartyIdentification/cbc:ID", seller))
        or bool(c.x("cac:PartyLegalEntity/cbc:CompanyID", seller))
        or bool(c.x("cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID", seller)),
        "BR-CO-26",
        "Seller identifier, legal registration identifier or VAT identifier required.",
    )
    for vat_id in c.x("//cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"):
        prefix = (vat_id.text or "").strip()[:2]
        c.check(
            prefix in PEPPOL_COUNTRY_CODES or prefix == "EL",
            "BR-CO-09",
            "VAT identifier must start with an ISO 3166 country code (EL for Greece).",
        )


def _line_rules(c: _Checker) -> None:
    lines = c.x(c.line_tag)
    c.check(bool(lines), "BR-16", "An invoice shall have at least one invoice line.")
    period_start = c.text("cac:InvoicePeriod/cbc:StartDate")
    period_end = c.text("cac:InvoicePeriod/cbc:EndDate")
    for line in lines:
        ident = c.text("cbc:ID", line) or "?"
        c.check(bool(c.text("cbc:ID", line)), "BR-21", "Line identifier missing.")
        quantity_el = c.x(c.quantity_tag, line)
        c.check(bool(quantity_el), "BR-22", f"Line {ident}: quantity missing.")
        c.check(
            bool(quantity_el) and bool(quantity_el[0].get("unitCode")),
            "BR-23",
            f"Line {ident}: unit of measure missing.",
        )
        net_text = c.text("cbc:LineExtensionAmount", line)
        c.check(net_text is not None, "BR-24", f"Line {ident}: net amount missing.")
        if net_text is not None:
            c.check(_decimals(net_text) <= 2, "BR-DEC-23", f"Line {ident}: > 2 decimals.")
        c.check(bool(c.text("cac:Item/cbc:Name", line)), "BR-25", f"Line {ident}: no item name.")
        price_text = c.text("cac:Price/cbc:PriceAmount", line)
        c.check(price_text is not None, "BR-26", f"Line {ident}: item net price missing.")
        price = _dec(price_text) or Decimal("0")
        c.check(price >= 0, "BR-27", f"Line {ident}: item net price shall not be negative.")
        category = c.text("cac:Item/cac:ClassifiedTaxCategory/cbc:ID", line)
        c.check(bool(category), "BR-CO-04", f"Line {ident}: VAT category code missing.")
        c.check(category in VAT_CATEGORIES, "BR-CL-18", f"Line {ident}: bad VAT category.")
        base_quantity = _dec(c.text("cac:Price/cbc:BaseQuantity", line))
        c.check(
            base_quantity is None or base_quantity > 0,
            "PEPPOL-EN16931-R121",
            f"Line {ident}: base quantity MUST be above zero.",
        )
        allowances = Decimal("0")
        charges = Decimal("0")
        for charge in c.x("cac:AllowanceCharge", line):
            _allowance_charge_rules(c, charge, f"Line {ident}")
            amount = _dec(c.text("cbc:Amount", charge)) or Decimal("0")
            if c.text("cbc:ChargeIndicator", charge) == "true":
                charges += amount
            else:
                allowances += amount
        quantity = _dec(quantity_el[0].text) if quantity_el else Decimal("1")
        expected = (quantity or Decimal("0")) * (price / (base_quantity or Decimal("1")))
        expected += _round(charges) - _round(allowances)
        net = _dec(net_text) or Decimal("0")
        c.check(
            abs(net - expected) <= SLACK,
            "PEPPOL-EN16931-R120",
            f"Line {ident}: net amount {net} MUST equal quantity × price + charges − "
            f"allowances ({expected}).",
        )
        line_start = c.text("cac:InvoicePeriod/cbc:StartDate", line)
        line_end = c.text("cac:InvoicePeriod/cbc:EndDate", line)
        if period_start and line_start:
            c.check(line_start >= period_start, "PEPPOL-EN16931-R110", "Line period starts early.")
        if period_end and line_end:
            c.check(line_end <= period_end, "PEPPOL-EN16931-R111", "Line period ends late.")
        if line_start and line_end:
            c.check(line_end >= line_start, "BR-30", f"Line {ident}: period end before start.")


def _allowance_charge_rules(c: _Checker, element: etree._Element, where: str) -> None:
    indicator = c.text("cbc:ChargeIndicator", element)
    c.check(
        indicator in {"true", "false"},
        "PEPPOL-EN16931-R043",
        f"{where}: ChargeIndicator MUST be 'true' or 'false'.",
    )
    amount_text = c.text("cbc:Amount", element)
    c.check(amount_text is not None, "BR-41", f"{where}: allowance/charge amount missing.")
    if amount_text is not None:
        c.check(_decimals(amount_text) <= 2, "BR-DEC-24", f"{where}: amount > 2 decimals.")
    c.check(
        bool(c.text("cbc:AllowanceChargeReason", element))
        or bool(c.text("cbc:AllowanceChargeReasonCode", element)),
        "BR-42",
        f"{where}: allowance/charge reason or reason code required.",
    )
    percentage = _dec(c.text("cbc:MultiplierFactorNumeric", element))
    base = _dec(c.text("cbc:BaseAmount", element))
    c.check(
        not (percentage is not None and base is None),
        "PEPPOL-EN16931-R041",
        f"{where}: base amount MUST be provided when the percentage is.",
    )
    c.check(
        not (base is not None and percentage is None),
        "PEPPOL-EN16931-R042",
        f"{where}: percentage MUST be provided when the base amount is.",
    )
    if percentage is not None and base is not None:
        amount = _dec(amount_text) or Decimal("0")
        c.check(
            abs(amount - base * percentage / 100) <= SLACK,
            "PEPPOL-EN16931-R040",
            f"{where}: amount MUST equal base amount × percentage / 100.",
        )


def _vat_rules(c: _Checker) -> None:
    tax_totals = c.x("cac:TaxTotal")
    with_subtotals = [t for t in tax_totals if c.x("cac:TaxSubtotal", t)]
    without = [t for t in tax_totals if not c.x("cac:TaxSubtotal", t)]
    c.check(len(with_subtotals) == 1, "PEPPOL-EN16931-R053", "Exactly one TaxTotal with subtotals.")
    expected_without = 1 if c.text("cbc:TaxCurrencyCode") else 0
    c.check(
        len(without) == expected_without,
        "PEPPOL-EN16931-R054",
        "Only one tax total without subtotals, and only when a tax currency code is given.",
    )
    if with_subtotals and without:
        main = _dec(c.text("cbc:TaxAmount", with_subtotals[0])) or Decimal("0")
        accounting = _dec(c.text("cbc:TaxAmount", without[0])) or Decimal("0")
        c.check(
            (main <= 0 and accounting <= 0) or (main >= 0 and accounting >= 0),
            "PEPPOL-EN16931-R055",
            "VAT total and VAT total in accounting currency MUST have the same sign.",
        )
        c.check(
            without[0].xpath("cbc:TaxAmount/@currencyID", namespaces=NS)
            == [c.text("cbc:TaxCurrencyCode")],
            "BR-53",
            "The VAT total in accounting currency must be in the tax currency.",
        )
    if not with_subtotals:
        return
    subtotals = c.x("cac:TaxSubtotal", with_subtotals[0])
    c.check(bool(subtotals), "BR-CO-18", "At least one VAT breakdown group is required.")

    line_sums: dict[tuple[str, Decimal | None], Decimal] = defaultdict(Decimal)
    categories_on_lines: set[str] = set()
    for line in c.x(c.line_tag):
        category = c.text("cac:Item/cac:ClassifiedTaxCategory/cbc:ID", line) or ""
        rate = _dec(c.text("cac:Item/cac:ClassifiedTaxCategory/cbc:Percent", line))
        categories_on_lines.add(category)
        ident = c.text("cbc:ID", line)
        _rate_rules(c, category, rate, f"Line {ident}")
        line_sums[(category, rate)] += c.amount("cbc:LineExtensionAmount", line)
    # BR-S-08 and its siblings: document-level allowances and charges count per category.
    for charge in c.x("cac:AllowanceCharge"):
        _allowance_charge_rules(c, charge, "Document allowance/charge")
        category = c.text("cac:TaxCategory/cbc:ID", charge) or ""
        rate = _dec(c.text("cac:TaxCategory/cbc:Percent", charge))
        sign = 1 if c.text("cbc:ChargeIndicator", charge) == "true" else -1
        line_sums[(category, rate)] += sign * c.amount("cbc:Amount", charge)

    breakdown_categories: set[str] = set()
    subtotal_tax_sum = Decimal("0")
    _breakdown_element_rules(c, subtotals)
    for subtotal in subtotals:
        category = c.text("cac:TaxCategory/cbc:ID", subtotal) or ""
        rate = _dec(c.text("cac:TaxCategory/cbc:Percent", subtotal))
        breakdown_categories.add(category)
        taxable_text = c.text("cbc:TaxableAmount", subtotal) or "0"
        tax_text = c.text("cbc:TaxAmount", subtotal) or "0"
        for rule, text in (("BR-DEC-19", taxable_text), ("BR-DEC-20", tax_text)):
            c.check(_decimals(text) <= 2, rule, f"VAT breakdown {category}: > 2 decimals.")
        taxable, tax = _dec(taxable_text), _dec(tax_text)
        if taxable is None or tax is None:
            continue  # not a number: reported by _document_rules
        subtotal_tax_sum += tax
        _rate_rules(c, category, rate, f"VAT breakdown {category}")
        _br_co_17(c, category, rate, taxable, tax, "BR-CO-17")
        if category == "S":
            _br_co_17(c, category, rate, taxable, tax, "BR-S-09")
        elif category in ZERO_RATE_CATEGORIES | {"O"}:
            c.check(
                tax == 0,
                f"{RULE_PREFIX.get(category, 'BR-O')}-09",
                f"VAT breakdown {category}: the VAT category tax amount shall be 0.",
            )
        prefix = RULE_PREFIX.get(category, "BR-O")
        c.check(
            line_sums.get((category, rate), Decimal("0")) == taxable,
            f"{prefix}-08",
            f"VAT breakdown {category} {rate}: taxable amount {taxable} ≠ the sum of its lines.",
        )
        reason = c.text("cac:TaxCategory/cbc:TaxExemptionReason", subtotal)
        reason_code = c.text("cac:TaxCategory/cbc:TaxExemptionReasonCode", subtotal)
        if category in EXEMPT_CATEGORIES:
            c.check(
                bool(reason or reason_code),
                f"{prefix}-10",
                f"VAT breakdown {category}: an exemption reason or reason code is required.",
            )
        elif category in {"S", "Z"}:
            c.check(
                not (reason or reason_code),
                f"{prefix}-10",
                f"VAT breakdown {category}: shall not have an exemption reason.",
            )
        if reason_code:
            c.check(
                bool(VATEX_PATTERN.match(reason_code)),
                "BR-CL-22",
                f"Exemption reason code {reason_code} is not a VATEX code.",
            )
            if reason_code.upper() in VATEX_CATEGORY:
                wanted, rule = VATEX_CATEGORY[reason_code.upper()]
                c.check(
                    category == wanted,
                    rule,
                    f"Tax category {wanted} MUST be used when exemption reason code is "
                    f"{reason_code}.",
                )
    for category in categories_on_lines:
        prefix = RULE_PREFIX.get(category, "BR-O")
        c.check(
            category in breakdown_categories,
            f"{prefix}-01",
            f"Lines with VAT category {category} need a VAT breakdown of that category.",
        )
    total_tax = c.amount("cbc:TaxAmount", with_subtotals[0])
    c.check(
        total_tax == subtotal_tax_sum,
        "BR-CO-14",
        "Invoice total VAT amount must equal the sum of the VAT category tax amounts.",
    )
    _vat_identifier_rules(c, categories_on_lines | breakdown_categories)


def _br_co_17(
    c: _Checker,
    category: str,
    rate: Decimal | None,
    taxable: Decimal,
    tax: Decimal,
    rule: str,
) -> None:
    """VAT = taxable amount × rate, as the official rule tests it: within one currency
    unit for a rate above zero (a credit note's cumulative rounding moves an øre), and 0
    (rounded to whole units) for a zero rate or none."""
    if rate is not None and rate.to_integral_value(rounding=ROUND_HALF_UP) != 0:
        expected = _round(abs(taxable) * rate / 100)
        ok = abs(tax) - 1 < expected < abs(tax) + 1
    else:
        ok = tax.to_integral_value(rounding=ROUND_HALF_UP) == 0
    c.check(ok, rule, f"VAT breakdown {category} {rate}: VAT {tax} ≠ taxable {taxable} × rate.")


def _rate_rules(c: _Checker, category: str, rate: Decimal | None, where: str) -> None:
    if category == "S":
        c.check(rate is not None and rate > 0, "BR-S-05", f"{where}: S needs a rate above 0.")
    elif category in ZERO_RATE_CATEGORIES:
        prefix = f"BR-{category}"
        c.check(rate is not None and rate == 0, f"{prefix}-05", f"{where}: rate must be 0.")
    elif category == "O":
        c.check(rate is None, "BR-O-05", f"{where}: category O shall not have a VAT rate.")


def _vat_identifier_rules(c: _Checker, categories: set[str]) -> None:
    seller = "cac:AccountingSupplierParty/cac:Party"
    buyer = "cac:AccountingCustomerParty/cac:Party"
    seller_vat = c.x(f"{seller}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID")
    seller_vat_party_id = c.x(f"{seller}/cac:PartyIdentification/cbc:ID[@schemeID='VA']")
    tax_representative = c.x("cac:TaxRepresentativeParty")
    tax_representative_vat = c.x(
        "cac:TaxRepresentativeParty/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID"
    )
    buyer_vat = c.x(f"{buyer}/cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID")
    buyer_legal = c.x(f"{buyer}/cac:PartyLegalEntity/cbc:CompanyID")
    # BR-S/Z/E/G/AE-02: a VAT identifier of the seller (or its tax representative); a
    # national tax registration (TaxScheme other than VAT, e.g. Foretaksregisteret) is not one.
    seller_identified = bool(seller_vat or seller_vat_party_id or tax_representative_vat)
    for category in ("S", "Z", "E", "G", "AE"):
        if category in categories:
            c.check(
                seller_identified,
                f"BR-{category}-02",
                f"Category {category} needs the seller VAT identifier (or the tax "
                "representative's).",
            )
    if "AE" in categories:
        c.check(
            bool(buyer_vat or buyer_legal),
            "BR-AE-02",
            "Reverse charge needs the buyer VAT identifier or legal registration identifier.",
        )
    if "O" in categories:
        c.check(not seller_vat, "BR-O-02", "Category O: no seller VAT identifier allowed.")
        c.check(not tax_representative, "BR-O-03", "Category O: no tax representative.")
        c.check(not buyer_vat, "BR-O-04", "Category O: no buyer VAT identifier allowed.")
        c.check(
            categories == {"O"},
            "BR-O-11",
            "Category O shall not be combined with other VAT categories.",
        )


def _total_rules(c: _Checker) -> None:
    total = c.x("cac:LegalMonetaryTotal")
    if not total:
        c.fail("BR-12", "Document totals (BG-22) missing.")
        return
    total = total[0]
    names = {
        "LineExtensionAmount": ("BR-12", "BR-DEC-09"),
        "TaxExclusiveAmount": ("BR-13", "BR-DEC-12"),
        "TaxInclusiveAmount": ("BR-14", "BR-DEC-14"),
        "PayableAmount": ("BR-15", "BR-DEC-18"),
    }
    values: dict[str, Decimal] = {}
    for name, (rule, decimals_rule) in names.items():
        text = c.text(f"cbc:{name}", total)
        c.check(text is not None, rule, f"{name} missing.")
        if text is not None:
            c.check(_decimals(text) <= 2, decimals_rule, f"{name}: more than 2 decimals.")
            value = _dec(text)
            if value is not None:  # else not a number: reported by _document_rules
                values[name] = value
    for name, decimals_rule in (
        ("AllowanceTotalAmount", "BR-DEC-10"),
        ("ChargeTotalAmount", "BR-DEC-11"),
        ("PrepaidAmount", "BR-DEC-16"),
        ("PayableRoundingAmount", "BR-DEC-17"),
    ):
        text = c.text(f"cbc:{name}", total)
        if text is not None:
            c.check(_decimals(text) <= 2, decimals_rule, f"{name}: more than 2 decimals.")
    for amount in c.x("//cbc:*[@currencyID]"):
        if amount.getparent() is not None and etree.QName(amount).localname == "TaxAmount":
            parent_total = amount.getparent()
            if (
                not c.x("cac:TaxSubtotal", parent_total)
                and etree.QName(parent_total).localname == "TaxTotal"
            ):
                continue  # BT-111, in the accounting currency
        c.check(
            amount.get("currencyID") == c.text("cbc:DocumentCurrencyCode"),
            "PEPPOL-EN16931-R051",
            f"{etree.QName(amount).localname}: currencyID must be the invoice currency.",
        )
    if len(values) < len(names):
        return
    lines_sum = sum(
        (c.amount("cbc:LineExtensionAmount", line) for line in c.x(c.line_tag)), Decimal("0")
    )
    c.check(
        values["LineExtensionAmount"] == lines_sum,
        "BR-CO-10",
        "Sum of Invoice line net amount must equal the sum of the lines.",
    )
    allowances = _sum_amounts(c, "cac:AllowanceCharge[cbc:ChargeIndicator='false']")
    charges = _sum_amounts(c, "cac:AllowanceCharge[cbc:ChargeIndicator='true']")
    for name, rule, expected in (
        ("AllowanceTotalAmount", "BR-CO-11", allowances),
        ("ChargeTotalAmount", "BR-CO-12", charges),
    ):
        given = _dec(c.text(f"cbc:{name}", total))
        c.check(
            given is None or given == _round(expected),
            rule,
            f"{name} must equal the sum of the document-level amounts ({expected}).",
        )
    c.check(
        values["TaxExclusiveAmount"] == values["LineExtensionAmount"] - allowances + charges,
        "BR-CO-13",
        "Total without VAT must equal line total − allowances + charges.",
    )
    main_tax = [t for t in c.x("cac:TaxTotal") if c.x("cac:TaxSubtotal", t)]
    tax = c.amount("cbc:TaxAmount", main_tax[0]) if main_tax else Decimal("0")
    c.check(
        values["TaxInclusiveAmount"] == values["TaxExclusiveAmount"] + tax,
        "BR-CO-15",
        "Total with VAT must equal total without VAT + total VAT.",
    )
    prepaid = c.amount("cbc:PrepaidAmount", total)
    rounding = c.amount("cbc:PayableRoundingAmount", total)
    c.check(
        values["PayableAmount"] == values["TaxInclusiveAmount"] - prepaid + rounding,
        "BR-CO-16",
        "Amount due must equal total with VAT − paid amount + rounding.",
    )
    if values["PayableAmount"] > 0:
        c.check(
            bool(c.text("cbc:DueDate"))
            or bool(c.text("cac:PaymentMeans/cbc:PaymentDueDate"))
            or bool(c.text("cac:PaymentTerms/cbc:Note")),
            "BR-CO-25",
            "A positive amount due needs a payment due date or payment terms.",
        )


def _sum_amounts(c: _Checker, path: str) -> Decimal:
    return sum((c.amount("cbc:Amount", element) for element in c.x(path)), Decimal("0"))


def _payment_rules(c: _Checker) -> None:
    for means in c.x("cac:PaymentMeans"):
        code = c.text("cbc:PaymentMeansCode", means)
        c.check(bool(code), "BR-49", "Payment means type code missing.")
        c.check(code in PAYMENT_MEANS_CODES, "BR-CL-16", f"Unknown payment means code {code}.")
        if code in CREDIT_TRANSFER_CODES:
            c.check(
                bool(c.text("cac:PayeeFinancialAccount/cbc:ID", means)),
                "BR-61",
                "Credit transfer needs the payment account identifier.",
            )
        if code in {"49", "59"}:
            c.check(
                bool(c.text("cac:PaymentMandate/cbc:ID", means)),
                "PEPPOL-EN16931-R061",
                "Mandate reference MUST be provided for direct debit.",
            )


# Peppol's checks of identifiers by ICD scheme (on EndpointID, PartyIdentification/ID and
# CompanyID): (rule, check, what).
def _gs1_check_digit_ok(value: str) -> bool:
    return bool(re.fullmatch(r"\d{2,}", value)) and ean.calc_check_digit(value[:-1]) == value[-1]


@functools.lru_cache(maxsize=4096)
def _norwegian_organization_number_ok(value: str) -> bool:
    """Kept per value: a document names its seller's (and often its buyer's) number several
    times, and a batch names the same seller in every document (4.5 µs a check)."""
    return bool(re.fullmatch(r"\d{9}", value)) and orgnr.is_valid(value)


def _belgian_enterprise_number_ok(value: str) -> bool:
    return bool(re.fullmatch(r"\d{10}", value)) and 97 - int(value[:8]) % 97 == int(value[8:])


IDENTIFIER_CHECKS: dict[str, tuple[str, Callable[[str], bool], str]] = {
    "0088": ("PEPPOL-COMMON-R040", _gs1_check_digit_ok, "GLN"),
    "0192": (
        "PEPPOL-COMMON-R041",
        _norwegian_organization_number_ok,
        "Norwegian organization number",
    ),
    "0184": (
        "PEPPOL-COMMON-R042",
        lambda v: bool(re.fullmatch(r"DK\d{8}", v)),
        "Danish organization number (CVR, DK + 8 digits)",
    ),
    "0208": ("PEPPOL-COMMON-R043", _belgian_enterprise_number_ok, "Belgian enterprise number"),
    "0007": (
        "PEPPOL-COMMON-R049",
        lambda v: bool(re.fullmatch(r"\d{10}", v)) and luhn.is_valid(v),
        "Swedish organization number",
    ),
    "0151": (
        "PEPPOL-COMMON-R050",
        lambda v: bool(re.fullmatch(r"\d{11}", v)) and abn.is_valid(v),
        "Australian Business Number (ABN)",
    ),
}


def _identifier_rules(c: _Checker) -> None:
    paths = "//cbc:EndpointID | //cac:PartyIdentification/cbc:ID | //cbc:CompanyID"
    for element in c.x(paths):
        scheme = element.get("schemeID")
        if scheme not in IDENTIFIER_CHECKS:
            continue
        rule, is_valid, what = IDENTIFIER_CHECKS[scheme]
        value = (element.text or "").strip()
        c.check(is_valid(value), rule, f"{what} {value} MUST be stated in the correct format.")


def _norwegian_rules(c: _Checker) -> None:
    seller = c.x("cac:AccountingSupplierParty/cac:Party")
    if not seller:
        return
    seller = seller[0]
    vat_id = c.text("cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='VAT']/cbc:CompanyID", seller)
    address_country = c.text("cac:PostalAddress/cac:Country/cbc:IdentificationCode", seller)
    country = vat_id[:2] if vat_id else address_country
    if country != "NO":
        return
    if vat_id and vat_id.startswith("NO"):
        c.check(
            bool(re.fullmatch(r"NO\d{9}MVA", vat_id))
            and _norwegian_organization_number_ok(vat_id[2:11]),
            "NO-R-001",
            "For Norwegian suppliers, a VAT number MUST be NO + a valid organisation number + MVA.",
        )
    c.check(
        c.text("cac:PartyTaxScheme[cac:TaxScheme/cbc:ID='TAX']/cbc:CompanyID", seller)
        == "Foretaksregisteret",
        "NO-R-002",
        "Most Norwegian suppliers must show «Foretaksregisteret» (foretaksregisterloven § 10-2).",
        fatal=False,
    )


# --- Rules added in the 2026.5 audit --------------------------------------------------------


def _breakdown_element_rules(c: _Checker, subtotals: list) -> None:
    """BR-45..48 (each VAT breakdown complete) and BR-Z/E/AE/G/O-01 (one group each)."""
    counts: dict[str, int] = defaultdict(int)
    for subtotal in subtotals:
        category = c.text("cac:TaxCategory/cbc:ID", subtotal) or ""
        counts[category] += 1
        c.check(
            c.text("cbc:TaxableAmount", subtotal) is not None,
            "BR-45",
            "Each VAT breakdown shall have a VAT category taxable amount.",
        )
        c.check(
            c.text("cbc:TaxAmount", subtotal) is not None,
            "BR-46",
            "Each VAT breakdown shall have a VAT category tax amount.",
        )
        c.check(bool(category), "BR-47", "Each VAT breakdown shall have a VAT category code.")
        c.check(
            c.text("cac:TaxCategory/cbc:Percent", subtotal) is not None or category == "O",
            "BR-48",
            "Each VAT breakdown shall have a VAT category rate, except if not subject to VAT.",
        )
    for category in ("Z", "E", "AE", "G", "O"):
        c.check(
            counts.get(category, 0) <= 1,
            f"BR-{category}-01",
            f"An invoice with VAT category {category} shall have exactly one VAT breakdown "
            "of that category.",
        )


def _document_allowance_rules(c: _Checker) -> None:
    """BR-31..33 and BR-36..38: document-level allowances and charges are complete."""
    for charge in c.x("cac:AllowanceCharge"):
        is_charge = c.text("cbc:ChargeIndicator", charge) == "true"
        amount_rule, category_rule, reason_rule = (
            ("BR-36", "BR-37", "BR-38") if is_charge else ("BR-31", "BR-32", "BR-33")
        )
        what = "charge" if is_charge else "allowance"
        c.check(
            c.text("cbc:Amount", charge) is not None,
            amount_rule,
            f"Each document level {what} shall have an amount.",
        )
        c.check(
            bool(c.text("cac:TaxCategory/cbc:ID", charge)),
            category_rule,
            f"Each document level {what} shall have a VAT category code.",
        )
        c.check(
            bool(c.text("cbc:AllowanceChargeReason", charge))
            or bool(c.text("cbc:AllowanceChargeReasonCode", charge)),
            reason_rule,
            f"Each document level {what} shall have a reason or a reason code.",
        )
        for name, rule in (
            ("Amount", "BR-DEC-05" if is_charge else "BR-DEC-01"),
            ("BaseAmount", "BR-DEC-06" if is_charge else "BR-DEC-02"),
        ):
            text = c.text(f"cbc:{name}", charge)
            if text is not None:
                c.check(_decimals(text) <= 2, rule, f"Document {what} {name}: > 2 decimals.")


def _peppol_code_rules(c: _Checker) -> None:
    """Peppol's restricted code lists and formats (PEPPOL-EN16931-CL*, P01*, F001)."""
    _document_allowance_rules(c)
    for code in c.x(
        "//cac:AllowanceCharge[cbc:ChargeIndicator='false']/cbc:AllowanceChargeReasonCode"
    ):
        c.check(
            (code.text or "").strip() in ALLOWANCE_REASON_CODES,
            "PEPPOL-EN16931-CL002",
            f"Allowance reason code {code.text} MUST be according to the subset of UNCL 5189.",
        )
    for code in c.x("//cac:InvoicePeriod/cbc:DescriptionCode"):
        c.check(
            (code.text or "").strip() in INVOICE_PERIOD_CODES,
            "PEPPOL-EN16931-CL006",
            f"Invoice period description code {code.text} must be according to UNCL 2005.",
        )
    billing = c.text("cbc:ProfileID") == "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
    if billing:
        type_code = c.text("cbc:CreditNoteTypeCode" if c.is_credit else "cbc:InvoiceTypeCode")
        allowed = BILLING_CREDIT_NOTE_TYPE_CODES if c.is_credit else BILLING_INVOICE_TYPE_CODES
        c.check(
            type_code is None or type_code in allowed,
            "PEPPOL-EN16931-P0101" if c.is_credit else "PEPPOL-EN16931-P0100",
            f"Type code {type_code} MUST be set according to the profile.",
        )
    for name in DATE_ELEMENTS:
        for element in c.x(f"//cbc:{name}"):
            value = (element.text or "").strip()
            c.check(
                _is_date(value),
                "PEPPOL-EN16931-F001",
                f"A date MUST be formatted YYYY-MM-DD ({name} {value}).",
            )
    for name in CURRENCY_AMOUNTS:
        for element in c.x(f"//cbc:{name}[@currencyID]"):
            code = element.get("currencyID")
            c.check(
                code in ISO_4217_CODES,
                "PEPPOL-EN16931-CL007",
                f"Currency code {code} of {name} must be according to ISO 4217.",
            )
    for name in ("InvoicedQuantity", "CreditedQuantity", "BaseQuantity"):
        for element in c.x(f"//cbc:{name}[@unitCode]"):
            code = element.get("unitCode")
            c.check(
                bool(UNIT_CODE_FORM.fullmatch(code)),
                "BR-CL-23",
                f"Unit code {code} of {name} MUST be coded according to the UN/ECE "
                "Recommendation 20 with Rec 21 extension.",
            )
    for element in c.x("//cac:Country/cbc:IdentificationCode"):
        c.check(
            (element.text or "").strip() in PEPPOL_COUNTRY_CODES,
            "BR-CL-14",
            f"Country code {element.text} is not an ISO 3166-1 alpha-2 code.",
        )
    for period in c.x("//cac:InvoicePeriod"):
        c.check(
            bool(c.text("cbc:StartDate", period))
            or bool(c.text("cbc:EndDate", period))
            or bool(c.text("cbc:DescriptionCode", period)),
            "BR-CO-19",
            "An invoicing period shall have a start date, an end date, or both.",
        )
    c.check(
        not (c.text("cbc:TaxPointDate") and c.text("cac:InvoicePeriod/cbc:DescriptionCode")),
        "BR-CO-03",
        "VAT point date and VAT point date code are mutually exclusive.",
    )
    for reference in c.x("cac:AdditionalDocumentReference"):
        c.check(
            bool(c.text("cbc:ID", reference)),
            "BR-52",
            "Each additional supporting document shall have a reference.",
        )
    c.check(
        len(c.x("cac:AdditionalDocumentReference[cbc:DocumentTypeCode='50']")) <= 1,
        "PEPPOL-EN16931-R080",
        "Only one project reference is allowed on document level.",
    )


def _price_and_reference_rules(c: _Checker) -> None:
    """Line charges, price allowances and base quantities, line object references."""
    for line in c.x(c.line_tag):
        ident = c.text("cbc:ID", line) or "?"
        for charge in c.x("cac:AllowanceCharge[cbc:ChargeIndicator='true']", line):
            c.check(
                c.text("cbc:Amount", charge) is not None,
                "BR-43",
                f"Line {ident}: each line charge shall have an amount.",
            )
            c.check(
                bool(c.text("cbc:AllowanceChargeReason", charge))
                or bool(c.text("cbc:AllowanceChargeReasonCode", charge)),
                "BR-44",
                f"Line {ident}: each line charge shall have a reason or a reason code.",
            )
        for charge in c.x("cac:AllowanceCharge", line):
            is_charge = c.text("cbc:ChargeIndicator", charge) == "true"
            base = c.text("cbc:BaseAmount", charge)
            if base is not None:
                c.check(
                    _decimals(base) <= 2,
                    "BR-DEC-28" if is_charge else "BR-DEC-25",
                    f"Line {ident}: allowance/charge base amount > 2 decimals.",
                )
            amount = c.text("cbc:Amount", charge)
            if is_charge and amount is not None:
                c.check(_decimals(amount) <= 2, "BR-DEC-27", f"Line {ident}: charge > 2 decimals.")
        price = c.x("cac:Price", line)
        if price:
            price = price[0]
            for allowance in c.x("cac:AllowanceCharge", price):
                c.check(
                    c.text("cbc:ChargeIndicator", allowance) == "false",
                    "PEPPOL-EN16931-R044",
                    f"Line {ident}: charge on price level is NOT allowed.",
                )
                gross = _dec(c.text("cbc:BaseAmount", allowance))
                net = _dec(c.text("cbc:PriceAmount", price))
                discount = _dec(c.text("cbc:Amount", allowance)) or Decimal("0")
                c.check(
                    gross is None or gross >= 0,
                    "BR-28",
                    f"Line {ident}: the item gross price shall not be negative.",
                )
                c.check(
                    gross is None or net == gross - discount,
                    "PEPPOL-EN16931-R046",
                    f"Line {ident}: item net price MUST equal gross price − allowance amount.",
                )
            base_quantity = c.x("cbc:BaseQuantity[@unitCode]", price)
            quantity = c.x(c.quantity_tag, line)
            if base_quantity and quantity:
                c.check(
                    base_quantity[0].get("unitCode") == quantity[0].get("unitCode"),
                    "PEPPOL-EN16931-R130",
                    f"Line {ident}: unit code of the price base quantity MUST be the quantity's.",
                )
        references = c.x("cac:DocumentReference", line)
        c.check(
            len(references) <= 1,
            "PEPPOL-EN16931-R100",
            f"Line {ident}: only one invoiced object is allowed per line.",
        )
        c.check(
            all(c.text("cbc:DocumentTypeCode", ref) == "130" for ref in references),
            "PEPPOL-EN16931-R101",
            f"Line {ident}: a line document reference can only be an invoiced object (130).",
        )


def _is_date(value: str) -> bool:
    if len(value) != 10:
        return False
    try:
        datetime.date.fromisoformat(value)
    except ValueError:
        return False
    return True


# In the order ``check_ehf_tree`` runs them.
_RULE_GROUPS: tuple[Callable[[_Checker], None], ...] = (
    _document_rules,
    _party_rules,
    _line_rules,
    _vat_rules,
    _total_rules,
    _payment_rules,
    _identifier_rules,
    _norwegian_rules,
    _peppol_code_rules,
    _price_and_reference_rules,
)
