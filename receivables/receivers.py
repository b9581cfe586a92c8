"""Registrations into the hooks of lower apps: the invoice page and the invoice API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone

from accounts.permissions import request_membership


def invoice_panel(*, request: HttpRequest, invoice: Any) -> str:
    """The collection panel on an issued invoice's page."""
    from receivables import selectors

    data = selectors.invoice_receivables(invoice=invoice, today=timezone.localdate())
    return render_to_string(
        "receivables/_invoice_panel.html",
        {
            "invoice": invoice,
            "rec": data,
            "can_edit": request_membership(request).can_edit,
            "overdue": invoice.is_overdue(today=timezone.localdate()),
        },
        request=request,
    )


def register() -> None:
    from invoicing.hooks import register_invoice_panel
    from receivables.api import register_invoice_fields

    register_invoice_panel(invoice_panel)
    register_invoice_fields()
