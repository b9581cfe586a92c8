"""The storage and deletion routines as a PDF (ReportLab, the invoice PDFs' fonts)."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from documents.pdf import FONT, FONT_BOLD, _register_fonts


def routines_pdf(context: dict[str, Any]) -> bytes:
    _register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=8.5, leading=11)
    bold = ParagraphStyle("bold", parent=base, fontName=FONT_BOLD)
    title = ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=15, leading=19)
    heading = ParagraphStyle("heading", parent=base, fontName=FONT_BOLD, fontSize=11, leading=15)

    def p(text: Any, style: ParagraphStyle = base) -> Paragraph:
        return Paragraph(escape(str(text)), style)

    story: list[Any] = [
        p(_("Lagrings- og slettingsrutiner"), title),
        Spacer(1, 3 * mm),
        p(
            _(
                "Invoice Club AS (FakturaNett). Laget %(date)s fra reglene som den daglige "
                "slettejobben bruker."
            )
            % {"date": timezone.localdate().strftime("%d.%m.%Y")}
        ),
        Spacer(1, 5 * mm),
        p(_("Regler for sletting og anonymisering"), heading),
        Spacer(1, 2 * mm),
    ]
    header = [
        p(_("Opplysninger"), bold),
        p(_("Lagringstid"), bold),
        p(_("Deretter"), bold),
        p(_("Grunnlag"), bold),
    ]
    # A cell holds a paragraph or a list of flowables stacked in it.
    rows: list[list[Any]] = [header]
    for rule in context["rules"]:
        rows.append(
            [
                [p(rule.title, bold), p(rule.data), p(", ".join(rule.categories))],
                p(rule.period),
                p(rule.action),
                p(rule.legal_basis),
            ]
        )
    table = Table(rows, colWidths=[65 * mm, 50 * mm, 25 * mm, 40 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef2f5")),
            ]
        )
    )
    story += [table, Spacer(1, 6 * mm), p(_("Lagringstid for hver opplysning"), heading)]
    for row in context["inventory_rows"]:
        story += [Spacer(1, 2 * mm), p(row.label, bold), p("; ".join(row.fields))]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=_("Lagrings- og slettingsrutiner"),
        author="Invoice Club AS",
    )
    doc.build(story)
    return buffer.getvalue()
