"""Pages of quotes (/app/quotes/): thin, the services decide."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import company_view, editor_view, request_company, request_membership
from core.audit import Actor
from core.forms import form_add_service_errors
from core.models import AuditEntry
from invoicing.forms import simple_line_formset
from quotes import links, services
from quotes.documents import quote_pdf
from quotes.forms import ConvertForm, QuoteForm, quote_initial
from quotes.models import Quote


def _actor(request: HttpRequest) -> Actor:
    return Actor.user(request.user)


@company_view
def quote_list(request: HttpRequest) -> HttpResponse:
    quotes = list(Quote.objects.select_related("client").order_by("-number")[:200])
    return render(
        request,
        "quotes/list.html",
        {
            "quotes": quotes,
            "today": timezone.localdate(),
            "can_edit": request_membership(request).can_edit,
        },
    )


def _editor(request: HttpRequest, quote: Quote | None) -> HttpResponse:
    company = request_company(request)
    current = quote.client if quote else None
    if request.method == "POST":
        form = QuoteForm(request.POST, current_client=current)
        formset = simple_line_formset(company=company, data=request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                if quote is None:
                    saved = services.quote_create(
                        company=company,
                        actor=_actor(request),
                        data=form.quote_data(),
                        lines=formset.line_data(),
                    )
                else:
                    saved = services.quote_update(
                        quote=quote,
                        actor=_actor(request),
                        data=form.quote_data(),
                        lines=formset.line_data(),
                    )
            except ValidationError as exc:
                form_add_service_errors(form, exc, formset=formset)
            else:
                messages.success(request, _("Tilbud %(n)s er lagret.") % {"n": saved.number})
                return redirect("quotes:detail", saved.pk)
        status = 400
    else:
        initial = quote_initial(quote) if quote else {"quote_date": timezone.localdate()}
        form = QuoteForm(initial=initial, current_client=current)
        lines = list(quote.lines.select_related("vat_code")) if quote else None
        formset = simple_line_formset(company=company, lines=lines)
        status = 200
    return render(
        request,
        "quotes/form.html",
        {"form": form, "formset": formset, "quote": quote},
        status=status,
    )


@editor_view
@require_http_methods(["GET", "POST"])
def quote_create(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@editor_view
@require_http_methods(["GET", "POST"])
def quote_edit(request: HttpRequest, pk: int) -> HttpResponse:
    quote: Quote = get_object_or_404(Quote.objects.all(), pk=pk)
    if quote.status != Quote.Status.DRAFT:
        messages.error(request, _("Tilbudet er sendt og kan ikke endres. Lag et nytt tilbud."))
        return redirect("quotes:detail", pk)
    return _editor(request, quote)


@company_view
def quote_detail(request: HttpRequest, pk: int) -> HttpResponse:
    quote: Quote = get_object_or_404(Quote.objects.select_related("client", "invoice"), pk=pk)
    today = timezone.localdate()
    can_edit = request_membership(request).can_edit
    is_open = quote.status in Quote.OPEN_STATUSES
    entries = AuditEntry.objects.filter(
        company=quote.company, object_type="quotes.quote", object_id=str(quote.pk)
    ).order_by("-created_at")[:50]
    return render(
        request,
        "quotes/detail.html",
        {
            "quote": quote,
            "lines": list(quote.lines.select_related("vat_code").order_by("position")),
            "expired": quote.is_expired(today=today),
            "can_edit": can_edit,
            "is_open": is_open,
            "link": links.url_for(quote) if quote.status == Quote.Status.SENT else "",
            "audit_entries": list(entries),
        },
    )


@company_view
def quote_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    quote: Quote = get_object_or_404(Quote.objects.select_related("client", "company"), pk=pk)
    response = HttpResponse(quote_pdf(quote), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="tilbud-{quote.number}.pdf"'
    return response


def _action(request: HttpRequest, pk: int, run: Any, success: str) -> HttpResponse:
    quote: Quote = get_object_or_404(Quote.objects.all(), pk=pk)
    try:
        result = run(quote)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("quotes:detail", pk)
    messages.success(request, success)
    return result if isinstance(result, HttpResponse) else redirect("quotes:detail", pk)


@editor_view
@require_POST
def quote_send(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda q: services.quote_send(quote=q, actor=_actor(request)),
        _("Tilbudet sendes på e-post til kunden."),
    )


@editor_view
@require_POST
def quote_mark_sent(request: HttpRequest, pk: int) -> HttpResponse:
    return _action(
        request,
        pk,
        lambda q: services.quote_mark_sent(quote=q, actor=_actor(request)),
        _("Tilbudet er registrert som sendt."),
    )


@editor_view
@require_POST
def quote_decide(request: HttpRequest, pk: int) -> HttpResponse:
    decision = request.POST.get("decision")
    if decision not in ("accept", "decline"):
        messages.error(request, _("Velg aksepter eller avslå."))
        return redirect("quotes:detail", pk)
    accept = decision == "accept"
    return _action(
        request,
        pk,
        lambda q: services.quote_decide(quote=q, actor=_actor(request), accept=accept),
        _("Tilbudet er registrert som akseptert.") if accept else _("Tilbudet er avslått."),
    )


@editor_view
@require_POST
def quote_convert(request: HttpRequest, pk: int) -> HttpResponse:
    def convert(quote: Quote) -> HttpResponse:
        form = ConvertForm(request.POST)
        if not form.is_valid():
            raise ValidationError(_("Skriv valutakursen som et tall, for eksempel 11,52."))
        invoice = services.quote_convert(
            quote=quote, actor=_actor(request), exchange_rate=form.cleaned_data["exchange_rate"]
        )
        return redirect("invoicing:detail", invoice.pk)

    return _action(request, pk, convert, _("Fakturautkastet er laget fra tilbudet."))
