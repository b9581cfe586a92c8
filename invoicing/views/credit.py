"""Crediting an issued invoice."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import editor_view
from invoicing import selectors, services
from invoicing.forms import CreditForm
from invoicing.models import Invoice
from invoicing.views.common import _actor, _get_invoice


@editor_view
@require_http_methods(["GET", "POST"])
def invoice_credit(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _get_invoice(pk, kind=Invoice.Kind.INVOICE)
    if invoice.is_draft:
        messages.error(request, _("Et utkast krediteres ikke; det kan endres eller slettes."))
        return redirect("invoicing:detail", pk=pk)
    creditable = selectors.invoice_creditable_lines(invoice=invoice)
    form = CreditForm(
        request.POST or None,
        creditable=creditable,
        initial={"credit_date": timezone.localdate(), "mode": CreditForm.FULL},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            credit_note = services.invoice_credit(
                invoice=invoice,
                actor=_actor(request),
                lines=form.credit_lines(),
                credit_date=data["credit_date"],
                free_text=data["free_text"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("Kreditnota %(n)s er utstedt for faktura %(invoice)s.")
                % {"n": credit_note.number, "invoice": invoice.number},
            )
            return redirect("invoicing:detail", pk=credit_note.pk)
    return render(
        request,
        "invoicing/invoice_credit.html",
        {"invoice": invoice, "form": form},
        status=400 if request.method == "POST" else 200,
    )
