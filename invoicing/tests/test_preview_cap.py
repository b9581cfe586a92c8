"""On-the-fly PDF previews are capped in lines, so a huge draft cannot tie up a web worker."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_scopes import scope

from invoicing.tests.factories import ClientFactory, draft_invoice, issued_invoice, line

pytestmark = pytest.mark.django_db


def _draft(company, n: int):
    with scope(company=company):
        client = ClientFactory(company=company)
        return draft_invoice(company=company, client=client, lines=[line() for _ in range(n)])


def test_the_default_cap_is_200_lines(settings):
    assert settings.PDF_PREVIEW_MAX_LINES == 200


def test_a_draft_over_the_cap_gets_a_clear_message_instead_of_a_render(
    owner_client, company, settings
):
    settings.PDF_PREVIEW_MAX_LINES = 3
    url = reverse("documents:invoice_preview", args=[_draft(company, 4).pk])
    response = owner_client.get(url)
    assert response.status_code == 409
    body = response.content.decode()
    assert "høyst 3 linjer" in body and "har 4" in body
    at_cap = owner_client.get(reverse("documents:invoice_preview", args=[_draft(company, 3).pk]))
    assert at_cap.status_code == 200 and at_cap.content.startswith(b"%PDF")


def test_a_long_issued_invoice_is_not_rendered_in_the_web_process(
    owner_client, company, settings, monkeypatch
):
    settings.PDF_PREVIEW_MAX_LINES = 3
    with scope(company=company):
        client = ClientFactory(company=company)
        invoice = issued_invoice(company=company, client=client, lines=[line() for _ in range(5)])
    # Before the worker has archived the PDF the download would render on the fly: refused.
    monkeypatch.setattr("documents.selectors.stored_document", lambda **kwargs: None)
    response = owner_client.get(reverse("documents:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 503 and response["Retry-After"] == "60"


def test_a_long_issued_invoice_is_served_from_the_archive_once_archived(
    owner_client, company, settings, tmp_path
):
    from delivery.files import store_issued_documents

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    settings.PDF_PREVIEW_MAX_LINES = 3
    with scope(company=company):
        client = ClientFactory(company=company)
        invoice = issued_invoice(company=company, client=client, lines=[line() for _ in range(5)])
        archived = store_issued_documents(invoice.pk)[0].read()
    response = owner_client.get(reverse("documents:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200 and response.content == archived
