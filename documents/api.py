"""The files of an invoice or credit note in the REST API: ``GET /api/v1/invoices/{id}/pdf``,
``.../{id}/ehf`` and the same under ``/api/v1/credit-notes/`` (no trailing slash).

An issued document's file is its archived one (``documents.StoredDocument``, stored once
after issue with its SHA-256; archived by the request if the after-issue task has not run
yet), so every download is byte for byte the same. A draft's PDF is the preview marked
UTKAST, rendered now; a draft has no EHF. The views are the invoicing API's viewsets (same
company scoping, authentication and 404s) with these two actions added.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from documents.adapters import document_from_invoice, load_for_document
from documents.ehf import EhfNotPossible
from documents.pdf import render_pdf
from documents.selectors import company_logo
from documents.services import issued_ehf, issued_pdf
from invoicing.api.common import CONFLICT_RESPONSES, StateConflict
from invoicing.api.viewsets import CreditNoteViewSet, InvoiceViewSet
from invoicing.models import Invoice


class _FileRenderer(BaseRenderer):
    """Lets a client ask for the file's type in ``Accept``; the handler returns the bytes."""

    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        return data


class PdfRenderer(_FileRenderer):
    media_type = "application/pdf"
    format = "pdf"


class XmlRenderer(_FileRenderer):
    media_type = "application/xml"
    format = "xml"


def _filename(invoice: Invoice, suffix: str) -> str:
    if invoice.is_draft:
        return f"utkast-{invoice.pk}.{suffix}"
    stem = "kreditnota" if invoice.is_credit_note else "faktura"
    return f"{stem}-{invoice.number}.{suffix}"


def _file_response(
    invoice: Invoice, content: bytes, *, content_type: str, suffix: str, source: str
):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{_filename(invoice, suffix)}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["X-Document-Source"] = source
    return response


def document_pdf(invoice: Invoice) -> tuple[bytes, str]:
    """The PDF and where it came from: an issued document's is always the ``archive`` (archived
    now if the after-issue task has not run yet); a draft's is its preview, ``rendered``."""
    if not invoice.is_draft:
        return issued_pdf(invoice=invoice), "archive"
    document = document_from_invoice(load_for_document(invoice.pk))
    return render_pdf(document, logo=company_logo(company=invoice.company)), "rendered"


def document_ehf(invoice: Invoice) -> tuple[bytes, str]:
    """The archived EHF XML of an issued document (archived now if not yet)."""
    if invoice.is_draft:
        raise StateConflict(_("Et utkast har ingen EHF-fil. Utsted fakturaen først."))
    try:
        return issued_ehf(invoice=invoice), "archive"
    except EhfNotPossible as exc:
        raise StateConflict(
            _(
                "Det kan ikke lages EHF for dette dokumentet: kunden har ingen Peppol-adresse "
                "(et norsk organisasjonsnummer eller en Peppol-ID). Send PDF-en i stedet."
            )
        ) from exc


class DocumentFilesMixin:
    """``GET .../{id}/pdf`` and ``.../{id}/ehf`` (routed in ``documents.urls_api``)."""

    def get_renderers(self) -> list[BaseRenderer]:
        renderers = super().get_renderers()  # type: ignore[misc]
        extra = {"pdf": PdfRenderer, "ehf": XmlRenderer}.get(getattr(self, "action", None) or "")
        return [*renderers, extra()] if extra else renderers

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any):
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if isinstance(response, Response) and isinstance(
            getattr(response, "accepted_renderer", None), _FileRenderer
        ):
            # An error from a file endpoint is JSON like every other error.
            response.accepted_renderer = JSONRenderer()
            response.accepted_media_type = JSONRenderer.media_type
        return response

    @extend_schema(
        summary="The document as PDF (a draft: the preview marked UTKAST)",
        description="An issued document's PDF is always its archived file "
        "(`X-Document-Source: archive`), archived by this request if the after-issue task "
        "has not done it yet: every download is byte for byte the same. A draft's preview is "
        "rendered now (`rendered`).",
        responses={(200, "application/pdf"): OpenApiTypes.BINARY},
    )
    def pdf(self, request: Request, pk: int | None = None) -> HttpResponse:
        invoice = self.get_object()  # type: ignore[attr-defined]
        content, source = document_pdf(invoice)
        return _file_response(
            invoice, content, content_type="application/pdf", suffix="pdf", source=source
        )

    @extend_schema(
        summary="The document as EHF Billing 3.0 XML (Peppol BIS); issued documents only",
        responses={(200, "application/xml"): OpenApiTypes.BINARY, **CONFLICT_RESPONSES},
    )
    def ehf(self, request: Request, pk: int | None = None) -> HttpResponse:
        invoice = self.get_object()  # type: ignore[attr-defined]
        content, source = document_ehf(invoice)
        return _file_response(
            invoice, content, content_type="application/xml", suffix="xml", source=source
        )


class InvoiceFilesViewSet(DocumentFilesMixin, InvoiceViewSet):
    pass


class CreditNoteFilesViewSet(DocumentFilesMixin, CreditNoteViewSet):
    pass
