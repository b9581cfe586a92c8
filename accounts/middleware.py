from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django_scopes import scope

from accounts.selectors import active_membership_for

SESSION_COMPANY_KEY = "active_company_id"


class ActiveCompanyMiddleware:
    """Resolve the company the user works in now, and scope every query to it.

    The choice lives in the session and is re-checked against the user's memberships
    on every request, so a removed member loses access at once. Tenant queries made
    while handling the request only ever see this company's rows.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = None
        if request.user.is_authenticated:
            membership = active_membership_for(
                user=request.user, company_id=request.session.get(SESSION_COMPANY_KEY)
            )
            if membership is not None:
                request.session[SESSION_COMPANY_KEY] = membership.company_id
        request.membership = membership  # type: ignore[attr-defined]
        request.company = membership.company if membership else None  # type: ignore[attr-defined]
        with scope(company=request.company):
            return self.get_response(request)
