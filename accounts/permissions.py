"""Access rules for the app's views: who may see and who may change a company's data.

Every view under /app/ is wrapped in ``company_view``. An object of another company is
never found (the tenant scope hides it), so the outsider gets 404; a member with a
read-only role gets 403 on anything that changes data.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar, overload
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, user_has_device

from accounts.models import EDITOR_ROLES, MANAGER_ROLES, Company, Membership, Role, User
from accounts.selectors import second_factor_statement

SESSION_REAUTH_KEY = "reauthenticated_at"

P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)
# A view (request first), and what a gate makes of it: the same parameters, and the view's
# own response or the gate's redirect.
RequestView = Callable[Concatenate[HttpRequest, P], R]
GatedView = Callable[Concatenate[HttpRequest, P], R | HttpResponse]


def mark_reauthenticated(request: HttpRequest) -> None:
    request.session[SESSION_REAUTH_KEY] = time.time()


def is_recently_authenticated(request: HttpRequest) -> bool:
    stamp = request.session.get(SESSION_REAUTH_KEY)
    return stamp is not None and time.time() - float(stamp) <= settings.REAUTH_MAX_AGE_SECONDS


def verify_otp(user: User, code: str) -> Any:
    """The device (TOTP or a recovery code) that accepts ``code``, if any."""
    # Recovery codes are stored in lower case; people often type them in upper case.
    code = code.strip().replace(" ", "").lower()
    if not code:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if device.verify_token(code):
                return device
    return None


def check_sudo(request: HttpRequest, *, password: str, code: str = "") -> dict[str, str]:
    """Check the signed-in user's password (and second factor); the errors by field.

    The one password check of sudo mode: the re-authentication page and the inline
    confirmation on forms that change payment details both call it. A wrong password counts
    as a failed log-in (django-axes sees it through ``authenticate``).
    """
    user = request_user(request)
    checked = authenticate(request, username=user.email, password=password)
    if checked is None or checked.pk != user.pk:
        return {"password": str(_("Feil passord."))}
    if user_has_device(user) and verify_otp(user, code) is None:
        return {"code": str(_("Koden stemmer ikke."))}
    return {}


def confirm_sudo(request: HttpRequest, form: BaseForm) -> bool:
    """Sudo mode for a form that changes payment details (bank account, KID, sender e-mail).

    True when the session passed a password check in the last ``REAUTH_MAX_AGE_SECONDS``,
    or when the form's own ``sudo_password`` (and ``sudo_code``) fields pass it now, which
    also starts sudo mode. Otherwise the form gets the errors and nothing is lost: the user
    types the password on the same page and submits again.
    """
    if is_recently_authenticated(request):
        return True
    password = form.cleaned_data.get("sudo_password") or ""
    if not password:
        form.add_error(
            "sudo_password",
            _(
                "Skriv passordet ditt for å endre betalingsopplysninger "
                "(kontonummer, IBAN, BIC, KID eller e-post for faktura)."
            ),
        )
        return False
    errors = check_sudo(request, password=password, code=form.cleaned_data.get("sudo_code") or "")
    for field, message in errors.items():
        form.add_error(f"sudo_{field}", message)
    if errors:
        return False
    mark_reauthenticated(request)
    return True


def missing_role_message(allowed: Iterable[str], current: str) -> str:
    """ "This needs the role owner or administrator; yours is member." (the 403 page)."""
    names = [str(Role(role).label) for role in Role.values if role in allowed]
    needed = (
        names[0]
        if len(names) == 1
        else _("%(list)s eller %(last)s")
        % {
            "list": ", ".join(names[:-1]),
            "last": names[-1],
        }
    )
    return _("Dette krever rollen %(needed)s i firmaet; din rolle er %(current)s.") % {
        "needed": needed.lower(),
        "current": current.lower(),
    }


def _redirect_with_next(url_name: str, request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")


def request_user(request: HttpRequest) -> User:
    """The logged-in user of a view behind a login gate (``company_view``, ``staff_view``):
    typed as ``User``, since the gate lets no anonymous visitor through."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def request_membership(request: HttpRequest) -> Membership:
    """The active membership of a view behind ``company_view``: ``ActiveCompanyMiddleware``
    puts it on the request (``HttpRequest`` declares no such attribute) and the gate lets no
    request without one through."""
    membership = getattr(request, "membership", None)
    if not isinstance(membership, Membership):
        raise PermissionDenied
    return membership


def request_company(request: HttpRequest) -> Company:
    """The active company of a view behind ``company_view`` (the membership's company)."""
    return request_membership(request).company


def otp_verified(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether the user passed the second factor in this session.

    django_otp's ``OTPMiddleware`` gives ``request.user`` an ``is_verified()``; a user object
    it has not seen (right after ``login()``) has none, and has not given a second factor.
    """
    is_verified = getattr(user, "is_verified", None)
    return is_verified is not None and bool(is_verified())


def has_second_factor(user: AbstractBaseUser | AnonymousUser) -> bool:
    """``django_otp.user_has_device`` (a confirmed device of any kind) in one query, not one
    per device kind (``accounts.selectors.second_factor_statement``)."""
    if not user.is_authenticated:
        return False
    sql, kinds = second_factor_statement("%s")
    if not kinds:
        return False
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} LIMIT 1", [user.pk, True] * kinds)
        return cursor.fetchone() is not None


def request_has_second_factor(request: HttpRequest) -> bool:
    """``has_second_factor`` of the request's user, from the active membership's query
    when the middleware made one (``active_membership_for``): no query of its own."""
    membership = getattr(request, "membership", None)
    known = getattr(membership, "user_has_second_factor", None)
    if (
        isinstance(membership, Membership)
        and membership.user_id == request.user.pk
        and (isinstance(known, bool))
    ):
        return known
    return has_second_factor(request.user)


def login_gate(request: HttpRequest) -> HttpResponse | None:
    """Where an authenticated session must go before it may use the app, if anywhere."""
    user = request.user
    if not user.is_authenticated:
        return _redirect_with_next(settings.LOGIN_URL, request)
    # A session that passed the second factor has a device: no need to ask.
    if not otp_verified(user) and request_has_second_factor(request):
        return _redirect_with_next("accounts:otp_verify", request)
    return None


@overload
def user_view(view: RequestView[P, R], *, reauth: bool = False) -> GatedView[P, R]: ...
@overload
def user_view(
    view: None = None, *, reauth: bool = False
) -> Callable[[RequestView[P, R]], GatedView[P, R]]: ...
def user_view(view: Any = None, *, reauth: bool = False) -> Any:
    """A logged-in (and, where enrolled, second-factor verified) user, any company.

    ``reauth=True`` also requires a recent password (and second factor) check.
    """

    def decorate(func: RequestView[P, R]) -> GatedView[P, R]:
        @functools.wraps(func)
        def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R | HttpResponse:
            gate = login_gate(request)
            if gate is not None:
                return gate
            if reauth and not is_recently_authenticated(request):
                return _redirect_with_next("accounts:reauthenticate", request)
            return func(request, *args, **kwargs)

        return wrapped

    return decorate(view) if view is not None else decorate


@overload
def company_view(
    view: RequestView[P, R], *, roles: Iterable[str] | None = None, reauth: bool = False
) -> GatedView[P, R]: ...
@overload
def company_view(
    view: None = None, *, roles: Iterable[str] | None = None, reauth: bool = False
) -> Callable[[RequestView[P, R]], GatedView[P, R]]: ...
def company_view(
    view: Any = None, *, roles: Iterable[str] | None = None, reauth: bool = False
) -> Any:
    """Require a logged-in member of the active company, optionally with given roles.

    ``roles=EDITOR_ROLES`` for views that change bookkeeping data, ``MANAGER_ROLES``
    for member and company administration; ``reauth=True`` for sensitive actions.
    """
    allowed = frozenset(roles) if roles is not None else None

    def decorate(func: RequestView[P, R]) -> GatedView[P, R]:
        @functools.wraps(func)
        def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R | HttpResponse:
            gate = login_gate(request)
            if gate is not None:
                return gate
            membership: Membership | None = getattr(request, "membership", None)
            if membership is None:
                return redirect("accounts:no_company")
            if membership.company.require_two_factor and not request_has_second_factor(request):
                return _redirect_with_next("accounts:two_factor_setup", request)
            if allowed is not None and membership.role not in allowed:
                raise PermissionDenied(missing_role_message(allowed, membership.get_role_display()))
            if reauth and not is_recently_authenticated(request):
                return _redirect_with_next("accounts:reauthenticate", request)
            return func(request, *args, **kwargs)

        # Read by the test that every /app/ view is gated; a function declares no attributes.
        wrapped.company_roles = allowed  # type: ignore[attr-defined]
        return wrapped

    return decorate(view) if view is not None else decorate


class RoleGate(Protocol):
    """``company_view`` with its roles given: ``@editor_view`` or ``@editor_view(reauth=True)``."""

    @overload
    def __call__(self, view: RequestView[P, R], /, *, reauth: bool = ...) -> GatedView[P, R]: ...
    @overload
    def __call__(
        self, view: None = ..., /, *, reauth: bool = ...
    ) -> Callable[[RequestView[P, R]], GatedView[P, R]]: ...


def _role_gate(roles: Iterable[str]) -> RoleGate:
    def gate(view: Any = None, /, *, reauth: bool = False) -> Any:
        return company_view(view, roles=roles, reauth=reauth)

    return gate


editor_view = _role_gate(EDITOR_ROLES)
manager_view = _role_gate(MANAGER_ROLES)
owner_view = _role_gate({Role.OWNER})
