"""REST API of quotes: /api/v1/quotes/ and /api/v1/quotes/{id}/convert/ (receivables layer).

Thin: serializers check types and lengths, ``quotes.services`` validates the rest. A
conversion of a declined or already invoiced quote is a 409.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiGenericViewSet, query_choice
from api.idempotency import idempotent
from api.schema import ErrorSerializer
from customers.models import Client
from invoicing.api.common import (
    DATE_VALIDATORS,
    CompanyObjectField,
    StateConflict,
    check_amounts_fit,
)
from invoicing.api.invoices import InvoiceSerializer
from invoicing.api.lines import LineInputSerializer
from invoicing.selectors import invoice_detail
from quotes.models import Quote, QuoteLine
from quotes.services import QuoteData, quote_convert, quote_create

MAX_LINES = 100


class QuoteLineSerializer(LineInputSerializer):
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)
    net_amount = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)


class QuoteSerializer(serializers.ModelSerializer):
    client = CompanyObjectField(Client, help_text="Id of one of your clients.")
    quote_date = serializers.DateField(
        validators=DATE_VALIDATORS, required=False, help_text="Default: today."
    )
    valid_until = serializers.DateField(
        validators=DATE_VALIDATORS, required=False, help_text="Default: quote date + 30 days."
    )
    their_reference = serializers.CharField(
        max_length=100, required=False, allow_blank=True, help_text="Default: the client's."
    )
    # many=True makes a ListSerializer, which takes these; the stubs' overloads do not.
    lines = QuoteLineSerializer(
        many=True,
        min_length=1,  # type: ignore[call-arg]
        max_length=MAX_LINES,
    )

    class Meta:
        model = Quote
        fields = [
            "id",
            "number",
            "status",
            "client",
            "quote_date",
            "valid_until",
            "our_reference",
            "their_reference",
            "free_text",
            "currency",
            "total_excl_vat",
            "total_vat",
            "total_incl_vat",
            "sent_at",
            "decided_at",
            "decided_by",
            "invoice",
            "lines",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "number",
            "status",
            "total_excl_vat",
            "total_vat",
            "total_incl_vat",
            "sent_at",
            "decided_at",
            "decided_by",
            "invoice",
            "created_at",
        ]

    def quote_data(self) -> QuoteData:
        data = self.validated_data
        return QuoteData(
            client=data["client"],
            quote_date=data.get("quote_date"),
            valid_until=data.get("valid_until"),
            our_reference=data.get("our_reference", ""),
            their_reference=data.get("their_reference"),
            free_text=data.get("free_text", ""),
            currency=data.get("currency", "NOK"),
        )


class ConvertSerializer(serializers.Serializer):
    exchange_rate = serializers.DecimalField(
        max_digits=15,
        decimal_places=6,
        min_value=Decimal("0.000001"),
        required=False,
        allow_null=True,
        help_text="NOK per one unit of the quote's currency; required for a quote not in NOK.",
    )


@extend_schema_view(
    list=extend_schema(
        summary="List quotes",
        parameters=[
            OpenApiParameter(
                "status", str, enum=list(Quote.Status.values), description="Only this status."
            )
        ],
    ),
    retrieve=extend_schema(summary="Get a quote with its lines and totals"),
    create=extend_schema(summary="Create a quote (numbered at once from the quote series)"),
)
class QuoteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    ApiGenericViewSet,
):
    """Quotes (tilbud): numbered offers in their own gapless series, with the invoice line
    and VAT rules (rate on the quote date), a valid-until date, and accept/decline by the
    user or by the client through the signed link in the quote e-mail.
    ``POST /quotes/{id}/convert/`` makes a draft invoice from it."""

    serializer_class = QuoteSerializer

    def get_queryset(self) -> QuerySet[Quote]:
        quotes = Quote.objects.prefetch_related(
            Prefetch(
                "lines",
                queryset=QuoteLine.objects.select_related("vat_code").order_by("position"),
            )
        ).order_by("-number")
        if self.action == "list":
            chosen = query_choice(
                self.request.query_params, "status", Quote.Status.values, default=""
            )
            if chosen:
                quotes = quotes.filter(status=chosen)
        return quotes

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    # DRF passes this view's serializer_class; its stubs type the argument as any serializer.
    def perform_create(self, serializer: QuoteSerializer) -> None:  # type: ignore[override]
        values = serializer.validated_data["lines"]
        lines = [LineInputSerializer.line_data(line) for line in values]
        check_amounts_fit(lines, None)
        quote = quote_create(
            company=self.caller.company,
            actor=self.caller.actor,
            data=serializer.quote_data(),
            lines=lines,
        )
        serializer.instance = self.get_queryset().get(pk=quote.pk)

    @extend_schema(
        summary="Convert the quote to a draft invoice (one click)",
        request=ConvertSerializer,
        responses={201: InvoiceSerializer, 409: ErrorSerializer},
    )
    @idempotent
    @action(detail=True, methods=["post"])
    def convert(self, request: Request, pk: str | None = None) -> Response:
        try:
            body = ConvertSerializer(data=request.data)
            body.is_valid(raise_exception=True)
            invoice = quote_convert(
                quote=self.get_object(),
                actor=self.caller.actor,
                exchange_rate=body.validated_data.get("exchange_rate"),
            )
        except DjangoValidationError as exc:
            if getattr(exc, "code", None) == "closed":
                raise StateConflict(" ".join(exc.messages)) from exc
            raise
        return Response(
            InvoiceSerializer(invoice_detail(pk=invoice.pk)).data, status=status.HTTP_201_CREATED
        )
