"""The client's page behind the signed link: the quote, its PDF and two buttons.

No login. The token (``quotes.links``) names one quote; a forged or altered token, or a
quote that is no longer open, shows a clear page (404 for unknown tokens). The decision
goes through ``quotes.services.quote_decide(by_client=True)``, which refuses an expired
quote, and is audited.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods
from django_scopes import scope, scopes_disabled

from core.audit import Actor
from quotes import links, services
from quotes.documents import quote_pdf
from quotes.forms import DecisionForm
from quotes.models import Quote


def _quote_for(token: str) -> Quote:
    ids = links.read_token(token)
    if ids is None:
        raise Http404
    quote_id, company_id, number = ids
    with scopes_disabled():
        quote = (
            Quote.objects.select_related("company", "client")
            .filter(pk=quote_id, company_id=company_id, number=number)
            .first()
        )
    if quote is None:
        raise Http404
    return quote


@require_http_methods(["GET", "POST"])
def quote_public(request: HttpRequest, token: str) -> HttpResponse:
    if len(token) > 300:
        raise Http404
    quote = _quote_for(token)
    if request.GET.get("pdf") == "1":
        with scope(company=quote.company):
            response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="tilbud-{quote.number}.pdf"'
        return response
    form = DecisionForm(request.POST or None)
    error = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with scope(company=quote.company):
                try:
                    services.quote_decide(
                        quote=quote,
                        actor=Actor.system("client-link"),
                        accept=form.cleaned_data["decision"] == "accept",
                        by_client=True,
                        note=form.cleaned_data["note"],
                    )
                except ValidationError as exc:
                    error = " ".join(exc.messages)
                    status = 409
                else:
                    return redirect("quote_public", token=token)
        else:
            status = 400
    with scope(company=quote.company):
        lines = list(quote.lines.select_related("vat_code").order_by("position"))
    today = timezone.localdate()
    return render(
        request,
        "quotes/public.html",
        {
            "quote": quote,
            "lines": lines,
            "form": form,
            "error": error,
            "expired": quote.is_expired(today=today),
            "can_decide": quote.status == Quote.Status.SENT and not quote.is_expired(today=today),
            "token": token,
        },
        status=status,
    )
