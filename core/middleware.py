from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import translation

from core.request_context import request_id_var

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

SESSION_LANGUAGE_KEY = "language"


class RequestIdMiddleware:
    """Give every request an id: accepted from a proxy if sane, else generated.

    It is returned as ``X-Request-ID`` and written into log lines and audit entries.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


def language_for_request(request: HttpRequest) -> str:
    """The user's stored choice, else the visitor's choice this session, else bokmål.

    No language cookie and no Accept-Language guessing: bokmål is the default, and a
    choice made while logged out lives in the (necessary) session only.
    """
    available = {code for code, _ in settings.LANGUAGES}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in available:
        return user.language
    chosen = request.session.get(SESSION_LANGUAGE_KEY) if hasattr(request, "session") else None
    if chosen in available:
        return chosen
    return settings.LANGUAGE_CODE


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for_request(request)
        request.LANGUAGE_CODE = language  # type: ignore[attr-defined]
        # Scoped to this request: the next request on this thread starts afresh.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class NullCharacterGuardMiddleware:
    """Refuse a page request whose query parameters contain a NUL character.

    No user types one, and PostgreSQL cannot store or compare it in text, so a search or
    filter carrying one would fail deep in a query. Forms need no guard (Django's fields
    reject NUL with a message on the field) and the REST API answers such input itself in
    JSON; query strings of pages get one clear 400 here.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith("/api/") and _has_null(request.GET):
            return HttpResponseBadRequest(
                "Forespørselen inneholder et ugyldig tegn (NUL). / "
                "The request contains an invalid character (NUL).",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def _has_null(params) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in params.lists()
    )
