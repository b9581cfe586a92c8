"""REST API for the catalogue: /api/v1/products/ and /api/v1/vat-codes/.

Thin: the serializers check types and lengths, ``catalog.services`` validates the rest
and makes every change. DELETE on a product deactivates it (products are never
deleted: invoice lines refer to them); ``POST /products/{id}/activate/`` undoes it.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers

from api.base import ApiReadOnlyViewSet
from catalog.models import VatCode, VatRate
from catalog.selectors import vat_codes_for


class VatCodeSerializer(serializers.ModelSerializer):
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
        return code.name_en if (get_language() or "").startswith("en") else code.name_nb

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
