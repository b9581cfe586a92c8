"""Registering and reversing payments."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.permissions import editor_view
from core.forms import form_add_service_errors
from core.money import format_nok
from invoicing import selectors, services
from invoicing.forms import PaymentForm, PaymentReverseForm, format_number
from invoicing.models import Invoice, Payment
from invoicing.views.common import _actor, _get_invoice


@editor_view
@require_http_methods(["GET", "POST"])
def payment_register(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _get_invoice(pk, kind=Invoice.Kind.INVOICE)
    if invoice.status not in selectors.OPEN_STATUSES:
        messages.error(request, _("Fakturaen har ingen åpen saldo å registrere betaling mot."))
        return redirect("invoicing:detail", pk=pk)
    form = PaymentForm(
        request.POST or None,
        initial={"date": timezone.localdate(), "amount": format_number(invoice.open_balance, 2)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.payment_register(
                invoice=invoice,
                actor=_actor(request),
                amount=data["amount"],
                date=data["date"],
                method=data["method"],
                reference=data["reference"],
                confirm_overpayment=data["confirm_overpayment"],
                confirm_duplicate=data["confirm_duplicate"],
            )
        except ValidationError as exc:
            refused = getattr(exc, "error_dict", {})
            asked = [name for name in form.CONFIRMATIONS if name in refused]
            form_add_service_errors(form, exc)
            for name in asked:
                form.ask(name)
        else:
            messages.success(
                request,
                _("Innbetaling på %(amount)s er registrert.")
                % {"amount": format_nok(payment.amount)},
            )
            if payment.to_credit_amount > 0:
                balance = selectors.client_credit_balance(
                    client=invoice.client, currency=invoice.currency
                )
                messages.info(
                    request,
                    _(
                        "Overbetaling: %(over)s er ført til kundens tilgodehavende, som nå "
                        "er %(balance)s %(currency)s."
                    )
                    % {
                        "over": format_nok(payment.to_credit_amount),
                        "balance": format_nok(balance),
                        "currency": invoice.currency,
                    },
                )
            return redirect("invoicing:detail", pk=pk)
    return render(
        request,
        "invoicing/payment_form.html",
        {"invoice": invoice, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@editor_view
@require_http_methods(["GET", "POST"])
def payment_reverse(request: HttpRequest, pk: int, payment_pk: int) -> HttpResponse:
    invoice = _get_invoice(pk)
    payment: Payment = get_object_or_404(Payment.objects.filter(invoice=invoice), pk=payment_pk)
    form = PaymentReverseForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_reverse(
                payment=payment,
                actor=_actor(request),
                date=form.cleaned_data["date"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Innbetalingen på %(amount)s er tilbakeført.")
                % {"amount": format_nok(payment.amount)},
            )
            return redirect("invoicing:detail", pk=pk)
    return render(
        request,
        "invoicing/payment_reverse.html",
        {"invoice": invoice, "payment": payment, "form": form},
        status=400 if request.method == "POST" else 200,
    )
