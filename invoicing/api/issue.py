"""``POST /api/v1/invoices/issue/``: several drafts issued in one call."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.parsing import is_digits, parse_id


@extend_schema_field(OpenApiTypes.INT)
class InvoiceIdField(serializers.Field[int, Any, int, Any]):
    """An id: a JSON integer (or a string of ASCII digits) from 1 to 2**63-1."""

    default_error_messages = {
        "invalid": gettext_lazy("Forventet en id (heltall), fikk «{value}»."),
    }

    def to_internal_value(self, data: Any) -> int:
        pk = None
        if isinstance(data, int) and not isinstance(data, bool):
            pk = parse_id(str(data))
        elif isinstance(data, str) and is_digits(data):
            pk = parse_id(data)
        if pk is None:
            self.fail("invalid", value=str(data)[:30])
        assert pk is not None
        return pk

    def to_representation(self, value: int) -> int:
        return value


class IssueManyRequestSerializer(serializers.Serializer[Any]):
    ids = serializers.ListField(
        child=InvoiceIdField(),
        allow_empty=False,
        help_text="Ids of draft invoices, at most ISSUE_SELECTED_MAX (500) per call. They "
        "are numbered in invoice-date order (then id), not in the order given.",
    )


class IssuedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    number = serializers.IntegerField()


class RefusedSerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    code = serializers.CharField(
        allow_null=True,
        help_text="The refusal's code where it has exactly one (already_issued, not_found); "
        "null when its messages carry none or several (see errors).",
    )
    messages = serializers.ListField(
        child=serializers.CharField(), help_text="Why it was not issued: what to fix."
    )
    # A declared field, not the .errors property: DRF's metaclass takes it off the class.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text="The same messages by field (client, lines, invoice_date, ...; "
        "non_field_errors), as the single issue would answer them.",
    )


class IssueManyResponseSerializer(serializers.Serializer[Any]):
    issued = IssuedSerializer(many=True, help_text="In number order.")
    refused = RefusedSerializer(many=True, help_text="Still drafts; no number was used for them.")


def refusal_data(pk: int, exc: DjangoValidationError) -> dict[str, Any]:
    """One refused draft as the API shows it."""
    if hasattr(exc, "error_dict"):
        errors = {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
        codes = {error.code for items in exc.error_dict.values() for error in items}
    else:
        errors = {"non_field_errors": exc.messages}
        codes = {error.code for error in exc.error_list}
    return {
        "id": pk,
        "code": codes.pop() if len(codes) == 1 else None,
        "messages": exc.messages,
        "errors": errors,
    }
