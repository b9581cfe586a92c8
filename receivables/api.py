"""REST API of receivables (routed by ``receivables.urls_api`` under /api/v1/).

- ``POST /api/v1/payments/import/`` (multipart ``file``): import a bank file;
- ``POST /api/v1/invoices/{id}/dispute/`` (``{reason}``): mark an invoice disputed;
- ``GET /api/v1/invoices/{id}/`` gains ``reminders``, ``fees``, ``interest`` and
  ``disputed`` (registered into ``invoicing.hooks``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, parsers, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView
from api.idempotency import idempotent
from invoicing.models import Invoice
from receivables import selectors, services
from receivables.bankfiles import MAX_FILE_BYTES
from receivables.models import BankImport, Dispute, Letter, ReceivableItem


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"
    default_detail = "Conflict."


def _raise(exc: DjangoValidationError) -> None:
    if hasattr(exc, "error_dict"):
        raise exceptions.ValidationError(exc.message_dict) from exc
    raise Conflict(" ".join(exc.messages)) from exc


# --- fields shown on the invoice ----------------------------------------------------------


class LetterSerializer(serializers.ModelSerializer[Letter]):
    fee = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    class Meta:
        model = Letter
        fields = ["id", "kind", "sent_on", "deadline", "fee_bearing", "fee", "total", "delivery"]
        # Not marked read-only here: the schema generator needs a request variant of the
        # component too (the fields that use it are read-only).

    def get_fee(self, letter: Letter) -> str:
        return str(letter.content.get("fee", "0.00"))

    def get_total(self, letter: Letter) -> str:
        return str(letter.content.get("total", "0.00"))


class ItemSerializer(serializers.ModelSerializer[ReceivableItem]):
    open_amount = serializers.DecimalField(max_digits=18, decimal_places=2, read_only=True)
    waived = serializers.SerializerMethodField()

    class Meta:
        model = ReceivableItem
        fields = [
            "id",
            "kind",
            "date",
            "amount",
            "currency",
            "paid_amount",
            "open_amount",
            "waived",
            "waived_at",
            "interest_from",
            "interest_to",
        ]

    def get_waived(self, item: ReceivableItem) -> bool:
        return item.is_waived


@extend_schema_field(LetterSerializer(many=True))
class RemindersField(serializers.Field[Invoice, None, Any, Invoice]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, invoice: Invoice) -> Any:
        letters = Letter.objects.filter(invoice=invoice).order_by("sent_on", "id")
        return LetterSerializer(letters, many=True).data


@extend_schema_field(ItemSerializer(many=True))
class ItemsField(serializers.Field[Invoice, None, Any, Invoice]):
    def __init__(self, *, interest: bool, **kwargs: Any) -> None:
        self.interest = interest
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, invoice: Invoice) -> Any:
        items = ReceivableItem.objects.filter(invoice=invoice).order_by("date", "id")
        if self.interest:
            items = items.filter(kind=ReceivableItem.Kind.INTEREST)
        else:
            items = items.exclude(kind=ReceivableItem.Kind.INTEREST)
        return ItemSerializer(items, many=True).data


@extend_schema_field(serializers.BooleanField())
class DisputedField(serializers.Field[Invoice, None, bool, Invoice]):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, invoice: Invoice) -> bool:
        if invoice.is_draft:
            return False
        return selectors.open_dispute(invoice=invoice) is not None


def register_invoice_fields() -> None:
    from invoicing.hooks import register_invoice_api_field

    register_invoice_api_field(
        "reminders",
        lambda: RemindersField(help_text="Reminders and inkassovarsel sent for the invoice."),
    )
    register_invoice_api_field(
        "fees",
        lambda: ItemsField(
            interest=False,
            help_text="Reminder/notice fees and § 3a compensation (outside the VAT base).",
        ),
    )
    register_invoice_api_field(
        "interest",
        lambda: ItemsField(interest=True, help_text="Late-payment interest claimed."),
    )
    register_invoice_api_field(
        "disputed",
        lambda: DisputedField(help_text="True while the client's objection is open."),
    )


# --- actions ------------------------------------------------------------------------------


class DisputeRequestSerializer(serializers.Serializer[None]):  # input only: no instance
    reason = serializers.CharField(max_length=1000)


class DisputeSerializer(serializers.ModelSerializer[Dispute]):
    class Meta:
        model = Dispute
        fields = ["id", "invoice", "reason", "opened_at", "resolved_at", "resolution"]
        read_only_fields = fields


class InvoiceDisputeView(ApiView):
    """Mark an invoice disputed: reminders, fees, notices and collection stop until the
    objection is resolved (in the app)."""

    @extend_schema(
        summary="Mark an invoice disputed (stops all collection)",
        request=DisputeRequestSerializer,
        responses={
            201: DisputeSerializer,
            409: OpenApiResponse(description="Already disputed, or not an issued invoice."),
        },
    )
    @idempotent
    def post(self, request: Request, pk: int) -> Response:
        invoice = get_object_or_404(Invoice.objects.invoices(), pk=pk)
        body = DisputeRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            dispute = services.invoice_dispute(
                invoice=invoice, actor=self.caller.actor, reason=body.validated_data["reason"]
            )
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(DisputeSerializer(dispute).data, status=status.HTTP_201_CREATED)


class ImportRequestSerializer(serializers.Serializer[None]):  # input only: no instance
    file = serializers.FileField(help_text="Nets OCR giro, camt.054 or camt.053 file.")


class BankImportSerializer(serializers.ModelSerializer[BankImport]):
    class Meta:
        model = BankImport
        fields = [
            "id",
            "file_name",
            "format",
            "transaction_count",
            "matched_count",
            "unmatched_count",
            "duplicate_count",
            "created_at",
        ]
        read_only_fields = fields


class PaymentImportView(ApiView):
    """Import a bank file; transactions with the KID and amount of an open invoice are
    registered as payments, the rest wait in the unmatched list (in the app). Importing
    the same transactions again registers nothing new (``duplicate_count``)."""

    parser_classes = [parsers.MultiPartParser]

    @extend_schema(
        summary="Import a bank file (OCR giro, camt.054/053)",
        request={"multipart/form-data": ImportRequestSerializer},
        responses={201: BankImportSerializer},
    )
    @idempotent
    def post(self, request: Request) -> Response:
        body = ImportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise exceptions.ValidationError({"file": ["The file is too large (50 MB at most)."]})
        try:
            result = services.bank_file_import(
                company=self.caller.company,
                actor=self.caller.actor,
                file_name=upload.name or "",
                data=upload.read(),
            )
        except DjangoValidationError as exc:
            _raise(exc)
        return Response(BankImportSerializer(result).data, status=status.HTTP_201_CREATED)
