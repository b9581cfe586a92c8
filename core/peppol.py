"""Peppol participant identifiers: ``<EAS scheme>:<identifier>``, e.g. ``0192:988077917``.

The scheme is a code of the Electronic Address Scheme list (EAS, CEF/OpenPeppol code list,
based on ISO 6523 ICD codes plus the 99xx VAT-number schemes). Where the scheme is a
registration or VAT number that python-stdnum knows, the identifier must pass that
number's own check (format and check digits): ``0192`` a Norwegian organisasjonsnummer,
``0007`` a Swedish organisationsnummer, ``9930`` a German USt-IdNr., ``0088`` a GLN, ...
Other schemes are checked for their form only. This module is the one place for the
rule: the customers app (form, API, CSV import), the issue rules and the EHF rule set
call it.
"""

from __future__ import annotations

import re
from importlib import import_module

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The EAS code list (Peppol BIS Billing 3.0, rule BR-CL-25).
EAS_SCHEMES = frozenset(
    {
        "0002", "0007", "0009", "0037", "0060", "0088", "0096", "0097", "0106", "0130", "0135",
        "0142", "0151", "0183", "0184", "0188", "0190", "0191", "0192", "0193", "0195", "0196",
        "0198", "0199", "0200", "0201", "0202", "0204", "0208", "0209", "0210", "0211", "0212",
        "0213", "0215", "0216", "0218", "0221", "0230", "9901", "9910", "9913", "9914", "9915",
        "9918", "9919", "9920", "9922", "9923", "9924", "9925", "9926", "9927", "9928", "9929",
        "9930", "9931", "9932", "9933", "9934", "9935", "9936", "9937", "9938", "9939", "9940",
        "9941", "9942", "9943", "9944", "9945", "9946", "9947", "9948", "9949", "9950", "9951",
        "9952", "9953", "9957", "9959",
    }
)  # fmt: skip

# Scheme → the python-stdnum module whose ``is_valid`` is the scheme's own check.
SCHEME_CHECKS: dict[str, str] = {
    "0002": "fr.siren",
    "0007": "se.orgnr",
    "0009": "fr.siret",
    "0037": "fi.ytunnus",
    "0088": "ean",
    "0151": "au.abn",
    "0183": "ch.uid",
    "0184": "dk.cvr",
    "0191": "ee.registrikood",
    "0192": "no.orgnr",
    "0195": "sg.uen",
    "0196": "is_.kennitala",
    "0199": "lei",
    "0204": "de.leitweg",
    "0208": "be.vat",
    "0210": "it.codicefiscale",
    "0211": "it.iva",
    "0212": "fi.ytunnus",
    "0213": "fi.alv",
    "9910": "hu.anum",
    "9914": "at.uid",
    "9918": "iban",
    "9920": "es.nif",
    "9922": "ad.nrt",
    "9923": "al.nipt",
    "9925": "be.vat",
    "9926": "bg.vat",
    "9927": "ch.vat",
    "9928": "cy.vat",
    "9929": "cz.dic",
    "9930": "de.vat",
    "9931": "ee.kmkr",
    "9932": "gb.vat",
    "9933": "gr.vat",
    "9934": "hr.oib",
    "9935": "ie.vat",
    "9937": "lt.pvm",
    "9938": "lu.tva",
    "9939": "lv.pvn",
    "9940": "mc.tva",
    "9942": "mk.edb",
    "9943": "mt.vat",
    "9944": "nl.btw",
    "9945": "pl.nip",
    "9946": "pt.nif",
    "9947": "ro.cf",
    "9948": "rs.pib",
    "9949": "si.ddv",
    "9950": "sk.dph",
    "9951": "sm.coe",
    "9952": "tr.vkn",
    "9957": "fr.tva",
    "9959": "us.ein",
}

NORWEGIAN_ORGNR_SCHEME = "0192"
# Peppol identifier policy: at most 50 characters; no whitespace and no colon in the value.
_FORM = re.compile(r"(?P<scheme>\d{4}):(?P<value>[^\s:]{1,50})")


def identifier_is_valid(scheme: str, value: str) -> bool:
    """True when ``value`` passes the check of ``scheme`` (True for schemes without one)."""
    module_name = SCHEME_CHECKS.get(scheme)
    if module_name is None:
        return True
    module = import_module(f"stdnum.{module_name}")
    return bool(module.is_valid(value))


def participant_id_problem(value: str) -> str | None:
    """What is wrong with the participant id ``value`` (a translated sentence), or None."""
    match = _FORM.fullmatch(value.strip())
    if match is None:
        return _(
            "«%(value)s» er ikke en gyldig Peppol-ID. Formatet er fire siffer (EAS-kode), "
            "kolon og identifikator, for eksempel 0192:999999999."
        ) % {"value": value}
    scheme, identifier = match["scheme"], match["value"]
    if scheme not in EAS_SCHEMES:
        return _("«%(scheme)s» er ikke en kode i Peppols liste over adresseskjemaer (EAS).") % {
            "scheme": scheme
        }
    if not identifier_is_valid(scheme, identifier):
        if scheme == NORWEGIAN_ORGNR_SCHEME:
            return _("Peppol-ID med 0192 må inneholde et gyldig organisasjonsnummer.")
        return _(
            "«%(value)s» er ikke et gyldig nummer for skjema %(scheme)s (kontrollsifferet "
            "eller formatet stemmer ikke)."
        ) % {"value": identifier, "scheme": scheme}
    return None


def clean_participant_id(value: str) -> str:
    """``scheme:identifier`` with surrounding whitespace removed, or ValidationError."""
    problem = participant_id_problem(value)
    if problem is not None:
        raise ValidationError(problem, code="invalid_peppol_id")
    return value.strip()
