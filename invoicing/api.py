"""REST API for invoices and credit notes: /api/v1/invoices/ and /api/v1/credit-notes/.

Thin: the serializers check types and lengths, ``invoicing.services`` validates the rest
and makes every change (drafts, issue, credit notes, payments). Ids in the body
(``client``, ``product``, a credited ``line``) that the company does not have are a 400
on that field; ids in the path are a 404.

A request that conflicts with the document's state (editing, deleting or issuing an issued
invoice, crediting a draft, reversing a payment twice, the EHF of a draft) is a 409 with
the reason in ``detail``; nothing changes.

The documents (``GET .../{id}/pdf`` and ``.../{id}/ehf``) are served by ``documents.api``.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiModelViewSet, ApiReadOnlyViewSet, query_choice, query_text
from api.idempotency import idempotent
from api.schema import ErrorSerializer
from catalog.models import Product, VatCode
from catalog.selectors import vat_rate_on
from catalog.units import Unit
from core.parsing import is_digits, parse_id
from customers.models import Client
from invoicing import hooks
from invoicing.calculation import LineInput, compute_totals
from invoicing.forms import MAX_LINE_AMOUNT, MAX_TOTAL_AMOUNT
from invoicing.models import Invoice, InvoiceLine, InvoiceVatLine, Payment
from invoicing.selectors import (
    DEFAULT_ORDERING,
    INVOICE_ORDERINGS,
    PAYMENT_DUPLICATE_WINDOW,
    PAYMENT_OVERPAYMENT_MARGIN,
    invoice_list,
    vat_rate_date,
)
from invoicing.services import (
    MAX_AMOUNT,
    CreditLine,
    InvoiceHeader,
    LineData,
    invoice_create_draft,
    invoice_credit,
    invoice_delete_draft,
    invoice_duplicate,
    invoice_header_of,
    invoice_issue,
    invoice_update_draft,
    line_data_of,
    payment_register,
    payment_reverse,
)

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


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


# --- Fields -----------------------------------------------------------------------------------


@extend_schema_field(OpenApiTypes.INT)
class CompanyObjectField(serializers.RelatedField):
    """The id of one of the caller's own objects (another company's id: "does not exist").

    The queryset is built per request, inside the caller's tenant scope.
    """

    default_error_messages = {
        "does_not_exist": gettext_lazy("Finnes ikke (id {pk_value})."),
        "incorrect_type": gettext_lazy("Forventet en id (heltall), fikk {data_type}."),
    }

    def __init__(self, model: type, **kwargs: Any) -> None:
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        return self.model.objects.all()

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


def _vat_code_field(**kwargs: Any) -> serializers.SlugRelatedField:
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


# --- Serializers ------------------------------------------------------------------------------


class InvoiceLineSerializer(serializers.ModelSerializer):
    """One line. With ``product``, fields left out take the product's values."""

    product = CompanyObjectField(
        Product, required=False, allow_null=True, help_text="Id of one of your products."
    )
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    quantity = serializers.DecimalField(
        max_digits=14,
        decimal_places=4,
        help_text="Up to 4 decimals, not 0; negative for a deduction line.",
    )
    unit = serializers.ChoiceField(choices=Unit.choices, required=False, help_text="UN/ECE code.")
    unit_price = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        help_text="Excl. VAT, in the invoice's currency; required without a product.",
    )
    discount_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
        default=Decimal(0),
    )
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

    def line_data(self, values: dict[str, Any]) -> LineData:
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


class LineInputSerializer(serializers.Serializer):
    """A line of a document built from lines (recurring template, quote): the invoice line
    fields a client sends. With ``product``, fields left out take the product's values."""

    position = serializers.IntegerField(read_only=True)
    product = CompanyObjectField(
        Product, required=False, allow_null=True, help_text="Id of one of your products."
    )
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    quantity = serializers.DecimalField(
        max_digits=14, decimal_places=4, help_text="Up to 4 decimals, not 0."
    )
    unit = serializers.ChoiceField(choices=Unit.choices, required=False, help_text="UN/ECE code.")
    unit_price = serializers.DecimalField(
        max_digits=18,
        decimal_places=2,
        min_value=Decimal(0),
        required=False,
        help_text="Excl. VAT; required without a product.",
    )
    discount_percent = serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=Decimal(0),
        max_value=Decimal(100),
        required=False,
        default=Decimal(0),
    )
    vat_code = _vat_code_field(required=False)

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
        )


class VatBreakdownSerializer(serializers.Serializer):
    vat_category = serializers.CharField(help_text="UBL category: S, Z, E, AE, G, O.")
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2)
    vat_codes = serializers.ListField(child=serializers.CharField())
    basis = serializers.DecimalField(max_digits=18, decimal_places=2)
    vat = serializers.DecimalField(max_digits=18, decimal_places=2)
    vat_nok = serializers.DecimalField(max_digits=18, decimal_places=2)
    exemption_reason_code = serializers.CharField()
    exemption_reason = serializers.CharField()
    invoice_text = serializers.CharField()


@dataclasses.dataclass(frozen=True)
class _Figures:
    total_excl_vat: Decimal | None
    total_vat: Decimal | None
    total_incl_vat: Decimal | None
    total_vat_nok: Decimal | None
    breakdown: list[Any]


_UNKNOWN_FIGURES = _Figures(None, None, None, None, [])


class _FiguresMixin:
    """Totals and VAT breakdown: stored for issued documents, computed now for drafts."""

    context: dict[str, Any]

    def _rate(self, line: InvoiceLine, invoice: Invoice) -> Decimal:
        on = vat_rate_date(invoice=invoice, line=line)
        rates = self.context.setdefault("_vat_rates", {})
        key = (line.vat_code_id, on)
        if key not in rates:
            rates[key] = vat_rate_on(vat_code=line.vat_code, on=on)
        return rates[key]

    def figures(self, invoice: Invoice) -> _Figures:
        cache = self.context.setdefault("_figures", {})
        if invoice.pk not in cache:
            if not invoice.is_draft:
                cache[invoice.pk] = _Figures(
                    invoice.total_excl_vat,
                    invoice.total_vat,
                    invoice.total_incl_vat,
                    invoice.total_vat_nok,
                    [],  # stored: ``invoice.vat_lines``
                )
            else:
                try:
                    cache[invoice.pk] = self._draft_figures(invoice)
                except DjangoValidationError:  # no VAT rate on the delivery date
                    cache[invoice.pk] = _UNKNOWN_FIGURES
        return cache[invoice.pk]

    def _draft_figures(self, invoice: Invoice) -> _Figures:
        lines = list(invoice.lines.all())
        rates = [self._rate(line, invoice) for line in lines]
        totals = compute_totals(
            [
                LineInput(
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    discount_percent=line.discount_percent,
                    vat_category=line.vat_code.ubl_category,
                    vat_rate=rate,
                )
                for line, rate in zip(lines, rates, strict=True)
            ],
            exchange_rate=invoice.exchange_rate,
        )
        codes: dict[tuple[str, Decimal], list[VatCode]] = {}
        for line, rate in zip(lines, rates, strict=True):
            group = codes.setdefault((line.vat_code.ubl_category, Decimal(rate)), [])
            if line.vat_code not in group:
                group.append(line.vat_code)
        breakdown = []
        for group in totals.vat_groups:
            group_codes = codes.get((group.category, group.rate), [])
            first = group_codes[0] if group_codes else None
            breakdown.append(
                InvoiceVatLine(
                    vat_category=group.category,
                    vat_rate=group.rate,
                    basis=group.basis,
                    vat=group.vat,
                    vat_nok=group.vat_nok,
                    vat_codes=[code.code for code in group_codes],
                    exemption_reason_code=first.exemption_reason_code if first else "",
                    exemption_reason=first.exemption_reason if first else "",
                    invoice_text=next((c.invoice_text for c in group_codes if c.invoice_text), ""),
                )
            )
        return _Figures(
            totals.total_excl_vat,
            totals.total_vat,
            totals.total_incl_vat,
            totals.total_vat_nok,
            breakdown,
        )

    @extend_schema_field(TOTAL_SCHEMA)
    def get_total_excl_vat(self, invoice: Invoice) -> str | None:
        return _money(self.figures(invoice).total_excl_vat)

    @extend_schema_field(TOTAL_SCHEMA)
    def get_total_vat(self, invoice: Invoice) -> str | None:
        return _money(self.figures(invoice).total_vat)

    @extend_schema_field(TOTAL_SCHEMA)
    def get_total_incl_vat(self, invoice: Invoice) -> str | None:
        return _money(self.figures(invoice).total_incl_vat)

    @extend_schema_field(TOTAL_SCHEMA)
    def get_total_vat_nok(self, invoice: Invoice) -> str | None:
        return _money(self.figures(invoice).total_vat_nok)

    @extend_schema_field(MONEY_SCHEMA)
    def get_open_balance(self, invoice: Invoice) -> str:
        return _money(invoice.open_balance)

    def get_overdue(self, invoice: Invoice) -> bool:
        return invoice.is_overdue(today=timezone.localdate())


_TOTAL_HELP = (
    "Decimal string. A draft's figures are computed as if it were issued now (null if a "
    "line's VAT code has no rate on the delivery date; issuing says so)."
)


class InvoiceListSerializer(_FiguresMixin, serializers.ModelSerializer):
    """An invoice or credit note as a row of a list."""

    kind = DocumentKindField()
    client = serializers.IntegerField(source="client_id", read_only=True)
    client_name = serializers.CharField(source="client.name", read_only=True)
    client_number = serializers.IntegerField(source="client.number", read_only=True)
    total_excl_vat = serializers.SerializerMethodField(help_text=_TOTAL_HELP)
    total_vat = serializers.SerializerMethodField()
    total_incl_vat = serializers.SerializerMethodField()
    open_balance = serializers.SerializerMethodField(
        help_text="What the client still owes (0 for drafts and credit notes)."
    )
    overdue = serializers.SerializerMethodField(help_text="Due date passed with a balance open.")

    class Meta:
        model = Invoice
        fields = [
            "id",
            "kind",
            "status",
            "number",
            "client",
            "client_name",
            "client_number",
            "invoice_date",
            "due_date",
            "currency",
            "total_excl_vat",
            "total_vat",
            "total_incl_vat",
            "paid_amount",
            "credited_amount",
            "open_balance",
            "overdue",
            "kid",
            "credited_invoice",
        ]
        read_only_fields = fields


class InvoiceSerializer(_FiguresMixin, serializers.ModelSerializer):
    """A whole invoice or credit note. Writable fields make the draft (create/update)."""

    kind = DocumentKindField()
    client = CompanyObjectField(Client, help_text="Id of one of your clients.")
    client_name = serializers.CharField(source="client.name", read_only=True)
    client_number = serializers.IntegerField(source="client.number", read_only=True)
    lines = InvoiceLineSerializer(many=True, allow_empty=False, max_length=MAX_LINES)
    currency = serializers.CharField(
        max_length=3, required=False, default="NOK", help_text="ISO 4217, default NOK."
    )
    exchange_rate = serializers.DecimalField(
        max_digits=18,
        decimal_places=6,
        required=False,
        allow_null=True,
        help_text="NOK per unit of the currency; required for other currencies than NOK.",
    )
    their_reference = serializers.CharField(
        max_length=100,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Left out: the client's «deres referanse».",
    )
    free_text = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    vat_breakdown = serializers.SerializerMethodField(
        help_text="VAT per category and rate (EN 16931 BG-23)."
    )
    total_excl_vat = serializers.SerializerMethodField(help_text=_TOTAL_HELP)
    total_vat = serializers.SerializerMethodField()
    total_incl_vat = serializers.SerializerMethodField()
    total_vat_nok = serializers.SerializerMethodField(help_text="The VAT in NOK.")
    open_balance = serializers.SerializerMethodField(
        help_text="What the client still owes (0 for drafts and credit notes)."
    )
    overdue = serializers.SerializerMethodField(help_text="Due date passed with a balance open.")
    credited_invoice_number = serializers.IntegerField(
        source="credited_invoice.number", read_only=True, allow_null=True
    )
    credit_notes = serializers.SerializerMethodField(
        help_text="Ids of the issued credit notes of this invoice."
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        # Read-only fields that higher apps register (receivables: reminders, fees, ...).
        return {**super().get_fields(), **hooks.invoice_api_fields()}

    class Meta:
        model = Invoice
        fields = [
            "id",
            "kind",
            "status",
            "number",
            "client",
            "client_name",
            "client_number",
            "invoice_date",
            "delivery_date",
            "delivery_period_start",
            "delivery_period_end",
            "due_date",
            "currency",
            "exchange_rate",
            "buyer_reference",
            "our_reference",
            "their_reference",
            "order_number",
            "delivery_address",
            "delivery_postcode",
            "delivery_city",
            "delivery_country",
            "free_text",
            "is_prepayment",
            "lines",
            "vat_breakdown",
            "total_excl_vat",
            "total_vat",
            "total_incl_vat",
            "total_vat_nok",
            "kid",
            "paid_amount",
            "credited_amount",
            "open_balance",
            "overdue",
            "credited_invoice",
            "credited_invoice_number",
            "credit_notes",
            "issued_at",
            "sent_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "kind",
            "status",
            "number",
            "kid",
            "paid_amount",
            "credited_amount",
            "credited_invoice",
            "issued_at",
            "sent_at",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {
            "invoice_date": {
                "required": False,
                "validators": DATE_VALIDATORS,
                "help_text": "Default: today.",
            },
            "due_date": {
                "required": False,
                "validators": DATE_VALIDATORS,
                "help_text": "Default: invoice date + the client's payment terms.",
            },
            "delivery_date": {
                "required": False,
                "validators": DATE_VALIDATORS,
                "help_text": "Default: the invoice date (unless a delivery period is given).",
            },
            "delivery_period_start": {"validators": DATE_VALIDATORS},
            "delivery_period_end": {"validators": DATE_VALIDATORS},
            "is_prepayment": {
                "help_text": "A prepayment invoice (forskuddsfaktura): the delivery may be "
                "after the invoice date. Default false."
            },
        }

    @extend_schema_field(VatBreakdownSerializer(many=True))
    def get_vat_breakdown(self, invoice: Invoice) -> Any:
        rows = invoice.vat_lines.all() if not invoice.is_draft else self.figures(invoice).breakdown
        return VatBreakdownSerializer(rows, many=True).data

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_credit_notes(self, invoice: Invoice) -> list[int]:
        if invoice.is_credit_note:
            return []
        return [note.pk for note in invoice.credit_notes.all() if not note.is_draft]

    def header(self, base: InvoiceHeader | None = None) -> InvoiceHeader:
        """The validated header; on a partial update, over the draft's current one."""
        names = {field.name for field in dataclasses.fields(InvoiceHeader)}
        values = {k: v for k, v in self.validated_data.items() if k in names}
        if base is not None:
            return dataclasses.replace(base, **values)
        return InvoiceHeader(**values)

    def line_data(self) -> list[LineData] | None:
        if "lines" not in self.validated_data:
            return None
        child = self.fields["lines"].child
        return [child.line_data(values) for values in self.validated_data["lines"]]


class CreditLineSerializer(serializers.Serializer):
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


class CreditRequestSerializer(serializers.Serializer):
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


class PaymentSerializer(serializers.ModelSerializer):
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


class PaymentReverseSerializer(serializers.Serializer):
    date = serializers.DateField(
        required=False, validators=DATE_VALIDATORS, help_text="Default: today."
    )
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


# --- Documents (PDF, EHF) ---------------------------------------------------------------------


_CONFLICT = {
    409: OpenApiResponse(ErrorSerializer, description="Not possible in the document's state."),
}


# --- Query filters ----------------------------------------------------------------------------


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


def _filtered_list(request: Request, *, company: Any, kind: str, statuses: list[str]) -> QuerySet:
    params = request.query_params
    overdue = ""
    if kind == Invoice.Kind.INVOICE:
        overdue = query_choice(params, "overdue", ["true", "false"], default="")
    return invoice_list(
        company=company,
        kind=kind,
        status=query_choice(params, "status", statuses, default="") or None,
        client=_client_param(params),
        date_from=_date_param(params, "date_from"),
        date_to=_date_param(params, "date_to"),
        overdue={"true": True, "false": False}.get(overdue),
        search=query_text(params, "search"),
        ordering=query_choice(params, "ordering", INVOICE_ORDERINGS, default=DEFAULT_ORDERING),
    ).prefetch_related(
        Prefetch(
            "lines",
            queryset=InvoiceLine.objects.filter(invoice__status=Invoice.Status.DRAFT)
            .select_related("vat_code")
            .order_by("position"),
        )
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
            "or the order number.",
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


# --- Viewsets ---------------------------------------------------------------------------------

INVOICE_STATUSES = list(Invoice.Status.values)
CREDIT_NOTE_STATUSES = [Invoice.Status.ISSUED.value, Invoice.Status.SENT.value]


@extend_schema_view(
    list=extend_schema(
        summary="List invoices",
        parameters=_list_parameters(INVOICE_STATUSES, overdue=True),
    ),
    retrieve=extend_schema(summary="Get an invoice with lines, VAT breakdown and balance"),
    create=extend_schema(summary="Create a draft invoice (no number until issued)"),
    update=extend_schema(
        summary="Replace a draft (header fields left out get their defaults, lines replaced)",
        responses={200: InvoiceSerializer, 409: _CONFLICT[409]},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a draft (lines, if given, replace all lines)",
        responses={200: InvoiceSerializer, 409: _CONFLICT[409]},
    ),
    destroy=extend_schema(
        summary="Delete a draft (issued invoices are never deleted: credit them)",
        responses={204: None, 409: _CONFLICT[409]},
    ),
)
class InvoiceViewSet(ApiModelViewSet):
    """The company's invoices: drafts, issue, credit notes, payments, PDF and EHF.

    A draft has no number; ``POST /invoices/{id}/issue/`` gives it the next number of the
    gapless series, its KID and fixes its content for good. An issued invoice is never
    changed or deleted: credit it (``/credit/``). Amounts are decimal strings.
    """

    def get_queryset(self) -> QuerySet[Invoice]:
        if self.action == "list":
            return _filtered_list(
                self.request,
                company=self.caller.company,
                kind=Invoice.Kind.INVOICE,
                statuses=INVOICE_STATUSES,
            )
        return _detail_queryset(Invoice.Kind.INVOICE)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "list":
            return InvoiceListSerializer
        return InvoiceSerializer

    def _fresh(self, invoice: Invoice) -> Invoice:
        return _detail_queryset(invoice.kind).get(pk=invoice.pk)

    def _detail_response(self, invoice: Invoice, code: int = status.HTTP_200_OK) -> Response:
        return Response(InvoiceSerializer(self._fresh(invoice)).data, status=code)

    @idempotent
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: InvoiceSerializer) -> None:
        header, lines = serializer.header(), serializer.line_data() or []
        check_amounts_fit(lines, header.exchange_rate)
        invoice = invoice_create_draft(
            company=self.caller.company, actor=self.caller.actor, header=header, lines=lines
        )
        serializer.instance = self._fresh(invoice)

    def perform_update(self, serializer: InvoiceSerializer) -> None:
        invoice = serializer.instance
        base = invoice_header_of(invoice) if serializer.partial else None
        lines = serializer.line_data()
        if lines is None:
            lines = [line_data_of(line) for line in invoice.lines.all()]
        header = serializer.header(base)
        check_amounts_fit(lines, header.exchange_rate)
        with _state_conflicts_as_409():
            updated = invoice_update_draft(
                invoice=invoice, actor=self.caller.actor, header=header, lines=lines
            )
        serializer.instance = self._fresh(updated)

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        if not self.get_object().is_draft:  # the state is the problem, not the fields
            raise StateConflict(
                _("Fakturaen er utstedt og kan ikke endres eller slettes. Lag en kreditnota.")
            )
        return super().update(request, *args, **kwargs)

    def perform_destroy(self, instance: Invoice) -> None:
        with _state_conflicts_as_409():
            invoice_delete_draft(invoice=instance, actor=self.caller.actor)

    @extend_schema(
        summary="Issue a draft: next number, KID, content fixed",
        request=None,
        responses={200: InvoiceSerializer, 409: _CONFLICT[409]},
    )
    @idempotent
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str | None = None) -> Response:
        with _state_conflicts_as_409():
            issued = invoice_issue(invoice=self.get_object(), actor=self.caller.actor)
        return self._detail_response(issued)

    @extend_schema(
        summary="Duplicate: a new draft with the same client and lines",
        request=None,
        responses={201: InvoiceSerializer},
    )
    @idempotent
    @action(detail=True, methods=["post"])
    def duplicate(self, request: Request, pk: str | None = None) -> Response:
        copy = invoice_duplicate(invoice=self.get_object(), actor=self.caller.actor)
        return self._detail_response(copy, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Issue a credit note for the invoice (full without lines)",
        request=CreditRequestSerializer,
        responses={201: InvoiceSerializer, 409: _CONFLICT[409]},
    )
    @idempotent
    @action(detail=True, methods=["post"])
    def credit(self, request: Request, pk: str | None = None) -> Response:
        invoice = self.get_object()
        body = CreditRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        lines = None
        if "lines" in body.validated_data:
            own = {line.pk: line for line in invoice.lines.all()}
            unknown = [
                item["line"] for item in body.validated_data["lines"] if item["line"] not in own
            ]
            if unknown:
                raise serializers.ValidationError(
                    {
                        "lines": [
                            _("Linje-ID %(ids)s hører ikke til denne fakturaen.")
                            % {"ids": ", ".join(str(pk) for pk in unknown)}
                        ]
                    }
                )
            lines = [
                CreditLine(
                    original_line=own[item["line"]],
                    quantity=item.get("quantity"),
                    amount=item.get("amount"),
                )
                for item in body.validated_data["lines"]
            ]
        with _state_conflicts_as_409():
            credit_note = invoice_credit(
                invoice=invoice,
                actor=self.caller.actor,
                lines=lines,
                credit_date=body.validated_data.get("credit_date"),
                free_text=body.validated_data.get("free_text", ""),
            )
        return self._detail_response(credit_note, status.HTTP_201_CREATED)

    def _payments(self, invoice: Invoice) -> QuerySet[Payment]:
        reversal = Payment.objects.filter(reverses=OuterRef("pk")).values("pk")[:1]
        return (
            Payment.objects.filter(invoice=invoice)
            .annotate(reversal_id=Subquery(reversal))
            .order_by("date", "id")
        )

    @extend_schema(
        summary="Payments of the invoice (reversals included)",
        request=None,
        responses=PaymentSerializer(many=True),
    )
    @action(detail=True, methods=["get"], serializer_class=PaymentSerializer)
    def payments(self, request: Request, pk: str | None = None) -> Response:
        payments = self._payments(self.get_object())
        page = self.paginate_queryset(payments)
        data = PaymentSerializer(page, many=True).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Register a payment (more than is open goes to the client's credit balance)",
        description=f"An amount more than {PAYMENT_OVERPAYMENT_MARGIN} above the open "
        "balance, or a repeat of a payment registered on the invoice in the last "
        f"{PAYMENT_DUPLICATE_WINDOW.seconds // 60} minutes (same amount, date and reference, "
        "not reversed), is refused with 400 and a message under "
        "`errors.confirm_overpayment` or `errors.confirm_duplicate`; send the request again "
        "with that field set to `true` to register it.",
        request=PaymentSerializer,
        responses={
            201: PaymentSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="Invalid input, or a confirmation is needed "
                "(`errors.confirm_overpayment`, `errors.confirm_duplicate`).",
            ),
            409: _CONFLICT[409],
        },
    )
    @idempotent
    @payments.mapping.post
    def payment_create(self, request: Request, pk: str | None = None) -> Response:
        invoice = self.get_object()
        body = PaymentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _state_conflicts_as_409():
            payment = payment_register(
                invoice=invoice,
                actor=self.caller.actor,
                amount=body.validated_data["amount"],
                date=body.validated_data["date"],
                method=body.validated_data.get("method", Payment.Method.BANK),
                reference=body.validated_data.get("reference", ""),
                confirm_overpayment=body.validated_data["confirm_overpayment"],
                confirm_duplicate=body.validated_data["confirm_duplicate"],
            )
        return Response(
            PaymentSerializer(self._payments(invoice).get(pk=payment.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Reverse a payment (a reversal entry; payments are never deleted)",
        request=PaymentReverseSerializer,
        responses={201: PaymentSerializer, 409: _CONFLICT[409]},
        parameters=[OpenApiParameter("payment_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @idempotent
    @action(
        detail=True,
        methods=["post"],
        url_path="payments/<int:payment_id>/reverse",
        url_name="payment-reverse",
    )
    def reverse_payment(
        self, request: Request, pk: str | None = None, payment_id: int | None = None
    ) -> Response:
        invoice = self.get_object()
        payment = get_object_or_404(Payment.objects.filter(invoice=invoice), pk=payment_id)
        body = PaymentReverseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _state_conflicts_as_409():
            reversal = payment_reverse(
                payment=payment,
                actor=self.caller.actor,
                date=body.validated_data.get("date"),
                note=body.validated_data.get("note", ""),
            )
        return Response(
            PaymentSerializer(self._payments(invoice).get(pk=reversal.pk)).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(
    list=extend_schema(
        summary="List credit notes",
        parameters=_list_parameters(CREDIT_NOTE_STATUSES, overdue=False),
    ),
    retrieve=extend_schema(summary="Get a credit note"),
)
class CreditNoteViewSet(ApiReadOnlyViewSet):
    """The company's credit notes (read-only: create one with ``POST /invoices/{id}/credit/``).

    ``credited_invoice`` is the invoice it credits; its lines' ``credited_line`` the lines.
    """

    def get_queryset(self) -> QuerySet[Invoice]:
        if self.action == "list":
            return _filtered_list(
                self.request,
                company=self.caller.company,
                kind=Invoice.Kind.CREDIT_NOTE,
                statuses=CREDIT_NOTE_STATUSES,
            )
        return _detail_queryset(Invoice.Kind.CREDIT_NOTE)

    def get_serializer_class(self) -> type[serializers.BaseSerializer]:
        if self.action == "list":
            return InvoiceListSerializer
        return InvoiceSerializer
