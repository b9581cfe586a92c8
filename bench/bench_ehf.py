"""EHF (Peppol BIS Billing 3.0) build and rule check per invoice, warm process."""

from __future__ import annotations

from decimal import Decimal

from bench.timing import median_ms
from documents.ehf import build_ehf
from documents.ehf_rules import check_ehf
from documents.pdf import render_pdf
from documents.tests.factories import make_document, make_line


def _document(lines: int):
    return make_document(
        lines=tuple(
            make_line(
                position=n,
                description=f"Konsulenttime, uke {n}",
                quantity=Decimal("7.5"),
                unit_price=Decimal("1250.00"),
                vat_rate=("25", "15", "12")[n % 3],
            )
            for n in range(1, lines + 1)
        )
    )


def run() -> list[tuple[str, str, str]]:
    rows = []
    for lines in (3, 50):
        document = _document(lines)
        pdf = render_pdf(document)
        wall, _ = median_ms(lambda d=document: build_ehf(d), rounds=200)
        rows.append((f"EHF build, {lines} lines, median", f"{wall:.2f}", "ms"))
        wall, _ = median_ms(lambda d=document, p=pdf: build_ehf(d, pdf=p), rounds=200)
        rows.append((f"EHF build with embedded PDF, {lines} lines, median", f"{wall:.2f}", "ms"))
        xml = build_ehf(document, pdf=pdf)
        wall, _ = median_ms(lambda x=xml: check_ehf(x), rounds=200)
        rows.append((f"EHF business-rule check, {lines} lines, median", f"{wall:.2f}", "ms"))
    return rows
