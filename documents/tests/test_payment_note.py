"""The payment note under an invoice's payment details: the company's own text or the
default in the document's language, frozen at issue, so an issued invoice's archived
PDF and EHF never change when the company edits the text later."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled

from documents import services as document_services
from documents.adapters import document_from_invoice, load_for_document
from documents.ehf import build_ehf
from documents.integrity import _rendered_again, archive_problems
from documents.models import StoredDocument
from documents.pdf import render_pdf
from documents.tests.test_adapters import pdf_text
from invoicing import services
from invoicing.tests.factories import SYSTEM, ClientFactory, draft_invoice, issued_invoice
from invoicing.texts import DEFAULT_PAYMENT_NOTES

pytestmark = pytest.mark.django_db

OWN_NOTE = "Betal innen forfall. Spørsmål om fakturaen: ring 22 22 22 22."
LATER_NOTE = "Helt ny tekst etter utstedelsen."


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def _set_note(company, nb: str, en: str = "") -> None:
    services.invoice_texts_update(
        company=company, actor=SYSTEM, payment_note_nb=nb, payment_note_en=en
    )


def test_default_note_in_the_clients_language_on_pdf_and_ehf(company_scope):
    company = company_scope
    nb = load_for_document(issued_invoice(company=company).pk)
    english = ClientFactory(company=company, language="en")
    en = load_for_document(issued_invoice(company=company, client=english).pk)
    assert nb.seller_snapshot["payment_note"] == DEFAULT_PAYMENT_NOTES["nb"]
    assert en.seller_snapshot["payment_note"] == DEFAULT_PAYMENT_NOTES["en"]
    document = document_from_invoice(nb)
    assert DEFAULT_PAYMENT_NOTES["nb"] in " ".join(pdf_text(render_pdf(document)).split())
    ehf = build_ehf(document).decode()
    assert DEFAULT_PAYMENT_NOTES["nb"] in ehf.split("<cac:PaymentTerms>")[1]


def test_credit_notes_carry_no_note(company_scope):
    invoice = issued_invoice(company=company_scope)
    credit = services.invoice_credit(invoice=invoice, actor=SYSTEM)
    assert "payment_note" not in credit.seller_snapshot
    document = document_from_invoice(load_for_document(credit.pk))
    assert document.payment_note == ""
    assert DEFAULT_PAYMENT_NOTES["nb"] not in pdf_text(render_pdf(document))


def test_issued_pdf_and_ehf_never_change_when_the_company_edits_the_text(company):
    with scope(company=company):
        _set_note(company, OWN_NOTE)
        invoice = issued_invoice(company=company)
    pdf, ehf = document_services.issued_documents_store(invoice_id=invoice.pk)
    assert ehf is not None, "the factory's client has a Peppol address"
    pdf_bytes, ehf_bytes = pdf.read(), ehf.read()
    assert OWN_NOTE in " ".join(pdf_text(pdf_bytes).split())
    assert OWN_NOTE in ehf_bytes.decode()

    with scope(company=company):
        _set_note(company, LATER_NOTE)
        # The issued invoice renders exactly as archived; a draft previews the new text.
        with scopes_disabled():
            for stored in StoredDocument.objects.filter(invoice=invoice):
                again = _rendered_again(stored)
                assert again == (pdf_bytes if stored.kind == "pdf" else ehf_bytes)
        assert list(archive_problems()) == []
        preview = document_from_invoice(load_for_document(draft_invoice(company=company).pk))
        assert preview.payment_note == LATER_NOTE
        assert document_from_invoice(load_for_document(invoice.pk)).payment_note == OWN_NOTE
        # The next issued invoice has the new text.
        later = issued_invoice(company=company)
        assert later.seller_snapshot["payment_note"] == LATER_NOTE
    assert pdf.read() == pdf_bytes and ehf.read() == ehf_bytes


def test_invoice_issued_before_notes_existed_renders_without_one(company_scope):
    invoice = load_for_document(issued_invoice(company=company_scope).pk)
    del invoice.seller_snapshot["payment_note"]  # as stored before (issued rows never change)
    document = document_from_invoice(invoice)
    assert document.payment_note == ""
    assert DEFAULT_PAYMENT_NOTES["nb"] not in pdf_text(render_pdf(document))
