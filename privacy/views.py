from __future__ import annotations

import functools
import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language, override
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import is_recently_authenticated, request_user, user_view
from core.personal_data import inventory
from core.redirects import safe_next
from privacy import cookies, selectors
from privacy.forms import (
    ConsentsForm,
    CookieChoiceForm,
    ErasureForm,
    PrivacyRequestForm,
    RectificationForm,
)
from privacy.middleware import CookieConsent
from privacy.models import ConsentChannel, PrivacyRequest
from privacy.services import consents as consent_services
from privacy.services import cookies as cookie_services
from privacy.services import erasure as erasure_services
from privacy.services import exports as export_services
from privacy.services import requests as request_services

DATATILSYNET_COMPLAINT_URL = (
    "https://www.datatilsynet.no/om-datatilsynet/kontakt-oss/klage-til-datatilsynet/"
)


def reauth_required(view: Any) -> Any:
    """Sensitive pages: a recent password (and second factor) check, else reauthenticate."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not is_recently_authenticated(request):
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('accounts:reauthenticate')}?{query}")
        return view(request, *args, **kwargs)

    return wrapped


def _safe_next(request: HttpRequest, default: str = "/") -> str:
    return safe_next(request, default)


# --- The privacy statement ---------------------------------------------------------------
def _statement_context() -> dict[str, Any]:
    grouped = inventory.personal_fields_by_category()
    categories = []
    for key, entries in grouped.items():
        fields = sorted({d.field_label(name) for d, name, _spec in entries}, key=str.lower)
        purposes = sorted({str(inventory.PURPOSES[s.purpose].label) for _d, _n, s in entries})
        categories.append(
            {
                "label": inventory.Category(key).label,
                "fields": fields,
                "purposes": purposes,
                "used": bool(entries),
            }
        )
    return {
        "version": selectors.statement_version(),
        "categories": categories,
        "purposes": [
            {"label": p.label, "basis": inventory.LegalBasis(p.legal_basis).label}
            for p in inventory.purposes_in_use()
        ],
        "retention_rules": inventory.retention_rules_in_use(),
        "subprocessors": [
            sub.localized(get_language()) for sub in selectors.active_subprocessors()
        ],
        "cookie_groups": cookies.cookies_by_category(),
        "complaint_url": DATATILSYNET_COMPLAINT_URL,
    }


def statement(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/statement.html", _statement_context())


def statement_en(request: HttpRequest) -> HttpResponse:
    with override("en"):
        response = render(request, "privacy/statement.html", _statement_context())
    response["Content-Language"] = "en"
    return response


@require_POST
@user_view
def statement_acknowledge(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if selectors.statement_update_pending(user=user):
        consent_services.statement_acknowledge(user=user)
    return redirect(_safe_next(request, reverse("privacy_statement")))


# --- Cookies -------------------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def cookie_settings(request: HttpRequest) -> HttpResponse:
    # Put on the request by CookieConsentMiddleware (HttpRequest declares no such attribute).
    consent: CookieConsent = request.cookie_consent  # type: ignore[attr-defined]
    if request.method == "POST":
        form = CookieChoiceForm(request.POST)
        if not form.is_valid():
            return render(
                request,
                "privacy/cookies.html",
                {"form": form, "cookie_groups": cookies.cookies_by_category()},
                status=400,
            )
        functional, analytics = form.choice()
        visitor_id = consent.visitor_id or cookies.read_consent_cookie_visitor(request)
        visitor_id = visitor_id or cookies.new_visitor_id()
        cookie_services.cookie_choice_save(
            visitor_id=visitor_id,
            functional=functional,
            analytics=analytics,
            user=request.user if request.user.is_authenticated else None,
            channel=ConsentChannel.COOKIE_BANNER,
        )
        # Replaced for CookieConsentMiddleware on the way out (HttpRequest declares no such
        # attribute): this response already sets or deletes the cookies concerned.
        request.cookie_consent = CookieConsent(  # type: ignore[attr-defined]
            visitor_id=visitor_id, functional=functional, analytics=analytics
        )
        messages.success(request, _("Valget ditt om informasjonskapsler er lagret."))
        response = redirect(_safe_next(request, reverse("privacy:cookies")))
        cookies.write_consent_cookie(response, visitor_id)
        return response
    form = CookieChoiceForm(
        initial={"functional": consent.functional, "analytics": consent.analytics}
    )
    return render(
        request,
        "privacy/cookies.html",
        {"form": form, "cookie_groups": cookies.cookies_by_category(), "consent": consent},
    )


# --- Mine data / Personvern ------------------------------------------------------------
@user_view
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/overview.html",
        {
            "requests": selectors.privacy_requests_of(user=request_user(request))[:20],
            "complaint_url": DATATILSYNET_COMPLAINT_URL,
        },
    )


@user_view
@require_http_methods(["GET", "POST"])
def consents(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    state = selectors.consent_state(user=user, purposes=selectors.USER_PURPOSES)
    initial = {purpose: bool(record and record.given) for purpose, record in state.items()}
    if request.method == "POST":
        form = ConsentsForm(request.POST)
        if form.is_valid():
            changed = consent_services.consents_update(
                user=user, wanted=form.cleaned_data, channel=ConsentChannel.WEB
            )
            if changed:
                messages.success(request, _("Samtykkene dine er oppdatert."))
            return redirect("privacy:consents")
    else:
        form = ConsentsForm(initial=initial)
    return render(
        request,
        "privacy/consents.html",
        {
            "form": form,
            "state": state,
            "suppressed": selectors.is_marketing_suppressed(email=user.email),
        },
    )


@require_POST
@user_view
def marketing_object(request: HttpRequest) -> HttpResponse:
    consent_services.marketing_object(user=request_user(request), channel=ConsentChannel.WEB)
    messages.success(request, _("Vi sender deg ikke lenger markedsføring."))
    return redirect("privacy:consents")


@csrf_exempt  # RFC 8058: mail clients POST without a session; the token authenticates
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = selectors.user_from_unsubscribe_token(token)
    if user is None:
        return render(request, "privacy/unsubscribe_invalid.html", status=400)
    if request.method == "POST":
        consent_services.marketing_object(user=user, channel=ConsentChannel.EMAIL_LINK)
        return render(request, "privacy/unsubscribe.html", {"done": True, "token": token})
    return render(request, "privacy/unsubscribe.html", {"done": False, "token": token})


@user_view
def access(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/access.html",
        {"reports": selectors.personal_data_for(user=request_user(request))},
    )


@user_view
@reauth_required
@require_http_methods(["GET", "POST"])
def export(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    if request.method == "POST":
        export_services.export_request(user=user)
        messages.success(
            request,
            _("Vi lager filen din. Last siden på nytt om litt for å laste den ned."),
        )
        return redirect("privacy:export")
    return render(request, "privacy/export.html", {"exports": selectors.exports_of(user=user)})


@require_http_methods(["GET", "HEAD"])
def export_schema(request: HttpRequest) -> HttpResponse:
    """The published JSON Schema of the export's data.json (public, like the statement)."""
    return JsonResponse(
        export_services.export_schema(),
        content_type="application/schema+json",
        json_dumps_params={"ensure_ascii": False, "indent": 2},
    )


@user_view
def export_download(request: HttpRequest, export_id: uuid.UUID) -> HttpResponseBase:
    user = request_user(request)
    found = selectors.export_for_download(user=user, export_id=export_id)
    if found is None or not found.file:
        raise Http404
    export_services.export_downloaded(export=found, user=user)
    return FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=f"fakturanett-mine-data-{found.created_at:%Y%m%d}.zip",
        content_type="application/zip",
    )


@user_view
@reauth_required
@require_http_methods(["GET", "POST"])
def erase(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    plan = selectors.erasure_plan(user=user)
    form = ErasureForm(request.POST or None, closing=bool(plan.blocking_companies))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                erasure_services.user_erase(
                    user=user, close_companies=bool(plan.blocking_companies)
                )
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                status = 400
            else:
                logout(request)
                messages.success(request, _("Kontoen din er slettet."))
                return redirect("home")
        else:
            status = 400
    return render(
        request,
        "privacy/erase.html",
        {"plan": plan, "form": form},
        status=status,
    )


@user_view
@require_http_methods(["GET", "POST"])
def rectification(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    form = RectificationForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            created = request_services.privacy_request_create(
                kind=PrivacyRequest.Kind.RECTIFICATION,
                name=user.full_name or user.email,
                email=user.email,
                message=form.cleaned_data["message"],
                subject_field=form.cleaned_data["subject_field"],
                user=user,
            )
            messages.success(
                request,
                _("Kravet om retting er registrert med referanse %(reference)s.")
                % {"reference": created.reference},
            )
            return redirect("privacy:overview")
        return render(request, "privacy/rectification.html", {"form": form}, status=400)
    return render(request, "privacy/rectification.html", {"form": form})


@user_view
def profiling(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "privacy/profiling.html",
        {"segments": selectors.segments_of(user=request_user(request))},
    )


# --- Contact form ----------------------------------------------------------------------
@require_http_methods(["GET", "POST"])
def contact(request: HttpRequest) -> HttpResponse:
    user = request.user if request.user.is_authenticated else None
    form = PrivacyRequestForm(request.POST or None, user=user)
    context = {"form": form, "complaint_url": DATATILSYNET_COMPLAINT_URL}
    if request.method == "POST":
        if form.is_valid():
            try:
                created = request_services.privacy_request_create(
                    kind=form.cleaned_data["kind"],
                    name=form.cleaned_data["name"],
                    email=form.cleaned_data.get("email", ""),
                    message=form.cleaned_data["message"],
                    user=user,
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return render(request, "privacy/contact_sent.html", {**context, "sent": created})
        return render(request, "privacy/contact.html", context, status=400)
    return render(request, "privacy/contact.html", context)


@require_http_methods(["GET", "POST"])
def contact_verify(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows a button (mail scanners follow links); POST confirms the address."""
    if request.method == "POST":
        try:
            verified = request_services.privacy_request_verify(token=token)
        except ValidationError as error:
            return render(
                request, "privacy/contact_verify.html", {"error": error.messages[0]}, status=400
            )
        return render(request, "privacy/contact_verify.html", {"verified": verified})
    return render(request, "privacy/contact_verify.html", {"token": token})
