"""Cookie consent on every request, and first-party analytics only with consent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from core.middleware import SESSION_LANGUAGE_KEY
from privacy import cookies, selectors
from privacy.models import ConsentPurpose
from privacy.services import analytics


@dataclass
class CookieConsent:
    """The visitor's cookie choice as known for this request."""

    visitor_id: str | None = None
    functional: bool = False
    analytics: bool = False

    @property
    def decided(self) -> bool:
        return self.visitor_id is not None


def consent_for_request(request: HttpRequest) -> CookieConsent:
    visitor_id = cookies.read_consent_cookie(request)
    if visitor_id is None:
        return CookieConsent()
    choices = selectors.cookie_choices(visitor_id=visitor_id)
    return CookieConsent(
        visitor_id=visitor_id,
        functional=choices[ConsentPurpose.COOKIE_FUNCTIONAL],
        analytics=choices[ConsentPurpose.COOKIE_ANALYTICS],
    )


def _set_cookie(response: HttpResponse, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def _records_page_view(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
    )


class CookieConsentMiddleware:
    """Sets ``request.cookie_consent``; on the way out, keeps the cookies in line with it.

    Views that change the choice replace ``request.cookie_consent``, so the response that
    records a withdrawal already deletes the cookies concerned.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        consent = consent_for_request(request)
        # HttpRequest declares no such attribute; views read it, and replace it when the
        # visitor chooses, so the response below follows the new choice.
        request.cookie_consent = consent  # type: ignore[attr-defined]
        anonymous = not request.user.is_authenticated
        if consent.functional and anonymous and hasattr(request, "session"):
            remembered = request.COOKIES.get(cookies.LANGUAGE_COOKIE)
            if remembered in dict(settings.LANGUAGES) and not request.session.get(
                SESSION_LANGUAGE_KEY
            ):
                request.session[SESSION_LANGUAGE_KEY] = remembered
        response = self.get_response(request)
        consent = request.cookie_consent  # type: ignore[attr-defined]
        self._functional(request, response, consent)
        self._analytics(request, response, consent)
        return response

    def _functional(
        self, request: HttpRequest, response: HttpResponse, consent: CookieConsent
    ) -> None:
        has_cookie = cookies.LANGUAGE_COOKIE in request.COOKIES
        if not consent.functional:
            if has_cookie:
                response.delete_cookie(cookies.LANGUAGE_COOKIE, samesite="Lax")
            return
        if request.user.is_authenticated or not hasattr(request, "session"):
            return
        chosen = request.session.get(SESSION_LANGUAGE_KEY)
        if chosen and request.COOKIES.get(cookies.LANGUAGE_COOKIE) != chosen:
            _set_cookie(response, cookies.LANGUAGE_COOKIE, chosen, cookies.LANGUAGE_COOKIE_AGE)

    def _analytics(
        self, request: HttpRequest, response: HttpResponse, consent: CookieConsent
    ) -> None:
        current = request.COOKIES.get(cookies.ANALYTICS_COOKIE)
        if not consent.analytics:
            if current is not None:
                response.delete_cookie(cookies.ANALYTICS_COOKIE, samesite="Lax")
            return
        visitor_id = current if cookies.is_visitor_id(current) else None
        if visitor_id is None:
            visitor_id = cookies.new_visitor_id()
            _set_cookie(
                response, cookies.ANALYTICS_COOKIE, visitor_id, cookies.ANALYTICS_COOKIE_AGE
            )
        match = request.resolver_match
        if match is not None and _records_page_view(request, response):
            route = match.route  # the pattern, never ids or tokens
            analytics.page_view_record(visitor_id=visitor_id, path="/" + route.lstrip("^"))
