"""JSON errors for everything under /api/.

Every error body has ``detail`` (a sentence); validation errors also have ``errors``,
a mapping of field name to messages (``non_field_errors`` for the whole request):

    {"detail": "Ugyldige data.", "errors": {"organization_number": ["..."]}}

Services raise Django's ``ValidationError`` (optionally with a field → message dict);
it becomes a 400 here just as a serializer's validation error does.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.errors import DATABASE_RETRY_AFTER, ExplainedError, is_database_outage
from core.request_context import current_request_id

logger = logging.getLogger(__name__)

NON_FIELD = "non_field_errors"


def _field_errors_from_django(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            (NON_FIELD if field == NON_FIELD_ERRORS else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {NON_FIELD: exc.messages}


def _normalise_errors(detail: Any) -> dict[str, list[str]]:
    """Field → list of messages, as documented; nested errors get dotted keys.

    A serializer's nested errors (``{"lines": {"1": {"quantity": [...]}}}``) become
    ``{"lines.1.quantity": [...]}``, so every value is a list of strings.
    """
    errors: dict[str, list[str]] = {}
    _flatten("", detail, errors)
    return errors


def _flatten(prefix: str, value: Any, out: dict[str, list[str]]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            name = NON_FIELD if key == NON_FIELD_ERRORS else str(key)
            _flatten(f"{prefix}.{name}" if prefix else name, item, out)
    elif isinstance(value, list) and any(isinstance(item, dict | list) for item in value):
        for index, item in enumerate(value):
            if item:  # a list serializer gives {} for the items that are fine
                _flatten(f"{prefix}.{index}" if prefix else str(index), item, out)
    elif isinstance(value, list):
        out.setdefault(prefix or NON_FIELD, []).extend(str(item) for item in value)
    else:
        out.setdefault(prefix or NON_FIELD, []).append(str(value))


def validation_error_body(errors: dict[str, Any]) -> dict[str, Any]:
    return {"detail": _("Ugyldige data."), "errors": errors}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(
            validation_error_body(_field_errors_from_django(exc)),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, exceptions.ParseError):
        # Malformed JSON (or form data): the documented 400 body, with the parser's words.
        return Response(
            {
                "detail": _("Innholdet kan ikke leses (ugyldig JSON)."),
                "errors": {NON_FIELD: [str(exc.detail)]},
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, exceptions.ValidationError):
        set_rollback()
        return Response(
            validation_error_body(_normalise_errors(exc.detail)),
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": _("Forespørselen er for stor.")},
            status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
        )
    if isinstance(exc, SuspiciousOperation):
        logger.warning("Suspicious request to the API: %s", exc)
        return Response(
            {
                "detail": _("Ugyldig forespørsel."),
                "errors": {NON_FIELD: [_("Ugyldig forespørsel.")]},
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, IntegrityError):
        # A service should have refused this with a ValidationError; never a 500.
        logger.warning("IntegrityError reached the API: %s", exc)
        set_rollback()
        return Response(
            {"detail": _("Endringen er i konflikt med eksisterende data.")},
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, ExplainedError):
        exc.log()
        return Response({"detail": exc.user_message()}, status=exc.status_code)
    if is_database_outage(exc):
        logger.error("Database unavailable: API answered 503", exc_info=exc)
        set_rollback()
        return Response(
            {"detail": _("Tjenesten er midlertidig utilgjengelig. Prøv igjen om litt.")},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(DATABASE_RETRY_AFTER)},
        )
    response = drf_exception_handler(exc, context)
    if response is None:
        logger.exception("Unhandled error in the API", exc_info=exc)
        set_rollback()
        return Response(
            {
                "detail": _("Intern feil. Oppgi forespørsels-ID-en hvis du kontakter oss."),
                "request_id": current_request_id(),
            },
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    if not isinstance(response.data, dict) or "detail" not in response.data:
        response.data = {"detail": str(response.data)}
    if response.status_code == status.HTTP_400_BAD_REQUEST and "errors" not in response.data:
        # Every 400 has the documented body: detail + errors.
        response.data["errors"] = {NON_FIELD: [str(response.data["detail"])]}
    return response


@csrf_exempt
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown routes under /api/: a JSON 404, not the HTML page."""
    return JsonResponse({"detail": _("Ingen slik adresse i API-et.")}, status=404)
