"""An invoice's or credit note's page: figures, payments, log and the actions its state allows."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.permissions import company_view, request_membership
from core.models import AuditEntry
from invoicing import hooks, selectors
from invoicing.forms import PaymentForm, format_number
from invoicing.models import Invoice


def _audit_entries(invoice: Invoice) -> list[AuditEntry]:
    payment_ids = [str(payment.pk) for payment in invoice.payments.all()]
    condition = Q(object_type="invoicing.invoice", object_id=str(invoice.pk))
    if payment_ids:
        condition |= Q(object_type="invoicing.payment", object_id__in=payment_ids)
    return list(
        AuditEntry.objects.filter(condition, company=invoice.company_id).order_by(
            "created_at", "id"
        )[:200]
    )


@company_view
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        invoice = selectors.invoice_detail(pk=pk)
    except Invoice.DoesNotExist:
        raise Http404 from None
    today = timezone.localdate()
    draft_totals = None
    draft_problems: list[str] = []
    if invoice.is_draft:
        try:
            draft_totals = selectors.invoice_draft_totals(invoice=invoice)
        except ValidationError as exc:  # e.g. no VAT rate in force on the draft's date
            draft_problems = exc.messages
    payments = list(invoice.payments.all())
    reversed_ids = {payment.reverses_id for payment in payments if payment.reverses_id}
    can_edit = request_membership(request).can_edit
    is_open = invoice.status in selectors.OPEN_STATUSES and not invoice.is_credit_note
    credit_balance = (
        selectors.client_credit_balance(client=invoice.client, currency=invoice.currency)
        if not invoice.is_draft
        else None
    )
    return render(
        request,
        "invoicing/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "vat_lines": list(invoice.vat_lines.all()),
            "draft_totals": draft_totals,
            "draft_problems": draft_problems,
            "payments": payments,
            "reversed_ids": reversed_ids,
            "credit_notes": list(invoice.credit_notes.all()),
            "audit_entries": _audit_entries(invoice),
            "overdue": invoice.is_overdue(today=today),
            "credit_balance": credit_balance,
            "can_edit": can_edit,
            "can_pay": can_edit and is_open,
            "can_credit": (
                can_edit
                and not invoice.is_draft
                and not invoice.is_credit_note
                and invoice.status != Invoice.Status.CREDITED
            ),
            "payment_form": PaymentForm(
                initial={"date": today, "amount": format_number(invoice.open_balance, 2)}
            )
            if can_edit and is_open
            else None,
            "seller": invoice.seller_snapshot,
            "buyer": invoice.buyer_snapshot,
            "extra_panels": (
                []
                if invoice.is_draft or invoice.is_credit_note
                else hooks.invoice_panels(request=request, invoice=invoice)
            ),
            "log_panels": (
                []
                if invoice.is_draft
                else hooks.invoice_panels(request=request, invoice=invoice, slot="log")
            ),
        },
    )
