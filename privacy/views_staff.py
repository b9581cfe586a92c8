"""The privacy officer's queue of requests (/backoffice/privacy-requests/).

Every request from the self-service pages plus those staff register from a phone call,
letter or visit. Access exports and erasures run through the same services as
self-service. Behind the back-office gate: only roles with the ``privacy_requests``
category get in (others 403, non-staff 404).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.permissions import request_user
from backoffice.access import record_access
from backoffice.models import StaffProfile, StaffRole
from backoffice.permissions import Action, OperatorCategory, staff_view
from core.forms import form_add_service_errors
from core.parsing import parse_id
from core.personal_data.inventory import Category
from privacy import clients, selectors
from privacy.models import DataExport, PrivacyRequest
from privacy.services import controllers, requests

QUEUE = OperatorCategory.PRIVACY_REQUESTS
SHOWN = (Category.NAME, Category.CONTACT, Category.CORRESPONDENCE)
STATUS_FILTERS = ("open", "unverified", "closed", "all")
# The deadline offered to a customer company for a request passed on to it: two weeks, or
# the request's own deadline if that comes first.
REFER_DAYS = datetime.timedelta(days=14)


def _officers() -> list[User]:
    return [
        p.user
        for p in StaffProfile.objects.filter(is_active=True, user__is_active=True).select_related(
            "user"
        )
        if StaffRole.PRIVACY_OFFICER in (p.roles or [])
    ]


class RegisterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Type henvendelse"), choices=PrivacyRequest.Kind.choices
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Mottatt via"),
        choices=[c for c in PrivacyRequest.Channel.choices if c[0] != "self_service"],
    )
    verification_method = forms.ChoiceField(
        label=gettext_lazy("Identitet bekreftet ved"),
        choices=[c for c in PrivacyRequest.Verification.choices if c[0] != "logged_in"],
    )
    name = forms.CharField(label=gettext_lazy("Navn"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-post"))
    received_on = forms.DateField(
        label=gettext_lazy("Mottatt"), widget=forms.DateInput(attrs={"type": "date"})
    )
    message = forms.CharField(
        label=gettext_lazy("Hva gjelder henvendelsen"), widget=forms.Textarea(attrs={"rows": 4})
    )


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=gettext_lazy("Saksbehandler"), coerce=int, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers = {u.pk: u for u in _officers()}
        assignee = cast(forms.TypedChoiceField, self.fields["assignee"])
        assignee.choices = [(pk, u.full_name or u.email) for pk, u in self.officers.items()]


class ExtendForm(forms.Form):
    months = forms.TypedChoiceField(
        label=gettext_lazy("Forleng med"),
        coerce=int,
        choices=[(1, gettext_lazy("1 måned")), (2, gettext_lazy("2 måneder"))],
    )
    reason = forms.CharField(
        label=gettext_lazy("Begrunnelse (sendes til personen)"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(forms.Form):
    response = forms.CharField(
        label=gettext_lazy("Svar til personen"),
        max_length=requests.MAX_MESSAGE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class FindForm(forms.Form):
    """The person among the customers' own clients (we are their processor)."""

    find_email = forms.CharField(label=gettext_lazy("E-post"), max_length=254, required=False)
    find_name = forms.CharField(label=gettext_lazy("Navn"), max_length=200, required=False)
    find_phone = forms.CharField(label=gettext_lazy("Telefon"), max_length=30, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            data["query"] = clients.person_query_clean(
                email=data.get("find_email", ""),
                name=data.get("find_name", ""),
                phone=data.get("find_phone", ""),
            )
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return data


class ReferForm(forms.Form):
    deadline = forms.DateField(
        label=gettext_lazy("Frist for kundene"), widget=forms.DateInput(attrs={"type": "date"})
    )


@staff_view(category=QUEUE)
def queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "open")
    if status not in STATUS_FILTERS:
        status = "open"
    today = timezone.localdate()
    rows = [
        {"request": r, "overdue": selectors.privacy_request_is_overdue(r, on=today)}
        for r in selectors.privacy_request_queue(status=status)[:500]
    ]
    return render(
        request,
        "privacy/staff/queue.html",
        {"rows": rows, "status": status, "filters": STATUS_FILTERS, "today": today},
    )


@staff_view(category=QUEUE, action=Action.EDIT)
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    form = RegisterForm(request.POST or None, initial={"received_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            created = requests.privacy_request_register(
                staff=request_user(request), **form.cleaned_data
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(
                request, _("Henvendelsen er registrert som %(ref)s.") % {"ref": created.reference}
            )
            return redirect("privacy_staff:detail", pk=created.pk)
    status = 400 if form.is_bound else 200
    return render(request, "privacy/staff/register.html", {"form": form}, status=status)


def _find(request: HttpRequest, item: PrivacyRequest) -> tuple[FindForm, Any]:
    """The search among the customers' clients: prefilled with the request's name and
    e-mail, run when asked (``?find=1``); every company shown is in the access log."""
    if "find" not in request.GET:
        return FindForm(initial={"find_email": item.email, "find_name": item.name}), None
    form = FindForm(request.GET)
    if not form.is_valid():
        return form, None
    matches = clients.client_records_matching(query=form.cleaned_data["query"])
    companies = {m.company.pk: m.company for m in matches}
    record_access(
        request,
        customers=companies.values(),
        categories=(Category.NAME, Category.CONTACT),
        reason=item.reference,
    )
    return form, matches


def _detail_context(request: HttpRequest, item: PrivacyRequest, **forms_: Any) -> dict[str, Any]:
    exports = (
        DataExport.objects.filter(user=item.user).order_by("-created_at")[:5] if item.user else []
    )
    find_form, matches = _find(request, item)
    return {
        "find_form": find_form,
        "matches": matches,
        "refer_form": forms_.get("refer_form")
        or ReferForm(initial={"deadline": min(item.deadline, timezone.localdate() + REFER_DAYS)}),
        "referrals": selectors.controller_referrals(request=item),
        "item": item,
        "overdue": selectors.privacy_request_is_overdue(item),
        "assign_form": forms_.get("assign_form")
        or AssignForm(initial={"assignee": item.assigned_to_id}),
        "extend_form": forms_.get("extend_form") or ExtendForm(),
        "close_form": forms_.get("close_form") or CloseForm(),
        "can_export": item.kind in (PrivacyRequest.Kind.ACCESS, PrivacyRequest.Kind.PORTABILITY),
        "can_erase": item.kind == PrivacyRequest.Kind.ERASURE,
        "exports": exports,
        "extensions_left": requests.MAX_EXTENSION_MONTHS - item.extension_months,
        "is_open": item.status in (PrivacyRequest.Status.OPEN, PrivacyRequest.Status.EXTENDED),
    }


@staff_view(category=QUEUE)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(PrivacyRequest.objects.select_related("user", "assigned_to"), pk=pk)
    record_access(request, person=item.user, categories=SHOWN)
    return render(request, "privacy/staff/detail.html", _detail_context(request, item))


def _action(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form] | None,
    key: str,
    run: Callable[[PrivacyRequest, dict[str, Any]], str],
) -> HttpResponse:
    item = get_object_or_404(PrivacyRequest, pk=pk)
    form = form_class(request.POST) if form_class else None
    error: ValidationError | None = None
    if form is None or form.is_valid():
        try:
            message = run(item, form.cleaned_data if form else {})
        except ValidationError as exc:
            error = exc
        else:
            messages.success(request, message)
            return redirect("privacy_staff:detail", pk=item.pk)
    if form is not None and error is not None:
        form_add_service_errors(form, error)
    elif error is not None:
        for text in error.messages:
            messages.error(request, text)
    item.refresh_from_db()
    record_access(request, person=item.user, categories=SHOWN)
    context = _detail_context(request, item, **({key: form} if form is not None else {}))
    return render(request, "privacy/staff/detail.html", context, status=400)


@staff_view(category=QUEUE, action=Action.EDIT)
@require_POST
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    def run(item: PrivacyRequest, data: dict[str, Any]) -> str:
        form_officers = {u.pk: u for u in _officers()}
        assignee = form_officers[data["assignee"]]
        requests.privacy_request_assign(
            request=item, staff=request_user(request), assignee=assignee
        )
        return _("Saken er tildelt %(name)s.") % {"name": assignee.full_name or assignee.email}

    return _action(request, pk, AssignForm, "assign_form", run)


@staff_view(category=QUEUE, action=Action.EDIT)
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    def run(item: PrivacyRequest, data: dict[str, Any]) -> str:
        updated = requests.privacy_request_extend(
            request=item, staff=request_user(request), months=data["months"], reason=data["reason"]
        )
        return _("Fristen er forlenget til %(date)s, og personen er varslet.") % {
            "date": updated.deadline.strftime("%d.%m.%Y")
        }

    return _action(request, pk, ExtendForm, "extend_form", run)


@staff_view(category=QUEUE, action=Action.EXPORT)
@require_POST
def export(request: HttpRequest, pk: int) -> HttpResponse:
    def run(item: PrivacyRequest, data: dict[str, Any]) -> str:
        requests.privacy_request_export(request=item, staff=request_user(request))
        return _("Eksporten lages nå; personen laster den ned fra personvernsidene sine.")

    return _action(request, pk, None, "", run)


@staff_view(category=QUEUE, action=Action.DELETE)
@require_POST
def erase(request: HttpRequest, pk: int) -> HttpResponse:
    # The officer ticks "close the companies" after checking the plan with the person.
    close_companies = request.POST.get("close_companies") == "on"

    def run(item: PrivacyRequest, data: dict[str, Any]) -> str:
        requests.privacy_request_erase(
            request=item, staff=request_user(request), close_companies=close_companies
        )
        return _("Personen er slettet etter reglene i dataoversikten.")

    return _action(request, pk, None, "", run)


@staff_view(category=QUEUE, action=Action.EDIT)
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    def run(item: PrivacyRequest, data: dict[str, Any]) -> str:
        requests.privacy_request_close(
            request=item, staff=request_user(request), response=data["response"]
        )
        return _("Henvendelsen er avsluttet, og svaret er sendt.")

    return _action(request, pk, CloseForm, "close_form", run)


@staff_view(category=QUEUE, action=Action.EDIT)
@require_POST
def refer(request: HttpRequest, pk: int) -> HttpResponse:
    """Pass the request on to the companies whose client records were ticked."""
    # Ids that are not ids are left out (str.isdigit() let "²" through to int(), a 500).
    client_ids = [i for i in map(parse_id, request.POST.getlist("client")) if i is not None]

    def run(item: PrivacyRequest, data: dict[str, Any]) -> str:
        sent = controllers.controller_referral_create(
            request=item,
            staff=request_user(request),
            client_ids=client_ids,
            deadline=data["deadline"],
        )
        return _("Henvendelsen er sendt til %(n)s firma(er); eierne er varslet.") % {"n": len(sent)}

    return _action(request, pk, ReferForm, "refer_form", run)
