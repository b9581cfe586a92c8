"""The dated statutory figures (inkassosats, forsinkelsesrente, § 3a standardkompensasjon)
that receivables computes fees and interest from: finance staff keep them current."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backoffice.permissions import Action, OperatorCategory, staff_view
from core.audit import Actor
from core.forms import form_add_service_errors
from receivables import selectors, services
from receivables.forms import FigureForm
from receivables.models import StatutoryFigure
from receivables.rules import payment_demand_fee, reminder_fee


@staff_view(category=OperatorCategory.STATUTORY_FIGURES)
def figure_list(request: HttpRequest) -> HttpResponse:
    # Each figure with the fees derived from it (the inkassosats only).
    figures = [
        (
            figure,
            (reminder_fee(figure.value), payment_demand_fee(figure.value))
            if figure.kind == StatutoryFigure.Kind.INKASSOSATS
            else None,
        )
        for figure in selectors.figures_list()
    ]
    return render(request, "backoffice/figures.html", {"figures": figures})


@staff_view(category=OperatorCategory.STATUTORY_FIGURES, action=Action.EDIT)
@require_http_methods(["GET", "POST"])
def figure_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    figure = get_object_or_404(StatutoryFigure, pk=pk) if pk is not None else None
    if request.method == "POST":
        form = FigureForm(request.POST)
        if form.is_valid():
            try:
                services.figure_save(
                    actor=Actor.user(request.user),
                    figure=figure,
                    **form.cleaned_data,
                )
            except ValidationError as exc:
                form_add_service_errors(form, exc)
            else:
                messages.success(request, _("Satsen er lagret."))
                return redirect("figures:list")
        status = 400
    else:
        initial = {}
        if figure is not None:
            initial = {
                "kind": figure.kind,
                "valid_from": figure.valid_from,
                "valid_to": figure.valid_to,
                "value": figure.value,
                "source": figure.source,
            }
        form = FigureForm(initial=initial)
        status = 200
    return render(
        request, "backoffice/figure_form.html", {"form": form, "figure": figure}, status=status
    )
