"""The company's logo page: /app/company/logo/ (managers), and the logo image itself."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import company_view, manager_view, request_company
from core.audit import Actor
from documents import selectors, services
from documents.adapters import document_from_invoice, load_for_document
from documents.forms import LogoForm
from documents.models import StoredDocument
from documents.pdf import render_pdf
from documents.services import LOGO_MAX_BYTES
from invoicing.models import Invoice


@manager_view
def logo(request: HttpRequest) -> HttpResponse:
    company = request_company(request)
    bound = request.method == "POST"
    form = LogoForm(request.POST if bound else None, request.FILES if bound else None)
    if bound and form.is_valid():
        upload = form.cleaned_data["logo"]
        try:
            if upload.size > LOGO_MAX_BYTES:  # refuse before reading a large file
                raise ValidationError(_("Logoen kan være høyst 1 MB."), code="logo_too_large")
            services.logo_upload(
                company=company, actor=Actor.user(request.user), data=upload.read()
            )
        except ValidationError as exc:
            form.add_error("logo", exc)
        else:
            messages.success(request, _("Logoen er lagret. Den trykkes på nye fakturaer."))
            return redirect("documents:logo")
    branding = selectors.company_branding(company=company)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "documents/logo.html", {"form": form, "branding": branding}, status=status
    )


@manager_view
@require_POST
def logo_remove(request: HttpRequest) -> HttpResponse:
    removed = services.logo_remove(
        company=request_company(request),
        actor=Actor.user(request.user),
    )
    if removed:
        messages.success(request, _("Logoen er fjernet."))
    return redirect("documents:logo")


@company_view
def logo_image(request: HttpRequest) -> HttpResponse:
    branding = selectors.company_branding(company=request_company(request))
    if branding is None:
        raise Http404
    response = HttpResponse(bytes(branding.logo), content_type=branding.content_type)
    response["Cache-Control"] = "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- An invoice's PDF -------------------------------------------------------------------


def _archived_pdf_exists(invoice: Invoice) -> bool:
    return selectors.stored_document(invoice=invoice, kind=StoredDocument.Kind.PDF) is not None


def _pdf_response(invoice_pk: int, *, disposition: str) -> HttpResponse:
    """A draft's UTKAST preview rendered now (with the logo); an issued document's archived
    PDF (archived now if the after-issue task has not run yet: never a second rendering)."""
    try:
        invoice = load_for_document(invoice_pk)
    except Invoice.DoesNotExist:
        raise Http404 from None
    # Rendering on the fly ties up a web worker: very long documents are left to the worker
    # (the archived PDF of an issued invoice is rendered by the task queue).
    cap = settings.PDF_PREVIEW_MAX_LINES
    count = len(invoice.lines.all())
    if count > cap and invoice.is_draft:
        message = _(
            "Forhåndsvisningen viser utkast med høyst %(cap)s linjer; dette har %(count)s. "
            "Utsted fakturaen (PDF-en lages da i bakgrunnen), eller del den opp."
        ) % {"cap": cap, "count": count}
        return HttpResponse(message, status=409, content_type="text/plain; charset=utf-8")
    # An issued one is served from the archive; until the worker has made it: come back.
    if count > cap and not _archived_pdf_exists(invoice):
        response = HttpResponse(
            _("PDF-en lages i bakgrunnen. Prøv igjen om et minutt."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = "60"
        return response
    try:
        if invoice.is_draft:
            pdf = render_pdf(
                document_from_invoice(invoice), logo=selectors.company_logo(company=invoice.company)
            )
        else:
            pdf = services.issued_pdf(invoice=invoice)
    except ValidationError as exc:
        return HttpResponse(
            "\n".join(exc.messages), status=409, content_type="text/plain; charset=utf-8"
        )
    if invoice.is_draft:
        filename = f"utkast-{invoice.pk}.pdf"
    elif invoice.is_credit_note:
        filename = f"kreditnota-{invoice.number}.pdf"
    else:
        filename = f"faktura-{invoice.number}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@company_view
def invoice_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """A draft's PDF rendered now, marked UTKAST (an issued one: its archived PDF)."""
    return _pdf_response(pk, disposition="inline")


@company_view
def invoice_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The issued document's archived PDF (the one rendering of its number)."""
    invoice = get_object_or_404(Invoice, pk=pk)
    if invoice.is_draft:
        return redirect("documents:invoice_preview", pk=pk)
    return _pdf_response(pk, disposition="attachment")
