"""The company's logo page: /app/company/logo/ (managers), and the logo image itself."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import company_view, manager_view
from core.audit import Actor
from documents import selectors, services
from documents.forms import LogoForm
from documents.services import LOGO_MAX_BYTES


@manager_view
def logo(request: HttpRequest) -> HttpResponse:
    company = request.company  # type: ignore[attr-defined]
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
        company=request.company,  # type: ignore[attr-defined]
        actor=Actor.user(request.user),
    )
    if removed:
        messages.success(request, _("Logoen er fjernet."))
    return redirect("documents:logo")


@company_view
def logo_image(request: HttpRequest) -> HttpResponse:
    branding = selectors.company_branding(company=request.company)  # type: ignore[attr-defined]
    if branding is None:
        raise Http404
    response = HttpResponse(bytes(branding.logo), content_type=branding.content_type)
    response["Cache-Control"] = "private, no-cache"
    response["X-Content-Type-Options"] = "nosniff"
    return response
