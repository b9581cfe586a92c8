"""A missing or changed archived file: a clear answer, never a 500; repair only when provably
identical (issue 14, item 7)."""

from __future__ import annotations

import hashlib
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_scopes import scope, scopes_disabled

from delivery import files
from delivery.tests.conftest import make_client
from documents import pdf as pdf_module
from documents.adapters import document_from_invoice, load_for_document
from documents.models import StoredDocument
from invoicing.tests.factories import issued_invoice

pytestmark = pytest.mark.django_db


def _issue(company, **client_kwargs):
    with scope(company=company):
        client = make_client(company, **client_kwargs)
        extra = {"order_number": "PO-1"} if client.delivery_channel == "ehf" else {}
        invoice = issued_invoice(company=company, client=client, **extra)
        files.store_issued_documents(invoice.pk)
    return invoice


def _stored(invoice, kind="pdf") -> StoredDocument:
    with scopes_disabled():
        return StoredDocument.objects.get(invoice=invoice, kind=kind)


def _lose(stored: StoredDocument) -> None:
    stored.file.storage.delete(stored.file_name)


def _replace(stored: StoredDocument, content: bytes) -> None:
    storage = stored.file.storage
    storage.delete(stored.file_name)
    assert storage.save(stored.file_name, io.BytesIO(content)) == stored.file_name


def test_the_pdf_is_deterministic_and_dated_by_the_document(company):
    invoice = _issue(company)
    with scope(company=company):
        document = document_from_invoice(load_for_document(invoice.pk))
        first = pdf_module.render_pdf(document)
        second = pdf_module.render_pdf(document)
    assert first == second
    stamp = document.issue_date.strftime("%Y%m%d")
    assert re.findall(rb"/CreationDate \(D:(\d{8})", first) == [stamp.encode()]
    # The archived PDF is exactly what rendering again gives (without a logo here).
    assert hashlib.sha256(first).hexdigest() == _stored(invoice).sha256


@pytest.mark.parametrize("damage", ["missing", "changed"])
def test_a_lost_archived_file_is_a_clear_410_page_not_a_500(owner_client, company, damage, caplog):
    invoice = _issue(company)
    stored = _stored(invoice)
    if damage == "missing":
        _lose(stored)
    else:
        _replace(stored, b"%PDF-1.4 something else entirely")

    for url in (
        reverse("documents:invoice_pdf", args=[invoice.pk]),
        reverse("delivery:pdf", args=[invoice.pk]),
    ):
        response = owner_client.get(url)
        assert response.status_code == 410, url
        page = response.content.decode()
        assert "Dokumentet mangler i arkivet" in page
        assert f"faktura {invoice.number}" in page
        assert "%PDF" not in page
    assert "documents_repair" in caplog.text
    # Nothing was rendered again in its place.
    assert _stored(invoice).file.storage.exists(stored.file_name) is (damage == "changed")


def test_a_lost_archived_file_in_the_api_is_a_json_410(api_client, company):
    invoice = _issue(company)
    _lose(_stored(invoice))
    response = api_client.get(f"/api/v1/invoices/{invoice.pk}/pdf")
    assert response.status_code == 410
    assert str(invoice.number) in response.json()["detail"]


def test_repair_restores_a_deleted_file_and_marks_a_different_one_missing(
    company, monkeypatch, capsys
):
    restorable = _issue(company, delivery_channel="ehf", their_reference="Kari Nordmann")
    different = _issue(company)
    pdf, ehf = _stored(restorable, "pdf"), _stored(restorable, "ehf")
    original = {s.pk: s.read() for s in (pdf, ehf)}
    _lose(pdf)
    _lose(ehf)
    _lose(_stored(different))

    # The renderer changed since ``different`` was archived: its new rendering differs.
    real_render = pdf_module.render_pdf

    def render(document, **kwargs):
        content = real_render(document, **kwargs)
        if str(document.number) == str(different.number):
            return content.replace(b"FakturaNett", b"FakturaNeTT")
        return content

    monkeypatch.setattr(pdf_module, "render_pdf", render)
    with pytest.raises(CommandError, match="still missing"):
        call_command("documents_repair")
    output = capsys.readouterr().out
    assert "Repaired 2, still missing 1." in output
    assert f"MISSING (cannot be re-created identically): PDF of invoice id {different.pk}" in (
        output
    )
    # The restored files are the archived bytes, byte for byte (the SHA-256 in the row).
    for stored in (pdf, ehf):
        assert stored.read() == original[stored.pk]
    assert not _stored(different).file.storage.exists(_stored(different).file_name)
    with pytest.raises(CommandError, match="missing or changed"):
        call_command("documents_repair", "--check")
