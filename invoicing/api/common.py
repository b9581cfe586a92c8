"""What the invoicing API modules share: limits, the 409 for a wrong state, object fields."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any, TypeVar, overload

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema_field
from rest_framework import exceptions, serializers, status

from api.schema import ErrorSerializer
from catalog.models import VatCode
from core.parsing import is_digits, parse_id
from invoicing.forms import MAX_LINE_AMOUNT, MAX_TOTAL_AMOUNT
from invoicing.services import LineData

MONEY_SCHEMA = {"type": "string", "format": "decimal", "example": "1250.00"}
TOTAL_SCHEMA = {**MONEY_SCHEMA, "nullable": True}
# Dates the API accepts: wide enough for any real invoice, narrow enough that date
# arithmetic (due date = invoice date + terms) never leaves the calendar.
DATE_VALIDATORS = [
    MinValueValidator(datetime.date(2000, 1, 1)),
    MaxValueValidator(datetime.date(2999, 12, 31)),
]
# The columns are DECIMAL(18, 2): a draft whose figures could not be written at all is
# refused here. This is the column's capacity, not the amount rule: what is stored exactly
# (services.MAX_AMOUNT) is checked by the services, at issue and for payments.
COLUMN_MAX_AMOUNT = Decimal("9999999999999999.99")
MAX_VAT_RATE = Decimal("0.25")
MAX_LINES = 1000

# Service error codes that mean "not in this state", answered with 409 Conflict.
CONFLICT_CODES = frozenset(
    {
        "not_draft",
        "already_issued",
        "draft",
        "credit_of_credit",
        "nothing_to_credit",
        "not_payable",
        "reversal",
        "already_reversed",
    }
)


class StateConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = gettext_lazy("Forespørselen passer ikke med dokumentets tilstand.")


@contextmanager
def _state_conflicts_as_409() -> Iterator[None]:
    """A service's "wrong state" refusal becomes 409 with its message; others stay 400."""
    try:
        yield
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict") and getattr(exc, "code", None) in CONFLICT_CODES:
            raise StateConflict(" ".join(exc.messages)) from exc
        raise


@overload
def _money(value: Decimal) -> str: ...
@overload
def _money(value: Decimal | None) -> str | None: ...
def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


_M = TypeVar("_M", bound=Model)


@extend_schema_field(OpenApiTypes.INT)
class CompanyObjectField(serializers.RelatedField[_M, Any, Any]):
    """The id of one of the caller's own objects (another company's id: "does not exist").

    The queryset is built per request, inside the caller's tenant scope.
    """

    default_error_messages = {
        "does_not_exist": gettext_lazy("Finnes ikke (id {pk_value})."),
        "incorrect_type": gettext_lazy("Forventet en id (heltall), fikk {data_type}."),
    }

    def __init__(self, model: type[_M], **kwargs: Any) -> None:
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[_M]:
        # The tenant-scoped manager: a tenant model's only one, so its default.
        return self.model._default_manager.all()

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and not is_digits(data):
            self.fail("incorrect_type", data_type=type(data).__name__)
        pk = parse_id(data)
        obj = self.get_queryset().filter(pk=pk).first() if pk is not None else None
        if obj is None:
            self.fail("does_not_exist", pk_value=data)
        return obj

    def to_representation(self, value: Any) -> Any:
        return value.pk

    def use_pk_only_optimization(self) -> bool:
        return True


class DocumentKindField(serializers.CharField):
    """``invoice`` or ``credit_note``. A plain string in the schema: an enum would collide
    with the clients' ``kind`` enum."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, help_text="invoice or credit_note", **kwargs)


def _vat_code_field(**kwargs: Any) -> serializers.SlugRelatedField[VatCode]:
    return serializers.SlugRelatedField(
        slug_field="code",
        queryset=VatCode.objects.all(),
        help_text='SAF-T VAT code ("3", "31", "33", "5", "51", ...), see /api/v1/vat-codes/.',
        **kwargs,
    )


def check_amounts_fit(lines: list[LineData], exchange_rate: Decimal | None) -> None:
    """Refuse amounts the invoice could not store, with the web editor's limits
    (``invoicing.forms``: a line below 10^13, the lines together below 10^14) and the VAT
    in NOK within DECIMAL(18, 2) at the exchange rate."""
    errors = []
    total = Decimal(0)
    for position, line in enumerate(lines, start=1):
        price = line.unit_price
        if price is None and line.product is not None:
            price = line.product.unit_price
        amount = abs(line.quantity * (price or 0))
        total += amount
        if amount >= MAX_LINE_AMOUNT:
            errors.append(_("Linje %(n)s: beløpet på linjen er for stort.") % {"n": position})
    rate = max(Decimal(1), exchange_rate or Decimal(1))
    if not errors and (
        total >= MAX_TOTAL_AMOUNT or total * MAX_VAT_RATE * rate > COLUMN_MAX_AMOUNT
    ):
        errors.append(_("Beløpene er for store til at fakturaen kan lagres."))
    if errors:
        raise serializers.ValidationError({"lines": errors})


CONFLICT_RESPONSES = {
    409: OpenApiResponse(ErrorSerializer, description="Not possible in the document's state."),
}
