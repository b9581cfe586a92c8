"""Who calls the API, for which company, and with which rights.

Two ways in:

- ``Authorization: Token <key>``: an API token of a company. ``request.user`` is an
  ``ApiPrincipal`` (not a ``User``), ``request.auth`` the ``ApiToken``. A token acts with
  editor rights in its company; its audit actor is ``Actor.api_token(token)``.
- the web app's session: a logged-in (second-factor verified where enrolled) member of
  the active company. Every role may read; only ``EDITOR_ROLES`` may write (a read-only
  member gets 403). Unsafe requests need the CSRF token, as in the app.

``api_caller(request)`` gives the company, the rights and the audit actor of either kind.
``ApiView`` (``api.views``) runs the whole request inside the caller's tenant scope.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from accounts.models import EDITOR_ROLES, Company, Membership
from accounts.permissions import otp_verified, request_has_second_factor
from api.models import ApiToken
from api.services import api_token_find_active, api_token_mark_used
from core.audit import Actor


class ApiPrincipal:
    """``request.user`` of a token request: the token's company, acting through the API.

    It is not a ``User``: nothing may save it, log it in, or look it up as one.
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, token: ApiToken):
        self.token = token
        self.company = token.company

    def __str__(self) -> str:
        return f"API token {self.token.key_prefix}… ({self.company})"

    def get_username(self) -> str:
        return str(self)

    def has_perm(self, *args: Any, **kwargs: Any) -> bool:
        return False


class ApiTokenAuthentication(BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[ApiPrincipal, ApiToken] | None:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        parts = header.split()
        if not parts or parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Ugyldig Authorization-header: bruk «Token <nøkkel>».")
            )
        token = api_token_find_active(key=parts[1])
        if token is None:
            raise exceptions.AuthenticationFailed(
                _("Ugyldig eller tilbakekalt API-nøkkel."), code="invalid_token"
            )
        api_token_mark_used(token=token)
        return ApiPrincipal(token), token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword


class CompanySessionAuthentication(SessionAuthentication):
    """The web app's login, when it has passed the same gates as ``company_view``."""

    def authenticate(self, request: Request) -> tuple[Any, None] | None:
        result = super().authenticate(request)  # enforces CSRF on unsafe methods
        if result is None:
            return None
        user = result[0]
        # The Django request: DRF's ``request.user`` is what this method decides.
        if not otp_verified(user) and request_has_second_factor(request._request):
            return None  # second factor not given yet: not logged in for the API
        return result


@dataclass(frozen=True)
class ApiCaller:
    company: Company
    actor: Actor
    can_edit: bool
    token: ApiToken | None = None
    membership: Membership | None = None

    @property
    def ident(self) -> str:
        """A stable key for throttling and idempotency: ``token:<id>`` or ``user:<id>``."""
        if self.token is not None:
            return f"token:{self.token.pk}"
        assert self.membership is not None
        return f"user:{self.membership.user_id}"


_CALLER_ATTR = "_api_caller"


def api_caller(request: Request) -> ApiCaller | None:
    """The authenticated caller's company and rights, or None (no usable company)."""
    django_request = getattr(request, "_request", request)
    if hasattr(django_request, _CALLER_ATTR):
        return getattr(django_request, _CALLER_ATTR)
    caller = None
    user = request.user
    if isinstance(user, ApiPrincipal):
        caller = ApiCaller(
            company=user.company,
            actor=Actor.api_token(user.token),
            can_edit=True,
            token=user.token,
        )
    elif user is not None and user.is_authenticated:
        membership = getattr(django_request, "membership", None)
        if membership is not None:
            company = membership.company
            if not (company.require_two_factor and not request_has_second_factor(django_request)):
                caller = ApiCaller(
                    company=company,
                    actor=Actor.user(user),
                    can_edit=membership.role in EDITOR_ROLES,
                    membership=membership,
                )
    setattr(django_request, _CALLER_ATTR, caller)
    return caller


class CompanyApiPermission(BasePermission):
    """Reads for every caller of the company; writes for tokens and editor roles."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated
        caller = api_caller(request)
        if caller is None:
            self.message = _(
                "Du har ikke tilgang til noe firma her (eller firmaet krever tofaktor-"
                "autentisering, som du ikke har satt opp)."
            )
            return False
        if request.method in SAFE_METHODS:
            return True
        self.message = _("Rollen din har bare lesetilgang.")
        return caller.can_edit
