"""Need-to-know inside the operator (R5): ONE permission matrix, one gate, one ``can()``.

The matrix maps role × data category × action. Categories are the statement's
(``core.personal_data.inventory.Category``) plus the operator's own (``OperatorCategory``); actions
are view, edit, export and delete. A staff member with several roles gets the union.

- External advisers (auditor, lawyer, IT consultant) see only the categories granted to
  them, and only within their role's row of the matrix; after ``valid_until`` nothing.
- Administrators manage staff; they see personal data only inside an *elevated session*
  (explicit, with a reason, ``ELEVATION_MINUTES`` long, logged), and then only to view.
- Every view under /backoffice/ is wrapped in ``staff_view``: non-staff get 404 (the
  console is not revealed), staff without a confirmed second factor are sent to set one
  up, unverified sessions to the code prompt, and a category the staff member may not
  see gives 403 before the view runs (so nothing is read, and nothing logged).
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, TypeVar, overload
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device
from django_scopes import scopes_disabled

from accounts.permissions import otp_verified
from backoffice.models import ADVISER_ROLES, ElevatedSession, StaffProfile, StaffRole
from core.personal_data.inventory import Category

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import User

ELEVATION_MINUTES = 30
SESSION_ELEVATION_KEY = "backoffice_elevation_id"


class Action:
    VIEW = "view"
    EDIT = "edit"
    EXPORT = "export"
    DELETE = "delete"

    ALL = ("view", "edit", "export", "delete")
    LABELS = {
        "view": _("Se"),
        "edit": _("Endre"),
        "export": _("Eksportere"),
        "delete": _("Slette"),
    }


class OperatorCategory:
    """The operator's own categories (not personal-data categories of the statement)."""

    SEGMENTS = "segments"
    PRIVACY_REQUESTS = "privacy_requests"
    ACCESS_LOG = "access_log"
    STAFF = "staff"
    STATISTICS = "statistics"
    STATUTORY_FIGURES = "statutory_figures"

    LABELS = {
        "segments": _("Markedssegmenter"),
        "privacy_requests": _("Personvernhenvendelser"),
        "access_log": _("Tilgangslogg"),
        "staff": _("Ansatte og roller"),
        "statistics": _("Anonym statistikk (nettside og bruk)"),
        "statutory_figures": _("Lovfastsatte satser (gebyrer, renter, kompensasjon)"),
    }


PERSONAL_CATEGORIES: tuple[str, ...] = tuple(Category.values)
CATEGORIES: tuple[str, ...] = PERSONAL_CATEGORIES + tuple(OperatorCategory.LABELS)


def category_label(category: str) -> str:
    if category in Category.values:
        return str(Category(category).label)
    return str(OperatorCategory.LABELS[category])


C = Category
V = frozenset({Action.VIEW})
VE = frozenset({Action.VIEW, Action.EDIT})
VX = frozenset({Action.VIEW, Action.EXPORT})
VEX = frozenset({Action.VIEW, Action.EDIT, Action.EXPORT})
ALL = frozenset(Action.ALL)

# role -> category -> actions. A missing category means no access at all.
MATRIX: dict[str, dict[str, frozenset[str]]] = {
    StaffRole.SUPPORT: {
        C.NAME: VE,
        C.ADDRESS: VE,
        C.CONTACT: VE,
        C.ROLE: V,
        C.EMPLOYER: V,
        C.CUSTOMER_HISTORY: V,
        C.CORRESPONDENCE: VE,
        C.COMPLAINTS: VE,
        C.WEB_ACTIVITY: V,
        OperatorCategory.STATISTICS: V,
    },
    StaffRole.MARKETING: {
        C.NAME: V,
        C.ADDRESS: V,
        C.CONTACT: V,
        C.ROLE: V,
        C.EMPLOYER: V,
        C.CUSTOMER_HISTORY: V,
        C.PREFERENCES: VE,
        OperatorCategory.SEGMENTS: VEX | {Action.DELETE},
        OperatorCategory.STATISTICS: VX,
    },
    StaffRole.FINANCE: {
        C.NAME: V,
        C.ADDRESS: VE,
        C.CONTACT: V,
        C.EMPLOYER: V,
        C.CUSTOMER_HISTORY: VEX,
        C.PAYMENT_HISTORY: VEX,
        C.CREDIT_CHECK: VEX,
        C.FINANCING: VEX,
        OperatorCategory.STATISTICS: V,
        OperatorCategory.STATUTORY_FIGURES: VE,
    },
    StaffRole.PRIVACY_OFFICER: {
        **dict.fromkeys(PERSONAL_CATEGORIES, ALL),
        OperatorCategory.SEGMENTS: ALL,
        OperatorCategory.PRIVACY_REQUESTS: ALL,
        OperatorCategory.ACCESS_LOG: VX,
        OperatorCategory.STAFF: V,
        OperatorCategory.STATISTICS: VX,
        OperatorCategory.STATUTORY_FIGURES: V,
    },
    StaffRole.ADMINISTRATOR: {
        OperatorCategory.STAFF: VE,
        OperatorCategory.STATISTICS: V,
    },
    # Advisers: the ceiling of what may be granted; only granted categories count.
    StaffRole.AUDITOR: {
        C.NAME: VX,
        C.ADDRESS: VX,
        C.EMPLOYER: VX,
        C.CUSTOMER_HISTORY: VX,
        C.PAYMENT_HISTORY: VX,
        C.CREDIT_CHECK: VX,
        C.FINANCING: VX,
        OperatorCategory.ACCESS_LOG: V,
        OperatorCategory.PRIVACY_REQUESTS: V,
    },
    StaffRole.LAWYER: {
        C.NAME: V,
        C.ADDRESS: V,
        C.CONTACT: V,
        C.ROLE: V,
        C.EMPLOYER: V,
        C.CUSTOMER_HISTORY: V,
        C.CORRESPONDENCE: V,
        C.COMPLAINTS: V,
        C.PAYMENT_HISTORY: V,
        OperatorCategory.PRIVACY_REQUESTS: V,
    },
    StaffRole.IT_CONSULTANT: {
        C.NAME: V,
        C.CONTACT: V,
        C.WEB_ACTIVITY: V,
        OperatorCategory.ACCESS_LOG: V,
        OperatorCategory.STATISTICS: V,
    },
}
# What an administrator may do with personal data inside an elevated session.
ELEVATED: dict[str, frozenset[str]] = dict.fromkeys(PERSONAL_CATEGORIES, V)


def personal_reach(
    roles: Iterable[str], granted_categories: Iterable[str], valid_until: datetime.date | None
) -> frozenset[str]:
    """The personal-data categories a profile with these roles would open (no elevation).

    Used when roles are granted: anything that opens personal data needs the granting
    administrator's elevated session (with its reason) and notifies the other administrators.
    """
    candidate = StaffProfile(
        roles=list(roles),
        granted_categories=list(granted_categories),
        valid_until=valid_until,
        is_active=True,
    )
    return frozenset(c for c in PERSONAL_CATEGORIES if allowed_actions(candidate, c))


def grantable_categories(role: str) -> list[str]:
    """The categories an adviser with ``role`` may be granted (the role's ceiling)."""
    return [c for c in CATEGORIES if c in MATRIX.get(role, {})]


# --- Who is staff ----------------------------------------------------------------------


def staff_profile_of(user: User) -> StaffProfile | None:
    """The active staff profile of ``user``, or None for anybody who is not staff."""
    if not getattr(user, "is_authenticated", False) or not user.is_staff or not user.is_active:
        return None
    return StaffProfile.objects.filter(user=user, is_active=True).first()


def request_staff(request: HttpRequest) -> StaffProfile:
    """The staff profile of a view behind ``staff_view``: the gate puts it on the request
    (``HttpRequest`` declares no such attribute) and lets nobody else through."""
    staff = getattr(request, "staff", None)
    if not isinstance(staff, StaffProfile):
        raise Http404
    return staff


def active_elevation(
    profile: StaffProfile, now: datetime.datetime | None = None
) -> ElevatedSession | None:
    """The elevated session attached to ``profile`` (by the gate), if still running."""
    elevation = profile.elevation
    if elevation is not None and elevation.is_active(now):
        return elevation
    return None


def allowed_actions(
    staff: StaffProfile | None, category: str, *, on: datetime.date | None = None
) -> frozenset[str]:
    """Everything ``staff`` may do with ``category`` right now (the union of the roles)."""
    if staff is None or not staff.is_active or staff.is_expired(on):
        return frozenset()
    actions: set[str] = set()
    granted = set(staff.granted_categories or [])
    for role in staff.roles:
        row = MATRIX.get(role, {})
        if role in ADVISER_ROLES and (staff.valid_until is None or category not in granted):
            continue
        actions |= row.get(category, frozenset())
    if StaffRole.ADMINISTRATOR in staff.roles and active_elevation(staff) is not None:
        actions |= ELEVATED.get(category, frozenset())
    return frozenset(actions)


def can(staff: StaffProfile | None, category: str, action: str = Action.VIEW) -> bool:
    """True if ``staff`` may do ``action`` with data of ``category``. The only check."""
    if category not in CATEGORIES:
        raise ValueError(f"Unknown back-office category {category!r}.")
    if action not in Action.ALL:
        raise ValueError(f"Unknown action {action!r}.")
    return action in allowed_actions(staff, category)


def missing_access_message(category: str, action: str) -> str:
    """Which roles would have given access (the 403 page says it, so the person knows
    whom to ask, or that an administrator must first ask for elevated access)."""
    roles = [
        str(StaffRole(role).label).lower()
        for role in StaffRole.values
        if action in MATRIX.get(role, {}).get(category, frozenset())
    ]
    parts: list[StrOrPromise] = []
    if roles:
        parts.append(_("Dette krever en av rollene: %(roles)s.") % {"roles": ", ".join(roles)})
    if action in ELEVATED.get(category, frozenset()):
        parts.append(
            _("En administrator får tilgang etter å ha bedt om forhøyet tilgang (med begrunnelse).")
        )
    if not parts:
        return str(_("Ingen rolle i back office gir denne tilgangen."))
    return " ".join(str(part) for part in parts)


def via_elevation(staff: StaffProfile, category: str, action: str = Action.VIEW) -> bool:
    """True if only the elevated session grants this (the access log names it then)."""
    if not can(staff, category, action):
        return False
    elevation = staff.elevation
    try:
        staff.elevation = None
        return not can(staff, category, action)
    finally:
        staff.elevation = elevation


def matrix_rows() -> list[dict[str, Any]]:
    """The matrix as a table for the permissions page: one row per category."""
    rows = []
    for category in CATEGORIES:
        cells = []
        for role in StaffRole.values:
            actions = MATRIX.get(role, {}).get(category, frozenset())
            cells.append([str(Action.LABELS[a]) for a in Action.ALL if a in actions])
        elevated = ELEVATED.get(category, frozenset())
        rows.append(
            {
                "category": category,
                "label": category_label(category),
                "personal": category in PERSONAL_CATEGORIES,
                "cells": cells,
                "elevated": [str(Action.LABELS[a]) for a in Action.ALL if a in elevated],
            }
        )
    return rows


# --- The gate --------------------------------------------------------------------------


P = ParamSpec("P")
R = TypeVar("R", bound=HttpResponseBase)
# A view (request first), and what the gate makes of it: the same parameters, and the
# view's own response or the gate's redirect.
RequestView = Callable[Concatenate[HttpRequest, P], R]
GatedView = Callable[Concatenate[HttpRequest, P], R | HttpResponse]


def _redirect_with_next(url_name: str, request: HttpRequest) -> HttpResponse:
    return redirect(f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}")


def _attach_elevation(request: HttpRequest, profile: StaffProfile) -> None:
    profile.elevation = None
    if StaffRole.ADMINISTRATOR not in profile.roles:
        return
    elevation_id = request.session.get(SESSION_ELEVATION_KEY)
    if elevation_id is None:
        return
    elevation = ElevatedSession.objects.filter(pk=elevation_id, user=profile.user).first()
    if elevation is not None and elevation.is_active():
        profile.elevation = elevation
    else:
        request.session.pop(SESSION_ELEVATION_KEY, None)


@overload
def staff_view(
    view: RequestView[P, R],
    *,
    category: str | Iterable[str] | None = None,
    action: str = Action.VIEW,
    purpose: str = "customer_relationship",
) -> GatedView[P, R]: ...
@overload
def staff_view(
    view: None = None,
    *,
    category: str | Iterable[str] | None = None,
    action: str = Action.VIEW,
    purpose: str = "customer_relationship",
) -> Callable[[RequestView[P, R]], GatedView[P, R]]: ...
def staff_view(
    view: Any = None,
    *,
    category: str | Iterable[str] | None = None,
    action: str = Action.VIEW,
    purpose: str = "customer_relationship",
) -> Any:
    """The only gate of the back office.

    ``category`` (one or several; all are required) and ``action`` are checked with
    ``can()`` before the view runs. ``purpose`` (a key of ``core.personal_data.inventory.PURPOSES``)
    is what the access log records for views of personal data; the view records whose
    data it showed with ``backoffice.access.record_access(request, ...)``.

    Sets ``request.staff`` (the ``StaffProfile``) and ``request.access_purpose``.
    """
    if category is None:
        categories: tuple[str, ...] = ()
    elif isinstance(category, str):
        categories = (category,)
    else:
        categories = tuple(category)
    for cat in categories:
        if cat not in CATEGORIES:
            raise ValueError(f"Unknown back-office category {cat!r}.")
    if action not in Action.ALL:
        raise ValueError(f"Unknown action {action!r}.")

    def decorate(func: RequestView[P, R]) -> GatedView[P, R]:
        @functools.wraps(func)
        def wrapped(request: HttpRequest, *args: P.args, **kwargs: P.kwargs) -> R | HttpResponse:
            user = request.user
            if not user.is_authenticated:
                # Not revealed to anonymous visitors either.
                raise Http404
            with scopes_disabled():
                profile = staff_profile_of(user)
            if profile is None:
                raise Http404
            if not user_has_device(user):
                return _redirect_with_next("accounts:two_factor_setup", request)
            if not otp_verified(user):
                return _redirect_with_next("accounts:otp_verify", request)
            if profile.is_expired():
                raise PermissionDenied(_("Tilgangen din er utløpt."))
            _attach_elevation(request, profile)
            # HttpRequest declares none of these: views read the profile with
            # request_staff(), backoffice.access the purpose and categories.
            request.staff = profile  # type: ignore[attr-defined]
            request.access_purpose = purpose  # type: ignore[attr-defined]
            request.access_categories = categories  # type: ignore[attr-defined]
            for cat in categories:
                if not can(profile, cat, action):
                    raise PermissionDenied(missing_access_message(cat, action))
            # The back office spans tenants; it reads through its own selectors.
            with scopes_disabled():
                return func(request, *args, **kwargs)

        # Read by the test that every back-office view is gated; a function declares no
        # attributes.
        wrapped.staff_categories = categories  # type: ignore[attr-defined]
        wrapped.staff_action = action  # type: ignore[attr-defined]
        wrapped.staff_purpose = purpose  # type: ignore[attr-defined]
        return wrapped

    return decorate(view) if view is not None else decorate


def elevation_expires(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) + datetime.timedelta(minutes=ELEVATION_MINUTES)
