"""Pages: the API reference, and the management of a company's API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from accounts.permissions import manager_view, request_company, request_user
from api.docs import schema_as_docs
from api.forms import ApiTokenForm
from api.models import ApiToken
from api.selectors import api_tokens_of
from api.services import api_token_create, api_token_revoke
from core.audit import Actor


def api_docs(request: HttpRequest) -> HttpResponse:
    """The API reference, rendered on the server from the OpenAPI schema (no scripts)."""
    return render(request, "api/docs.html", schema_as_docs(request))


@manager_view
def token_list(request: HttpRequest) -> HttpResponse:
    tokens = api_tokens_of(company=request_company(request))
    return render(request, "api/token_list.html", {"tokens": tokens})


@never_cache
@manager_view(reauth=True)
def token_create(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            created = api_token_create(
                company=request_company(request),
                label=form.cleaned_data["label"],
                actor=Actor.user(request.user),
                created_by=request_user(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            # Shown once, in this response only; never stored or put in a redirect.
            return render(
                request, "api/token_created.html", {"token": created.token, "key": created.key}
            )
    return render(request, "api/token_form.html", {"form": form})


@manager_view(reauth=True)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token: ApiToken = get_object_or_404(ApiToken.objects.all(), pk=pk)
    if request.method == "POST":
        api_token_revoke(token=token, actor=Actor.user(request.user))
        messages.success(
            request, _("API-nøkkelen «%(label)s» er trukket tilbake.") % {"label": token.label}
        )
        return redirect("api_tokens:list")
    return render(request, "api/token_revoke.html", {"token": token})
