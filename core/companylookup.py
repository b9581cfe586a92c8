"""Company look-up in Brønnøysundregistrene's Enhetsregisteret (open data, no key).

Typing an organisasjonsnummer in the sign-up form or the client form fills in the name,
the address and the registrations (Merverdiavgiftsregisteret, Foretaksregisteret) from
``GET {BRREG_URL}/{orgnr}`` (the documented ``/enhetsregisteret/api/enheter/{orgnr}``).

- ``BRREG_URL`` empty turns the look-up off: the forms get no look-up attribute and the
  endpoints answer 404 ``off``. Tests leave it empty unless they start a local server.
- The number is checked with ``core.identifiers.clean_orgnr`` (MOD11) before any call.
- One call, no retries (someone is waiting), ``BRREG_TIMEOUT`` seconds, through
  ``core.http``; a timeout, an error status or an answer that is not the documented JSON
  is ``CompanyLookupUnavailable``, and the form simply stays as it is with a quiet message.
- Answers are cached for ``CACHE_SECONDS`` (not found: ``MISS_CACHE_SECONDS``), so typing
  the same number again does not call out again.
- The JSON endpoints (``company_lookup_response``) are throttled per user (the client
  form) or per address (sign-up) with Django REST framework's cache-based throttle.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

from core.http import HttpError, http_request
from core.identifiers import clean_orgnr

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

CACHE_SECONDS = 60 * 60
MISS_CACHE_SECONDS = 10 * 60
MAX_ANSWER_BYTES = 256 * 1024


@dataclass(frozen=True)
class RegisteredCompany:
    organization_number: str
    name: str
    address_lines: list[str]
    postcode: str
    city: str
    country: str
    vat_registered: bool | None
    in_foretaksregisteret: bool | None
    deleted_on: str


class CompanyLookupUnavailable(Exception):
    """The register could not be asked or gave no usable answer (not the user's fault)."""


def lookup_enabled() -> bool:
    return bool(getattr(settings, "BRREG_URL", ""))


def _text(value: Any, limit: int) -> str:
    return value.strip()[:limit] if isinstance(value, str) else ""


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _parse(organization_number: str, data: Any) -> RegisteredCompany:
    if not isinstance(data, dict):
        raise CompanyLookupUnavailable("the answer is not a JSON object")
    name = _text(data.get("navn"), 200)
    if not name or data.get("organisasjonsnummer") != organization_number:
        raise CompanyLookupUnavailable("the answer has no name or another number")
    # Invoices go to the postal address where the register has one, else the business
    # address.
    address: Any = data.get("postadresse") or data.get("forretningsadresse") or {}
    if not isinstance(address, dict):
        address = {}
    lines = address.get("adresse")
    lines = [_text(line, 200) for line in lines] if isinstance(lines, list) else []
    return RegisteredCompany(
        organization_number=organization_number,
        name=name,
        address_lines=[line for line in lines if line],
        postcode=_text(address.get("postnummer"), 10),
        city=_text(address.get("poststed"), 100),
        country=_text(address.get("landkode"), 2).upper() or "NO",
        vat_registered=_flag(data.get("registrertIMvaregisteret")),
        in_foretaksregisteret=_flag(data.get("registrertIForetaksregisteret")),
        deleted_on=_text(data.get("slettedato"), 10),
    )


def company_lookup(*, organization_number: str) -> RegisteredCompany | None:
    """The register's entry for a valid orgnr (9 digits), ``None`` when it has none.

    Raises ``CompanyLookupUnavailable`` when the look-up is off or fails.
    """
    base = getattr(settings, "BRREG_URL", "")
    if not base:
        raise CompanyLookupUnavailable("BRREG_URL is not set")
    key = f"brreg:{organization_number}"
    cached = cache.get(key)
    if isinstance(cached, dict):
        return RegisteredCompany(**cached) if cached else None
    try:
        answer = http_request(
            "GET",
            f"{base.rstrip('/')}/{organization_number}",
            headers={"Accept": "application/json"},
            timeout=float(getattr(settings, "BRREG_TIMEOUT", 3.0)),
            retries=0,
            max_bytes=MAX_ANSWER_BYTES,
        )
        data = answer.json()
    except HttpError as exc:
        if exc.status == 404:
            cache.set(key, {}, timeout=MISS_CACHE_SECONDS)
            return None
        if exc.status == 410:  # deleted from the register: the answer names the date
            try:
                data = json.loads(exc.body.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as decode_error:
                raise CompanyLookupUnavailable(str(exc)) from decode_error
        else:
            raise CompanyLookupUnavailable(str(exc)) from exc
    company = _parse(organization_number, data)
    cache.set(key, asdict(company), timeout=CACHE_SECONDS)
    return company


def _unavailable_message() -> str:
    return _("Enhetsregisteret svarer ikke nå. Fyll inn navn og adresse selv.")


class _LookupThrottle(SimpleRateThrottle):
    """DRF's cache-based rate limit, asked by a plain Django view."""

    def __init__(self, *, scope: str, rate: str) -> None:
        self.scope = scope
        self.rate = rate
        super().__init__()

    def get_cache_key(self, request: Any, view: Any) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            ident = f"user:{user.pk}"
        else:
            ident = f"addr:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


def company_lookup_response(request: HttpRequest, *, scope: str, rate: str) -> JsonResponse:
    """The JSON answer of a look-up endpoint for ``?orgnr=``.

    200 ``found`` with the company and a message; 404 ``not_found`` or ``off``; 400
    ``invalid`` (not a valid orgnr: nothing is called); 429 ``throttled``; 503
    ``unavailable``. ``message`` is always in the user's language.
    """
    if not lookup_enabled():
        return JsonResponse({"status": "off", "message": ""}, status=404)
    raw = request.GET.get("orgnr", "")
    try:
        organization_number = clean_orgnr(raw[:20])
    except ValidationError as exc:
        return JsonResponse({"status": "invalid", "message": exc.messages[0]}, status=400)
    throttle = _LookupThrottle(scope=scope, rate=rate)
    # DRF's throttle reads only ``META`` and ``user``, which a plain Django request has.
    if not throttle.allow_request(cast("Request", request), cast("APIView", None)):
        return JsonResponse(
            {
                "status": "throttled",
                "message": _(
                    "For mange oppslag på kort tid. Fyll inn selv, eller prøv igjen om litt."
                ),
            },
            status=429,
        )
    try:
        company = company_lookup(organization_number=organization_number)
    except CompanyLookupUnavailable:
        return JsonResponse(
            {
                "status": "unavailable",
                "message": _unavailable_message(),
            },
            status=503,
        )
    if company is None:
        return JsonResponse(
            {
                "status": "not_found",
                "message": _("Fant ikke %(orgnr)s i Enhetsregisteret.")
                % {"orgnr": organization_number},
            },
            status=404,
        )
    if company.deleted_on:
        message = _("%(name)s er slettet i Enhetsregisteret (%(date)s).") % {
            "name": company.name,
            "date": company.deleted_on,
        }
    else:
        message = _("Fant %(name)s i Enhetsregisteret. Tomme felt er fylt inn.") % {
            "name": company.name
        }
        if company.vat_registered:
            message += " " + _("Registrert i Merverdiavgiftsregisteret.")
        elif company.vat_registered is False:
            message += " " + _("Ikke registrert i Merverdiavgiftsregisteret.")
    lines = company.address_lines
    fill: dict[str, str | bool | None] = {
        "name": company.name,
        "address_line": lines[0] if lines else "",
        "address_line2": ", ".join(lines[1:]),
        "postcode": company.postcode,
        "city": company.city,
        "country": company.country,
        "vat_registered": company.vat_registered,
        "in_foretaksregisteret": company.in_foretaksregisteret,
    }
    return JsonResponse(
        {
            "status": "found",
            "message": message,
            "deleted": bool(company.deleted_on),
            "fill": fill,
        }
    )


def enable_company_lookup(form: forms.Form, *, url: str, fields: dict[str, str]) -> None:
    """Mark the form's ``organization_number`` input for the look-up script
    (``static/js/app.js``): ``url`` is the JSON endpoint, ``fields`` maps the keys of the
    answer's ``fill`` (``name``, ``address_line``, ``address_line2``, ``postcode``, ``city``,
    ``country``, ``vat_registered``, ``in_foretaksregisteret``) to the form's field names
    (without ``address_line2`` the second line is joined to the first). Nothing when the
    look-up is off."""
    if not lookup_enabled() or "organization_number" not in form.fields:
        return
    form.fields["organization_number"].widget.attrs.update(
        {
            "data-company-lookup": url,
            "data-lookup-fields": json.dumps(fields),
            "data-lookup-unavailable": _unavailable_message(),
        }
    )
