"""What the invoicing pages share: the acting user, a document by id (the company:
``accounts.permissions.request_company``)."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from core.audit import Actor
from invoicing.models import Invoice


def _actor(request: HttpRequest) -> Actor:
    return Actor.user(request.user)


def _get_invoice(pk: int, *, kind: str | None = None) -> Invoice:
    invoices = Invoice.objects.select_related("client")
    if kind is not None:
        invoices = invoices.filter(kind=kind)
    return get_object_or_404(invoices, pk=pk)
