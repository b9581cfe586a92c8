"""At issue: an invoice or credit note whose EHF would break the rule set is not issued.

Registered into ``invoicing.hooks`` by ``DocumentsConfig.ready()`` (invoicing sits below
documents and never imports it). Inside the issuing transaction the document is built
from the objects in memory (no extra queries), turned into the EHF's XML tree without the
PDF attachment, and checked in memory with the full rule set of ``documents.ehf_rules``
(the verdicts of the written-out XML: documents/tests/test_ehf_rules_selectors.py); fatal
violations become the issue's error messages, and the transaction rolls back (no number
is used).

Every invoice is checked, not only those sent through Peppol: the rules on parties,
amounts, VAT categories and totals hold for the document whatever channel carries it.
The rules about the electronic addresses and the buyer reference only concern a document
that travels as an EHF, so they count only for a client whose delivery channel is EHF;
for the others, a missing Peppol address is stood in for while checking (never stored).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents.adapters import document_from_invoice
from documents.document import InvoiceDocument, Party
from documents.ehf import EhfNotPossible, build_ehf_tree, endpoint_of
from documents.ehf_rules import Violation, check_ehf_tree

# Rules that only an EHF recipient's document must pass.
EHF_DELIVERY_RULES = frozenset(
    {
        "PEPPOL-EN16931-R003",  # buyer reference or order reference
        "PEPPOL-EN16931-R010",  # buyer electronic address
        "PEPPOL-EN16931-R020",  # seller electronic address
        "BR-62",
        "BR-63",
    }
)
# Stands in for a missing electronic address while checking a non-EHF document (a valid
# organisasjonsnummer: Brønnøysundregistrene). Never stored, never sent.
_STAND_IN_ENDPOINT = "0192:974760673"

# What a failing rule means, in the user's words.
RULE_TEXTS = {
    "PEPPOL-EN16931-R003": gettext_lazy(
        "kunden får EHF og trenger kjøpers referanse eller ordrenummer"
    ),
    "PEPPOL-EN16931-R010": gettext_lazy("kunden får EHF, men mangler Peppol-ID"),
    "BR-07": gettext_lazy("kunden mangler navn"),
    "BR-06": gettext_lazy("firmaet mangler navn"),
    "BR-08": gettext_lazy("firmaet mangler adresse"),
    "BR-10": gettext_lazy("kunden mangler adresse"),
    "BR-11": gettext_lazy("kunden mangler landkode"),
    "BR-CL-04": gettext_lazy("valutakoden er ikke en ISO 4217-kode"),
    "BR-CL-05": gettext_lazy("valutakoden for MVA er ikke en ISO 4217-kode"),
    "PEPPOL-EN16931-CL007": gettext_lazy("et beløp har en valutakode som ikke er ISO 4217"),
    "BR-CL-23": gettext_lazy("en linje har en enhetskode som ikke er UN/ECE 20/21"),
    "BR-CL-25": gettext_lazy("Peppol-ID-en har et ukjent adresseskjema (EAS)"),
    "PEPPOL-COMMON-R041": gettext_lazy("organisasjonsnummeret er ikke gyldig"),
    "NO-R-001": gettext_lazy("firmaets MVA-nummer er ikke gyldig"),
    "BR-CO-09": gettext_lazy("et MVA-nummer mangler landkode foran"),
    "BR-16": gettext_lazy("fakturaen har ingen linjer"),
    "BR-27": gettext_lazy("en linje har negativ pris"),
    "PEPPOL-EN16931-R110": gettext_lazy("en linjeperiode begynner før fakturaperioden"),
    "PEPPOL-EN16931-R111": gettext_lazy("en linjeperiode slutter etter fakturaperioden"),
    "BR-29": gettext_lazy("fakturaperioden slutter før den begynner"),
    "BR-30": gettext_lazy("en linjeperiode slutter før den begynner"),
}


def _rule_text(violation: Violation) -> str:
    text = RULE_TEXTS.get(violation.rule)
    if text is None:
        return _("regel %(rule)s er brutt (%(detail)s)") % {
            "rule": violation.rule,
            "detail": violation.message,
        }
    return _("%(text)s (regel %(rule)s)") % {"text": text, "rule": violation.rule}


def _with_stand_in(party: Party) -> Party:
    try:
        endpoint_of(party)
    except EhfNotPossible:
        return dataclasses.replace(party, peppol_id=_STAND_IN_ENDPOINT)
    return party


def ehf_violations(document: InvoiceDocument, *, ehf_recipient: bool) -> list[Violation]:
    """The fatal rule violations of ``document``'s EHF that matter for this recipient."""
    if not ehf_recipient:
        document = dataclasses.replace(
            document, seller=_with_stand_in(document.seller), buyer=_with_stand_in(document.buyer)
        )
    try:
        root = build_ehf_tree(document)
    except EhfNotPossible as exc:
        return [Violation("PEPPOL-EN16931-R010", str(exc))]
    return [
        violation
        for violation in check_ehf_tree(root)
        if violation.fatal and (ehf_recipient or violation.rule not in EHF_DELIVERY_RULES)
    ]


def ehf_issue_problems(*, invoice: Any, lines: list[Any], vat_lines: list[Any]) -> list[str]:
    """``invoicing.hooks`` issue validator: the EHF of the document being issued."""
    document = document_from_invoice(invoice, lines=lines, vat_lines=vat_lines)
    ehf_recipient = invoice.buyer_snapshot.get("delivery_channel") == "ehf"
    violations = ehf_violations(document, ehf_recipient=ehf_recipient)
    if not violations:
        return []
    seen: list[str] = []
    for violation in violations:
        text = _rule_text(violation)
        if text not in seen:
            seen.append(text)
    return [
        _("Dokumentet ville gitt en ugyldig EHF og er ikke utstedt: %(problems)s.")
        % {"problems": "; ".join(seen)}
    ]
