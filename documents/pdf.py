"""The PDF of an invoice, credit note or quote (tilbud), rendered with ReportLab from an
``InvoiceDocument``.

``render_pdf(document, logo=...)`` returns the bytes of an A4 PDF with DejaVu Sans embedded.
Page 1 carries the parties and the document's dates and references (drawn straight on the
canvas), the lines table flows over as many pages as it needs with its header row repeated,
then come the VAT summary, the totals, the legal texts and note and the payment block. Every
page has a footer with the seller's details and "Side x av y"; a draft carries a watermark.
A quote (``document.kind == "quote"``) has the same layout with its own title and labels,
a valid-until date instead of a due date and no payment block.

The labels are in ``LABELS`` below, one row per label in both languages: the language is the
document's (``document.language``), not the request's, and a table keeps the renderer free
of compiled message catalogues.

Kept lean for the per-invoice cost (design.md §7, bench/bench_pdf.py): fonts are registered
once per process and their deflated subsets are cached (``_SubsetCachingFace``, with every
document's subset seeded alike so that nearly all invoices share one); the logo is decoded,
scaled and re-encoded once per distinct image (``_prepared_logo``) and then embedded as it
is; short cells are plain strings (a ``Paragraph`` only where text must wrap); and the page
count comes from a canvas that holds its pages back until it knows how many there are, not
from a second pass.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime
import functools
import hashlib
import io
import logging
import os
import threading
import time
import unicodedata
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.core.exceptions import ImproperlyConfigured
from PIL import Image
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.colors import Color
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, TimeStamp, simpleSplit
from reportlab.pdfbase import pdfdoc, pdfmetrics
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, TTFont, TTFontFace
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from core.identifiers import format_kontonr, format_orgnr
from core.money import format_money, round_money
from documents.document import InvoiceDocument, Party, VatSubtotal

__all__ = ["LABELS", "REVERSE_CHARGE_TEXT", "render_pdf"]

logger = logging.getLogger(__name__)

FONT_DIR = "/usr/share/fonts/truetype/dejavu"  # Debian's fonts-dejavu-core
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"

REVERSE_CHARGE_TEXT = "Omvendt avgiftsplikt – Merverdiavgift ikke beregnet"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 18 * mm
MARGIN_TOP = 15 * mm
FOOTER_TOP = 22 * mm  # the frame ends above the footer
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
LOGO_BOX = (62 * mm, 22 * mm)  # width, height: the logo is scaled into it, aspect kept
LOGO_MAX_PIXELS = (720, 260)  # about 300 dpi in LOGO_BOX: enough for print, small to embed

INK = colors.HexColor("#1f2328")
MUTED = colors.HexColor("#5d6470")
RULE = colors.HexColor("#c9ced6")
SHADE = colors.HexColor("#eef1f5")
ACCENT = colors.HexColor("#17406d")
DRAFT_RED = colors.HexColor("#b42318")

# --- Labels -------------------------------------------------------------------------------

LABELS: dict[str, tuple[str, str]] = {
    # key: (bokmål, English)
    "invoice": ("FAKTURA", "INVOICE"),
    "credit_note": ("KREDITNOTA", "CREDIT NOTE"),
    "quote": ("TILBUD", "QUOTE"),
    "quote_number": ("Tilbudsnr.", "Quote no."),
    "quote_date": ("Tilbudsdato", "Quote date"),
    "valid_until": ("Gyldig til", "Valid until"),
    "quote_to": ("Tilbud til", "Quote for"),
    "quote_total": ("Tilbudt pris", "Quoted price"),
    "quote_terms": ("Om tilbudet", "About this quote"),
    "quote_sentence": (
        "Tilbudet gjelder til og med {date}. Faktura sendes etter aksept.",
        "This quote is valid until {date} inclusive. An invoice follows acceptance.",
    ),
    "prepayment_invoice": ("FORSKUDDSFAKTURA", "PREPAYMENT INVOICE"),
    "draft": ("UTKAST", "DRAFT"),
    "draft_notice": (
        "UTKAST – ikke en gyldig faktura",
        "DRAFT – not a valid invoice",
    ),
    "invoice_number": ("Fakturanr.", "Invoice no."),
    "credit_note_number": ("Kreditnotanr.", "Credit note no."),
    "invoice_date": ("Fakturadato", "Invoice date"),
    "credit_note_date": ("Kreditnotadato", "Credit note date"),
    "delivery_date": ("Leveringsdato", "Delivery date"),
    "delivery_period": ("Leveringsperiode", "Delivery period"),
    "due_date": ("Forfallsdato", "Due date"),
    "client_number": ("Kundenr.", "Customer no."),
    "our_reference": ("Vår referanse", "Our reference"),
    "their_reference": ("Deres referanse", "Your reference"),
    "buyer_reference": ("Kjøpers referanse", "Buyer reference"),
    "order_reference": ("Bestillingsnr.", "Order no."),
    "credits_invoice": ("Gjelder faktura", "Credits invoice"),
    "credits_sentence": (
        "Denne kreditnotaen krediterer faktura nr. {number} datert {date}.",
        "This credit note credits invoice no. {number} dated {date}.",
    ),
    "number_on_issue": ("tildeles ved utstedelse", "assigned on issue"),
    "bill_to": ("Faktureres til", "Bill to"),
    "credit_to": ("Kreditnota til", "Credit note to"),
    "attention": ("Att.", "Attn."),
    "orgnr": ("Org.nr", "Org. no."),
    "vat_number": ("MVA-nr.", "VAT no."),
    "phone": ("Tlf.", "Phone"),
    "email": ("E-post", "E-mail"),
    "account": ("Kontonr.", "Account no."),
    "description": ("Beskrivelse", "Description"),
    "quantity": ("Antall", "Qty"),
    "unit": ("Enhet", "Unit"),
    "unit_price": ("Pris eks. mva", "Price excl. VAT"),
    "unit_price_no_vat": ("Pris", "Unit price"),  # a seller not registered for VAT
    "unit_price_incl": ("Pris inkl. mva", "Price incl. VAT"),
    "discount": ("Rabatt", "Disc."),
    "vat": ("MVA", "VAT"),
    "amount": ("Beløp", "Amount"),
    "amount_incl": ("Beløp inkl. mva", "Amount incl. VAT"),
    "delivery_place": ("Leveringssted", "Place of delivery"),
    "period": ("Periode", "Period"),
    "vat_rate": ("MVA-sats", "VAT rate"),
    "vat_basis": ("Grunnlag", "Basis"),
    "vat_amount": ("MVA", "VAT"),
    "vat_nok": ("MVA i NOK", "VAT in NOK"),
    "total_excl": ("Sum eks. MVA", "Total excl. VAT"),
    "total_vat": ("MVA", "VAT"),
    "total_incl": ("Sum inkl. MVA", "Total incl. VAT"),
    "total_vat_nok": ("MVA i NOK", "VAT in NOK"),
    "prepaid": ("Forskuddsbetalt", "Prepaid"),
    "to_pay": ("Å betale", "Amount due"),
    "credited_total": ("Kreditert beløp", "Amount credited"),
    "total": ("Sum", "Total"),
    "exchange_rate": (
        "Valutakurs: 1 {currency} = {rate} NOK",
        "Exchange rate: 1 {currency} = {rate} NOK",
    ),
    "payment": ("Betalingsinformasjon", "Payment details"),
    "account_number": ("Kontonummer", "Account number"),
    "iban": ("IBAN", "IBAN"),
    "bic": ("BIC/SWIFT", "BIC/SWIFT"),
    "kid": ("KID", "KID"),
    "payment_reference": ("Merk betalingen", "Payment reference"),
    "invoice_no_ref": ("Fakturanr. {number}", "Invoice no. {number}"),
    "pay_amount": ("Beløp", "Amount"),
    "credit_sentence": (
        "Beløpet {amount} godskrives dere. Kreditnotaen skal ikke betales.",
        "The amount {amount} is credited to you. This credit note is not to be paid.",
    ),
    "note": ("Merknad", "Note"),
    "page": ("Side {page} av {pages}", "Page {page} of {pages}"),
    "not_vat_registered": (
        "Selger er ikke registrert i Merverdiavgiftsregisteret.",
        "The seller is not registered for VAT.",
    ),
    # VAT categories (UNCL5305) where the rate alone does not say it
    "cat_Z": ("0 % (fritatt)", "0 % (zero-rated)"),
    "cat_E": ("Unntatt", "Exempt"),
    "cat_AE": ("Omvendt avgiftsplikt", "Reverse charge"),
    "cat_G": ("Utførsel", "Export"),
    "cat_O": ("Utenfor mva-loven", "Outside scope of VAT"),
}

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class _Format:
    """Labels, numbers and dates in one document language."""

    def __init__(self, language: str) -> None:
        self.index = 1 if language == "en" else 0
        self.en = self.index == 1

    def __call__(self, key: str, **params: object) -> str:
        text = LABELS[key][self.index]
        return text.format(**params) if params else text

    def money(self, amount: Decimal) -> str:
        return format_money(amount, language="en" if self.en else "nb")

    def price(self, amount: Decimal) -> str:
        """A unit price: two decimals, more only where the price has them."""
        if amount == round_money(amount):
            return self.money(amount)
        text = format(amount.normalize(), "f")
        whole, _, fraction = text.partition(".")
        head = self.money(Decimal(whole))[:-3]
        return f"{head}{'.' if self.en else ','}{fraction}"

    def number(self, value: Decimal) -> str:
        """Quantities and percentages: no trailing zeros, decimal comma in nb."""
        text = format(value.normalize(), "f")
        if "." in text:
            text = text.rstrip("0").rstrip(".")
        if text in ("-0", ""):
            text = "0"
        return text if self.en else text.replace(".", ",")

    def percent(self, value: Decimal) -> str:
        return f"{self.number(value)}\u00a0%"

    def date(self, value: datetime.date) -> str:
        if self.en:
            return f"{value.day} {_MONTHS_EN[value.month - 1]} {value.year}"
        return value.strftime("%d.%m.%Y")

    def period(self, start: datetime.date | None, end: datetime.date | None) -> str:
        if start and end:
            return f"{self.date(start)}–{self.date(end)}"
        return self.date(start or end)  # type: ignore[arg-type]


# --- Fonts and logo, once per process -----------------------------------------------------

_font_lock = threading.Lock()
_fonts_ready = False

# Non-ASCII characters every document's font subset starts with (ASCII is always there), so
# nearly every invoice has the very same subset and its compressed glyph data comes from
# ``_SubsetCachingFace``'s cache instead of being cut out and deflated again per document.
SUBSET_SEED = "æøåÆØÅ«»–—·€éÉèüÜöÖäÄ§×−…’“”"
_SUBSET_CACHE_SIZE = 64


class _SubsetCachingFace(TTFontFace):
    """A TrueType face that keeps the deflated bytes of the subsets it has embedded.

    ReportLab's ``TTFontFace.addSubsetObjects`` (5.1) with one change: the font file stream
    is looked up by the subset's characters, and stored already compressed.
    """

    def __init__(self, filename: str) -> None:
        super().__init__(filename)
        self._subsets: dict[tuple[int, ...], tuple[int, bytes]] = {}

    def addSubsetObjects(self, doc: Any, fontname: str, subset: list[int]) -> Any:
        key = tuple(subset)
        cached = self._subsets.get(key)
        if cached is None:
            raw = self.makeSubset(subset)
            cached = (len(raw), zlib.compress(raw))
            if len(self._subsets) >= _SUBSET_CACHE_SIZE:
                self._subsets.clear()
            self._subsets[key] = cached
        font_file = pdfdoc.PDFStream()
        font_file.content = cached[1]
        font_file.dictionary["Length1"] = cached[0]
        font_file.dictionary["Filter"] = pdfdoc.PDFArray([pdfdoc.PDFName("FlateDecode")])
        font_file_ref = doc.Reference(font_file, f"fontFile:{self.filename}({fontname})")
        flags = (self.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC
        descriptor = pdfdoc.PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": self.ascent,
                "CapHeight": self.capHeight,
                "Descent": self.descent,
                "Flags": flags,
                "FontBBox": pdfdoc.PDFArray(self.bbox),
                "FontName": pdfdoc.PDFName(fontname),
                "ItalicAngle": self.italicAngle,
                "StemV": self.stemV,
                "FontFile2": font_file_ref,
                "MissingWidth": self.defaultWidth,
            }
        )
        return doc.Reference(descriptor, "fontDescriptor:" + fontname)


def _embedded_font(name: str) -> TTFont:
    """One of the faces ``_register_fonts`` registered (``getFont`` is typed as any font)."""
    font = pdfmetrics.getFont(name)
    if not isinstance(font, TTFont):
        raise ImproperlyConfigured(f"{name} is registered, but not as the embedded TrueType font")
    return font


def _register_fonts() -> None:
    global _fonts_ready
    if _fonts_ready:
        return
    with _font_lock:
        if _fonts_ready:
            return
        for name, file in ((FONT, "DejaVuSans.ttf"), (FONT_BOLD, "DejaVuSans-Bold.ttf")):
            path = f"{FONT_DIR}/{file}"
            if not os.path.exists(path):
                raise ImproperlyConfigured(
                    f"{path} is missing: install Debian's fonts-dejavu-core for invoice PDFs"
                )
            font = TTFont(name, path)
            font.face = _SubsetCachingFace(path)
            pdfmetrics.registerFont(font)
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)
        # Binary image streams: ReportLab's default wraps images in ASCII85, a pure-Python
        # pass over the logo on every render that only makes the file bigger.
        rl_config.useA85 = 0
        _fonts_ready = True


class _PreparedLogo(ImageReader):
    """A logo decoded once, flattened on white, scaled and kept as JPEG bytes.

    ReportLab embeds a JPEG as it is (DCTDecode), so a render copies bytes instead of
    decoding and deflating the image again; ``getRGBData`` only feeds ReportLab's image
    name digest, so the (small) JPEG itself stands in for the pixels.
    """

    def __init__(self, jpeg: bytes, size: tuple[int, int]) -> None:
        self.fileName = "logo"
        self._image = None
        self._jpeg = jpeg
        self._width, self._height = size
        self._data = jpeg
        self._dataA = None
        self._transparent = None

    # ImageReader returns None here for a non-JPEG and swaps in a file-returning method for a
    # JPEG; the stubs know only the former. A file makes the canvas embed the JPEG as is.
    def jpeg_fh(self) -> io.BytesIO:  # type: ignore[override]
        return io.BytesIO(self._jpeg)

    def getSize(self) -> tuple[int, int]:
        return self._width, self._height

    def getRGBData(self) -> bytes:
        return self._jpeg

    def getTransparent(self) -> None:
        return None


_LOGO_CACHE_SIZE = 32
_logo_cache: OrderedDict[bytes, _PreparedLogo | None] = OrderedDict()
_logo_lock = threading.Lock()


def _prepared_logo(data: bytes) -> _PreparedLogo | None:
    """The logo ready to embed, decoded once per distinct image (keyed by a digest, so the
    cache holds only the small prepared JPEGs); None, with a warning, if it can't be read."""
    key = hashlib.blake2b(data, digest_size=16).digest()
    with _logo_lock:
        if key in _logo_cache:
            _logo_cache.move_to_end(key)
            return _logo_cache[key]
    try:
        with Image.open(io.BytesIO(data)) as opened:
            image = opened.convert("RGBA")
        image.thumbnail(LOGO_MAX_PIXELS, Image.Resampling.LANCZOS)
        flat = Image.new("RGB", image.size, (255, 255, 255))
        flat.paste(image, mask=image.getchannel("A"))
        out = io.BytesIO()
        flat.save(out, format="JPEG", quality=92, subsampling=0, optimize=True)
        prepared: _PreparedLogo | None = _PreparedLogo(out.getvalue(), flat.size)
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        logger.warning("logo could not be read; the PDF is rendered without it", exc_info=True)
        prepared = None
    with _logo_lock:
        _logo_cache[key] = prepared
        while len(_logo_cache) > _LOGO_CACHE_SIZE:
            _logo_cache.popitem(last=False)
    return prepared


# --- Styles -------------------------------------------------------------------------------


@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    _register_fonts()
    base = ParagraphStyle("base", fontName=FONT, fontSize=8.5, leading=11, textColor=INK)
    return {
        "cell": ParagraphStyle("cell", parent=base, alignment=TA_LEFT),
        "body": ParagraphStyle("body", parent=base, fontSize=9, leading=12.5),
        "legal": ParagraphStyle("legal", parent=base, fontName=FONT_BOLD, fontSize=9, leading=12.5),
        "heading": ParagraphStyle(
            "heading", parent=base, fontName=FONT_BOLD, fontSize=9.5, leading=13, textColor=ACCENT
        ),
    }


_LINE_COLUMNS = (0.35, 0.08, 0.07, 0.16, 0.08, 0.07, 0.19)  # fractions of CONTENT_WIDTH
_CELL_PAD = 4


@functools.cache
def _lines_table_style() -> TableStyle:
    return TableStyle(
        [
            ("FONT", (0, 0), (-1, -1), FONT, 8.5, 11),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8, 10),
            ("TEXTCOLOR", (0, 0), (-1, 0), ACCENT),
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, ACCENT),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ("ALIGN", (2, 0), (2, -1), "LEFT"),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PAD),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]
    )


# --- The document -------------------------------------------------------------------------


def render_pdf(document: InvoiceDocument, *, logo: bytes | None = None) -> bytes:
    """The PDF of ``document`` (A4, DejaVu Sans embedded) with ``logo`` (PNG/JPEG) top left."""
    _register_fonts()
    return _Renderer(_printable(document), _prepared_logo(logo) if logo else None).render()


# --- Characters the embedded fonts lack ---------------------------------------------------

#: Printed for a character neither DejaVu face has (an emoji, a CJK character ...): a
#: visible placeholder, where the PDF would otherwise show an empty box or nothing.
MISSING_GLYPH = "\u25a1"  # □


@functools.cache
def _covered() -> frozenset[int]:
    """Code points both embedded faces (regular and bold) can draw."""
    faces = [_embedded_font(name).face for name in (FONT, FONT_BOLD)]
    covered = set(faces[0].charToGlyph)
    for face in faces[1:]:
        covered &= set(face.charToGlyph)
    covered.update((0x0A, 0x0D, 0x09))  # line breaks and tabs are layout, not glyphs
    return frozenset(covered)


def printable_text(text: str) -> str:
    """``text`` with every character the fonts lack replaced by ``MISSING_GLYPH``.

    Invisible joiners and modifiers the fonts lack (zero-width joiner, variation selectors,
    skin-tone modifiers, combining marks) are dropped, so an emoji sequence such as a
    family or a thumbs-up with a skin tone prints as one placeholder per visible symbol.
    """
    covered = _covered()
    if all(ord(char) in covered for char in text):
        return text
    out = []
    after_missing = False
    for char in text:
        point = ord(char)
        joiner = unicodedata.category(char) in ("Mn", "Me", "Cf") or 0x1F3FB <= point <= 0x1F3FF
        if joiner and (after_missing or point not in covered):
            continue  # part of the symbol already replaced, or an invisible mark
        if point in covered:
            out.append(char)
            after_missing = False
        else:
            out.append(MISSING_GLYPH)
            after_missing = True
    return "".join(out)


def _printable(value: Any) -> Any:
    """A copy of a document (dataclasses, tuples, strings) safe for the fonts."""
    if isinstance(value, str):
        return printable_text(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for item in dataclasses.fields(value):
            old = getattr(value, item.name)
            new = _printable(old)
            if new is not old:
                changes[item.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    if isinstance(value, tuple):
        items = tuple(_printable(item) for item in value)
        return items if any(a is not b for a, b in zip(items, value, strict=True)) else value
    return value


def _party_address(party: Party) -> list[str]:
    address = party.address
    lines = [line for line in (address.line1, address.line2) if line]
    place = " ".join(part for part in (address.postcode, address.city) if part)
    if place:
        lines.append(place)
    if address.country and address.country != "NO":
        lines.append(address.country)
    return lines


def _is_reverse_charge(document: InvoiceDocument) -> bool:
    return any(line.vat_category == "AE" for line in document.lines) or any(
        subtotal.vat_category == "AE" for subtotal in document.vat_subtotals
    )


LEFT_COLUMN = CONTENT_WIDTH - 82 * mm  # page 1: the parties' width, left of the facts
META_WIDTH = 78 * mm  # page 1: the document's facts, right
PAGE_NUMBER_WIDTH = 62  # the footer's room for "Side 10 av 12"


@dataclass(frozen=True)
class _Line:
    """One line of text on the canvas, already fitted to its width."""

    text: str
    font: str
    size: float
    color: Color
    leading: float


def _fitted(
    text: str, font: str, size: float, width: float, *, min_size: float, color: Color
) -> list[_Line]:
    """``text`` at ``size``, shrunk towards ``min_size`` to fit ``width``, wrapped beyond that."""
    actual = pdfmetrics.stringWidth(text, font, size)
    if actual > width:
        size = max(min_size, size * width / actual)
    lines = [text]
    if pdfmetrics.stringWidth(text, font, size) > width:
        lines = simpleSplit(text, font, size, width)
    return [_Line(line, font, size, color, round(size * 1.24, 2)) for line in lines]


def _draw(canvas: Canvas, x: float, y: float, line: _Line, *, right: bool = False) -> None:
    canvas.setFillColor(line.color)
    canvas.setFont(line.font, line.size)
    if right:
        canvas.drawRightString(x, y, line.text)
    else:
        canvas.drawString(x, y, line.text)


class _Renderer:
    def __init__(self, document: InvoiceDocument, logo: _PreparedLogo | None) -> None:
        self.doc = document
        self.logo = logo
        self.f = _Format(document.language)
        self.styles = _styles()
        self.reverse_charge = _is_reverse_charge(document)
        self.shows_vat = document.seller.vat_registered
        self.foreign = document.currency != "NOK"
        # VAT in NOK needs the rate (a quote, or a draft in a foreign currency without its
        # rate yet, has none: its "NOK" figures would be the foreign amounts).
        self.shows_vat_nok = self.foreign and document.exchange_rate is not None

    # -- texts used in several places --

    def seller_orgnr_text(self) -> str:
        seller = self.doc.seller
        if not seller.organization_number:
            return ""
        text = f"{self.f('orgnr')} {format_orgnr(seller.organization_number)}"
        if seller.vat_registered:
            text += " MVA"
        if seller.in_foretaksregisteret:
            text += " Foretaksregisteret"
        return text

    def title(self) -> str:
        if self.doc.is_quote:
            return self.f("quote")
        if self.doc.is_credit_note:
            return self.f("credit_note")
        return self.f("prepayment_invoice" if self.doc.prepayment else "invoice")

    def amount_with_currency(self, amount: Decimal) -> str:
        return f"{self.doc.currency} {self.f.money(amount)}"

    # -- build --

    def render(self) -> bytes:
        buffer = io.BytesIO()
        self.layout_first_page()
        header_bottom = self.header_height
        frame_bottom = FOOTER_TOP
        first = Frame(
            MARGIN_X,
            frame_bottom,
            CONTENT_WIDTH,
            PAGE_HEIGHT - header_bottom - frame_bottom,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="first",
        )
        later_top = MARGIN_TOP + 14 * mm
        later = Frame(
            MARGIN_X,
            frame_bottom,
            CONTENT_WIDTH,
            PAGE_HEIGHT - later_top - frame_bottom,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="later",
        )
        number = self.doc.number or self.f("draft")
        template = BaseDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=MARGIN_X,
            rightMargin=MARGIN_X,
            topMargin=MARGIN_TOP,
            bottomMargin=FOOTER_TOP,
            title=f"{self.title().capitalize()} {number}",
            author=self.doc.seller.name,
            subject=f"{self.title().capitalize()} {number} – {self.doc.buyer.name}",
            creator="FakturaNett",
            # The same document gives the same bytes (no time stamp, no random /ID), so
            # ``documents_repair`` can prove a re-rendering identical to the archive.
            invariant=1,
            initialFontName=FONT,
            initialFontSize=9,
            initialLeading=11,
        )
        template.addPageTemplates(
            [
                PageTemplate(id="first", frames=[first], onPage=self.draw_first_page),
                PageTemplate(id="later", frames=[later], onPage=self.draw_later_page),
            ]
        )
        story: list[Flowable] = [NextPageTemplate("later"), *self.story()]
        template.build(story, canvasmaker=functools.partial(_PagedCanvas, renderer=self))
        return buffer.getvalue()

    # -- page 1 header, drawn on the canvas --

    def header_rows(self) -> list[tuple[str, str]]:
        doc, f = self.doc, self.f
        credit = doc.is_credit_note
        number_key, date_key = (
            ("quote_number", "quote_date")
            if doc.is_quote
            else ("credit_note_number", "credit_note_date")
            if credit
            else ("invoice_number", "invoice_date")
        )
        rows = [
            (f(number_key), doc.number or f"— ({f('number_on_issue')})"),
            (f(date_key), f.date(doc.issue_date)),
        ]
        if doc.is_quote and doc.valid_until:
            rows.append((f("valid_until"), f.date(doc.valid_until)))
        if doc.credited:
            rows.append(
                (
                    f("credits_invoice"),
                    f"{doc.credited.number} ({f.date(doc.credited.issue_date)})",
                )
            )
        if doc.delivery_date:
            rows.append((f("delivery_date"), f.date(doc.delivery_date)))
        if doc.period_start or doc.period_end:
            rows.append((f("delivery_period"), f.period(doc.period_start, doc.period_end)))
        place = doc.delivery_address
        if place is not None and place != doc.buyer.address:
            rows.append(
                (
                    f("delivery_place"),
                    ", ".join(_party_address(Party(name="", address=place))),
                )
            )
        if doc.due_date and not credit:
            rows.append((f("due_date"), f.date(doc.due_date)))
        for key, value in (
            ("client_number", doc.client_number),
            ("our_reference", doc.our_reference),
            ("their_reference", doc.their_reference),
            # BT-10 is often the same person as "Deres referanse": print it once
            (
                "buyer_reference",
                "" if doc.buyer_reference == doc.their_reference else doc.buyer_reference,
            ),
            ("order_reference", doc.order_reference),
        ):
            if value:
                rows.append((f(key), value))
        return rows

    def seller_lines(self) -> list[str]:
        seller = self.doc.seller
        lines = _party_address(seller)
        orgnr = self.seller_orgnr_text()
        if orgnr:
            lines.append(orgnr)
        return lines

    def buyer_lines(self) -> list[str]:
        buyer, f = self.doc.buyer, self.f
        lines = []
        if buyer.contact_name:
            lines.append(f"{f('attention')} {buyer.contact_name}")
        lines.extend(_party_address(buyer))
        if buyer.organization_number:
            orgnr = f"{f('orgnr')} {format_orgnr(buyer.organization_number)}"
            if self.reverse_charge:
                orgnr += " MVA"
            lines.append(orgnr)
        if buyer.foreign_vat_id:
            lines.append(f"{f('vat_number')} {buyer.foreign_vat_id}")
        return lines

    # -- page 1: where everything goes (distances from the top edge, in points) --

    _BUYER_TOP_MIN = 52 * mm
    _META_TOP = MARGIN_TOP + 16 * mm

    def layout_first_page(self) -> None:
        """Fit and place page 1's texts once: drawing and the frame's top both use it."""
        doc, f = self.doc, self.f
        left: list[tuple[float, _Line]] = []  # (baseline from the top, line)

        def stack(lines: list[_Line], first_baseline: float) -> float:
            baseline = first_baseline
            for index, line in enumerate(lines):
                if index:
                    baseline += line.leading
                left.append((baseline, line))
            return baseline

        seller_lines: list[_Line] = []
        if self.logo is not None:
            baseline = MARGIN_TOP + LOGO_BOX[1] + 5 * mm - 10.5
            seller_lines += _fitted(
                doc.seller.name, FONT_BOLD, 9, LEFT_COLUMN, min_size=8, color=INK
            )
        else:
            letterhead = _fitted(
                doc.seller.name, FONT_BOLD, 15, LEFT_COLUMN, min_size=11, color=ACCENT
            )
            baseline = stack(letterhead, MARGIN_TOP + 15) + 4 * mm - 10.5
        for text in self.seller_lines():
            seller_lines += _fitted(text, FONT, 8.5, LEFT_COLUMN, min_size=7.5, color=MUTED)
        baseline = stack(seller_lines, baseline + 10.5)

        label_key = "quote_to" if doc.is_quote else "credit_to" if doc.is_credit_note else "bill_to"
        label = f(label_key).upper()
        baseline = max(self._BUYER_TOP_MIN, baseline + 10.5 + 7 * mm)
        left.append((baseline, _Line(label, FONT, 7.5, MUTED, 9)))
        buyer_lines = _fitted(doc.buyer.name, FONT_BOLD, 10.5, LEFT_COLUMN, min_size=9, color=INK)
        for text in self.buyer_lines():
            buyer_lines += _fitted(text, FONT, 9, LEFT_COLUMN, min_size=8, color=INK)
        buyer_bottom = stack(buyer_lines, baseline + 14)

        meta: list[tuple[float, str, list[_Line]]] = []  # (baseline, label, value lines)
        baseline = self._META_TOP + (14 if doc.is_draft else 0)
        for label, value in self.header_rows():
            room = META_WIDTH - pdfmetrics.stringWidth(label, FONT, 8.5) - 8
            lines = _fitted(value, FONT_BOLD, 8.5, room, min_size=7, color=INK)
            baseline += 12.5
            meta.append((baseline, label, lines))
            baseline += sum(line.leading for line in lines[1:])
        self.left_lines = left
        self.meta_rows = meta
        self.header_height = max(buyer_bottom, baseline) + 9 * mm

    def draw_first_page(self, canvas: Canvas, _template: Any) -> None:
        doc, f = self.doc, self.f
        canvas.saveState()
        top = PAGE_HEIGHT - MARGIN_TOP
        if self.logo is not None:
            canvas.drawImage(
                self.logo,
                MARGIN_X,
                top - LOGO_BOX[1],
                LOGO_BOX[0],
                LOGO_BOX[1],
                preserveAspectRatio=True,
                anchor="nw",
            )
        for baseline, line in self.left_lines:
            _draw(canvas, MARGIN_X, PAGE_HEIGHT - baseline, line)
        # title and the document's facts, right
        right = PAGE_WIDTH - MARGIN_X
        meta_left = right - META_WIDTH
        canvas.setFillColor(ACCENT)
        canvas.setFont(FONT_BOLD, 20)
        canvas.drawRightString(right, top - 18, self.title())
        y = PAGE_HEIGHT - self._META_TOP
        if doc.is_draft:
            y -= 14
            canvas.setFillColor(DRAFT_RED)
            canvas.setFont(FONT_BOLD, 10)
            canvas.drawRightString(right, y + 4, f("draft_notice"))
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(meta_left, y + 2, right, y + 2)
        for baseline, label, lines in self.meta_rows:
            y = PAGE_HEIGHT - baseline
            canvas.setFillColor(MUTED)
            canvas.setFont(FONT, 8.5)
            canvas.drawString(meta_left, y, label)
            for index, line in enumerate(lines):
                if index:
                    y -= line.leading
                _draw(canvas, right, y, line, right=True)
        canvas.line(meta_left, y - 5, right, y - 5)
        canvas.restoreState()
        self.draw_common(canvas)

    def draw_later_page(self, canvas: Canvas, _template: Any) -> None:
        doc = self.doc
        canvas.saveState()
        top = PAGE_HEIGHT - MARGIN_TOP
        canvas.setFillColor(ACCENT)
        canvas.setFont(FONT_BOLD, 11)
        number = doc.number or self.f("draft")
        canvas.drawString(MARGIN_X, top - 11, f"{self.title()} {number}")
        parties = f"{doc.seller.name} – {doc.buyer.name}"
        room = CONTENT_WIDTH - pdfmetrics.stringWidth(f"{self.title()} {number}", FONT_BOLD, 11)
        line = _fitted(parties, FONT, 8.5, room - 20, min_size=6, color=MUTED)[0]
        _draw(canvas, PAGE_WIDTH - MARGIN_X, top - 11, line, right=True)
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, top - 17, PAGE_WIDTH - MARGIN_X, top - 17)
        canvas.restoreState()
        self.draw_common(canvas)

    def footer_lines(self) -> tuple[str, str]:
        seller, f = self.doc.seller, self.f
        first = [seller.name, self.seller_orgnr_text()]
        second = [", ".join(_party_address(seller))]
        if seller.phone:
            second.append(f"{f('phone')} {seller.phone}")
        if seller.email:
            second.append(f"{f('email')} {seller.email}")
        if self.doc.bank_account:
            second.append(f"{f('account')} {format_kontonr(self.doc.bank_account)}")
        return " · ".join(part for part in first if part), " · ".join(second)

    def draw_common(self, canvas: Canvas) -> None:
        """Footer and draft watermark, on every page (the page count comes later)."""
        canvas.saveState()
        if self.doc.is_draft:
            canvas.saveState()
            canvas.setFillColor(DRAFT_RED)
            canvas.setFillAlpha(0.09)
            canvas.setFont(FONT_BOLD, 110)
            canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
            canvas.rotate(52)
            canvas.drawCentredString(0, -38, self.f("draft"))
            canvas.restoreState()
        canvas.setStrokeColor(RULE)
        canvas.setLineWidth(0.5)
        canvas.line(MARGIN_X, 16 * mm, PAGE_WIDTH - MARGIN_X, 16 * mm)
        room = CONTENT_WIDTH - PAGE_NUMBER_WIDTH
        for text, baseline in zip(self.footer_lines(), (10, 19.5), strict=True):
            if text:
                line = _fitted(text, FONT, 7.5, room, min_size=5.5, color=MUTED)[0]
                _draw(canvas, MARGIN_X, 16 * mm - baseline, line)
        canvas.restoreState()

    def draw_page_number(self, canvas: Canvas, page: int, pages: int) -> None:
        canvas.saveState()
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 7.5)
        canvas.drawRightString(
            PAGE_WIDTH - MARGIN_X, 16 * mm - 10, self.f("page", page=page, pages=pages)
        )
        canvas.restoreState()

    # -- the flowing part --

    def story(self) -> list[Flowable]:
        doc, f, styles = self.doc, self.f, self.styles
        story: list[Flowable] = []
        if doc.credited:
            story.append(
                Paragraph(
                    escape(
                        f(
                            "credits_sentence",
                            number=doc.credited.number,
                            date=f.date(doc.credited.issue_date),
                        )
                    ),
                    styles["legal"],
                )
            )
            story.append(Spacer(1, 3 * mm))
        story.append(self.lines_table())
        story.append(Spacer(1, 5 * mm))
        story.append(KeepTogether([self.summary()]))
        texts = list(doc.legal_texts)
        if self.reverse_charge and REVERSE_CHARGE_TEXT not in texts:
            texts.insert(0, REVERSE_CHARGE_TEXT)
        for subtotal in doc.vat_subtotals:
            if subtotal.exemption_reason and subtotal.exemption_reason not in texts:
                texts.append(subtotal.exemption_reason)
        if not self.shows_vat:
            texts.append(f("not_vat_registered"))
        if texts:
            story.append(Spacer(1, 4 * mm))
            story.extend(Paragraph(escape(text), styles["legal"]) for text in texts)
        if doc.note:
            story.append(Spacer(1, 4 * mm))
            note = escape(doc.note).replace("\n", "<br/>")
            story.append(Paragraph(f"<b>{escape(f('note'))}:</b> {note}", styles["body"]))
        story.append(Spacer(1, 6 * mm))
        block: list[Flowable] = [self.payment_block()]
        if doc.payment_note and not doc.is_quote:
            note = escape(doc.payment_note).replace("\n", "<br/>")
            block += [Spacer(1, 2 * mm), Paragraph(note, styles["body"])]
        story.append(KeepTogether(block))
        return story

    def lines_table(self) -> Table:
        f = self.f
        widths = [CONTENT_WIDTH * share for share in _LINE_COLUMNS]
        if not self.shows_vat:  # no VAT column: give its width to the description
            widths[0] += widths[5]
            del widths[5]
        # Prices excl. VAT (the EN 16931 figures) unless the buyer is shown prices incl. VAT
        # (consumers); the VAT breakdown and totals below are the same either way.
        incl = self.shows_vat and self.doc.prices_include_vat
        if not self.shows_vat:
            price_label, amount_label = f("unit_price_no_vat"), f("amount")
        elif incl:
            price_label, amount_label = f("unit_price_incl"), f("amount_incl")
        else:
            price_label, amount_label = f("unit_price"), f("amount")
        header = [
            f("description"),
            f("quantity"),
            f("unit"),
            price_label,
            f("discount"),
            f("vat"),
            f"{amount_label} {self.doc.currency}" if self.foreign else amount_label,
        ]
        if not self.shows_vat:
            del header[5]
        text_width = widths[0] - 2 * _CELL_PAD
        rows: list[list[Any]] = [header]
        cell_style = self.styles["cell"]
        width_of = pdfmetrics.stringWidth
        for line in self.doc.lines:
            parts = [
                f"{line.product_number} {line.description}"
                if line.product_number
                else line.description
            ]
            if line.period_start or line.period_end:
                parts.append(f"{f('period')} {f.period(line.period_start, line.period_end)}")
            description: Any = "\n".join(parts)
            if "\n" in line.description or any(
                width_of(part, FONT, 8.5) > text_width for part in parts
            ):
                description = Paragraph(
                    "<br/>".join(escape(part).replace("\n", "<br/>") for part in parts),
                    cell_style,
                )
            price, amount = line.unit_price, line.line_net
            if incl:
                price, amount = line.unit_price_incl_vat, line.line_amount_incl_vat
            row = [
                description,
                f.number(line.quantity),
                line.unit_label,
                f.price(price),
                f.percent(line.discount_percent) if line.discount_percent else "",
                f.percent(line.vat_rate),
                f.money(amount),
            ]
            if not self.shows_vat:
                del row[5]
            rows.append(row)
        return Table(
            rows, colWidths=widths, repeatRows=1, style=_lines_table_style(), hAlign="LEFT"
        )

    def vat_label(self, subtotal: VatSubtotal) -> str:
        if subtotal.vat_category == "S":
            return self.f.percent(subtotal.vat_rate)
        key = f"cat_{subtotal.vat_category}"
        return self.f(key) if key in LABELS else subtotal.vat_category

    def summary(self) -> Flowable:
        doc, f = self.doc, self.f
        totals = doc.totals
        money = f.money
        gap = 8 * mm
        totals_width = 0.42 * CONTENT_WIDTH
        vat_width = CONTENT_WIDTH - totals_width - gap

        total_rows: list[list[str]] = []
        if self.shows_vat:
            total_rows.append([f("total_excl"), money(totals.tax_exclusive)])
            total_rows.append([f("total_vat"), money(totals.tax)])
            if self.foreign and totals.tax_nok is not None:
                total_rows.append([f("total_vat_nok"), f"NOK {money(totals.tax_nok)}"])
            total_rows.append([f("total_incl"), money(totals.tax_inclusive)])
        else:
            total_rows.append([f("total"), money(totals.tax_inclusive)])
        if totals.prepaid:
            total_rows.append([f("prepaid"), money(-totals.prepaid)])
        final_key = (
            "quote_total" if doc.is_quote else "credited_total" if doc.is_credit_note else "to_pay"
        )
        total_rows.append([f(final_key), self.amount_with_currency(totals.amount_due)])
        totals_table = Table(
            total_rows,
            colWidths=[totals_width * 0.5, totals_width * 0.5],
            style=[
                ("FONT", (0, 0), (-1, -1), FONT, 8.5, 11),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PAD),
                ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PAD),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("FONT", (0, -1), (-1, -1), FONT_BOLD, 10.5, 13),
                ("BACKGROUND", (0, -1), (-1, -1), SHADE),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, ACCENT),
                ("TOPPADDING", (0, -1), (-1, -1), 5),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 6),
            ],
        )
        if not self.shows_vat:
            return Table([[totals_table]], colWidths=[CONTENT_WIDTH], style=_OUTER, hAlign="RIGHT")

        header = [f("vat_rate"), f("vat_basis"), f("vat_amount")]
        if self.shows_vat_nok:
            header.append(f("vat_nok"))
        vat_rows: list[list[str]] = [header]
        for subtotal in doc.vat_subtotals:
            row = [
                self.vat_label(subtotal),
                money(subtotal.taxable_amount),
                money(subtotal.tax_amount),
            ]
            if self.shows_vat_nok:
                row.append(money(subtotal.tax_amount_nok))
            vat_rows.append(row)
        columns = len(header)
        first_width = vat_width * (0.34 if columns == 4 else 0.4)
        rest = (vat_width - first_width) / (columns - 1)
        vat_style: list[tuple[Any, ...]] = [
            ("FONT", (0, 0), (-1, -1), FONT, 8.5, 11),
            ("TEXTCOLOR", (0, 0), (-1, -1), INK),
            ("FONT", (0, 0), (-1, 0), FONT_BOLD, 8, 10),
            ("TEXTCOLOR", (0, 0), (-1, 0), ACCENT),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, ACCENT),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PAD),
            ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PAD),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]
        vat_cells: list[Flowable] = [
            Table(vat_rows, colWidths=[first_width] + [rest] * (columns - 1), style=vat_style)
        ]
        if self.foreign and doc.exchange_rate is not None:
            vat_cells.append(Spacer(1, 2 * mm))
            vat_cells.append(
                Paragraph(
                    escape(
                        f(
                            "exchange_rate",
                            currency=doc.currency,
                            rate=f.number(doc.exchange_rate),
                        )
                    ),
                    self.styles["body"],
                )
            )
        return Table(
            [[vat_cells, "", totals_table]],
            colWidths=[vat_width, gap, totals_width],
            style=_OUTER,
        )

    def payment_block(self) -> Flowable:
        doc, f = self.doc, self.f
        styles = self.styles
        if doc.is_quote:  # no payment details on an offer: what it is and how long it stands
            text = f("quote_sentence", date=f.date(doc.valid_until or doc.issue_date))
            return Table(
                [
                    [
                        Paragraph(
                            f"<b>{escape(f('quote_terms'))}</b><br/>{escape(text)}", styles["body"]
                        )
                    ]
                ],
                colWidths=[CONTENT_WIDTH],
                style=_BOX,
            )
        if doc.is_credit_note:
            text = f("credit_sentence", amount=self.amount_with_currency(doc.totals.amount_due))
            return Table(
                [[Paragraph(escape(text), styles["legal"])]],
                colWidths=[CONTENT_WIDTH],
                style=_BOX,
            )
        pairs: list[tuple[str, str]] = []
        if doc.bank_account:
            pairs.append((f("account_number"), format_kontonr(doc.bank_account)))
        if doc.kid:
            pairs.append((f("kid"), doc.kid))
        elif doc.number:
            pairs.append((f("payment_reference"), f("invoice_no_ref", number=doc.number)))
        if doc.iban:
            pairs.append((f("iban"), doc.iban))
        if doc.bic:
            pairs.append((f("bic"), doc.bic))
        pairs.append((f("pay_amount"), self.amount_with_currency(doc.totals.amount_due)))
        if doc.due_date:
            pairs.append((f("due_date"), f.date(doc.due_date)))
        half = (len(pairs) + 1) // 2
        left, right = pairs[:half], pairs[half:]
        rows: list[list[str]] = [[f("payment"), "", "", ""]]
        for index in range(half):
            row = list(left[index])
            row.extend(right[index] if index < len(right) else ("", ""))
            rows.append(row)
        w = CONTENT_WIDTH / 4
        return Table(
            rows,
            colWidths=[w * 0.8, w * 1.2, w * 0.8, w * 1.2],
            style=[
                *_BOX_COMMANDS,
                ("SPAN", (0, 0), (-1, 0)),
                ("FONT", (0, 0), (-1, 0), FONT_BOLD, 9.5, 13),
                ("TEXTCOLOR", (0, 0), (-1, 0), ACCENT),
                ("FONT", (0, 1), (-1, -1), FONT, 8.5, 11),
                ("TEXTCOLOR", (0, 1), (0, -1), MUTED),
                ("TEXTCOLOR", (2, 1), (2, -1), MUTED),
                ("FONT", (1, 1), (1, -1), FONT_BOLD, 9.5, 12),
                ("FONT", (3, 1), (3, -1), FONT_BOLD, 9.5, 12),
                ("TOPPADDING", (0, 1), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 1), (-1, -1), 3),
                ("BOTTOMPADDING", (0, -1), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
            ],
        )


_OUTER = TableStyle(
    [
        ("FONT", (0, 0), (-1, -1), FONT, 8.5, 11),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
)
_BOX_COMMANDS: list[tuple[Any, ...]] = [
    ("FONT", (0, 0), (-1, -1), FONT, 8.5, 11),
    ("BOX", (0, 0), (-1, -1), 0.8, ACCENT),
    ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#f7f9fc")),
    ("LEFTPADDING", (0, 0), (-1, -1), 7),
    ("RIGHTPADDING", (0, 0), (-1, -1), 7),
    ("TOPPADDING", (0, 0), (-1, -1), 6),
    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
    ("VALIGN", (0, 0), (-1, -1), "TOP"),
]
_BOX = TableStyle(_BOX_COMMANDS)


def _document_time_stamp(day: datetime.date) -> TimeStamp:
    stamp = TimeStamp(invariant=1)
    t = calendar.timegm(day.timetuple())
    stamp.t, stamp.lt = t, time.gmtime(t)
    stamp.YMDhms = tuple(stamp.lt)[:6]
    return stamp


class _PagedCanvas(Canvas):
    """Holds each finished page back until ``save`` knows the page count ("Side x av y")."""

    def __init__(self, *args: Any, renderer: _Renderer, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._renderer = renderer
        # CreationDate/ModDate: the document's own date (midnight UTC), not the clock.
        # The stubs leave out Canvas's private _doc (the PDFDocument) and _startPage.
        self._doc._timeStamp = _document_time_stamp(  # type: ignore[attr-defined]
            renderer.doc.issue_date
        )
        self._held: list[dict[str, Any]] = []
        for name in (FONT, FONT_BOLD):  # the same subset for (nearly) every document
            _embedded_font(name).splitString(SUBSET_SEED, self._doc)  # type: ignore[attr-defined]

    def showPage(self) -> None:
        self._held.append(dict(self.__dict__))
        self._startPage()  # type: ignore[attr-defined]

    def save(self) -> None:
        pages = len(self._held)
        draw: Callable[[Canvas, int, int], None] = self._renderer.draw_page_number
        for page, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            draw(self, page, pages)
            super().showPage()
        super().save()
