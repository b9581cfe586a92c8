"""The public "storage and deletion routines" document (HTML and PDF)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from retention import selectors
from retention.pdf import routines_pdf


@require_GET
def routines(request: HttpRequest) -> HttpResponse:
    return render(request, "retention/routines.html", selectors.routines())


@require_GET
def routines_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(routines_pdf(selectors.routines()), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="lagrings-og-slettingsrutiner.pdf"'
    return response
