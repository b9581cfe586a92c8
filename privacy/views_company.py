"""A customer company's "find a person" page: its own clients' data-subject requests.

The company is the controller for its clients; it finds a person among its own clients,
gives them a copy (export), corrects the record, and anonymises it when bokføringsloven no
longer keeps it. Requests the operator passed on (``ControllerReferral``) are answered here.
Owners and administrators only; another company's client or referral is a 404.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import manager_view, request_company, request_user
from core.forms import form_add_service_errors
from customers.models import Client
from privacy import clients, selectors
from privacy.models import ControllerReferral
from privacy.services import controllers


class PersonSearchForm(forms.Form):
    email = forms.CharField(label=gettext_lazy("E-post"), max_length=254, required=False)
    name = forms.CharField(label=gettext_lazy("Navn"), max_length=200, required=False)
    phone = forms.CharField(label=gettext_lazy("Telefon"), max_length=30, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        try:
            data["query"] = clients.person_query_clean(
                email=data.get("email", ""), name=data.get("name", ""), phone=data.get("phone", "")
            )
        except ValidationError as error:
            raise forms.ValidationError(error.messages) from error
        return data


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=gettext_lazy("Hva har dere gjort for personen?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=controllers.MAX_ANSWER,
        # Left empty: the service's own message (it refuses an empty answer too).
        required=False,
    )


def _own_client(request: HttpRequest, pk: int) -> Client:
    return get_object_or_404(Client.objects.filter(company=request_company(request)), pk=pk)


@manager_view
@require_http_methods(["GET"])
def persons(request: HttpRequest) -> HttpResponse:
    company = request_company(request)
    form = PersonSearchForm(request.GET if request.GET.keys() - {"referral"} else None)
    matches = None
    if form.is_bound and form.is_valid():
        matches = clients.client_records_matching(query=form.cleaned_data["query"], company=company)
    referrals = selectors.controller_referrals(company=company)
    status = 400 if form.is_bound and not form.is_valid() else 200
    return render(
        request,
        "privacy/company/persons.html",
        {
            "form": form,
            "matches": matches,
            "referrals": referrals,
            "answer_form": AnswerForm(),
            "highlight": request.GET.get("referral", ""),
        },
        status=status,
    )


@manager_view
@require_http_methods(["GET"])
def person(request: HttpRequest, pk: int) -> HttpResponse:
    client = _own_client(request, pk)
    invoices, payments = clients.client_documents(client=client)
    return render(
        request,
        "privacy/company/person.html",
        {
            "client": client,
            "invoices": invoices,
            "payments": payments,
            "plan": clients.client_erasure_plan(client=client),
        },
    )


@manager_view
@require_POST
def person_export(request: HttpRequest, pk: int) -> HttpResponse:
    client = _own_client(request, pk)
    content = controllers.client_export(client=client, user=request_user(request))
    response = HttpResponse(content, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kunde-{client.number}.json"'
    return response


@manager_view(reauth=True)
@require_POST
def person_anonymise(request: HttpRequest, pk: int) -> HttpResponse:
    client = _own_client(request, pk)
    try:
        controllers.client_anonymise(client=client, user=request_user(request))
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
        return redirect("privacy:person", pk=client.pk)
    messages.success(request, _("Kunden er anonymisert. Kundenummeret og fakturaene står igjen."))
    return redirect("privacy:person", pk=client.pk)


@manager_view
@require_POST
def referral_answer(request: HttpRequest, pk: int) -> HttpResponse:
    company = request_company(request)
    referral = ControllerReferral.objects.filter(company=company, pk=pk).first()
    if referral is None:
        raise Http404
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            controllers.controller_referral_answer(
                referral=referral,
                company=company,
                user=request_user(request),
                answer=form.cleaned_data["answer"],
            )
        except ValidationError as error:
            form_add_service_errors(form, error)
        else:
            messages.success(request, _("Takk. Personvernombudet hos FakturaNett ser svaret."))
            return redirect("privacy:persons")
    return render(
        request,
        "privacy/company/persons.html",
        {
            "form": PersonSearchForm(),
            "matches": None,
            "referrals": selectors.controller_referrals(company=company),
            "answer_form": form,
            "highlight": str(referral.pk),
        },
        status=400,
    )
