"""Query filters of the invoice and credit-note lists (and their OpenAPI parameters)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers
from rest_framework.request import Request

from api.base import query_choice, query_text
from core.parsing import parse_id
from customers.models import Client
from invoicing.models import Invoice, InvoiceLine
from invoicing.selectors import (
    DEFAULT_ORDERING,
    INVOICE_ORDERINGS,
    SEARCH_MIN_WORD,
    InvoiceFilter,
    InvoiceListParts,
    invoice_list_parts,
)


def _date_param(params: Any, name: str) -> datetime.date | None:
    value = params.get(name)
    if not value:
        return None
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise serializers.ValidationError({name: [_("Ugyldig dato; bruk ÅÅÅÅ-MM-DD.")]})
    return parsed


def _client_param(params: Any) -> Client | None:
    value = params.get("client")
    if not value:
        return None
    client_id = parse_id(value)
    client = Client.objects.filter(pk=client_id).first() if client_id is not None else None
    if client is None:
        raise serializers.ValidationError({"client": [_("Finnes ikke (id %s).") % value[:30]]})
    return client


def _invoice_filter(params: Any, *, kind: str, statuses: list[str]) -> InvoiceFilter:
    overdue = ""
    if kind == Invoice.Kind.INVOICE:
        overdue = query_choice(params, "overdue", ["true", "false"], default="")
    return InvoiceFilter(
        kind=kind,
        status=query_choice(params, "status", statuses, default="") or None,
        client=_client_param(params),
        date_from=_date_param(params, "date_from"),
        date_to=_date_param(params, "date_to"),
        overdue={"true": True, "false": False}.get(overdue),
        search=query_text(params, "search"),
    )


def document_selection(
    request: Request, *, company: Any, kind: str, statuses: list[str]
) -> InvoiceListParts:
    """The list's rows as the web list reads them (``invoice_list_parts``), for
    ``DocumentPagination`` (which reads the columns ``InvoiceListSerializer`` shows)."""
    params = request.query_params
    return invoice_list_parts(
        company=company,
        filters=_invoice_filter(params, kind=kind, statuses=statuses),
        ordering=query_choice(params, "ordering", INVOICE_ORDERINGS, default=DEFAULT_ORDERING),
    )


def _detail_queryset(kind: str) -> QuerySet[Invoice]:
    return (
        Invoice.objects.filter(kind=kind)
        .select_related("client", "credited_invoice")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=InvoiceLine.objects.select_related("vat_code").order_by("position"),
            ),
            "vat_lines",
            Prefetch("credit_notes", queryset=Invoice.objects.order_by("number", "id")),
        )
    )


def _list_parameters(statuses: list[str], *, overdue: bool) -> list[OpenApiParameter]:
    parameters = [
        OpenApiParameter("status", OpenApiTypes.STR, enum=statuses),
        OpenApiParameter("client", OpenApiTypes.INT, description="A client's id."),
        OpenApiParameter("date_from", OpenApiTypes.DATE, description="Invoice date on or after."),
        OpenApiParameter("date_to", OpenApiTypes.DATE, description="Invoice date on or before."),
        OpenApiParameter(
            "search",
            OpenApiTypes.STR,
            description="A number or KID (exact), or part of the client's name, a reference "
            "or the order number. A text search whose every word is shorter than "
            f"{SEARCH_MIN_WORD} characters reads the client's name only.",
        ),
        OpenApiParameter(
            "ordering",
            OpenApiTypes.STR,
            enum=list(INVOICE_ORDERINGS),
            description=f"Default: {DEFAULT_ORDERING}.",
        ),
    ]
    if overdue:
        parameters.insert(
            4,
            OpenApiParameter(
                "overdue",
                OpenApiTypes.STR,
                enum=["true", "false"],
                description="true: due date passed with a balance open; false: the others.",
            ),
        )
    return parameters
