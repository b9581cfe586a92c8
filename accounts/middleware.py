from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django_scopes import scope

from accounts.selectors import active_membership_for

SESSION_COMPANY_KEY = "active_company_id"
SESSION_STARTED_KEY = "session_started_at"
SESSION_SEEN_KEY = "session_seen_at"


class SessionTimeoutMiddleware:
    """Log out a session idle for ``SESSION_IDLE_TIMEOUT_SECONDS`` or older than
    ``SESSION_COOKIE_AGE`` (counted from the first request after log-in).

    The "last seen" stamp is rewritten at most once per
    ``SESSION_ACTIVITY_RESOLUTION_SECONDS`` (a minute), so an active user's session is saved
    about once a minute, not on every request; the idle timeout is exact to that minute.
    Saving the session also renews its cookie, which is why the absolute lifetime is kept
    here as well and not left to the cookie's expiry.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.get(SESSION_STARTED_KEY)
            seen = session.get(SESSION_SEEN_KEY)
            if (seen is not None and now - int(seen) > settings.SESSION_IDLE_TIMEOUT_SECONDS) or (
                started is not None and now - int(started) > settings.SESSION_COOKIE_AGE
            ):
                logout(request)  # flushes the session; the view sees an anonymous visitor
            else:
                if started is None:
                    session[SESSION_STARTED_KEY] = now
                if seen is None or now - int(seen) >= settings.SESSION_ACTIVITY_RESOLUTION_SECONDS:
                    session[SESSION_SEEN_KEY] = now
        return self.get_response(request)


class PrivateResponseMiddleware:
    """Whatever is served to someone signed in (pages, PDFs, exports, API answers) holds
    their company's or their own data: neither the browser nor a proxy keeps a copy
    (``Cache-Control: private, no-store``), so it is not read back from disk or from the
    back button after logging out. A view that decides its own caching keeps it (the
    company logo is revalidated)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # After the view: the API's token authentication sets the user there.
        if not response.has_header("Cache-Control") and request.user.is_authenticated:
            patch_cache_control(response, private=True, no_store=True)
        return response


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
            # Written only when it changes: a session is not saved on every request.
            if membership is not None and (
                request.session.get(SESSION_COMPANY_KEY) != membership.company_id
            ):
                request.session[SESSION_COMPANY_KEY] = membership.company_id
        company = membership.company if membership else None
        # HttpRequest declares neither attribute: views read them through
        # accounts.permissions.request_membership / request_company, typed.
        request.membership = membership  # type: ignore[attr-defined]
        request.company = company  # type: ignore[attr-defined]
        with scope(company=company):
            return self.get_response(request)
