"""OpenAPI description of the token authentication."""

from __future__ import annotations

from typing import Any

from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "«Token <nøkkel>». Owners and admins create keys at /app/api-tokens/.",
        }


class CompanySessionScheme(SessionScheme):
    target_class = "api.auth.CompanySessionAuthentication"
