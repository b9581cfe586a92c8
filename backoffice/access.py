"""The access log (R5): every back-office view of a customer's personal data is recorded.

A view wrapped in ``staff_view`` calls ``record_access`` with whose data it showed and
which categories it actually showed (the sections the staff member could see). The
purpose is the view's declared purpose; the reason is one the view passes, else the one the
staff member gave (``?reason=`` on the page, e.g. "sak 1234"), and an administrator's
elevated session always adds its stated reason. Rows are append-only
(``core.models.AppendOnlyModel``, plus a trigger on PostgreSQL).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.permissions import request_user
from backoffice.models import AccessLogEntry
from backoffice.permissions import PERSONAL_CATEGORIES, request_staff, via_elevation
from core.request_context import current_request_id

if TYPE_CHECKING:
    from accounts.models import Company, User

MAX_REASON = 300
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def clean_text(value: str, limit: int) -> str:
    """One line of user text for a query or a log: no control characters (NUL breaks
    PostgreSQL), whitespace collapsed, cut to ``limit``."""
    return " ".join(_CONTROL.sub(" ", value).split())[:limit]


def record_access(
    request: HttpRequest,
    *,
    customer: Company | None = None,
    person: User | None = None,
    customers: Iterable[Company] | None = None,
    categories: Iterable[str] | None = None,
    reason: str = "",
) -> list[AccessLogEntry]:
    """Log that ``request.staff`` saw ``categories`` of ``customer``/``person`` (or of each
    of ``customers``, for lists). Only personal-data categories are logged."""
    staff = request_staff(request)
    # The gate (staff_view) puts the view's declared categories and purpose on the request,
    # which declares no such attributes.
    if categories is None:
        categories = request.access_categories  # type: ignore[attr-defined]
    purpose: str = request.access_purpose  # type: ignore[attr-defined]
    shown = sorted({c for c in categories if c in PERSONAL_CATEGORIES})
    if not shown:
        return []
    elevation = staff.elevation
    elevated = elevation is not None and any(via_elevation(staff, c) for c in shown)
    if not reason:
        # A reason the staff member gave for opening the page (?reason=...).
        reason = clean_text(request.GET.get("reason", ""), MAX_REASON)
    if elevation is not None and elevated:
        reason = f"{elevation.reason} / {reason}" if reason else elevation.reason
    subjects: list[tuple[Company | None, User | None]]
    if customers is not None:
        # A list: one row per customer shown, none if the list was empty.
        subjects = [(c, None) for c in customers]
        if not subjects:
            return []
    else:
        # Customer and/or person; neither (e.g. a request from someone without an account)
        # still records who saw which categories, when and why.
        subjects = [(customer, person)]
    rows = [
        AccessLogEntry(
            staff=request_user(request),
            customer=subject_customer,
            person=subject_person,
            categories=shown,
            purpose=purpose,
            reason=reason[:500],
            view=(request.resolver_match.view_name if request.resolver_match else "")[:100],
            path=request.path[:300],
            elevated_session=elevation if elevated else None,
            request_id=current_request_id(),
        )
        for subject_customer, subject_person in subjects
    ]
    return AccessLogEntry.objects.bulk_create(rows)


def access_log(
    *, customer: Company | None = None, staff: User | None = None, person: User | None = None
) -> QuerySet[AccessLogEntry]:
    """The log, newest first, filtered by customer company, staff member or person."""
    rows = AccessLogEntry.objects.select_related("staff", "customer", "person")
    if customer is not None:
        rows = rows.filter(customer=customer)
    if staff is not None:
        rows = rows.filter(staff=staff)
    if person is not None:
        rows = rows.filter(person=person)
    return rows
