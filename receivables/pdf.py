"""The PDF of a reminder or inkassovarsel, rendered with ReportLab from the letter's frozen
``content`` (the same fonts as the invoice PDF, ``documents.pdf``).

It states what the law asks a fee-bearing letter to state (norway.md §5.3): what the claim
concerns (the invoice's number, date and amount), what is paid, the fee and the interest
separately, the new deadline (≥ 14 days), and how to pay (account and KID). An
inkassovarsel is headed "Inkassovarsel" and says collection will start if it is not paid.
"""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from core.money import format_money
from documents.pdf import FONT, FONT_BOLD, _register_fonts

TEXT = {
    "nb": {
        "reminder": "Purring",
        "reminder_n": "Purring nr. {n}",
        "inkassovarsel": "Inkassovarsel",
        "intro": "Vi kan ikke se å ha mottatt betaling for fakturaen nedenfor.",
        "notice_intro": (
            "Vi har ikke mottatt betaling for fakturaen nedenfor, som forfalt {due}. "
            "Dette er et varsel etter inkassoloven § 9."
        ),
        "notice_warning": (
            "Dersom beløpet ikke er betalt innen {deadline}, vil kravet bli sendt til inkasso. "
            "Det vil da påløpe ytterligere kostnader."
        ),
        "invoice": "Faktura nr.",
        "invoice_date": "Fakturadato",
        "due_date": "Opprinnelig forfall",
        "amount": "Fakturabeløp",
        "paid": "Innbetalt",
        "credited": "Kreditert",
        "open": "Utestående hovedstol",
        "fee": "Purregebyr",
        "notice_fee": "Gebyr for inkassovarsel",
        "compensation": "Standardkompensasjon (forsinkelsesrenteloven § 3a)",
        "interest": "Forsinkelsesrente",
        "interest_part": "{rate} % p.a. av {principal} for {days} dager ({start}–{end})",
        "earlier": "Tidligere gebyrer og renter",
        "total": "Å betale",
        "deadline": "Ny betalingsfrist",
        "account": "Kontonummer",
        "kid": "KID",
        "no_vat": "Gebyrer og renter er ikke merverdiavgiftspliktige.",
        "ignore": "Har du nylig betalt, kan du se bort fra dette brevet.",
        "date": "Dato",
    },
    "en": {
        "reminder": "Payment reminder",
        "reminder_n": "Payment reminder no. {n}",
        "inkassovarsel": "Inkassovarsel (debt collection notice)",
        "intro": "We have not yet received payment of the invoice below.",
        "notice_intro": (
            "We have not received payment of the invoice below, due on {due}. "
            "This is a notice under the Norwegian Debt Collection Act, section 9."
        ),
        "notice_warning": (
            "If the amount is not paid by {deadline}, the claim will be sent to debt "
            "collection, which will add further costs."
        ),
        "invoice": "Invoice no.",
        "invoice_date": "Invoice date",
        "due_date": "Original due date",
        "amount": "Invoice amount",
        "paid": "Paid",
        "credited": "Credited",
        "open": "Outstanding principal",
        "fee": "Reminder fee",
        "notice_fee": "Collection notice fee",
        "compensation": "Fixed compensation (Late Payment Interest Act, section 3a)",
        "interest": "Late payment interest",
        "interest_part": "{rate} % p.a. on {principal} for {days} days ({start}–{end})",
        "earlier": "Earlier fees and interest",
        "total": "Amount to pay",
        "deadline": "New due date",
        "account": "Account number",
        "kid": "KID",
        "no_vat": "Fees and interest are not subject to VAT.",
        "ignore": "If you have paid recently, please disregard this letter.",
        "date": "Date",
    },
}


def _d(value: str, language: str) -> str:
    day = datetime.date.fromisoformat(value)
    return day.strftime("%d %b %Y") if language == "en" else day.strftime("%d.%m.%Y")


def _m(value: str | Decimal, currency: str, language: str) -> str:
    return f"{currency} {format_money(Decimal(str(value)), language=language)}"


def heading(content: dict[str, Any]) -> str:
    t = TEXT["en" if content.get("language") == "en" else "nb"]
    if content.get("kind") == "inkassovarsel":
        return t["inkassovarsel"]
    return t["reminder_n"].format(n=content.get("sequence", 1))


def render_letter_pdf(content: dict[str, Any]) -> bytes:
    _register_fonts()
    language = "en" if content.get("language") == "en" else "nb"
    t = TEXT[language]
    currency = content.get("currency", "NOK")
    base = ParagraphStyle("l", fontName=FONT, fontSize=10, leading=14)
    bold = ParagraphStyle("lb", parent=base, fontName=FONT_BOLD)
    title = ParagraphStyle("lt", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20)
    seller = content.get("seller") or {}
    buyer = content.get("buyer") or {}
    story: list[Any] = []
    seller_lines = [seller.get("name", ""), seller.get("address_line", "")]
    seller_lines.append(" ".join(x for x in (seller.get("postcode"), seller.get("city")) if x))
    buyer_lines = [buyer.get("name", ""), buyer.get("address_line", "")]
    buyer_lines.append(" ".join(x for x in (buyer.get("postcode"), buyer.get("city")) if x))
    story.append(
        Table(
            [
                [
                    Paragraph("<br/>".join(escape(x) for x in buyer_lines if x), base),
                    Paragraph("<br/>".join(escape(x) for x in seller_lines if x), base),
                ]
            ],
            colWidths=[95 * mm, 75 * mm],
        )
    )
    story.append(Spacer(1, 10 * mm))
    story.append(Paragraph(escape(heading(content)), title))
    story.append(Spacer(1, 3 * mm))
    story.append(Paragraph(f"{t['date']}: {_d(content['sent_on'], language)}", base))
    story.append(Spacer(1, 4 * mm))
    is_notice = content.get("kind") == "inkassovarsel"
    intro = (
        t["notice_intro"].format(due=_d(content["due_date"], language)) if is_notice else t["intro"]
    )
    story.append(Paragraph(escape(intro), base))
    story.append(Spacer(1, 5 * mm))
    rows: list[list[str]] = [
        [t["invoice"], str(content.get("invoice_number", ""))],
        [t["invoice_date"], _d(content["invoice_date"], language)],
        [t["due_date"], _d(content["due_date"], language)],
        [t["amount"], _m(content["amount"], currency, language)],
        [t["paid"], _m(content["paid"], currency, language)],
    ]
    if Decimal(content.get("credited", "0")):
        rows.append([t["credited"], _m(content["credited"], currency, language)])
    rows.append([t["open"], _m(content["principal_open"], currency, language)])
    if Decimal(content.get("earlier_open", "0")):
        rows.append([t["earlier"], _m(content["earlier_open"], currency, language)])
    if Decimal(content.get("fee", "0")):
        rows.append(
            [t["notice_fee"] if is_notice else t["fee"], _m(content["fee"], currency, language)]
        )
    if Decimal(content.get("compensation", "0")):
        rows.append([t["compensation"], _m(content["compensation"], currency, language)])
    if Decimal(content.get("interest", "0")):
        rows.append([t["interest"], _m(content["interest"], currency, language)])
        for part in content.get("interest_parts", []):
            rows.append(
                [
                    "   "
                    + t["interest_part"].format(
                        rate=str(part["rate"]).replace(".", "," if language == "nb" else "."),
                        principal=format_money(Decimal(part["principal"]), language=language),
                        days=part["days"],
                        start=_d(part["from"], language),
                        end=_d(part["to"], language),
                    ),
                    _m(part["amount"], currency, language),
                ]
            )
    total_row = len(rows)
    rows.append([t["total"], _m(content["total"], currency, language)])
    rows.append([t["deadline"], _d(content["deadline"], language)])
    if content.get("bank_account_display") or content.get("bank_account"):
        rows.append([t["account"], content.get("bank_account_display") or content["bank_account"]])
    if content.get("kid"):
        rows.append([t["kid"], content["kid"]])
    table = Table(rows, colWidths=[120 * mm, 50 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9.5, 13),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("FONT", (0, total_row), (-1, total_row + 1), FONT_BOLD, 10, 14),
                ("LINEABOVE", (0, total_row), (-1, total_row), 0.8, colors.black),
            ]
        )
    )
    story.append(table)
    story.append(Spacer(1, 6 * mm))
    if is_notice:
        story.append(
            Paragraph(
                escape(t["notice_warning"].format(deadline=_d(content["deadline"], language))),
                bold,
            )
        )
        story.append(Spacer(1, 3 * mm))
    story.append(Paragraph(escape(t["no_vat"]), base))
    story.append(Paragraph(escape(t["ignore"]), base))
    out = io.BytesIO()
    SimpleDocTemplate(
        out,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=heading(content),
        author=seller.get("name", ""),
    ).build(story)
    return out.getvalue()
