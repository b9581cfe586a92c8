"""The official SAF-T Financial 1.30 schema, found like ``documents/tests/ehf_support.py``
finds ``shared/``: env ``FAKTURANETT_SHARED_DIR`` or the folder beside the repository."""

from __future__ import annotations

import functools
import os
from pathlib import Path

from lxml import etree

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("FAKTURANETT_SHARED_DIR", REPO.parent / "shared"))
SAFT_DIR = SHARED / "saft"
SAFT_XSD = SAFT_DIR / "Norwegian_SAF-T_Financial_Schema_v_1.30.xsd"
if not SAFT_XSD.is_file():
    raise RuntimeError(
        f"The SAF-T 1.30 schema was not found under {SHARED}; put the project's shared/ "
        "folder beside the repository or set FAKTURANETT_SHARED_DIR."
    )
NS = {"s": "urn:StandardAuditFile-Taxation-Financial:NO"}


@functools.cache
def _schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SAFT_XSD)))


def xsd_errors(xml: bytes) -> list[str]:
    """The schema errors of a SAF-T file (empty when valid)."""
    schema = _schema()
    if schema.validate(etree.fromstring(xml)):
        return []
    # lxml's error log is iterable; lxml-stubs do not say so.
    errors = list(schema.error_log)  # type: ignore[call-overload]
    return [f"line {error.line}: {error.message}" for error in errors][:20]
