"""The site's cookies, in one place: the list shown to visitors and the consent cookie.

Only first-party cookies exist. Necessary ones are set without asking; functional and
analytics cookies only after the visitor has said yes to that category.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Bump when the cookie list or the categories change: everyone is asked again.
COOKIE_POLICY_VERSION = "2026-11-24"

CONSENT_COOKIE = "fn_consent"
ANALYTICS_COOKIE = "fn_analytics"
LANGUAGE_COOKIE = "fn_lang"
CONSENT_COOKIE_SALT = "privacy.fn_consent"
CONSENT_COOKIE_AGE = 60 * 60 * 24 * 180  # ask again after six months
ANALYTICS_COOKIE_AGE = 60 * 60 * 24 * 180
LANGUAGE_COOKIE_AGE = 60 * 60 * 24 * 365

_VISITOR_ID = re.compile(r"^[0-9a-f]{32}$")


class CookieCategory(models.TextChoices):
    NECESSARY = "necessary", _("Nødvendige")
    FUNCTIONAL = "functional", _("Funksjonelle")
    ANALYTICS = "analytics", _("Analytiske")


CATEGORY_DESCRIPTIONS = {
    CookieCategory.NECESSARY: _(
        "Nødvendige for at nettsiden skal virke: innlogging, vern mot forfalskede skjema og "
        "å huske valget ditt om informasjonskapsler. De er alltid på."
    ),
    CookieCategory.FUNCTIONAL: _(
        "Gjenkjenner deg når du kommer tilbake og husker innstillingene dine, for eksempel "
        "språkvalget ditt når du ikke er logget inn."
    ),
    CookieCategory.ANALYTICS: _(
        "Hjelper oss å telle antall besøkende og se hvordan nettsiden brukes. Tallene lagres "
        "hos oss, med et identifikatornummer som skiftes hver dag, og deles ikke med andre."
    ),
}


@dataclass(frozen=True)
class Cookie:
    name: str
    category: str
    purpose: Promise
    lifetime: Promise


COOKIES: list[Cookie] = [
    Cookie(
        settings.SESSION_COOKIE_NAME,
        CookieCategory.NECESSARY,
        _("Holder deg innlogget og husker valg du gjør underveis, som språk"),
        _(
            "Innloggingen varer høyst 12 timer og avsluttes etter 30 minutter uten aktivitet, "
            "eller når du logger ut"
        ),
    ),
    Cookie(
        settings.CSRF_COOKIE_NAME,
        CookieCategory.NECESSARY,
        _("Beskytter skjemaene mot forfalskede innsendinger"),
        _("1 år"),
    ),
    Cookie(
        "messages",
        CookieCategory.NECESSARY,
        _("Viser en kvittering etter at du har sendt et skjema"),
        _("Til nettleseren lukkes"),
    ),
    Cookie(
        CONSENT_COOKIE,
        CookieCategory.NECESSARY,
        _("Husker valget ditt om informasjonskapsler (et tilfeldig besøksnummer og versjon)"),
        _("6 måneder"),
    ),
    Cookie(
        LANGUAGE_COOKIE,
        CookieCategory.FUNCTIONAL,
        _("Husker språket du har valgt når du ikke er logget inn"),
        _("1 år"),
    ),
    Cookie(
        ANALYTICS_COOKIE,
        CookieCategory.ANALYTICS,
        _("Et tilfeldig besøksnummer, slik at vi kan telle unike besøkende per dag"),
        _("6 måneder"),
    ),
]


def cookies_by_category() -> list[tuple[str, Promise, Promise, list[Cookie]]]:
    return [
        (
            category.value,
            category.label,
            CATEGORY_DESCRIPTIONS[category],
            [c for c in COOKIES if c.category == category],
        )
        for category in CookieCategory
    ]


def new_visitor_id() -> str:
    return uuid.uuid4().hex


def is_visitor_id(value: str | None) -> bool:
    return bool(value) and bool(_VISITOR_ID.match(value or ""))


def read_consent_cookie(request: HttpRequest) -> str | None:
    """The visitor id from a valid ``fn_consent`` cookie of the current version, else None."""
    try:
        value = request.get_signed_cookie(
            CONSENT_COOKIE, salt=CONSENT_COOKIE_SALT, max_age=CONSENT_COOKIE_AGE
        )
    except (KeyError, signing.BadSignature):
        return None
    if value is None:  # only with a default, which is not given: a missing cookie raises
        return None
    visitor_id, _sep, version = value.partition(":")
    if not is_visitor_id(visitor_id) or version != COOKIE_POLICY_VERSION:
        return None
    return visitor_id


def read_consent_cookie_visitor(request: HttpRequest) -> str | None:
    """The visitor id of any validly signed ``fn_consent`` cookie, whatever its version."""
    try:
        value = request.get_signed_cookie(CONSENT_COOKIE, salt=CONSENT_COOKIE_SALT)
    except (KeyError, signing.BadSignature):
        return None
    if value is None:  # only with a default, which is not given: a missing cookie raises
        return None
    visitor_id = value.partition(":")[0]
    return visitor_id if is_visitor_id(visitor_id) else None


def write_consent_cookie(response: HttpResponse, visitor_id: str) -> None:
    response.set_signed_cookie(
        CONSENT_COOKIE,
        f"{visitor_id}:{COOKIE_POLICY_VERSION}",
        salt=CONSENT_COOKIE_SALT,
        max_age=CONSENT_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
