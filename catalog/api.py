"""REST API for the catalogue: /api/v1/products/ and /api/v1/vat-codes/.

Thin: the serializers check types and lengths, ``catalog.services`` validates the rest
and makes every change. DELETE on a product deactivates it (products are never
deleted: invoice lines refer to them); ``POST /products/{id}/activate/`` undoes it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiModelViewSet, ApiReadOnlyViewSet, query_choice, query_text
from api.idempotency import idempotent
from catalog.models import Product, VatCode, VatRate
from catalog.selectors import STATUSES, product_list, suggest_product_number, vat_codes_for
from catalog.services import (
    PRODUCT_FIELDS,
    ProductData,
    product_activate,
    product_create,
    product_deactivate,
    product_update,
)


class ProductSerializer(serializers.ModelSerializer[Product]):
    number = serializers.CharField(
        max_length=30,
        required=False,
        allow_blank=True,
        help_text="Unique in the company; left out or empty: the next free number.",
    )
    vat_code = serializers.SlugRelatedField(
        slug_field="code",
        queryset=VatCode.objects.all(),
        help_text="VAT code, see /api/v1/vat-codes/.",
    )
    unit_price = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=0,
        help_text="Unit price excl. VAT in NOK, as a string or a number.",
    )

    class Meta:
        model = Product
        fields = [
            "id",
            "number",
            "name",
            "description",
            "unit",
            "unit_price",
            "vat_code",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "is_active", "created_at", "updated_at"]

    def product_values(self) -> dict[str, Any]:
        return {key: value for key, value in self.validated_data.items() if key in PRODUCT_FIELDS}


@extend_schema_view(
    list=extend_schema(
        summary="List products",
        parameters=[
            OpenApiParameter(
                "search", OpenApiTypes.STR, description="Number, name or description."
            ),
            OpenApiParameter(
                "status", OpenApiTypes.STR, enum=list(STATUSES), description="Default: active."
            ),
        ],
    ),
    retrieve=extend_schema(summary="Get a product"),
    create=extend_schema(summary="Create a product"),
    update=extend_schema(summary="Replace a product"),
    partial_update=extend_schema(summary="Change some fields of a product"),
    destroy=extend_schema(summary="Deactivate a product (products are never deleted)"),
)
class ProductViewSet(ApiModelViewSet):
    """The company's products and services, with price excl. VAT and VAT code.

    DELETE deactivates: products are never deleted, since invoice lines refer to them.
    """

    serializer_class = ProductSerializer

    def get_queryset(self) -> QuerySet[Product]:
        if self.action != "list":
            return Product.objects.select_related("vat_code")
        params = self.request.query_params
        return product_list(
            search=query_text(params, "search"),
            status=query_choice(params, "status", STATUSES, default="active"),
        )

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    # DRF passes this view's serializer_class; its stubs type the argument as any serializer.
    def perform_create(self, serializer: ProductSerializer) -> None:  # type: ignore[override]
        values = serializer.product_values()
        if not values.get("number", "").strip():
            values["number"] = suggest_product_number(company=self.caller.company)
        serializer.instance = product_create(
            company=self.caller.company, actor=self.caller.actor, data=ProductData(**values)
        )

    def perform_update(self, serializer: ProductSerializer) -> None:  # type: ignore[override]
        product = serializer.instance
        if product is None:  # DRF updates the object it found
            raise TypeError("perform_update needs the serializer's instance")
        current = ProductData.from_product(product)
        values = serializer.product_values()
        if not values.get("number", "").strip():
            values["number"] = current.number  # left out or blank: keeps the number
        if serializer.partial:
            data = dataclasses.replace(current, **values)
        else:
            data = ProductData(**values)
        serializer.instance = product_update(product=product, actor=self.caller.actor, data=data)

    def perform_destroy(self, instance: Product) -> None:
        product_deactivate(product=instance, actor=self.caller.actor)

    @extend_schema(summary="Make a deactivated product active again", request=None)
    @idempotent
    @action(detail=True, methods=["post"])
    def activate(self, request: Request, pk: str | None = None) -> Response:
        product = product_activate(product=self.get_object(), actor=self.caller.actor)
        return Response(self.get_serializer(product).data, status=status.HTTP_200_OK)


class VatCodeSerializer(serializers.ModelSerializer[VatCode]):
    name = serializers.SerializerMethodField()
    category = serializers.CharField(source="ubl_category", read_only=True)
    rate = serializers.SerializerMethodField(help_text="The rate in force today, in percent.")

    class Meta:
        model = VatCode
        fields = [
            "code",
            "name",
            "name_nb",
            "name_en",
            "category",
            "rate",
            "exemption_reason_code",
            "exemption_reason",
            "invoice_text",
            "allowed_without_vat_registration",
        ]
        read_only_fields = fields

    def get_name(self, code: VatCode) -> str:
        return code.name_in()

    @extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
    def get_rate(self, code: VatCode) -> str | None:
        today = timezone.localdate()
        rate = next((rate.rate for rate in code.rates.all() if rate.valid_from <= today), None)
        return None if rate is None else str(rate)


@extend_schema_view(
    list=extend_schema(summary="VAT codes the company may use, with today's rates"),
    retrieve=extend_schema(summary="Get a VAT code"),
)
class VatCodeViewSet(ApiReadOnlyViewSet):
    """Output VAT codes (SAF-T standard codes) with the rate in force today.

    A company outside Merverdiavgiftsregisteret sees only the codes it may use.
    """

    serializer_class = VatCodeSerializer
    lookup_field = "code"
    lookup_value_converter = "str"
    pagination_class = None

    def get_queryset(self) -> QuerySet[VatCode]:
        company = self.caller.company
        rates = VatRate.objects.order_by("-valid_from")
        return vat_codes_for(vat_registered=company.vat_registered).prefetch_related(
            Prefetch("rates", queryset=rates)
        )
