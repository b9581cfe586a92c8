"""Error pages in the visitor's language, never leaking details."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string


def _render(request: HttpRequest, status: int) -> HttpResponse:
    try:
        body = render_to_string(f"errors/{status}.html", request=request)
    except Exception:  # the error page itself must never fail
        body = f"<h1>{status}</h1>"
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _render(request, 500)
