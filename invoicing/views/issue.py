"""Issuing a draft."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import editor_view
from invoicing import selectors, services
from invoicing.models import Invoice
from invoicing.views.common import _actor, _get_invoice


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
