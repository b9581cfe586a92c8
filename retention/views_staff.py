"""Registers in the back office (R6, R10, GDPR art. 30), for the privacy officer:

- the record of processing activities, generated from the inventory and purposes;
- the sub-processor register (add/edit, audit-logged; published in the statement);
- the risk-assessment register with review dates (reminders: ``privacy.tasks``);
- the retention runs and their deletion log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from accounts.permissions import request_user
from backoffice.models import StaffProfile
from backoffice.permissions import Action, OperatorCategory, staff_view
from core.forms import form_add_service_errors
from privacy import selectors as privacy_selectors
from privacy.models import RiskAssessment, SubProcessor
from privacy.services import registers
from retention import selectors

if TYPE_CHECKING:
    from accounts.models import User

# The registers describe the processing, not a person: the privacy officer's own category.
REGISTERS = OperatorCategory.PRIVACY_REQUESTS


class SubProcessorForm(forms.ModelForm):
    class Meta:
        model = SubProcessor
        fields = list(registers.SUBPROCESSOR_FIELDS)
        widgets = {"agreement_date": forms.DateInput(attrs={"type": "date"})}


class RiskForm(forms.ModelForm):
    class Meta:
        model = RiskAssessment
        fields = list(registers.RISK_FIELDS)
        widgets = {
            "last_reviewed": forms.DateInput(attrs={"type": "date"}),
            "next_review": forms.DateInput(attrs={"type": "date"}),
            "description": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff_ids = StaffProfile.objects.filter(is_active=True).values("user_id")
        owner = cast("forms.ModelChoiceField[User]", self.fields["owner"])
        if owner.queryset is not None:  # a foreign key's field always has one
            owner.queryset = owner.queryset.filter(pk__in=staff_ids)
        owner.label = gettext_lazy("Ansvarlig")


@staff_view(category=REGISTERS)
def processing_record(request: HttpRequest) -> HttpResponse:
    return render(request, "retention/staff/processing_record.html", selectors.processing_record())


@staff_view(category=REGISTERS)
def subprocessors(request: HttpRequest) -> HttpResponse:
    rows = SubProcessor.objects.all()
    return render(request, "retention/staff/subprocessors.html", {"rows": rows})


def _register_edit(
    request: HttpRequest,
    *,
    form: forms.ModelForm[Any],
    fields: Iterable[str],
    save: Callable[[dict[str, Any]], object],
    saved: str,
    title: str,
    back: str,
) -> HttpResponse:
    """The add/edit page of one register row: ``save`` gets the form's ``fields``; a
    service error lands on the form (400), success goes back to the register."""
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in fields}
        try:
            save(values)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, saved)
            return redirect(back)
    return render(
        request,
        "retention/staff/register_form.html",
        {"form": form, "title": title, "back": back},
        status=400 if form.is_bound else 200,
    )


@staff_view(category=REGISTERS, action=Action.EDIT)
@require_http_methods(["GET", "POST"])
def subprocessor_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    row = get_object_or_404(SubProcessor, pk=pk) if pk else None
    return _register_edit(
        request,
        form=SubProcessorForm(request.POST or None, instance=row),
        fields=registers.SUBPROCESSOR_FIELDS,
        save=lambda values: registers.subprocessor_save(
            staff=request_user(request),
            values=values,
            # The form has already written into ``row``: compare with the stored one.
            subprocessor=SubProcessor.objects.get(pk=row.pk) if row else SubProcessor(),
        ),
        saved=_("Underleverandøren er lagret."),
        title=_("Underleverandør"),
        back="retention_staff:subprocessors",
    )


@staff_view(category=REGISTERS)
def risks(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    due = set(privacy_selectors.risk_reviews_due(on=today).values_list("pk", flat=True))
    rows = [{"risk": r, "due": r.pk in due} for r in RiskAssessment.objects.select_related("owner")]
    return render(request, "retention/staff/risks.html", {"rows": rows, "due_count": len(due)})


@staff_view(category=REGISTERS, action=Action.EDIT)
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    row = get_object_or_404(RiskAssessment, pk=pk) if pk else None
    return _register_edit(
        request,
        form=RiskForm(request.POST or None, instance=row),
        fields=registers.RISK_FIELDS,
        save=lambda values: registers.risk_assessment_save(
            staff=request_user(request),
            values=values,
            risk=RiskAssessment.objects.get(pk=row.pk) if row else RiskAssessment(),
        ),
        saved=_("Risikovurderingen er lagret."),
        title=_("Risikovurdering"),
        back="retention_staff:risks",
    )


@staff_view(category=REGISTERS)
def runs(request: HttpRequest) -> HttpResponse:
    return render(request, "retention/staff/runs.html", {"runs": selectors.latest_runs(20)})
