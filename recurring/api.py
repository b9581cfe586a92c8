"""REST API of recurring invoices: /api/v1/recurring-invoices/ (receivables layer).

Thin: serializers check types and lengths, ``recurring.services`` validates the rest.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiGenericViewSet
from api.idempotency import idempotent
from customers.models import Client
from invoicing.api.common import DATE_VALIDATORS, CompanyObjectField, check_amounts_fit
from invoicing.api.lines import LineInputSerializer
from recurring.models import (
    MAX_INTERVAL_MONTHS,
    RecurringInvoice,
    RecurringInvoiceLine,
    RecurringRun,
)
from recurring.services import (
    MAX_LINES,
    TemplateData,
    recurring_create,
    recurring_data_of,
    recurring_lines_of,
    recurring_set_active,
    recurring_update,
)


class RunSerializer(serializers.ModelSerializer[RecurringRun]):
    class Meta:
        model = RecurringRun
        fields = [
            "sequence",
            "period_start",
            "period_end",
            "status",
            "invoice",
            "error",
            "send_error",
            "attempts",
            "last_attempt_at",
        ]
        read_only_fields = fields


class RecurringInvoiceSerializer(serializers.ModelSerializer[RecurringInvoice]):
    client = CompanyObjectField(Client, help_text="Id of one of your clients.")
    interval_months = serializers.IntegerField(
        min_value=1,
        max_value=MAX_INTERVAL_MONTHS,
        default=1,
        help_text="1 monthly, 3 quarterly, 12 yearly, or any N months.",
    )
    start_date = serializers.DateField(validators=DATE_VALIDATORS)
    end_date = serializers.DateField(
        validators=DATE_VALIDATORS, required=False, allow_null=True, default=None
    )
    max_count = serializers.IntegerField(
        min_value=1, max_value=10000, required=False, allow_null=True, default=None
    )
    # many=True makes a ListSerializer, which takes these; the stubs' overloads do not.
    lines = LineInputSerializer(
        many=True,
        min_length=1,  # type: ignore[call-arg]
        max_length=MAX_LINES,
    )
    runs = RunSerializer(many=True, read_only=True)

    class Meta:
        model = RecurringInvoice
        fields = [
            "id",
            "name",
            "client",
            "interval_months",
            "start_date",
            "end_date",
            "max_count",
            "mode",
            "send_automatically",
            "our_reference",
            "free_text",
            "is_active",
            "next_period_start",
            "lines",
            "runs",
            "created_at",
        ]
        read_only_fields = ["id", "is_active", "next_period_start", "created_at"]

    def template_data(self, base: TemplateData | None = None) -> TemplateData:
        """The validated fields; on a partial update, over the template's current ones."""
        data = self.validated_data
        if base is not None:
            names = {f.name for f in dataclasses.fields(TemplateData)}
            return dataclasses.replace(base, **{k: v for k, v in data.items() if k in names})
        return TemplateData(
            name=data["name"],
            client=data["client"],
            start_date=data["start_date"],
            interval_months=data["interval_months"],
            end_date=data.get("end_date"),
            max_count=data.get("max_count"),
            mode=data.get("mode", RecurringInvoice.Mode.ISSUE),
            send_automatically=data.get("send_automatically", False),
            our_reference=data.get("our_reference", ""),
            free_text=data.get("free_text", ""),
        )


@extend_schema_view(
    list=extend_schema(summary="List recurring invoice templates"),
    retrieve=extend_schema(summary="Get a template with its lines and the periods made"),
    create=extend_schema(summary="Create a recurring invoice template"),
    update=extend_schema(
        summary="Change a template (lines replace all lines; periods made keep their invoices)"
    ),
    partial_update=extend_schema(
        summary="Change some fields of a template (lines, if given, replace all lines)"
    ),
    pause=extend_schema(summary="Pause a template: no invoices until it is resumed", request=None),
    resume=extend_schema(
        summary="Resume a template: it catches up on the periods that started meanwhile",
        request=None,
    ),
)
class RecurringInvoiceViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    ApiGenericViewSet,
):
    """Recurring invoices: a template makes one invoice per period (every N months from
    its start date, anchored: 31 Jan, 28 Feb, 31 Mar). The daily job issues (or drafts)
    and optionally sends it by the client's channel; ``runs`` lists each period made, with
    its invoice or the error that stopped it.

    ``PUT``/``PATCH`` change a template: once a period has been made, ``start_date`` and
    ``interval_months`` are fixed (400 on ``start_date``); everything else may change.
    ``POST .../pause/`` and ``.../resume/`` stop and restart it (``is_active``); a resumed
    template makes each period it missed once."""

    serializer_class = RecurringInvoiceSerializer

    def get_queryset(self) -> QuerySet[RecurringInvoice]:
        return RecurringInvoice.objects.prefetch_related(
            Prefetch("lines", queryset=RecurringInvoiceLine.objects.select_related("vat_code")),
            Prefetch("runs", queryset=RecurringRun.objects.order_by("-period_start")),
        ).order_by("name", "pk")

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    # DRF passes this view's serializer_class; its stubs type the argument as any serializer.
    def perform_create(  # type: ignore[override]
        self, serializer: RecurringInvoiceSerializer
    ) -> None:
        lines = [
            LineInputSerializer.line_data(values) for values in serializer.validated_data["lines"]
        ]
        check_amounts_fit(lines, None)
        template = recurring_create(
            company=self.caller.company,
            actor=self.caller.actor,
            data=serializer.template_data(),
            lines=lines,
        )
        serializer.instance = self.get_queryset().get(pk=template.pk)

    def perform_update(  # type: ignore[override]
        self, serializer: RecurringInvoiceSerializer
    ) -> None:
        template = serializer.instance
        if template is None:  # DRF updates the object it found
            raise TypeError("perform_update needs the serializer's instance")
        base = recurring_data_of(template) if serializer.partial else None
        if "lines" in serializer.validated_data:
            lines = [
                LineInputSerializer.line_data(values)
                for values in serializer.validated_data["lines"]
            ]
        else:
            lines = recurring_lines_of(template)
        check_amounts_fit(lines, None)
        recurring_update(
            template=template,
            actor=self.caller.actor,
            data=serializer.template_data(base),
            lines=lines,
        )
        serializer.instance = self.get_queryset().get(pk=template.pk)

    def _set_active(self, active: bool) -> Response:
        template = recurring_set_active(
            template=self.get_object(), actor=self.caller.actor, active=active
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=template.pk)).data)

    @idempotent
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str | None = None) -> Response:
        return self._set_active(False)

    @idempotent
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str | None = None) -> Response:
        return self._set_active(True)
