from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    JsonResponse,
    QueryDict,
    UnreadablePostError,
)
from django.http.multipartparser import MultiPartParserError
from django.http.request import RawPostDataException
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
        return str(user.language)
    chosen = request.session.get(SESSION_LANGUAGE_KEY) if hasattr(request, "session") else None
    if isinstance(chosen, str) and chosen in available:
        return chosen
    return str(settings.LANGUAGE_CODE)


class LanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        language = language_for_request(request)
        request.LANGUAGE_CODE = language
        # Scoped to this request: the next request on this thread starts afresh.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


_FORBIDDEN_TEXT = re.compile(r"[\x00\ud800-\udfff]")
"""What PostgreSQL cannot store in text: NUL, and lone UTF-16 surrogates (not UTF-8)."""

_UNREADABLE_BODY = (
    SuspiciousOperation,  # RequestDataTooBig, TooManyFieldsSent
    MultiPartParserError,
    RawPostDataException,
    UnreadablePostError,
)
_JSON_TYPES = ("application/json", "application/merge-patch+json")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_INVALID_CHARACTER_TEXT = (
    "Forespørselen inneholder et ugyldig tegn (NUL eller et ugyldig Unicode-tegn). / "
    "The request contains an invalid character (NUL or an invalid Unicode character)."
)


def has_forbidden_character(text: str) -> bool:
    """True if ``text`` holds a character no database column can store (see above)."""
    return bool(_FORBIDDEN_TEXT.search(text))


class NullCharacterGuardMiddleware:
    """Refuse, with one clear 400, any request carrying a character the database can't store.

    No user types a NUL (or a lone surrogate, which only a JSON ``\\ud800`` escape can
    produce), and PostgreSQL refuses both in text, so such input would otherwise fail deep
    in a query as a 500 (SQLite stores it, so only PostgreSQL shows the bug). Checked here,
    once, for every view: the URL path, the query string, form bodies (field names and
    values; not uploaded files, whose readers check their content) and JSON bodies (every
    key and string at any depth). Pages get a short bilingual text, the API its JSON error
    body (``detail`` + ``errors``).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = _forbidden_field(request)
        if field is not None:
            return _invalid_character_response(request, field)
        return self.get_response(request)


def _forbidden_field(request: HttpRequest) -> str | None:
    """The name of the first input holding a forbidden character, or None."""
    if has_forbidden_character(request.path_info):
        return "path"
    field = _forbidden_param(request.GET)
    if field is not None:
        return field
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    if content_type in _FORM_TYPES:
        try:
            return _forbidden_param(request.POST)
        except _UNREADABLE_BODY:  # too big or malformed: the view answers that
            return None
    if content_type in _JSON_TYPES or content_type.endswith("+json"):
        return _forbidden_json(request)
    return None


def _forbidden_param(params: QueryDict) -> str | None:
    for key, values in params.lists():
        if has_forbidden_character(key):
            return "non_field_errors"
        if any(has_forbidden_character(value) for value in values):
            return key
    return None


def _forbidden_json(request: HttpRequest) -> str | None:
    try:
        body = request.body
    except _UNREADABLE_BODY:  # too big or already read: the view answers that
        return None
    # Only a NUL byte or a \\u escape can produce a forbidden character: skip the rest.
    if b"\\u" not in body and b"\x00" not in body:
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None  # malformed JSON: the API's parser answers with its own 400
    return _forbidden_in(data, "non_field_errors")


def _forbidden_in(data: Any, field: str) -> str | None:
    stack: list[tuple[Any, str]] = [(data, field)]
    while stack:
        value, name = stack.pop()
        if isinstance(value, str):
            if has_forbidden_character(value):
                return name
        elif isinstance(value, dict):
            for key, item in value.items():
                if has_forbidden_character(key):
                    return name
                stack.append((item, key if name == "non_field_errors" else name))
        elif isinstance(value, list):
            stack.extend((item, name) for item in value)
    return None


def _invalid_character_response(request: HttpRequest, field: str) -> HttpResponse:
    if request.path_info.startswith("/api/"):
        detail = _INVALID_CHARACTER_TEXT
        return JsonResponse(
            {"detail": detail, "errors": {field: [detail]}},
            status=400,
            json_dumps_params={"ensure_ascii": False},
        )
    return HttpResponseBadRequest(_INVALID_CHARACTER_TEXT, content_type="text/plain; charset=utf-8")


class ExplainedErrorMiddleware:
    """A view that raises ``core.errors.ExplainedError`` answers its status with its words."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from core.errors import ExplainedError, explained_error_page

        if isinstance(exception, ExplainedError):
            return explained_error_page(request, exception)
        return None
