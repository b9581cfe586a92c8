"""Issuing a draft, and issuing the drafts chosen on the list."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings as django_settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import editor_view, request_company
from invoicing import selectors, services
from invoicing.forms import IssueSelectedForm
from invoicing.models import Invoice
from invoicing.views.common import _actor, _get_invoice
from invoicing.views.lists import _list_filters, unapplied_filter_reasons


@editor_view
@require_http_methods(["GET", "POST"])
def invoice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _get_invoice(pk, kind=Invoice.Kind.INVOICE)
    if not invoice.is_draft:
        messages.info(
            request, _("Fakturaen er allerede utstedt med nummer %(n)s.") % {"n": invoice.number}
        )
        return redirect("invoicing:detail", pk=pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            issued = services.invoice_issue(invoice=invoice, actor=_actor(request))
        except ValidationError as exc:
            invoice.refresh_from_db()
            if not invoice.is_draft:  # issued by a parallel request (double submit)
                messages.info(
                    request,
                    _("Fakturaen er allerede utstedt med nummer %(n)s.") % {"n": invoice.number},
                )
                return redirect("invoicing:detail", pk=pk)
            errors = exc.messages
        else:
            messages.success(request, _("Faktura %(n)s er utstedt.") % {"n": issued.number})
            return redirect("invoicing:detail", pk=pk)
    try:
        totals = selectors.invoice_draft_totals(invoice=invoice)
    except ValidationError:
        totals = None
    return render(
        request,
        "invoicing/invoice_issue.html",
        {"invoice": invoice, "errors": errors, "totals": totals},
        status=400 if errors else 200,
    )


def _unapplied_filter_errors(filters: dict[str, Any]) -> list[str]:
    """Why "every draft that matches" cannot be issued with these filters, if it cannot.

    The list may drop a value it cannot apply (``_list_filters``' ``unapplied``): it shows
    what it lists, the filter's field empty. Issuing must not: a dropped client or date
    widens the selection, up to every draft of the company (a client of another company,
    after switching company in another tab, or an edited address), and so does a search
    cut short (it matches more). So such a value refuses the whole request, as does a
    status other than drafts; nothing is issued.
    """
    reasons = unapplied_filter_reasons(filters)
    errors: list[str] = []
    if "status" in reasons or filters["status"] not in ("", Invoice.Status.DRAFT):
        errors.append(_("Bare utkast kan utstedes: filteret må vise utkast."))
    errors += [reason for key, reason in reasons.items() if key != "status"]
    if errors:
        errors.append(_("Ingenting er utstedt. Gå tilbake til utkastene og velg filteret på nytt."))
    return errors


def _selected_ids(request: HttpRequest, limit: int) -> tuple[list[int], list[str]]:
    """The ids the user chose, or the errors: the ticked drafts (``invoice``), or with
    ``scope=filter`` every draft that matches the list's filter (its query string)."""
    if request.POST.get("scope") == "filter":
        filters = _list_filters(request)
        unapplied = _unapplied_filter_errors(filters)
        if unapplied:
            return [], unapplied
        matching = selectors.invoice_list(
            company=request_company(request),
            filters=selectors.InvoiceFilter(
                status=Invoice.Status.DRAFT,
                client=filters["client"],
                date_from=filters["date_from"],
                date_to=filters["date_to"],
                search=filters["q"],
            ),
        ).values_list("pk", flat=True)[: limit + 1]
        ids = list(matching)
        if not ids:
            return [], [_("Ingen utkast passer filteret.")]
        if len(ids) > limit:
            return [], [
                _(
                    "Flere enn %(max)s utkast passer filteret. Du kan utstede høyst %(max)s "
                    "om gangen: snevre inn filteret eller velg utkastene selv."
                )
                % {"max": limit}
            ]
        return ids, []
    form = IssueSelectedForm(request.POST, limit=limit)
    if not form.is_valid():
        return [], [str(message) for messages_ in form.errors.values() for message in messages_]
    return form.cleaned_data["invoice"], []


def _drafts_url() -> str:
    return f"{reverse('invoicing:list')}?{urlencode({'status': Invoice.Status.DRAFT})}"


@editor_view
@require_POST
def invoice_issue_selected(request: HttpRequest) -> HttpResponse:
    """Issue the drafts chosen on the list: first a confirmation (how many, the total, that
    numbers are final), then ``invoice_issue_many`` while the request waits (at most
    ``ISSUE_SELECTED_MAX``) and the result: the numbers given and each refused draft with
    its reason. Ids that are not the company's drafts are left out, only counted."""
    limit = django_settings.ISSUE_SELECTED_MAX
    ids, errors = _selected_ids(request, limit)
    selection = selectors.drafts_to_issue(ids=ids) if ids else None
    if selection is not None and not selection.drafts:
        errors = [
            _("Ingen av de valgte fakturaene er utkast (lenger)."),
            _("Ble de nettopp utstedt (et dobbeltklikk), står de med nummer i fakturalisten."),
        ]
    context: dict[str, Any] = {"limit": limit, "drafts_url": _drafts_url()}
    if errors or selection is None:
        context["errors"] = errors
        return render(request, "invoicing/issue_selected_confirm.html", context, status=400)
    context["selection"] = selection
    context["rows"] = [(invoice, selection.totals[invoice.pk]) for invoice in selection.drafts]
    if "confirm" not in request.POST:
        return render(request, "invoicing/issue_selected_confirm.html", context)
    try:
        result = services.invoice_issue_many(
            company=request_company(request),
            invoice_ids=[invoice.pk for invoice in selection.drafts],
            actor=_actor(request),
        )
    except ValidationError as exc:  # the company itself refused (closed)
        context["errors"] = exc.messages
        return render(request, "invoicing/issue_selected_confirm.html", context, status=400)
    drafts = {invoice.pk: invoice for invoice in selection.drafts}
    numbers = [invoice.number or 0 for invoice in result.issued]
    contiguous = bool(numbers) and numbers[-1] - numbers[0] + 1 == len(numbers)
    context |= {
        "issued": result.issued,
        "refused": [
            (drafts[pk], refusal.messages) for pk, refusal in result.failed.items() if pk in drafts
        ],
        "issued_ids": [invoice.pk for invoice in result.issued],
        # A range only when it holds no one else's numbers (another issue between chunks).
        "first_number": numbers[0] if contiguous else None,
        "last_number": numbers[-1] if contiguous else None,
    }
    return render(request, "invoicing/issue_selected_result.html", context)
