"""OpenAPI: the token authentication, and the error responses of every endpoint."""

from __future__ import annotations

from typing import Any, Literal

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from api.base import CompanyApiMixin
from api.idempotency import HEADER


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "«Token <key>». Owners and admins create keys at /app/api-tokens/.",
        }


class CompanySessionScheme(SessionScheme):
    target_class = "api.auth.CompanySessionAuthentication"


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in one sentence.")


class ValidationErrorSerializer(ErrorSerializer):
    # A declared field, not the .errors property: DRF's metaclass takes it off the class.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name (or non_field_errors; nested input: dotted names such as "
        "lines.1.quantity) → messages.",
    )


class ApiAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the error responses every company endpoint has."""

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        bodies = super()._get_response_bodies(direction)
        if direction != "response" or not isinstance(self.view, CompanyApiMixin):
            return bodies
        errors: dict[str, Any] = {
            "401": OpenApiResponse(ErrorSerializer, description="No or invalid API key."),
            "403": OpenApiResponse(ErrorSerializer, description="Read-only role."),
            "429": OpenApiResponse(ErrorSerializer, description="Rate limit; see Retry-After."),
        }
        if self.method in ("POST", "PUT", "PATCH") or self._is_list_view():
            errors["400"] = OpenApiResponse(ValidationErrorSerializer, description="Invalid input.")
        if "{" in self.path:
            errors["404"] = OpenApiResponse(ErrorSerializer, description="No such object.")
        names = {
            parameter.name
            for parameter in self.get_override_parameters()
            if isinstance(parameter, OpenApiParameter)
        }
        if HEADER in names:
            errors["422"] = OpenApiResponse(
                ErrorSerializer, description="Idempotency-Key reused with another request."
            )
        for code, response in sorted(errors.items()):
            if code not in bodies:
                bodies[code] = self._get_response_for_code(response, code, direction=direction)
        return bodies
