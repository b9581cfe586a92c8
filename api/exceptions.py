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


def _normalise_errors(detail: Any) -> dict[str, Any]:
    if isinstance(detail, dict):
        return {
            (NON_FIELD if key == NON_FIELD_ERRORS else key): value for key, value in detail.items()
        }
    if isinstance(detail, list):
        return {NON_FIELD: detail}
    return {NON_FIELD: [detail]}


def validation_error_body(errors: dict[str, Any]) -> dict[str, Any]:
    return {"detail": _("Ugyldige data."), "errors": errors}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        set_rollback()
        return Response(
            validation_error_body(_field_errors_from_django(exc)),
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
        return Response({"detail": _("Ugyldig forespørsel.")}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, IntegrityError):
        # A service should have refused this with a ValidationError; never a 500.
        logger.warning("IntegrityError reached the API: %s", exc)
        set_rollback()
        return Response(
            {"detail": _("Endringen er i konflikt med eksisterende data.")},
            status=status.HTTP_409_CONFLICT,
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
    return response


@csrf_exempt
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Unknown routes under /api/: a JSON 404, not the HTML page."""
    return JsonResponse({"detail": _("Ingen slik adresse i API-et.")}, status=404)
