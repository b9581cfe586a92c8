"""Public pages: the plans, ordering a plan (owners), and answering a survey (no login)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect

from accounts.models import Role
from accounts.permissions import company_view, request_company, request_user
from backoffice import forms, services
from backoffice.models import Order, Plan, Source


def _active_plans():
    return Plan.objects.filter(is_active=True).select_related("product", "product__vat_code")


def home(request: HttpRequest) -> HttpResponse:
    """The landing page: what the product does, what it costs (the plans for sale)."""
    if request.user.is_authenticated:
        return redirect("dashboard")
    return render(request, "backoffice/public/home.html", {"plans": _active_plans()})


def plans(request: HttpRequest) -> HttpResponse:
    return render(request, "backoffice/public/plans.html", {"plans": _active_plans()})


@company_view(roles={Role.OWNER})
def plan_order(request: HttpRequest, code: str) -> HttpResponse:
    plan = get_object_or_404(_active_plans(), code=code)
    form = forms.OrderForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_place(
                customer=request_company(request),
                plan=plan,
                user=request_user(request),
                source=Source.WEB,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Takk for bestillingen!"))
            return redirect("order_done", pk=order.pk)
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request, "backoffice/public/plan_order.html", {"plan": plan, "form": form}, status=status
    )


@company_view
def order_done(request: HttpRequest, pk: int) -> HttpResponse:
    order = get_object_or_404(
        Order.objects.select_related("plan", "invoice"),
        pk=pk,
        customer=request_company(request),
    )
    return render(request, "backoffice/public/order_done.html", {"order": order})


@csrf_protect
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time answer link from the survey e-mail; works without logging in."""
    try:
        invitation = services.survey_invitation_from_token(token)
    except services.SurveyLinkError as exc:
        status = 404 if exc.code == "invalid" else 410
        return render(
            request,
            "backoffice/public/survey_message.html",
            {"message": exc.message, "problem": True},
            status=status,
        )
    form = forms.SurveyAnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_answer(
                token=token,
                score=form.cleaned_data["score"],
                comment=form.cleaned_data["comment"],
            )
        except services.SurveyLinkError as exc:
            return render(
                request,
                "backoffice/public/survey_message.html",
                {"message": exc.message, "problem": True},
                status=410,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            return render(
                request,
                "backoffice/public/survey_message.html",
                {"message": _("Takk for svaret! Det hjelper oss å bli bedre.")},
            )
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "backoffice/public/survey_answer.html",
        {"form": form, "invitation": invitation},
        status=status,
    )
