"""Issue 9 defect 5: one PDF and one EHF per issued number, whatever is asked first.

A download or preview made before the after-issue task has archived the documents is the
archived rendering (archived then, with the logo), never a second rendering without it;
when the queue cannot take the task, the issue path archives at once. Drafts are rendered
on the fly, with the logo.
"""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django_scopes import scope
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from core.audit import Actor
from delivery.files import store_issued_documents
from documents import services as document_services
from documents.models import StoredDocument
from documents.tests import images
from documents.tests.factories import pdf_dict
from invoicing import services
from invoicing.tests.factories import ClientFactory, draft_invoice, issued_invoice

pytestmark = pytest.mark.django_db


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
def with_logo(company, owner):
    document_services.logo_upload(company=company, actor=Actor.user(owner), data=images.png())


def _images(pdf: bytes) -> int:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    xobjects = pdf_dict(page["/Resources"]).get("/XObject") or DictionaryObject()
    return sum(1 for x in pdf_dict(xobjects).values() if str(pdf_dict(x)["/Subtype"]) == "/Image")


def _archived(company, invoice, kind="pdf") -> list[bytes]:
    with scope(company=company):
        return [s.read() for s in StoredDocument.objects.filter(invoice=invoice, kind=kind)]


def _issued(company):
    """Issued without running the after-commit task: nothing archived yet."""
    with scope(company=company):
        client = ClientFactory(company=company)
        return issued_invoice(company=company, client=client)


def test_web_download_before_archiving_is_the_archived_pdf_with_the_logo(
    owner_client, company, with_logo
):
    invoice = _issued(company)
    assert _archived(company, invoice) == []
    first = owner_client.get(reverse("documents:invoice_pdf", args=[invoice.pk]))
    assert first.status_code == 200
    assert _images(first.content) == 1
    assert _archived(company, invoice) == [first.content]
    preview = owner_client.get(reverse("documents:invoice_preview", args=[invoice.pk]))
    assert preview.content == first.content
    with scope(company=company):
        store_issued_documents(invoice.pk)  # the task, late
    assert _archived(company, invoice) == [first.content]
    again = owner_client.get(reverse("documents:invoice_pdf", args=[invoice.pk]))
    assert again.content == first.content


def test_api_download_before_archiving_is_the_archived_pdf_and_ehf(api_client, company, with_logo):
    invoice = _issued(company)
    pdf = api_client.get(f"/api/v1/invoices/{invoice.pk}/pdf")
    assert pdf.status_code == 200 and pdf["X-Document-Source"] == "archive"
    assert _images(pdf.content) == 1
    assert _archived(company, invoice) == [pdf.content]
    ehf = api_client.get(f"/api/v1/invoices/{invoice.pk}/ehf")
    assert ehf.status_code == 200 and ehf["X-Document-Source"] == "archive"
    assert _archived(company, invoice, "ehf") == [ehf.content]
    with scope(company=company):
        store_issued_documents(invoice.pk)
    assert _archived(company, invoice) == [pdf.content]
    assert _archived(company, invoice, "ehf") == [ehf.content]
    # The EHF embeds exactly the archived PDF.
    import base64

    embedded = re.search(rb"<cbc:EmbeddedDocumentBinaryObject[^>]*>([^<]+)<", ehf.content)
    assert embedded is not None
    assert base64.b64decode(embedded.group(1)) == pdf.content


def test_issue_keeps_the_archive_task_in_the_outbox_when_the_queue_is_unavailable(
    company, with_logo, monkeypatch, django_capture_on_commit_callbacks
):
    import datetime

    from huey.contrib.djhuey import HUEY

    from core.models import OutboxMessage
    from core.outbox import outbox_drain

    def queue_down(*args, **kwargs):
        raise ConnectionError("Redis is not answering")

    monkeypatch.setattr(HUEY, "enqueue", queue_down)
    with scope(company=company):
        draft = draft_invoice(company=company)
        with django_capture_on_commit_callbacks(execute=True):
            invoice = services.invoice_issue(invoice=draft, actor=Actor.system("test"))
    # Issued and committed; the archiving waits in the outbox, not lost.
    (waiting,) = OutboxMessage.objects.filter(done_at__isnull=True)
    assert (waiting.task, waiting.args) == ("delivery.tasks.store_documents", [invoice.pk])
    assert _archived(company, invoice) == []

    monkeypatch.undo()  # the queue is back: the sweep runs what waited
    assert outbox_drain(grace=datetime.timedelta(0)) == {"ran": 1, "tried": 1}
    (pdf,) = _archived(company, invoice)
    assert _images(pdf) == 1


def test_draft_preview_is_rendered_with_the_logo(owner_client, company, with_logo):
    with scope(company=company):
        draft = draft_invoice(company=company)
    response = owner_client.get(reverse("documents:invoice_preview", args=[draft.pk]))
    assert response.status_code == 200
    assert _images(response.content) == 1
    assert "UTKAST" in PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert _archived(company, draft) == []
