"""Pages of recurring invoices (/app/recurring/): thin, the services decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import company_view, editor_view, request_company, request_membership
from core.audit import Actor
from core.forms import form_add_service_errors
from recurring import selectors, services
from recurring.forms import TemplateForm, line_formset, template_initial
from recurring.models import RecurringInvoice, RecurringRun


def _actor(request: HttpRequest) -> Actor:
    return Actor.user(request.user)


def _apply_errors(form: TemplateForm, formset: Any, exc: ValidationError) -> None:
    # The model's interval_months is entered as a choice, or as "every N months".
    custom = form.cleaned_data.get("interval") == "custom"
    rename = {"interval_months": "every_months" if custom else "interval"}
    form_add_service_errors(form, exc, formset=formset, rename=rename)


@company_view
def template_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "recurring/list.html",
        {
            "templates": list(selectors.template_list()),
            "failed_runs": list(selectors.failed_runs()[:20]),
            "can_edit": request_membership(request).can_edit,
        },
    )


def _editor(request: HttpRequest, template: RecurringInvoice | None) -> HttpResponse:
    company = request_company(request)
    lines = list(template.lines.select_related("vat_code")) if template else None
    if request.method == "POST":
        form = TemplateForm(request.POST, current_client=template.client if template else None)
        formset = line_formset(company=company, data=request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                if template is None:
                    saved = services.recurring_create(
                        company=company,
                        actor=_actor(request),
                        data=form.template_data(),
                        lines=formset.line_data(),
                    )
                else:
                    saved = services.recurring_update(
                        template=template,
                        actor=_actor(request),
                        data=form.template_data(),
                        lines=formset.line_data(),
                    )
            except ValidationError as exc:
                _apply_errors(form, formset, exc)
            else:
                messages.success(request, _("Malen er lagret."))
                return redirect("recurring:detail", saved.pk)
        status = 400
    else:
        initial = template_initial(template) if template else {}
        form = TemplateForm(initial=initial, current_client=template.client if template else None)
        formset = line_formset(company=company, lines=lines)
        status = 200
    return render(
        request,
        "recurring/form.html",
        {"form": form, "formset": formset, "template": template},
        status=status,
    )


@editor_view
@require_http_methods(["GET", "POST"])
def template_create(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@editor_view
@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _editor(request, get_object_or_404(RecurringInvoice.objects.all(), pk=pk))


@company_view
def template_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        template = selectors.template_detail(pk=pk)
    except RecurringInvoice.DoesNotExist:
        raise Http404 from None
    return render(
        request,
        "recurring/detail.html",
        {
            "template": template,
            "lines": list(template.lines.all()),
            "runs": list(template.runs.all()),
            "can_edit": request_membership(request).can_edit,
        },
    )


@editor_view
@require_POST
def template_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    template: RecurringInvoice = get_object_or_404(RecurringInvoice.objects.all(), pk=pk)
    services.recurring_set_active(
        template=template, actor=_actor(request), active=not template.is_active
    )
    return redirect("recurring:detail", pk)


@editor_view
@require_POST
def template_run_now(request: HttpRequest, pk: int) -> HttpResponse:
    """Make the invoices of the periods that have started (what the daily job would do)."""
    template: RecurringInvoice = get_object_or_404(RecurringInvoice.objects.all(), pk=pk)
    runs = services.recurring_generate(template=template, actor=_actor(request))
    failed = sum(run.status == RecurringRun.Status.FAILED for run in runs)
    if not runs:
        messages.info(request, _("Ingen periode er klar til fakturering ennå."))
    elif failed:
        failed_text = ngettext(
            "%(n)s periode feilet; se feilmeldingen under.",
            "%(n)s perioder feilet; se feilmeldingen under.",
            failed,
        )
        messages.error(request, failed_text % {"n": failed})
    else:
        made = ngettext("%(n)s faktura laget.", "%(n)s fakturaer laget.", len(runs))
        messages.success(request, made % {"n": len(runs)})
    return redirect("recurring:detail", pk)


@editor_view
@require_POST
def run_retry(request: HttpRequest, pk: int, run_pk: int) -> HttpResponse:
    run: RecurringRun = get_object_or_404(RecurringRun.objects.filter(template_id=pk), pk=run_pk)
    try:
        retried = services.recurring_run_retry(run=run, actor=_actor(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if retried.status == RecurringRun.Status.FAILED:
            messages.error(
                request, _("Perioden feilet igjen: %(error)s") % {"error": retried.error}
            )
        else:
            messages.success(request, _("Fakturaen for perioden er laget."))
    return redirect("recurring:detail", pk)
