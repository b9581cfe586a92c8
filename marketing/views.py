"""Segments and campaigns in the back office (/backoffice/marketing/)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import Membership
from accounts.permissions import request_user
from backoffice.access import record_access
from backoffice.models import Plan
from backoffice.permissions import Action, OperatorCategory, staff_view
from core.forms import form_add_service_errors
from core.personal_data.inventory import Category
from marketing import services
from marketing.models import Campaign, Segment, SegmentRule

SEGMENTS = OperatorCategory.SEGMENTS
SHOWN = (Category.NAME, Category.CONTACT, Category.PREFERENCES)


class SegmentForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Navn"), max_length=100)
    description = forms.CharField(
        label=gettext_lazy("Hva segmentet brukes til (kundene ser dette)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=1000,
    )
    kind = forms.ChoiceField(label=gettext_lazy("Regel"), choices=SegmentRule.Kind.choices)
    plan = forms.ModelChoiceField(
        label=gettext_lazy("Abonnement"), queryset=Plan.objects.all(), required=False
    )
    min_invoices = forms.IntegerField(
        label=gettext_lazy("Minst antall fakturaer forrige kvartal"), min_value=0, required=False
    )
    months = forms.IntegerField(
        label=gettext_lazy("Måneder siden siste bestilling"),
        min_value=1,
        max_value=120,
        required=False,
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Språk"), choices=[("", "–"), *settings.LANGUAGES], required=False
    )


class CampaignForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Navn"), max_length=150)
    segment = forms.ModelChoiceField(label=gettext_lazy("Segment"), queryset=Segment.objects.all())
    subject = forms.CharField(label=gettext_lazy("Emne"), max_length=150)
    body = forms.CharField(
        label=gettext_lazy("Tekst"),
        max_length=services.MAX_BODY,
        widget=forms.Textarea(attrs={"rows": 8}),
    )


@staff_view(category=SEGMENTS)
def overview(request: HttpRequest) -> HttpResponse:
    rules = SegmentRule.objects.select_related("segment", "plan").order_by("segment__name")
    rows = [{"rule": r, "members": r.segment.members.count()} for r in rules]
    return render(
        request,
        "marketing/overview.html",
        {"rows": rows, "campaigns": Campaign.objects.select_related("segment")[:50]},
    )


@staff_view(category=SEGMENTS, action=Action.EDIT)
@require_http_methods(["GET", "POST"])
def segment_new(request: HttpRequest) -> HttpResponse:
    form = SegmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rule = services.segment_rule_create(staff=request_user(request), **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            count = services.segment_compute(rule=rule)
            messages.success(request, _("Segmentet har %(n)s medlemmer.") % {"n": count})
            return redirect("marketing:overview")
    return render(
        request,
        "marketing/form.html",
        {"form": form, "title": _("Nytt segment")},
        status=400 if form.is_bound else 200,
    )


@staff_view(category=SEGMENTS, action=Action.EDIT)
@require_POST
def segment_compute(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(SegmentRule, pk=pk)
    count = services.segment_compute(rule=rule)
    messages.success(request, _("Segmentet har %(n)s medlemmer.") % {"n": count})
    return redirect("marketing:overview")


@staff_view(category=SEGMENTS, action=Action.EDIT)
@require_http_methods(["GET", "POST"])
def campaign_new(request: HttpRequest) -> HttpResponse:
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(staff=request_user(request), **form.cleaned_data)
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            return redirect("marketing:campaign", pk=campaign.pk)
    return render(
        request,
        "marketing/form.html",
        {"form": form, "title": _("Ny kampanje")},
        status=400 if form.is_bound else 200,
    )


def _log_preview(request: HttpRequest, preview: services.Preview) -> None:
    users = [row.user.pk for row in preview.included + preview.excluded]
    companies = set(
        Membership.objects.filter(user_id__in=users).values_list("company_id", flat=True)
    )
    if companies:
        from accounts.models import Company

        record_access(request, customers=Company.objects.filter(pk__in=companies), categories=SHOWN)


def _campaign_context(campaign: Campaign) -> dict[str, Any]:
    context: dict[str, Any] = {"campaign": campaign}
    if campaign.status == Campaign.Status.DRAFT:
        context["preview"] = services.campaign_preview(campaign=campaign)
    context["progress"] = services.campaign_progress(campaign=campaign)
    return context


@staff_view(category=SEGMENTS)
def campaign(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Campaign.objects.select_related("segment"), pk=pk)
    context = _campaign_context(item)
    if "preview" in context:
        _log_preview(request, context["preview"])
    return render(request, "marketing/campaign.html", context)


@staff_view(category=SEGMENTS, action=Action.EDIT)
@require_POST
def campaign_send(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Campaign, pk=pk)
    try:
        count = services.campaign_start(campaign=item, staff=request_user(request))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        item.refresh_from_db()
        return render(request, "marketing/campaign.html", _campaign_context(item), status=409)
    messages.success(request, _("Sendingen har startet (%(n)s mottakere).") % {"n": count})
    return redirect("marketing:campaign", pk=item.pk)


@staff_view(category=SEGMENTS)
def campaign_progress(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(Campaign, pk=pk)
    return render(
        request,
        "marketing/_progress.html",
        {"campaign": item, "progress": services.campaign_progress(campaign=item)},
    )
