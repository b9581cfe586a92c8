"""GET /api/v1/invoices/{id}/pdf|ehf and /api/v1/credit-notes/{id}/pdf|ehf.

Issued documents: always the archived file (``X-Document-Source: archive``), archived by
the request if the after-issue task has not run yet. Drafts: the UTKAST preview
(``rendered``), and no EHF.
"""

from __future__ import annotations

import io

import pytest
from django_scopes import scope
from pypdf import PdfReader

from delivery.files import store_issued_documents
from documents.ehf_rules import fatal_violations
from documents.models import StoredDocument
from documents.tests.ehf_support import xsd_errors
from invoicing.tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

INVOICES = "/api/v1/invoices/"
CREDIT_NOTES = "/api/v1/credit-notes/"


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


def _client(company, **fields):
    with scope(company=company):
        return ClientFactory(company=company, name="Fjord Bygg AS", **fields).pk


def _draft(api_client, client_id):
    body = {
        "client": client_id,
        "invoice_date": "2026-11-02",
        "lines": [
            {"description": "Konsulenttime", "quantity": "2", "unit_price": "1000", "vat_code": "3"}
        ],
    }
    response = api_client.post(INVOICES, body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def _issued(api_client, client_id):
    draft = _draft(api_client, client_id)
    response = api_client.post(f"{INVOICES}{draft['id']}/issue/", format="json")
    assert response.status_code == 200, response.content
    return response.json()


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _assert_valid_ehf(xml: bytes) -> None:
    assert xsd_errors(xml) == []
    assert fatal_violations(xml) == []


def test_issued_invoice_pdf(api_client, company):
    issued = _issued(api_client, _client(company))
    response = api_client.get(f"{INVOICES}{issued['id']}/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="faktura-{issued["number"]}.pdf"'
    )
    assert response["X-Document-Source"] == "archive"
    assert response.content.startswith(b"%PDF")
    text = _text(response.content)
    assert str(issued["number"]) in text and "Fjord Bygg AS" in text
    assert "UTKAST" not in text


def test_draft_pdf_is_the_preview(api_client, company):
    draft = _draft(api_client, _client(company))
    response = api_client.get(f"{INVOICES}{draft['id']}/pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "UTKAST" in _text(response.content)
    assert response["Content-Disposition"] == f'attachment; filename="utkast-{draft["id"]}.pdf"'


def test_issued_invoice_ehf_is_valid(api_client, company):
    issued = _issued(api_client, _client(company, their_reference="Kari Nordmann"))
    response = api_client.get(f"{INVOICES}{issued['id']}/ehf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert response["Content-Disposition"] == (
        f'attachment; filename="faktura-{issued["number"]}.xml"'
    )
    xml = response.content
    _assert_valid_ehf(xml)
    assert f"<cbc:ID>{issued['number']}</cbc:ID>".encode() in xml
    assert b"<cbc:PayableAmount" in xml and b">2500.00<" in xml
    assert b'mimeCode="application/pdf"' in xml  # the PDF is embedded


def test_draft_has_no_ehf(api_client, company):
    draft = _draft(api_client, _client(company))
    response = api_client.get(f"{INVOICES}{draft['id']}/ehf")
    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    assert "utkast" in response.json()["detail"].lower()


def test_buyer_without_peppol_address_has_no_ehf(api_client, company):
    client_id = _client(company, organization_number="", peppol_id="", kind="person")
    issued = _issued(api_client, client_id)
    response = api_client.get(f"{INVOICES}{issued['id']}/ehf")
    assert response.status_code == 409
    assert "Peppol" in response.json()["detail"]
    assert api_client.get(f"{INVOICES}{issued['id']}/pdf").status_code == 200
    with scope(company=company):
        assert list(StoredDocument.objects.values_list("kind", flat=True)) == ["pdf"]


def test_credit_note_pdf_and_ehf(api_client, company):
    issued = _issued(api_client, _client(company, their_reference="Kari Nordmann"))
    note = api_client.post(f"{INVOICES}{issued['id']}/credit/", {}, format="json").json()
    pdf = api_client.get(f"{CREDIT_NOTES}{note['id']}/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"] == f'attachment; filename="kreditnota-{note["number"]}.pdf"'
    text = _text(pdf.content)
    assert str(note["number"]) in text and str(issued["number"]) in text
    ehf = api_client.get(f"{CREDIT_NOTES}{note['id']}/ehf")
    assert ehf.status_code == 200
    _assert_valid_ehf(ehf.content)
    assert b"<CreditNote" in ehf.content
    # Under the other resource they do not exist.
    assert api_client.get(f"{INVOICES}{note['id']}/pdf").status_code == 404
    assert api_client.get(f"{CREDIT_NOTES}{issued['id']}/ehf").status_code == 404


def test_archived_files_are_served_byte_for_byte(api_client, company):
    issued = _issued(api_client, _client(company, their_reference="Kari Nordmann"))
    with scope(company=company):
        pdf, ehf = store_issued_documents(issued["id"])
        assert pdf is not None and ehf is not None
        stored_pdf, stored_ehf = pdf.read(), ehf.read()
    pdf_response = api_client.get(f"{INVOICES}{issued['id']}/pdf")
    assert pdf_response["X-Document-Source"] == "archive"
    assert pdf_response.content == stored_pdf
    ehf_response = api_client.get(f"{INVOICES}{issued['id']}/ehf")
    assert ehf_response["X-Document-Source"] == "archive"
    assert ehf_response.content == stored_ehf
    _assert_valid_ehf(ehf_response.content)
    with scope(company=company):
        assert StoredDocument.objects.count() == 2  # serving archived nothing more


def test_a_download_before_the_task_archives_once(api_client, company):
    issued = _issued(api_client, _client(company))
    pdf = api_client.get(f"{INVOICES}{issued['id']}/pdf")
    ehf = api_client.get(f"{INVOICES}{issued['id']}/ehf")
    assert pdf["X-Document-Source"] == ehf["X-Document-Source"] == "archive"
    assert api_client.get(f"{INVOICES}{issued['id']}/pdf").content == pdf.content
    with scope(company=company):
        assert StoredDocument.objects.count() == 2
        assert StoredDocument.objects.get(kind="pdf").read() == pdf.content


def test_accept_header_for_the_file_type(api_client, company):
    issued = _issued(api_client, _client(company))
    pdf = api_client.get(f"{INVOICES}{issued['id']}/pdf", HTTP_ACCEPT="application/pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    xml = api_client.get(f"{INVOICES}{issued['id']}/ehf", HTTP_ACCEPT="application/xml")
    assert xml.status_code == 200 and xml.content.startswith(b"<?xml")
    missing = api_client.get(f"{INVOICES}999999/pdf", HTTP_ACCEPT="application/pdf")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/json" and missing.json()["detail"]


def test_read_only_member_may_download(api_client, member_api_client, company):
    issued = _issued(api_client, _client(company))
    response = member_api_client.get(f"{INVOICES}{issued['id']}/pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_outsider_and_anonymous_get_no_file(api_client, outsider_api_client, client, company):
    issued = _issued(api_client, _client(company))
    for kind in ("pdf", "ehf"):
        url = f"{INVOICES}{issued['id']}/{kind}"
        response = outsider_api_client.get(url)
        assert response.status_code == 404 and b"%PDF" not in response.content
        assert client.get(url).status_code in (401, 403)


def test_after_issue_commits_the_archived_pdf_is_served(
    api_client, company, django_capture_on_commit_callbacks
):
    draft = _draft(api_client, _client(company))
    with django_capture_on_commit_callbacks(execute=True):
        issued = api_client.post(f"{INVOICES}{draft['id']}/issue/", format="json")
    assert issued.status_code == 200
    with scope(company=company):
        stored = StoredDocument.objects.get(invoice_id=draft["id"], kind="pdf")
        archived = stored.read()
    response = api_client.get(f"{INVOICES}{draft['id']}/pdf")
    assert response["X-Document-Source"] == "archive" and response.content == archived
