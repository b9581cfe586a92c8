"""Invoice PDF rendering: ReportLab (ours) in a warm process, WeasyPrint for comparison.

The target (design.md §7) is a one-page invoice in ≤ 8 ms median. WeasyPrint is not a
project dependency; ``make bench`` installs it from requirements/bench.txt, and without it
its rows say "n/a".
"""

from __future__ import annotations

import html
import io
import logging
from collections.abc import Callable

from bench.timing import median_ms
from documents.document import InvoiceDocument
from documents.pdf import render_pdf
from documents.tests.factories import make_document, make_line


def _rows(name: str, timing: tuple[float, float], digits: int = 2) -> list[tuple[str, str, str]]:
    wall, cpu = timing
    return [
        (f"{name}, median", f"{wall:.{digits}f}", "ms"),
        (f"{name}, median CPU", f"{cpu:.{digits}f}", "ms"),
    ]


def _page_count(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


def _document_with_pages(pages: int) -> InvoiceDocument:
    """An invoice whose lines fill exactly ``pages`` pages."""
    count = 3
    while True:
        lines = tuple(
            make_line(
                position=n,
                description=f"Konsulentbistand, delleveranse {n}",
                quantity="1.5",
                unit_price=f"{900 + n}.00",
                vat_rate=("25", "15", "12")[n % 3],
            )
            for n in range(1, count + 1)
        )
        document = make_document(lines=lines)
        if _page_count(render_pdf(document)) >= pages:
            return document
        count += 3


def _logo() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (1200, 400), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 380, 380), fill=(23, 64, 109, 255))
    draw.rectangle((420, 140, 1180, 260), fill=(23, 64, 109, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


# --- WeasyPrint: the same invoice as HTML -------------------------------------------------

_CSS = """
@page { size: A4; margin: 15mm 18mm 22mm 18mm;
  @bottom-right { content: "Side " counter(page) " av " counter(pages); font-size: 7.5pt; } }
body { font-family: "DejaVu Sans"; font-size: 8.5pt; color: #1f2328; }
h1 { color: #17406d; font-size: 20pt; text-align: right; margin: 0; }
table { border-collapse: collapse; width: 100%; }
th { background: #eef1f5; color: #17406d; text-align: left; border-bottom: 1px solid #17406d; }
td { border-bottom: 0.25pt solid #c9ced6; padding: 3pt 4pt; }
td.n, th.n { text-align: right; }
.meta td { border: none; padding: 1pt 0; }
.pay { border: 1px solid #17406d; padding: 6pt; margin-top: 6mm; }
"""


def _html(document: InvoiceDocument) -> str:
    e = html.escape
    rows = "".join(
        f"<tr><td>{e(line.description)}</td><td class=n>{line.quantity}</td>"
        f"<td>{e(line.unit_label)}</td><td class=n>{line.unit_price}</td>"
        f"<td class=n>{line.discount_percent or ''}</td><td class=n>{line.vat_rate} %</td>"
        f"<td class=n>{line.line_net}</td></tr>"
        for line in document.lines
    )
    vat_rows = "".join(
        f"<tr><td>{s.vat_rate} %</td><td class=n>{s.taxable_amount}</td>"
        f"<td class=n>{s.tax_amount}</td></tr>"
        for s in document.vat_subtotals
    )
    seller, buyer, totals = document.seller, document.buyer, document.totals
    return f"""<!doctype html><html lang=nb><head><meta charset=utf-8><style>{_CSS}</style>
<body><h1>FAKTURA</h1>
<p><b>{e(seller.name)}</b><br>{e(seller.address.line1)}<br>
{e(seller.address.postcode)} {e(seller.address.city)}<br>
Org.nr {seller.organization_number} MVA Foretaksregisteret</p>
<table class=meta><tr><td>Fakturanr.</td><td>{document.number}</td></tr>
<tr><td>Fakturadato</td><td>{document.issue_date}</td></tr>
<tr><td>Forfallsdato</td><td>{document.due_date}</td></tr></table>
<p>FAKTURERES TIL<br><b>{e(buyer.name)}</b><br>{e(buyer.address.line1)}<br>
{e(buyer.address.postcode)} {e(buyer.address.city)}</p>
<table><thead><tr><th>Beskrivelse</th><th class=n>Antall</th><th>Enhet</th>
<th class=n>Pris</th><th class=n>Rabatt</th><th class=n>MVA</th><th class=n>Beløp</th>
</tr></thead><tbody>{rows}</tbody></table>
<table style="width:50%;margin-top:5mm"><tr><th>MVA-sats</th><th class=n>Grunnlag</th>
<th class=n>MVA</th></tr>{vat_rows}</table>
<p>Sum eks. MVA {totals.tax_exclusive}<br>MVA {totals.tax}<br>
<b>Å betale NOK {totals.amount_due}</b></p>
<div class=pay>Kontonummer {document.bank_account} · KID {document.kid}
· Forfallsdato {document.due_date}</div></body></html>"""


def _weasyprint() -> Callable[[str], bytes] | None:
    for name in ("weasyprint", "weasyprint.progress", "fontTools"):
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        from weasyprint import HTML
    except (ImportError, OSError):  # not installed, or a system library missing
        return None
    return lambda source: HTML(string=source).write_pdf()


def run() -> list[tuple[str, str, str]]:
    one = make_document()
    five = _document_with_pages(5)
    pages = _page_count(render_pdf(five))
    logo = _logo()
    rows = [
        *_rows("pdf reportlab, 1 page", median_ms(lambda: render_pdf(one))),
        *_rows("pdf reportlab, 1 page + PNG logo", median_ms(lambda: render_pdf(one, logo=logo))),
        *_rows(
            f"pdf reportlab, {pages} pages ({len(five.lines)} lines)",
            median_ms(lambda: render_pdf(five), rounds=20),
        ),
    ]
    weasy = _weasyprint()
    if weasy is None:
        rows.append(("pdf weasyprint, 1 page, median", "n/a", "ms"))
        rows.append((f"pdf weasyprint, {len(five.lines)} lines, median", "n/a", "ms"))
    else:
        one_html, five_html = _html(one), _html(five)
        weasy_pages = _page_count(weasy(five_html))
        rows += _rows("pdf weasyprint, 1 page", median_ms(lambda: weasy(one_html), 10), 1)
        rows += _rows(
            f"pdf weasyprint, {weasy_pages} pages ({len(five.lines)} lines)",
            median_ms(lambda: weasy(five_html), 5),
            1,
        )
    return rows
