"""Credit requests in the API: which lines of an invoice to credit, by quantity or amount."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from rest_framework import serializers

from invoicing.api.common import DATE_VALIDATORS


class CreditLineSerializer(serializers.Serializer[None]):  # input only: no instance
    line = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text="Id of a line of the invoice."
    )
    quantity = serializers.DecimalField(
        max_digits=14,
        decimal_places=4,
        required=False,
        help_text="Quantity to credit, with the sign of the line, at the line's price and "
        "discount. Leave out both quantity and amount to credit all that remains of the line.",
    )
    amount = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        required=False,
        help_text="Or: a net amount excl. VAT to credit (a price reduction), with the sign of "
        "the line's net amount; the credit-note line is 1 LS × amount at the line's VAT rate.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if "quantity" in attrs and "amount" in attrs:
            raise serializers.ValidationError(
                {"amount": [_("Oppgi enten antall eller beløp, ikke begge.")]}
            )
        return attrs


class CreditRequestSerializer(serializers.Serializer[None]):  # input only: no instance
    lines = CreditLineSerializer(
        many=True,
        required=False,
        allow_empty=False,
        help_text="Leave out to credit everything not yet credited (a full credit note).",
    )
    credit_date = serializers.DateField(
        required=False, validators=DATE_VALIDATORS, help_text="Credit-note date; default today."
    )
    free_text = serializers.CharField(max_length=2000, required=False, allow_blank=True)
