"""The staff console (/backoffice/). Every view is wrapped in ``staff_view``; every view
that shows a customer's personal data records it with ``record_access``."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from accounts.models import Company, User
from accounts.permissions import request_user
from backoffice import forms, hooks, services
from backoffice.access import MAX_REASON, access_log, clean_text, record_access
from backoffice.credit import configured_provider
from backoffice.models import (
    Complaint,
    CreditCheck,
    FinancingUse,
    Interaction,
    Order,
    ServiceDelivery,
    Source,
    StaffGrantRequest,
    StaffProfile,
    StaffRole,
    SurveyInvitation,
    UsageStat,
)
from backoffice.permissions import (
    ELEVATION_MINUTES,
    PERSONAL_CATEGORIES,
    SESSION_ELEVATION_KEY,
    Action,
    OperatorCategory,
    active_elevation,
    can,
    matrix_rows,
    request_staff,
    staff_view,
)
from backoffice.selectors import (
    NO_RELATIONSHIP,
    active_customers,
    customers,
    open_complaints,
    operator_invoices_for,
    people_of,
    relationship_status,
    relationship_statuses,
    survey_results,
)
from core.audit import Actor, audit_log
from core.csvfiles import csv_response
from core.forms import form_add_service_errors
from core.parsing import parse_id
from core.redirects import safe_next

PAGE_SIZE = 50


_AWAITING_APPROVAL = gettext_lazy(
    "Tilgangen åpner personopplysninger og venter på godkjenning fra en annen administrator. "
    "Den gjelder først når den er godkjent."
)


def _status_for(form: BaseForm | None) -> int:
    return 400 if form is not None and form.is_bound and form.errors else 200


# --- Dashboard and matrix ----------------------------------------------------------------


@staff_view
def dashboard(request: HttpRequest) -> HttpResponse:
    """Aggregates only (counts, deadlines, anonymous statistics): no personal data."""
    staff = request_staff(request)
    context: dict[str, Any] = {"customer_count": customers().count()}
    if can(staff, "customer_history"):
        context["active_count"] = active_customers().count()
    if can(staff, "complaints"):
        context["open_complaint_count"] = open_complaints().count()
        context["open_dispute_count"] = (
            open_complaints().filter(kind=Complaint.Kind.DISPUTE).count()
        )
    if can(staff, OperatorCategory.STATISTICS):
        since = timezone.localdate() - datetime.timedelta(days=29)
        context["usage"] = UsageStat.objects.filter(day__gte=since).order_by("-day", "feature")[:60]
    # Panels of the apps above (privacy requests, page views): backoffice.hooks.
    for panel in hooks.dashboard_panels():
        if can(staff, panel.category):
            context.update(panel.context())
    return render(request, "backoffice/dashboard.html", context)


@staff_view
def permission_matrix(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/permissions.html",
        {
            "rows": matrix_rows(),
            "roles": StaffRole.choices,
            "elevation_minutes": ELEVATION_MINUTES,
        },
    )


# --- Customers -----------------------------------------------------------------------------


@staff_view(category="employer")
def customer_list(request: HttpRequest) -> HttpResponse:
    staff = request_staff(request)
    query = clean_text(request.GET.get("q", ""), 100)
    rows = customers().order_by("name")
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(organization_number__startswith=query))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    show_status = can(staff, "customer_history")
    show_contact = can(staff, "contact")
    statuses = relationship_statuses([c.pk for c in page]) if show_status else {}
    items = [
        {"company": company, "status": statuses.get(company.pk, NO_RELATIONSHIP)}
        for company in page
    ]
    shown = ["employer"] + (["customer_history"] if show_status else [])
    shown += ["contact"] if show_contact else []
    record_access(request, customers=list(page), categories=shown)
    return render(
        request,
        "backoffice/customer_list.html",
        {
            "page": page,
            "items": items,
            "query": query,
            "reason": clean_text(request.GET.get("reason", ""), MAX_REASON),
            "show_status": show_status,
            "show_contact": show_contact,
        },
    )


def _customer(pk: int) -> Company:
    return get_object_or_404(customers(), pk=pk)


def _customer_page(
    request: HttpRequest, customer: Company, *, status: int = 200, **bound: Any
) -> HttpResponse:
    """The customer page: each section only if the staff member may see its category."""
    staff = request_staff(request)
    shown = {"employer"}
    context: dict[str, Any] = {"customer": customer}
    sees = {c: can(staff, c) for c in PERSONAL_CATEGORIES}
    context["sees"] = sees
    for category in ("address", "contact"):
        if sees[category]:
            shown.add(category)
    if sees["name"]:
        context["people"] = list(people_of(customer))
        shown.add("name")
        for extra in ("role", "contact", "web_activity"):
            if sees[extra]:
                shown.add(extra)
    if sees["customer_history"]:
        context["status"] = relationship_status(customer)
        context["orders"] = Order.objects.filter(customer=customer).select_related("plan")
        context["deliveries"] = ServiceDelivery.objects.filter(customer=customer)
        shown.add("customer_history")
    if sees["payment_history"]:
        context["invoices"] = operator_invoices_for(customer)
        shown.add("payment_history")
    if sees["credit_check"]:
        context["credit_checks"] = CreditCheck.objects.filter(customer=customer).select_related(
            "staff"
        )
        context["provider"] = configured_provider()
        shown.add("credit_check")
    if sees["financing"]:
        context["financing"] = FinancingUse.objects.filter(customer=customer)
        shown.add("financing")
    if sees["correspondence"]:
        context["interactions"] = Interaction.objects.filter(customer=customer).select_related(
            "staff", "person"
        )
        shown.add("correspondence")
    if sees["complaints"]:
        # One close form per case, with its own field ids (several forms on one page).
        context["complaints"] = [
            (
                complaint,
                bound["close_form"]
                if bound.get("close_form_for") == complaint.pk
                else forms.ComplaintCloseForm(auto_id=_close_ids(complaint.pk)),
            )
            for complaint in Complaint.objects.filter(customer=customer).select_related("person")
        ]
        context["close_form_for"] = bound.get("close_form_for")
        shown.add("complaints")
    if sees["preferences"]:
        context["surveys"] = SurveyInvitation.objects.filter(
            customer=customer, answered_at__isnull=False
        ).select_related("person")
        shown.add("preferences")
    # Forms, for the categories the staff member may change.
    form_specs = {
        "interaction_form": ("correspondence", forms.InteractionForm),
        "complaint_form": ("complaints", forms.ComplaintForm),
        "credit_form": ("credit_check", forms.CreditCheckForm),
        "financing_form": ("financing", forms.FinancingForm),
        "delivery_form": ("customer_history", forms.DeliveryForm),
    }
    for name, (category, form_class) in form_specs.items():
        if can(staff, category, Action.EDIT):
            form = bound.get(name) or form_class(auto_id=f"{name}_%s")
            if hasattr(form, "set_people"):
                form.set_people(customer)
            context[name] = form
    record_access(request, customer=customer, categories=sorted(shown))
    return render(request, "backoffice/customer_detail.html", context, status=status)


@staff_view(category="employer")
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _customer_page(request, _customer(pk))


@staff_view(category="name")
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the customers' people: each section only if the category may be seen."""
    staff = request_staff(request)
    people = User.objects.filter(memberships__company__in=customers()).distinct()
    person = get_object_or_404(people, pk=pk)
    sees = {c: can(staff, c) for c in PERSONAL_CATEGORIES}
    shown = {"name"}
    context: dict[str, Any] = {"person": person, "sees": sees}
    if sees["employer"]:
        context["memberships"] = person.memberships.select_related("company").filter(
            company__in=customers()
        )
        shown.add("employer")
        if sees["role"]:
            shown.add("role")
    for category in ("contact", "web_activity"):
        if sees[category]:
            shown.add(category)
    if sees["correspondence"]:
        context["interactions"] = Interaction.objects.filter(person=person).select_related(
            "customer", "staff"
        )
        shown.add("correspondence")
    if sees["complaints"]:
        context["complaints"] = Complaint.objects.filter(person=person).select_related("customer")
        shown.add("complaints")
    if sees["preferences"]:
        context["surveys"] = SurveyInvitation.objects.filter(
            person=person, answered_at__isnull=False
        ).select_related("customer")
        shown.add("preferences")
    record_access(request, person=person, categories=sorted(shown))
    return render(request, "backoffice/person_detail.html", context)


def _close_ids(complaint_pk: int) -> str:
    return f"close{complaint_pk}_%s"


def _post_form(
    request: HttpRequest,
    pk: int,
    form_name: str,
    form_class: type[BaseForm],
    save: Callable[[Company, dict[str, Any]], None],
    success: str,
) -> HttpResponse:
    customer = _customer(pk)
    form = form_class(request.POST, auto_id=f"{form_name}_%s")
    if hasattr(form, "set_people"):
        form.set_people(customer)
    if form.is_valid():
        try:
            save(customer, form.cleaned_data)
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect("backoffice:customer_detail", pk=customer.pk)
    return _customer_page(request, customer, status=400, **{form_name: form})


def _person(customer: Company, person_id: int | None) -> User | None:
    if person_id is None:
        return None
    member = customer.memberships.filter(user_id=person_id).select_related("user").first()
    if member is None:
        raise ValidationError({"person": _("Personen hører ikke til denne kunden.")})
    return member.user


@staff_view(category="correspondence", action=Action.EDIT)
@require_POST
def interaction_add(request: HttpRequest, pk: int) -> HttpResponse:
    def save(customer: Company, data: dict[str, Any]) -> None:
        services.interaction_add(
            customer=customer,
            staff=request_user(request),
            kind=data["kind"],
            occurred_on=data["occurred_on"],
            summary=data["summary"],
            person=_person(customer, data["person"]),
        )

    return _post_form(
        request, pk, "interaction_form", forms.InteractionForm, save, _("Kontakten er lagret.")
    )


@staff_view(category="complaints", action=Action.EDIT, purpose="complaints")
@require_POST
def complaint_add(request: HttpRequest, pk: int) -> HttpResponse:
    def save(customer: Company, data: dict[str, Any]) -> None:
        services.complaint_open(
            customer=customer,
            staff=request_user(request),
            kind=data["kind"],
            subject=data["subject"],
            description=data["description"],
            opened_on=data["opened_on"],
            person=_person(customer, data["person"]),
        )

    return _post_form(
        request, pk, "complaint_form", forms.ComplaintForm, save, _("Saken er registrert.")
    )


@staff_view(category="complaints", action=Action.EDIT, purpose="complaints")
@require_POST
def complaint_close(request: HttpRequest, pk: int) -> HttpResponse:
    complaint = get_object_or_404(Complaint.objects.select_related("customer"), pk=pk)
    customer = _customer(complaint.customer_id)
    form = forms.ComplaintCloseForm(request.POST, auto_id=_close_ids(complaint.pk))
    if form.is_valid():
        try:
            services.complaint_close(
                complaint=complaint,
                staff=request_user(request),
                status=form.cleaned_data["status"],
                resolution=form.cleaned_data["resolution"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Saken er avsluttet."))
            return redirect("backoffice:customer_detail", pk=customer.pk)
    return _customer_page(
        request, customer, status=400, close_form=form, close_form_for=complaint.pk
    )


@staff_view(category="credit_check", action=Action.EDIT)
@require_POST
def credit_check_add(request: HttpRequest, pk: int) -> HttpResponse:
    def save(customer: Company, data: dict[str, Any]) -> None:
        services.credit_check_record(
            customer=customer,
            staff=request_user(request),
            provider=data["provider"],
            checked_on=data["checked_on"],
            result=data["result"],
            score=data["score"],
            reference=data["reference"],
        )

    return _post_form(
        request, pk, "credit_form", forms.CreditCheckForm, save, _("Kredittsjekken er lagret.")
    )


@staff_view(category="credit_check", action=Action.EDIT)
@require_POST
def credit_check_run(request: HttpRequest, pk: int) -> HttpResponse:
    customer = _customer(pk)
    provider = configured_provider()
    if provider is None:
        messages.error(
            request, _("Ingen kredittopplysningsleverandør er satt opp; registrer manuelt.")
        )
        return redirect("backoffice:customer_detail", pk=customer.pk)
    try:
        services.credit_check_run(customer=customer, staff=request_user(request), provider=provider)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("backoffice:customer_detail", pk=customer.pk)
    messages.success(request, _("Kredittsjekken er hentet og lagret."))
    return redirect("backoffice:customer_detail", pk=customer.pk)


@staff_view(category="financing", action=Action.EDIT)
@require_POST
def financing_add(request: HttpRequest, pk: int) -> HttpResponse:
    def save(customer: Company, data: dict[str, Any]) -> None:
        services.financing_add(
            customer=customer,
            staff=request_user(request),
            partner=data["partner"],
            arrangement=data["arrangement"],
            started_on=data["started_on"],
            ended_on=data["ended_on"],
        )

    return _post_form(
        request, pk, "financing_form", forms.FinancingForm, save, _("Finansieringen er lagret.")
    )


@staff_view(category="customer_history", action=Action.EDIT)
@require_POST
def delivery_add(request: HttpRequest, pk: int) -> HttpResponse:
    def save(customer: Company, data: dict[str, Any]) -> None:
        services.delivery_record(
            customer=customer,
            actor=Actor.user(request.user),
            description=data["description"],
            delivered_on=data["delivered_on"],
            period_end=data["period_end"],
            source=Source.STAFF,
        )

    return _post_form(
        request, pk, "delivery_form", forms.DeliveryForm, save, _("Leveransen er registrert.")
    )


@staff_view(category="complaints", purpose="complaints")
def complaint_list(request: HttpRequest) -> HttpResponse:
    rows = list(open_complaints().select_related("person")[:200])
    record_access(
        request,
        customers=list({c.customer_id: c.customer for c in rows}.values()),
        categories=["complaints", "employer"],
    )
    return render(request, "backoffice/complaint_list.html", {"complaints": rows})


# --- Access log ----------------------------------------------------------------------------


def _int_param(request: HttpRequest, name: str) -> int | None:
    value = request.GET.get(name, "").strip()
    if not value:
        return None
    number = parse_id(value)
    if number is None:
        raise ValidationError(_("Ugyldig filter."))
    return number


@staff_view(category=OperatorCategory.ACCESS_LOG, purpose="account_security")
def access_log_view(request: HttpRequest) -> HttpResponse:
    try:
        customer_id = _int_param(request, "customer")
        staff_id = _int_param(request, "staff")
    except ValidationError as exc:
        return render(request, "backoffice/access_log.html", {"error": exc.messages[0]}, status=400)
    customer = get_object_or_404(customers(), pk=customer_id) if customer_id else None
    staff_user = (
        get_object_or_404(User.objects.filter(is_staff=True), pk=staff_id) if staff_id else None
    )
    rows = access_log(customer=customer, staff=staff_user)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "backoffice/access_log.html",
        {
            "page": page,
            "filter_customer": customer,
            "filter_staff": staff_user,
            "staff_members": StaffProfile.objects.select_related("user").order_by(
                "user__full_name"
            ),
        },
    )


def _csv_response(filename: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    """The app's one CSV writer: BOM, ``;``, and formula cells neutralised."""
    return csv_response(filename=filename, header=header, rows=rows)


@staff_view(category=OperatorCategory.ACCESS_LOG, action=Action.EXPORT, purpose="account_security")
def access_log_export(request: HttpRequest) -> HttpResponse:
    """The access log as CSV (same filters as the page), audit-logged."""
    try:
        customer_id = _int_param(request, "customer")
        staff_id = _int_param(request, "staff")
    except ValidationError as exc:
        return HttpResponse(exc.messages[0], status=400, content_type="text/plain")
    customer = get_object_or_404(customers(), pk=customer_id) if customer_id else None
    staff_user = (
        get_object_or_404(User.objects.filter(is_staff=True), pk=staff_id) if staff_id else None
    )
    rows = access_log(customer=customer, staff=staff_user)[:50_000]
    audit_log(
        action="backoffice.access_log.exported",
        actor=Actor.user(request.user),
        data={"customer": customer_id, "staff": staff_id, "rows": len(rows)},
    )
    return _csv_response(
        "tilgangslogg.csv",
        ["tidspunkt", "ansatt", "kunde", "person", "kategorier", "formål", "begrunnelse", "side"],
        [
            [
                timezone.localtime(e.created_at).isoformat(timespec="seconds"),
                e.staff.email,
                e.customer.name if e.customer else "",
                e.person_id or "",
                ",".join(e.categories),
                e.purpose,
                e.reason,
                e.path,
            ]
            for e in rows
        ],
    )


@staff_view(category="payment_history", action=Action.EXPORT, purpose="invoicing")
def payment_history_export(request: HttpRequest, pk: int) -> HttpResponse:
    """A customer's payment history with us as CSV; access- and audit-logged."""
    customer = _customer(pk)
    invoices = operator_invoices_for(customer)
    rows = []
    for invoice in invoices:
        payments = list(invoice.payments.all())
        base = [
            invoice.get_kind_display(),
            invoice.number,
            invoice.invoice_date.isoformat(),
            invoice.due_date.isoformat(),
            invoice.total_incl_vat,
            invoice.currency,
            invoice.get_status_display(),
        ]
        if not payments:
            rows.append([*base, "", ""])
        rows.extend([*base, p.date.isoformat(), p.amount] for p in payments)
    record_access(request, customer=customer, categories=["payment_history"])
    audit_log(
        action="backoffice.payment_history.exported",
        actor=Actor.user(request.user),
        company=customer,
        data={"invoices": len(invoices)},
    )
    return _csv_response(
        f"betalingshistorikk-{customer.organization_number}.csv",
        [
            "type",
            "nummer",
            "dato",
            "forfall",
            "beløp",
            "valuta",
            "status",
            "betalt dato",
            "betalt beløp",
        ],
        rows,
    )


# --- Staff management ------------------------------------------------------------------------


@staff_view(category=OperatorCategory.STAFF, purpose="account_security")
def staff_list(request: HttpRequest) -> HttpResponse:
    profiles = StaffProfile.objects.select_related("user").order_by("user__full_name")
    pending = list(
        StaffGrantRequest.objects.filter(status=StaffGrantRequest.Status.PENDING).select_related(
            "profile__user", "requested_by"
        )
    )
    return render(
        request,
        "backoffice/staff_list.html",
        {"profiles": profiles, "pending": pending, "today": timezone.localdate()},
    )


@staff_view(category=OperatorCategory.STAFF, action=Action.EDIT, purpose="account_security")
@require_POST
def staff_grant_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    """Approve or reject a pending grant (four-eyes: another administrator)."""
    grant = get_object_or_404(StaffGrantRequest.objects.select_related("profile__user"), pk=pk)
    service = services.staff_grant_approve if decision == "approve" else services.staff_grant_reject
    try:
        service(actor=Actor.user(request.user), grant=grant)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        person = grant.profile.user.full_name or grant.profile.user.email
        if decision == "approve":
            messages.success(
                request, _("Tilgangen for %(person)s er godkjent.") % {"person": person}
            )
        else:
            messages.success(request, _("Tilgangen for %(person)s er avvist.") % {"person": person})
    return redirect("backoffice:staff_list")


@staff_view(category=OperatorCategory.STAFF, action=Action.EDIT, purpose="account_security")
def staff_create(request: HttpRequest) -> HttpResponse:
    form = forms.StaffForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.staff_create(
                actor=Actor.user(request.user),
                email=data["email"],
                full_name=data["full_name"],
                roles=data["roles"],
                valid_until=data["valid_until"],
                granted_categories=data["granted_categories"],
                elevation=active_elevation(request_staff(request)),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Den ansatte er registrert. Personen setter passord med «Glemt passord» "
                    "og må sette opp tofaktorautentisering før første bruk."
                ),
            )
            if services.staff_pending_grant(profile=created):
                messages.info(request, _AWAITING_APPROVAL)
            return redirect("backoffice:staff_list")
    return render(request, "backoffice/staff_form.html", {"form": form}, status=_status_for(form))


@staff_view(category=OperatorCategory.STAFF, action=Action.EDIT, purpose="account_security")
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    profile = get_object_or_404(StaffProfile.objects.select_related("user"), pk=pk)
    initial = {
        "roles": profile.roles,
        "valid_until": profile.valid_until,
        "granted_categories": profile.granted_categories,
        "is_active": profile.is_active,
    }
    form = forms.StaffForm(
        request.POST if request.method == "POST" else None, initial=initial, editing=True
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.staff_update(
                actor=Actor.user(request.user),
                profile=profile,
                roles=data["roles"],
                valid_until=data["valid_until"],
                granted_categories=data["granted_categories"],
                is_active=data["is_active"],
                elevation=active_elevation(request_staff(request)),
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            if services.staff_pending_grant(profile=profile):
                messages.info(request, _AWAITING_APPROVAL)
            else:
                messages.success(request, _("Endringene er lagret."))
            return redirect("backoffice:staff_list")
    return render(
        request,
        "backoffice/staff_form.html",
        {"form": form, "profile": profile},
        status=_status_for(form),
    )


# --- Elevated session ------------------------------------------------------------------------


@staff_view(purpose="account_security")
def elevate(request: HttpRequest) -> HttpResponse:
    staff = request_staff(request)
    if StaffRole.ADMINISTRATOR not in staff.roles:
        raise PermissionDenied
    form = forms.ElevationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            elevation = services.elevation_start(
                user=request_user(request), reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            request.session[SESSION_ELEVATION_KEY] = elevation.pk
            messages.success(
                request,
                _("Utvidet tilgang er aktiv til %(time)s. Alt du ser, logges.")
                % {"time": timezone.localtime(elevation.expires_at).strftime("%H:%M")},
            )
            target = safe_next(request, "", prefix="/backoffice/")
            if target:
                return redirect(target)
            return redirect("backoffice:customer_list")
    return render(
        request,
        "backoffice/elevate.html",
        {"form": form, "elevation": active_elevation(staff)},
        status=_status_for(form),
    )


@staff_view(purpose="account_security")
@require_POST
def elevate_end(request: HttpRequest) -> HttpResponse:
    staff = request_staff(request)
    elevation = active_elevation(staff)
    if elevation is not None:
        services.elevation_end(elevation=elevation)
    request.session.pop(SESSION_ELEVATION_KEY, None)
    messages.success(request, _("Den utvidede tilgangen er avsluttet."))
    return redirect("backoffice:dashboard")


# --- Surveys ----------------------------------------------------------------------------------


@staff_view(category=OperatorCategory.STATISTICS)
def survey_overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "backoffice/surveys.html",
        {
            "results": survey_results(),
            "may_send": can(request_staff(request), "contact", Action.EDIT),
            "period": services.survey_period(timezone.localdate()),
        },
    )


@staff_view(category="contact", action=Action.EDIT)
@require_POST
def survey_send(request: HttpRequest) -> HttpResponse:
    sent = services.survey_send()
    messages.success(
        request,
        ngettext(
            "%(n)s invitasjon er sendt til kunder med aktivt kundeforhold.",
            "%(n)s invitasjoner er sendt til kunder med aktivt kundeforhold.",
            len(sent),
        )
        % {"n": len(sent)},
    )
    return redirect(reverse("backoffice:surveys"))
