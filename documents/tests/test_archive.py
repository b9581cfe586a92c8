"""The archived PDF of an issued invoice: stored once with its SHA-256, never changed."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.db import IntegrityError, transaction
from django_scopes import scope, scopes_disabled
from pypdf import PdfReader

from core.audit import Actor
from core.models import AppendOnlyError, AuditEntry
from documents import services
from documents.models import StoredDocument
from documents.selectors import stored_document
from documents.tests import images
from documents.tests.factories import make_document, pdf_dict
from invoicing.tests.factories import draft_invoice, issued_invoice


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.fixture
def invoice(company_scope):
    return issued_invoice(company=company_scope)


def document_for(invoice):
    return make_document(number=str(invoice.number))


def test_pdf_is_archived_with_its_sha256_and_audited(invoice, company):
    stored = services.pdf_store(invoice=invoice, document=document_for(invoice))
    content = stored.read()
    assert content.startswith(b"%PDF-")
    assert stored.sha256 == hashlib.sha256(content).hexdigest()
    assert stored.size == len(content)
    assert (stored.company, stored.invoice, stored.kind) == (company, invoice, "pdf")
    assert str(invoice.number) in PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert stored_document(invoice=invoice, kind="pdf") == stored
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="documents.pdf.stored")
    assert entry.company == company
    assert entry.data["sha256"] == stored.sha256


def test_archived_pdf_is_never_regenerated(invoice, monkeypatch):
    first = services.pdf_store(invoice=invoice, document=document_for(invoice))

    def must_not_render(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(services, "render_pdf", must_not_render)
    changed = make_document(number=str(invoice.number), note="Ny tekst")
    again = services.pdf_store(invoice=invoice, document=changed)
    assert again.pk == first.pk
    assert again.sha256 == first.sha256
    assert again.read() == first.read()
    assert StoredDocument.objects.count() == 1


def test_archived_document_cannot_be_changed_or_deleted(invoice):
    stored = services.pdf_store(invoice=invoice, document=document_for(invoice))
    stored.sha256 = "0" * 64
    with pytest.raises(AppendOnlyError):
        stored.save()
    with pytest.raises(AppendOnlyError):
        stored.delete()
    with pytest.raises(AppendOnlyError):
        StoredDocument.objects.filter(pk=stored.pk).update(sha256="0" * 64)
    with pytest.raises(AppendOnlyError):
        StoredDocument.objects.filter(pk=stored.pk).delete()
    assert StoredDocument.objects.get(pk=stored.pk).sha256 != "0" * 64


def test_one_pdf_per_invoice_in_the_database(invoice):
    stored = services.pdf_store(invoice=invoice, document=document_for(invoice))
    duplicate = StoredDocument(
        company=invoice.company,
        invoice=invoice,
        kind="pdf",
        file=stored.file_name,
        size=1,
        sha256="1" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


def test_a_concurrent_second_writer_gets_the_first_archive(invoice, media):
    first = services.pdf_store(invoice=invoice, document=document_for(invoice))
    # the second writer got past the existence check before the first one committed
    late = services._store(invoice=invoice, kind="pdf", content=b"%PDF-late", suffix="pdf")
    assert late.pk == first.pk
    files = sorted(p.name for p in (media / "documents" / str(invoice.company_id)).iterdir())
    assert files == [first.file_name.rsplit("/", 1)[1]]  # the loser's file is removed


def test_drafts_are_not_archived(company_scope):
    draft = draft_invoice(company=company_scope)
    with pytest.raises(ValueError):
        services.pdf_store(invoice=draft, document=make_document(number=None))
    assert StoredDocument.objects.count() == 0


def test_archived_pdf_carries_the_company_logo(invoice, owner):
    services.logo_upload(company=invoice.company, actor=Actor.user(owner), data=images.png())
    content = services.pdf_store(invoice=invoice, document=document_for(invoice)).read()
    page = PdfReader(io.BytesIO(content)).pages[0]
    xobjects = [pdf_dict(x) for x in pdf_dict(pdf_dict(page["/Resources"])["/XObject"]).values()]
    assert [x["/Subtype"] for x in xobjects] == ["/Image"]


def test_other_company_does_not_see_the_archive(invoice, other_company):
    services.pdf_store(invoice=invoice, document=document_for(invoice))
    with scope(company=other_company):
        assert StoredDocument.objects.count() == 0
