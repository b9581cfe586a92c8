"""Error pages in the visitor's language, never leaking details."""

from __future__ import annotations

import abc
import logging
import sys
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

# Seconds a client should wait before trying again while the database is unreachable.
DATABASE_RETRY_AFTER = 30


def _render(
    request: HttpRequest, status: int, context: dict[str, Any] | None = None
) -> HttpResponse:
    body: str
    try:
        body = render_to_string(f"errors/{status}.html", context, request=request)
    except Exception:  # the error page itself must never fail
        body = f"<h1>{status}</h1>"
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # The code raises PermissionDenied with a translated reason for the user (which role
    # is missing); without one the page gives the general explanation.
    reason = exception.args[0] if exception is not None and exception.args else ""
    return _render(request, 403, {"reason": reason if isinstance(reason, str) else str(reason)})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, 404)


class ExplainedError(Exception, abc.ABC):
    """A failure a user is told about in plain words, with its own status — never a 500.

    A domain app subclasses it (``documents.models.ArchivedFileMissing``);
    ``core.middleware.ExplainedErrorMiddleware`` renders it as a page and
    ``api.exceptions`` as the JSON error body, so neither needs to know the app.
    """

    status_code = 400

    @abc.abstractmethod
    def title(self) -> str: ...

    @abc.abstractmethod
    def user_message(self) -> str: ...

    def log(self) -> None:
        logger.warning("%s: %s", type(self).__name__, self)


def explained_error_page(request: HttpRequest, exc: ExplainedError) -> HttpResponse:
    exc.log()
    body = render_to_string(
        "errors/explained.html",
        {
            "title": exc.title(),
            "message": exc.user_message(),
            "status": exc.status_code,
            "request_id": getattr(request, "request_id", ""),
        },
        request=request,
    )
    return HttpResponse(body, status=exc.status_code)


def is_database_outage(exc: BaseException | None) -> bool:
    """The database cannot be reached (connection refused or lost, SQLite locked)."""
    seen = 0
    while exc is not None and seen < 10:  # follow wrapped causes (a template, a service)
        if isinstance(exc, OperationalError | InterfaceError):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def database_unavailable(request: HttpRequest) -> HttpResponse:
    """503 with Retry-After: nothing was saved, and trying again later is the right move.

    Rendered without the request's context processors: they would ask the database.
    """
    request_id = getattr(request, "request_id", "")
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"detail": _("Tjenesten er midlertidig utilgjengelig. Prøv igjen om litt.")},
            status=503,
        )
    else:
        body: str
        try:
            body = render_to_string("errors/503.html", {"request_id": request_id})
        except Exception:  # the error page itself must never fail
            body = "<h1>503</h1>"
        response = HttpResponse(body, status=503)
    response["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its ``except`` block, so the exception is at hand.
    if is_database_outage(sys.exc_info()[1]):
        logger.error("Database unavailable: answered 503 to %s", request.path)
        return database_unavailable(request)
    return _render(request, 500)
