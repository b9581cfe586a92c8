"""The base classes of every API view: authentication, rights, tenant scope."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.translation import get_supported_language_variant
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header
from django_scopes import scope
from rest_framework import mixins, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.views import APIView

from api.auth import ApiCaller, ApiTokenAuthentication, CompanyApiPermission, api_caller

if TYPE_CHECKING:
    from rest_framework.permissions import _PermissionClass


def _sends_token(request: Request) -> bool:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    return header.split(" ", 1)[0].lower() == ApiTokenAuthentication.keyword.lower()


def _token_language(request: Request) -> str | None:
    """A token client picks its language with Accept-Language (nb or en); else nb."""
    for code, _quality in parse_accept_lang_header(request.META.get("HTTP_ACCEPT_LANGUAGE", "")):
        if code == "*":
            break
        try:
            return get_supported_language_variant(code)
        except LookupError:
            continue
    return None


def query_choice(
    params: Mapping[str, str], name: str, choices: Iterable[str], *, default: str
) -> str:
    """The query parameter ``name`` if it is one of ``choices`` (or absent), else a 400."""
    value = params.get(name, default)
    allowed = list(choices)
    if value != default and value not in allowed:
        raise ValidationError(
            {name: [_("Ugyldig verdi. Bruk en av: %(choices)s.") % {"choices": ", ".join(allowed)}]}
        )
    return value


SEARCH_MAX_LENGTH = 200


def query_text(params: Mapping[str, str], name: str) -> str:
    """A free-text query parameter: at most 200 characters, no NUL (PostgreSQL refuses it)."""
    value = params.get(name, "")
    if len(value) > SEARCH_MAX_LENGTH or "\x00" in value:
        raise ValidationError(
            {name: [_("Høyst %(max)d tegn, og ingen nulltegn.") % {"max": SEARCH_MAX_LENGTH}]}
        )
    return value


class CompanyApiMixin:
    """Authentication, rights and the tenant scope for every company endpoint.

    After authentication the rest of the request (permission checks, the handler, the
    serialisation of the response) runs inside ``scope(company=<caller's company>)``:
    for a token that is the token's company, for a session the active company. So a
    query never finds another company's rows, and ``get_object`` gives 404 for them.
    """

    permission_classes: Sequence[_PermissionClass] = [CompanyApiPermission]
    lookup_value_converter = "int"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._scope_stack = contextlib.ExitStack()
        with self._scope_stack:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        if _sends_token(request):
            language = _token_language(request) or settings.LANGUAGE_CODE
            translation.activate(language)
            request.LANGUAGE_CODE = language
        self.perform_authentication(request)  # type: ignore[attr-defined]
        caller = api_caller(request) if request.user.is_authenticated else None
        self._scope_stack.enter_context(scope(company=caller.company if caller else None))
        super().initial(request, *args, **kwargs)  # type: ignore[misc]

    @property
    def caller(self) -> ApiCaller:
        """The company, rights and audit actor of this (authenticated) request."""
        caller = api_caller(self.request)  # type: ignore[attr-defined]
        assert caller is not None  # CompanyApiPermission refuses requests without one
        return caller


class ApiView(CompanyApiMixin, APIView):
    pass


class ApiGenericViewSet(CompanyApiMixin, viewsets.GenericViewSet):
    pass


class ApiReadOnlyViewSet(CompanyApiMixin, viewsets.ReadOnlyModelViewSet):
    pass


class ApiModelViewSet(
    CompanyApiMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """Full CRUD. Subclasses call services in ``perform_create``/``perform_update``/
    ``perform_destroy`` (never ``serializer.save()`` on a model) and decorate ``create``
    with ``api.idempotency.idempotent``."""
