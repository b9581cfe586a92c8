"""Invoice lines in the API: the stored line and the line a draft is written with."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from catalog.models import Product
from catalog.units import Unit
from invoicing.api.common import DATE_VALIDATORS, CompanyObjectField, _vat_code_field
from invoicing.models import InvoiceLine
from invoicing.services import LineData


# The line fields a client sends, with their limits, for every kind of line (the service
# checks the rest: ``invoicing.services.lines_validate``).
def _product_field() -> CompanyObjectField[Product]:
    return CompanyObjectField(
        Product, required=False, allow_null=True, help_text="Id of one of your products."
    )


def _quantity_field(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=14, decimal_places=4, help_text=help_text)


def _unit_price_field(help_text: str) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=18, decimal_places=2, min_value=Decimal(0), required=False, help_text=help_text
    )


def _discount_field() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
        default=Decimal(0),
    )


class _LineValues:
    """What every line serializer does with the values: a line without a product needs a
    price and a VAT code, and the values become ``LineData``."""

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("product") is None:
            errors = {
                field: [_("Påkrevd når linjen ikke har et produkt.")]
                for field in ("unit_price", "vat_code")
                if attrs.get(field) is None
            }
            if errors:
                raise serializers.ValidationError(errors)
        return attrs

    @staticmethod
    def line_data(values: dict[str, Any]) -> LineData:
        return LineData(
            quantity=values["quantity"],
            product=values.get("product"),
            description=values.get("description", ""),
            unit=values.get("unit"),
            unit_price=values.get("unit_price"),
            discount_percent=values.get("discount_percent", Decimal(0)),
            vat_code=values.get("vat_code"),
            period_start=values.get("period_start"),
            period_end=values.get("period_end"),
        )


class InvoiceLineSerializer(_LineValues, serializers.ModelSerializer[InvoiceLine]):
    """One line. With ``product``, fields left out take the product's values."""

    product = _product_field()
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    quantity = _quantity_field("Up to 4 decimals, not 0; negative for a deduction line.")
    unit = serializers.ChoiceField(choices=Unit.choices, required=False, help_text="UN/ECE code.")
    unit_price = _unit_price_field(
        "Excl. VAT, in the invoice's currency; required without a product."
    )
    discount_percent = _discount_field()
    vat_code = _vat_code_field(required=False)
    vat_rate = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        read_only=True,
        allow_null=True,
        help_text="Fixed at issue (null on a draft).",
    )

    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "position",
            "product",
            "item_number",
            "description",
            "quantity",
            "unit",
            "unit_price",
            "discount_percent",
            "vat_code",
            "vat_rate",
            "net_amount",
            "period_start",
            "period_end",
            "credited_line",
            "credited_by_amount",
        ]
        read_only_fields = [
            "id",
            "position",
            "item_number",
            "net_amount",
            "credited_line",
            "credited_by_amount",
        ]
        extra_kwargs = {
            "period_start": {"validators": DATE_VALIDATORS},
            "period_end": {"validators": DATE_VALIDATORS},
        }


class LineInputSerializer(_LineValues, serializers.Serializer[None]):  # input only
    """A line of a document built from lines (recurring template, quote): the invoice line
    fields a client sends. With ``product``, fields left out take the product's values."""

    position = serializers.IntegerField(read_only=True)
    product = _product_field()
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    quantity = _quantity_field("Up to 4 decimals, not 0.")
    unit = serializers.ChoiceField(choices=Unit.choices, required=False, help_text="UN/ECE code.")
    unit_price = _unit_price_field("Excl. VAT; required without a product.")
    discount_percent = _discount_field()
    vat_code = _vat_code_field(required=False)


class VatBreakdownSerializer(serializers.Serializer[Any]):  # many=True only: InvoiceVatLine rows
    vat_category = serializers.CharField(help_text="UBL category: S, Z, E, AE, G, O.")
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    vat_codes = serializers.ListField(child=serializers.CharField())
    basis = serializers.DecimalField(max_digits=18, decimal_places=2)
    vat = serializers.DecimalField(max_digits=18, decimal_places=2)
    vat_nok = serializers.DecimalField(max_digits=18, decimal_places=2)
    exemption_reason_code = serializers.CharField()
    exemption_reason = serializers.CharField()
    invoice_text = serializers.CharField()
