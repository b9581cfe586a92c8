"""Payments in the API: a registered payment and the reversal request."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from invoicing.api.common import DATE_VALIDATORS
from invoicing.models import Payment
from invoicing.selectors import PAYMENT_DUPLICATE_WINDOW, PAYMENT_OVERPAYMENT_MARGIN
from invoicing.services import MAX_AMOUNT


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    amount = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        help_text="Received, in the invoice's currency; more than is open goes to the "
        f"client's credit balance. At most {MAX_AMOUNT} (the largest amount stored "
        "exactly); more is refused with 400 and `errors.amount`.",
    )
    method = serializers.ChoiceField(
        choices=Payment.Method.choices, required=False, default=Payment.Method.BANK
    )
    reference = serializers.CharField(max_length=100, required=False, allow_blank=True)
    confirm_overpayment = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Set to true to register an amount that exceeds the open balance by more "
        f"than {PAYMENT_OVERPAYMENT_MARGIN}; without it such a payment is refused with 400 "
        "and `errors.confirm_overpayment`.",
    )
    confirm_duplicate = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text="Set to true to register a payment with the same amount, date and "
        "reference as one registered on this invoice in the last "
        f"{PAYMENT_DUPLICATE_WINDOW.seconds // 60} minutes (not reversed); without it such a "
        "payment is refused with 400 and `errors.confirm_duplicate`.",
    )
    reversed_by = serializers.SerializerMethodField(
        help_text="Id of the reversal entry, if this payment was reversed."
    )

    class Meta:
        model = Payment
        fields = [
            "id",
            "invoice",
            "date",
            "amount",
            "applied_amount",
            "to_credit_amount",
            "method",
            "reference",
            "confirm_overpayment",
            "confirm_duplicate",
            "reverses",
            "reversed_by",
            "note",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "invoice",
            "applied_amount",
            "to_credit_amount",
            "reverses",
            "note",
            "created_at",
        ]
        extra_kwargs = {"date": {"validators": DATE_VALIDATORS}}

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_reversed_by(self, payment: Payment) -> int | None:
        return getattr(payment, "reversal_id", None)


class PaymentReverseSerializer(serializers.Serializer[None]):  # input only: no instance
    date = serializers.DateField(
        required=False, validators=DATE_VALIDATORS, help_text="Default: today."
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
