"""The invoice PDF: the law's content (bokføringsforskriften § 5-1-1), layout, fonts, pages."""

from __future__ import annotations

import datetime
import io
import re
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from core.identifiers import format_kontonr, format_orgnr
from core.money import format_nok
from documents import pdf as pdf_module
from documents.document import Address, InvoiceDocument
from documents.pdf import REVERSE_CHARGE_TEXT, render_pdf
from documents.tests.factories import (
    BUYER_ORGNR,
    SELLER_ORGNR,
    make_buyer,
    make_document,
    make_line,
    make_seller,
    pdf_dict,
    reverse_charge_lines,
)
from documents.tests.golden import assert_matches_golden

REPO = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent / "golden"
ARTIFACTS = REPO / "test-artifacts"
EUR_RATE = Decimal("11.7325")


def pages_text(pdf: bytes) -> list[str]:
    """Each page's text, whitespace (incl. the no-break space of amounts) collapsed."""
    reader = PdfReader(io.BytesIO(pdf))
    return [re.sub(r"\s+", " ", page.extract_text()).strip() for page in reader.pages]


def all_text(pdf: bytes) -> str:
    return " ".join(pages_text(pdf))


def nb(amount: Decimal) -> str:
    return format_nok(amount).replace("\u00a0", " ")


def nb_date(day: datetime.date) -> str:
    return day.strftime("%d.%m.%Y")


def foreign_currency_document(**overrides) -> InvoiceDocument:
    buyer = make_buyer(
        name="Nordic Timber GmbH",
        address=Address(line1="Hafenstraße 5", postcode="20457", city="Hamburg", country="DE"),
        organization_number="",
        vat_registered=False,
        in_foretaksregisteret=False,
    )
    return make_document(currency="EUR", exchange_rate=EUR_RATE, buyer=buyer, **overrides)


def assert_mandatory_content(text: str, document: InvoiceDocument) -> None:
    """Every item of bokføringsforskriften § 5-1-1 first paragraph is on the document."""
    # nr. 1: number and date
    assert document.number and document.number in text
    assert nb_date(document.issue_date) in text
    # nr. 2: seller name and orgnr (with MVA and Foretaksregisteret, norway.md §1.2);
    # buyer name and address or orgnr
    seller = document.seller
    assert seller.name in text
    assert f"Org.nr {format_orgnr(seller.organization_number)} MVA Foretaksregisteret" in text
    buyer = document.buyer
    assert buyer.name in text
    assert buyer.address.line1 in text
    assert f"{buyer.address.postcode} {buyer.address.city}" in text
    if buyer.organization_number:
        assert f"Org.nr {format_orgnr(buyer.organization_number)}" in text
    # nr. 3: nature and extent: every line's description, quantity and unit
    for line in document.lines:
        assert line.description in text
        assert line.unit_label in text
        assert nb(line.line_net) in text
    # nr. 4: time of delivery
    assert document.delivery_date
    assert f"Leveringsdato {nb_date(document.delivery_date)}" in text
    # nr. 5: consideration and due date (a credit note has no due date)
    assert f"{document.currency} {nb(document.totals.amount_due)}" in text
    if not document.is_credit_note:
        assert document.due_date
        assert f"Forfallsdato {nb_date(document.due_date)}" in text
    # nr. 6: VAT per rate, and in NOK
    for subtotal in document.vat_subtotals:
        assert nb(subtotal.taxable_amount) in text
        assert nb(subtotal.tax_amount) in text
        if document.currency != "NOK":
            assert nb(subtotal.tax_amount_nok) in text
    assert f"MVA {nb(document.totals.tax)}" in text
    if document.currency != "NOK":
        assert document.totals.tax_nok is not None
        assert f"MVA i NOK NOK {nb(document.totals.tax_nok)}" in text
    # nr. 7: reverse charge sentence and the buyer's orgnr
    if any(line.vat_category == "AE" for line in document.lines):
        assert REVERSE_CHARGE_TEXT in text
        assert f"Org.nr {format_orgnr(buyer.organization_number)} MVA" in text


PDFTOPPM = Path("/usr/bin/pdftoppm")


def save_png(pdf: bytes, name: str, *, page: int = 1) -> Path:
    """Write the PDF, and one page as PNG (60 dpi), to test-artifacts/ for a person to see.

    The PNG needs Debian's poppler-utils, which `.ci/run` installs for its rendering part;
    where it is missing only the PDF is written (``test_png_artifacts_of_each_kind_render``,
    marked ``rendering``, is the test that requires the PNGs).
    """
    ARTIFACTS.mkdir(exist_ok=True)
    pdf_path = ARTIFACTS / f"{name}.pdf"
    pdf_path.write_bytes(pdf)
    prefix = ARTIFACTS / f"{name}-p{page}"
    if PDFTOPPM.exists():
        subprocess.run(
            [str(PDFTOPPM), "-png", "-r", "60", "-f", str(page), "-l", str(page),
             "-singlefile", str(pdf_path), str(prefix)],
            check=True,
        )  # fmt: skip
    return prefix.with_suffix(".png")


# --- The law's content ------------------------------------------------------------------


def test_invoice_has_every_mandatory_field():
    document = make_document()
    pdf = render_pdf(document)
    assert pdf.startswith(b"%PDF-")
    text = all_text(pdf)
    assert_mandatory_content(text, document)
    assert "FAKTURA" in text
    assert f"Kontonummer {format_kontonr('86011117947')}" in text
    assert "8601.11.17947" in text
    assert f"KID {document.kid}" in text
    assert "Kundenr. 1042" in text
    assert "Vår referanse Åse Ødegård" in text
    assert "Deres referanse Per Østli" in text
    assert "Bestillingsnr. PO-7781" in text
    assert "Merknad: Takk for oppdraget!" in text
    assert "Side 1 av 1" in text
    # the figures: 9 375,00 + 966,60 + 2 390,00; VAT 2 343,75 + 144,99 + 286,80
    assert "Sum eks. MVA 12 731,60" in text
    assert "MVA 2 775,54" in text
    assert "Sum inkl. MVA 15 507,14" in text
    assert "Å betale NOK 15 507,14" in text


def test_norwegian_letters_and_typography_survive():
    text = all_text(render_pdf(make_document()))
    for word in ("Rådgivning", "«Nordlys» – fase 1", "Smørbrød", "Ålesund", "Åse Ødegård"):
        assert word in text
    document = make_document(note="ÆØÅ æøå « » – ok")
    assert "ÆØÅ æøå « » – ok" in all_text(render_pdf(document))


def test_credit_note_references_the_invoice_and_asks_for_no_payment():
    document = make_document(kind="credit_note")
    text = all_text(render_pdf(document))
    assert_mandatory_content(text, document)
    assert "KREDITNOTA" in text
    assert "Kreditnotanr. 10024" in text
    assert "Denne kreditnotaen krediterer faktura nr. 10023 datert 24.11.2026." in text
    assert "Gjelder faktura 10023 (24.11.2026)" in text
    assert "Kreditert beløp NOK 15 507,14" in text
    assert "Beløpet NOK 15 507,14 godskrives dere. Kreditnotaen skal ikke betales." in text
    assert "Betalingsinformasjon" not in text
    assert "Forfallsdato" not in text
    assert "Å betale" not in text


def test_foreign_currency_invoice_states_vat_in_nok_and_the_rate():
    document = foreign_currency_document()
    text = all_text(render_pdf(document))
    assert_mandatory_content(text, document)
    # 2 343,75 EUR × 11,7325 = 27 498,05 NOK (25 %); 144,99 × 11,7325 = 1 701,10 (15 %)
    assert [s.tax_amount_nok for s in document.vat_subtotals] == [
        Decimal("27498.05"),
        Decimal("1701.10"),
        Decimal("3364.88"),
    ]
    assert "MVA i NOK" in text
    assert "Valutakurs: 1 EUR = 11,7325 NOK" in text
    assert "MVA Beløp EUR" in text  # the lines' amount column names the currency
    assert "Å betale EUR 15 507,14" in text
    assert "Hafenstraße 5 20457 Hamburg DE" in text


def test_reverse_charge_invoice_has_the_sentence_and_buyer_orgnr_with_mva():
    document = make_document(lines=reverse_charge_lines())
    text = all_text(render_pdf(document))
    assert_mandatory_content(text, document)
    assert f"Org.nr {format_orgnr(BUYER_ORGNR)} MVA" in text
    assert "Omvendt avgiftsplikt" in text  # the VAT summary row
    assert text.count(REVERSE_CHARGE_TEXT) == 1  # given once in legal_texts and the subtotal
    assert "MVA 0,00" in text


def test_reverse_charge_sentence_is_printed_even_when_legal_texts_lack_it():
    document = make_document(lines=reverse_charge_lines(), legal_texts=())
    assert REVERSE_CHARGE_TEXT in all_text(render_pdf(document))


def test_a_foreign_buyers_vat_number_and_the_iban_and_bic_are_printed():
    document = foreign_currency_document(iban="NO9386011117947", bic="DNBANOKKXXX")
    document = replace(document, buyer=replace(document.buyer, foreign_vat_id="DE136695976"))
    text = all_text(render_pdf(document))
    assert "MVA-nr. DE136695976" in text
    assert "IBAN NO9386011117947" in text and "BIC/SWIFT DNBANOKKXXX" in text
    english = all_text(render_pdf(replace(document, language="en")))
    assert "VAT no. DE136695976" in english


def test_buyer_orgnr_has_no_mva_suffix_without_reverse_charge():
    text = all_text(render_pdf(make_document()))
    assert f"Org.nr {format_orgnr(BUYER_ORGNR)} MVA" not in text
    assert f"Org.nr {format_orgnr(BUYER_ORGNR)}" in text


def test_buyer_reference_is_printed_once_or_beside_their_reference():
    same = all_text(render_pdf(make_document()))
    assert "Kjøpers referanse" not in same  # the same person as "Deres referanse"
    other = all_text(render_pdf(make_document(buyer_reference="Prosjekt 4711")))
    assert "Deres referanse Per Østli" in other
    assert "Kjøpers referanse Prosjekt 4711" in other


def test_long_names_and_addresses_are_printed_whole():
    name = "Det Store Norske Entreprenør- og Eiendomsutviklingsselskapet Vestlandet og Nord AS"
    street = "Kong Christian Frederiks plass 3, inngang fra Strandkaien, 4. etasje"
    buyer = make_buyer(name=name, address=Address(line1=street, postcode="5003", city="Bergen"))
    document = make_document(buyer=buyer, seller=make_seller(name=name.replace("Nord", "Sør")))
    pdf = render_pdf(document)
    text = all_text(pdf)
    assert name in text
    assert street in text
    assert name.replace("Nord", "Sør") in text
    save_png(pdf, "invoice-long-names")


def test_seller_not_in_foretaksregisteret_and_not_vat_registered():
    seller = make_seller(vat_registered=False, in_foretaksregisteret=False)
    lines = (
        make_line(description="Konsulenttime", quantity="7.5", unit_price="800",
                  vat_category="O", vat_rate="0"),
    )  # fmt: skip
    text = all_text(render_pdf(make_document(seller=seller, lines=lines)))
    assert f"Org.nr {format_orgnr(SELLER_ORGNR)}" in text
    assert "Foretaksregisteret" not in text
    assert "MVA" not in text  # a seller outside the VAT register shows no VAT at all
    assert "Selger er ikke registrert i Merverdiavgiftsregisteret." in text
    assert "Sum 6 000,00" in text
    assert "Å betale NOK 6 000,00" in text


def test_delivery_period_line_periods_discounts_and_prepaid():
    november = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    lines = (
        make_line(description="Leie av kontorplass", unit_price="12000", unit_label="mnd",
                  period_start=november[0], period_end=november[1]),
        make_line(position=2, description="Lisens", quantity="3", unit_price="1999.999",
                  discount_percent="12.5"),
    )  # fmt: skip
    document = make_document(
        lines=lines,
        delivery_date=None,
        period_start=november[0],
        period_end=november[1],
        prepaid=Decimal("1000.00"),
    )
    text = all_text(render_pdf(document))
    assert "Leveringsperiode 01.11.2026–30.11.2026" in text
    assert "Leie av kontorplass Periode 01.11.2026–30.11.2026" in text
    assert "1 999,999" in text  # a unit price keeps its third decimal
    assert "12,5 %" in text
    assert "Forskuddsbetalt -1 000,00" in text
    assert f"Å betale NOK {nb(document.totals.amount_due)}" in text
    assert document.totals.amount_due == document.totals.tax_inclusive - Decimal("1000.00")


def test_text_that_looks_like_markup_and_long_descriptions_wrap():
    long = "Utvidet support <b>& drift</b> av " + " ".join(["fakturaløsningen"] * 12)
    document = make_document(
        lines=(make_line(description=long), make_line(position=2, description="A\nB-linje")),
        note="Linje én\nLinje to <i>",
    )
    text = all_text(render_pdf(document))
    assert long in text
    assert "A B-linje" in text
    assert "Linje én Linje to <i>" in text


# --- Pages ------------------------------------------------------------------------------


def test_200_lines_paginate_with_header_row_and_page_numbers_on_every_page():
    lines = tuple(
        make_line(position=n, description=f"Varelinje nummer {n:03d}", quantity="2",
                  unit_price=f"{n}.50", vat_rate=("25", "15", "12")[n % 3])
        for n in range(1, 201)
    )  # fmt: skip
    document = make_document(lines=lines)
    pdf = render_pdf(document)
    pages = pages_text(pdf)
    count = len(pages)
    assert count >= 5
    header_row = "Beskrivelse Antall Enhet Pris eks. mva Rabatt MVA Beløp"
    for number, text in enumerate(pages, start=1):
        assert text.count(header_row) == 1, f"page {number}"
        assert f"Side {number} av {count}" in text
        assert "Fjordlys Rådgivning AS · Org.nr 995 525 828 MVA Foretaksregisteret" in text
        assert "Storgata 12, 0155 Oslo · Tlf. +47 22 33 44 55" in text  # the footer
        if number > 1:
            assert text.startswith("FAKTURA 10023")
    joined = " ".join(pages)
    for n in range(1, 201):
        assert joined.count(f"Varelinje nummer {n:03d}") == 1
    # lines run in order over the pages; totals and payment come once, at the end
    assert pages[0].index("Varelinje nummer 001") < pages[0].index("Varelinje nummer 002")
    assert "Varelinje nummer 200" in pages[-1] or "Varelinje nummer 200" in pages[-2]
    assert joined.count("Å betale NOK") == 1
    assert "Betalingsinformasjon" in pages[-1]
    assert_mandatory_content(joined, document)
    save_png(pdf, "invoice-200-lines", page=2)


def test_draft_is_marked_utkast_on_every_page():
    lines = tuple(make_line(position=n, description=f"Linje {n}") for n in range(1, 60))
    document = make_document(number=None, kid="", lines=lines)
    pdf = render_pdf(document)
    pages = pages_text(pdf)
    assert len(pages) >= 2
    assert "UTKAST – ikke en gyldig faktura" in pages[0]
    assert "Fakturanr. — (tildeles ved utstedelse)" in pages[0]
    for text in pages:
        assert "UTKAST" in text
    assert pages[1].startswith("FAKTURA UTKAST")
    assert "10023" not in " ".join(pages)
    assert "Merk betalingen" not in pages[-1]  # no number to refer to yet
    save_png(pdf, "invoice-draft")


def test_issued_invoice_is_not_marked_as_draft():
    assert "UTKAST" not in all_text(render_pdf(make_document()))


# --- Language ---------------------------------------------------------------------------


def test_english_labels_amounts_and_dates():
    from dataclasses import replace

    from documents.adapters import unit_label
    from documents.tests.factories import default_lines

    # The units as the adapter names them for an English document (``unit_label``).
    lines = tuple(
        replace(line, unit_label=unit_label(line.unit_code, "en")) for line in default_lines()
    )
    document = make_document(language="en", lines=lines)
    pdf = render_pdf(document)
    text = all_text(pdf)
    assert [line.unit_label for line in lines] == ["h", "pcs", "day"]
    assert " 7.5 h " in text and " 12 pcs " in text and " 2 day " in text
    for label in (
        "INVOICE",
        "Invoice no. 10023",
        "Invoice date 24 Nov 2026",
        "Delivery date 20 Nov 2026",
        "Due date 8 Dec 2026",
        "Customer no. 1042",
        "Our reference Åse Ødegård",
        "Your reference Per Østli",
        "Order no. PO-7781",
        "Description Qty Unit Price excl. VAT Disc. VAT Amount",
        "Total excl. VAT 12,731.60",
        "VAT 2,775.54",
        "Total incl. VAT 15,507.14",
        "Amount due NOK 15,507.14",
        "Payment details",
        "Account number 8601.11.17947",
        "Page 1 of 1",
        f"Org. no. {format_orgnr(SELLER_ORGNR)} MVA Foretaksregisteret",
    ):
        assert label in text, label
    for norwegian in ("FAKTURA", "Forfallsdato", "Å betale", "Side 1 av 1", "15 507,14"):
        assert norwegian not in text
    save_png(pdf, "invoice-en")


def test_english_credit_note_and_draft():
    text = all_text(render_pdf(make_document(kind="credit_note", language="en")))
    assert "CREDIT NOTE" in text
    assert "This credit note credits invoice no. 10023 dated 24 Nov 2026." in text
    assert "not to be paid" in text
    draft = all_text(render_pdf(make_document(number=None, language="en")))
    assert "DRAFT – not a valid invoice" in draft
    assert "UTKAST" not in draft


# --- Fonts, logo, file ------------------------------------------------------------------


def test_fonts_are_embedded_dejavu_subsets_only():
    reader = PdfReader(io.BytesIO(render_pdf(make_document(lines=reverse_charge_lines()))))
    fonts = {}
    for page in reader.pages:
        for font_ref in pdf_dict(pdf_dict(page["/Resources"])["/Font"]).values():
            font = pdf_dict(font_ref)
            fonts[str(font["/BaseFont"])] = font
    assert fonts
    for name, font in fonts.items():
        assert "DejaVuSans" in name, name
        descriptor = pdf_dict(font["/FontDescriptor"])
        assert "/FontFile2" in descriptor, f"{name} is not embedded"
        assert "/ToUnicode" in font  # text can be extracted and searched
    assert any(name.endswith("DejaVuSans-Bold") for name in fonts)


def _logo_bytes(fmt: str, size: tuple[int, int]) -> bytes:
    image = Image.new(
        "RGBA" if fmt == "PNG" else "RGB", size, (23, 64, 109, 255)[: 4 if fmt == "PNG" else 3]
    )
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def _images(pdf: bytes) -> list[tuple[int, int]]:
    reader = PdfReader(io.BytesIO(pdf))
    sizes: list[tuple[int, int]] = []
    for page in reader.pages:
        for ref in pdf_dict(page["/Resources"]).get("/XObject", DictionaryObject()).values():
            obj = pdf_dict(ref)
            if obj["/Subtype"] == "/Image":
                width, height = obj["/Width"], obj["/Height"]
                assert isinstance(width, int) and isinstance(height, int)
                sizes.append((width, height))
    return sizes


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_logo_is_drawn_scaled_down_once_per_image(fmt, monkeypatch):
    logo = _logo_bytes(fmt, (1800, 600))
    decoded = []
    real_open = pdf_module.Image.open

    def counting_open(*args, **kwargs):
        decoded.append(1)
        return real_open(*args, **kwargs)

    monkeypatch.setattr(pdf_module.Image, "open", counting_open)
    pdf = render_pdf(make_document(), logo=logo)
    render_pdf(make_document(kind="credit_note"), logo=bytes(bytearray(logo)))  # a new object
    assert len(decoded) == 1
    ((width, height),) = _images(pdf)
    assert (width, height) == (720, 240)  # scaled to fit 720 × 260, aspect kept
    text = all_text(pdf)
    assert text.count("Fjordlys Rådgivning AS") >= 2  # with a logo the seller block names it
    save_png(pdf, f"invoice-logo-{fmt.lower()}")


def test_no_logo_no_image():
    assert _images(render_pdf(make_document())) == []


def test_unreadable_logo_is_left_out_with_a_warning(caplog):
    pdf = render_pdf(make_document(), logo=b"\x89PNG\r\n\x1a\n broken")
    assert _images(pdf) == []
    assert "Å betale NOK 15 507,14" in all_text(pdf)
    assert "logo could not be read" in caplog.text


@pytest.mark.rendering
def test_png_artifacts_of_each_kind_render():
    kinds = {
        "invoice": make_document(),
        "credit-note": make_document(kind="credit_note"),
        "foreign-currency": foreign_currency_document(),
        "reverse-charge": make_document(lines=reverse_charge_lines()),
    }
    for name, document in kinds.items():
        png = save_png(render_pdf(document), name)
        with Image.open(png) as image:
            width, height = image.size  # A4 at 60 dpi: 496 × 702 px, give or take one
            assert abs(width - 496) <= 1 and abs(height - 702) <= 1
            # something is printed: the page is not blank white
            darkest = image.convert("L").getextrema()[0]  # one band: (low, high)
            assert isinstance(darkest, int | float) and darkest < 100


def test_pdf_metadata_names_the_document():
    reader = PdfReader(io.BytesIO(render_pdf(make_document())))
    assert reader.metadata is not None
    assert reader.metadata.title == "Faktura 10023"
    assert reader.metadata.author == "Fjordlys Rådgivning AS"
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4


def test_extracted_text_matches_golden_file():
    document = make_document(
        lines=(
            *make_document().lines,
            make_line(position=4, description="Frakt", unit_price="149"),
        ),
    )
    text = "\n".join(
        PdfReader(io.BytesIO(render_pdf(document))).pages[0].extract_text().splitlines()
    )
    assert_matches_golden("pdf-invoice.txt", text + "\n")


def test_renderer_does_not_change_the_document():
    document = make_document()
    copy = replace(document)
    render_pdf(document)
    assert document == copy


def test_font_subsets_are_reused_across_documents():
    from documents.pdf import FONT, _embedded_font, _SubsetCachingFace

    render_pdf(make_document())
    face = _embedded_font(FONT).face
    assert isinstance(face, _SubsetCachingFace)
    known = dict(face._subsets)
    other = make_document(
        lines=(make_line(description="Årsavgift «Grønn» – fjøs og båt", unit_price="75"),),
        buyer=make_buyer(name="Ærlig Øl & Mat AS"),
    )
    assert "Ærlig Øl & Mat AS" in all_text(render_pdf(other))
    assert face._subsets == known  # the same seeded subset: no new cut, no new deflate
    text = all_text(render_pdf(make_document(note="Grüße aus Łódź")))
    assert "Grüße aus Łódź" in text  # characters beyond the seed still embed and extract


@pytest.mark.parametrize(
    ("category", "nb_label", "en_label"),
    [
        ("Z", "0 % (fritatt)", "0 % (zero-rated)"),
        ("G", "Utførsel", "Export"),
        ("E", "Unntatt", "Exempt"),
    ],
)
def test_zero_rated_export_and_exempt_sales_are_their_own_vat_lines(category, nb_label, en_label):
    lines = (
        make_line(description="Vanlig tjeneste", unit_price="1000"),
        make_line(position=2, description="Særskilt salg", unit_price="500",
                  vat_category=category, vat_rate="0"),
    )  # fmt: skip
    text = all_text(render_pdf(make_document(lines=lines)))
    assert "25 % 1 000,00 250,00" in text
    assert f"{nb_label} 500,00 0,00" in text
    english = all_text(render_pdf(make_document(lines=lines, language="en")))
    assert f"{en_label} 500.00 0.00" in english


def test_returns_and_full_discounts_print_signed_figures():
    lines = (
        make_line(description="Lisens", quantity="3", unit_price="1999.99",
                  discount_percent="12.5"),
        make_line(position=2, description="Kurs", unit_price="4500", discount_percent="100"),
        make_line(position=3, description="Retur av vare", quantity="-1", unit_price="300",
                  discount_percent="10"),
    )  # fmt: skip
    document = make_document(lines=lines)
    text = all_text(render_pdf(document))
    assert "Lisens 3 stk 1 999,99 12,5 % 25 % 5 249,97" in text
    assert "Kurs 1 stk 4 500,00 100 % 25 % 0,00" in text
    assert "Retur av vare -1 stk 300,00 10 % 25 % -270,00" in text
    assert f"Å betale NOK {nb(document.totals.amount_due)}" in text


# --- Issue 9 defect 7 ------------------------------------------------------------------------


def test_line_prices_are_labelled_excluding_vat():
    text = all_text(render_pdf(make_document()))
    assert "Beskrivelse Antall Enhet Pris eks. mva Rabatt MVA Beløp" in text
    english = all_text(render_pdf(make_document(language="en")))
    assert "Description Qty Unit Price excl. VAT Disc. VAT Amount" in english


def test_consumer_prices_include_vat_and_the_vat_breakdown_stays():
    document = make_document(prices_include_vat=True)
    text = all_text(render_pdf(document))
    assert "Pris inkl. mva" in text and "Beløp inkl. mva" in text
    assert "Pris eks. mva" not in text
    for line in document.lines:
        assert nb(line.line_amount_incl_vat) in text
    for subtotal in document.vat_subtotals:
        assert nb(subtotal.taxable_amount) in text and nb(subtotal.tax_amount) in text
    assert f"Sum eks. MVA {nb(document.totals.tax_exclusive)}" in text
    assert f"Sum inkl. MVA {nb(document.totals.tax_inclusive)}" in text
    save_png(render_pdf(document), "invoice-prices-incl-vat")


def test_place_of_delivery_is_printed_when_it_differs_from_the_buyer_address():
    site = Address(line1="Byggeplass Fjordgata 12", postcode="7010", city="Trondheim")
    text = all_text(render_pdf(make_document(delivery_address=site)))
    assert "Leveringssted Byggeplass Fjordgata 12, 7010 Trondheim" in text
    plain = make_document()
    same = all_text(render_pdf(make_document(delivery_address=plain.buyer.address)))
    assert "Leveringssted" not in same
    english = all_text(render_pdf(make_document(delivery_address=site, language="en")))
    assert "Place of delivery Byggeplass Fjordgata 12, 7010 Trondheim" in english


def test_characters_outside_the_fonts_print_a_visible_placeholder():
    from documents.pdf import MISSING_GLYPH, printable_text

    assert printable_text("Kaffe og 👍🏽 – Ærlig ✓") == f"Kaffe og {MISSING_GLYPH} – Ærlig ✓"
    assert printable_text("👨\u200d👩\u200d👧") == MISSING_GLYPH * 3
    assert printable_text("株式会社") == MISSING_GLYPH * 4
    lines = (
        replace(make_document().lines[0], description="Kake 🎂 med pynt 株"),
        *make_document().lines[1:],
    )
    document = make_document(lines=lines, note="Takk 🙏")
    pdf = render_pdf(document)
    text = all_text(pdf)
    assert f"Kake {MISSING_GLYPH} med pynt {MISSING_GLYPH}" in text
    assert f"Takk {MISSING_GLYPH}" in text
    assert document.note == "Takk 🙏"  # the document itself is left as it is
    save_png(pdf, "invoice-missing-glyphs")
