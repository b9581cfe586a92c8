"""Validation helpers for EHF tests: the official UBL 2.1 XSD and golden files."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parents[2]
# The read-only project inputs (schemas, official examples) live beside the repository.
SHARED = Path(os.environ.get("FAKTURANETT_SHARED_DIR", REPO.parent / "shared"))
UBL_XSD = SHARED / "ehf" / "ubl-2.1-xsd" / "maindoc"
EHF_EXAMPLES = SHARED / "ehf" / "examples"
if not UBL_XSD.is_dir() or not EHF_EXAMPLES.is_dir():
    raise RuntimeError(
        f"The UBL 2.1 schemas and EHF examples were not found under {SHARED}; "
        "put the project's shared/ folder beside the repository or set FAKTURANETT_SHARED_DIR."
    )


@functools.cache
def _schema(root_name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(UBL_XSD / f"UBL-{root_name}-2.1.xsd")))


def xsd_errors(xml: bytes) -> list[str]:
    """The UBL 2.1 XSD errors of an Invoice or CreditNote document (empty when valid)."""
    document = etree.fromstring(xml)
    schema = _schema(etree.QName(document).localname)
    if schema.validate(document):
        return []
    # lxml's _ListErrorLog iterates; lxml-stubs declare only the _ErrorLog base.
    return [f"line {error.line}: {error.message}" for error in schema.error_log]  # type: ignore[attr-defined]


def elements(
    node: etree._Element, path: str, namespaces: Mapping[str, str]
) -> list[etree._Element]:
    """The elements ``path`` selects (lxml types an XPath result as any XPath value)."""
    found = node.xpath(path, namespaces=namespaces)
    assert isinstance(found, list), path
    selected = []
    for item in found:
        assert isinstance(item, etree._Element), (path, item)
        selected.append(item)
    return selected
