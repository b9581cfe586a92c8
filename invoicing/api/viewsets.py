"""The invoice and credit-note endpoints: /api/v1/invoices/ and /api/v1/credit-notes/."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiModelViewSet, ApiReadOnlyViewSet
from api.idempotency import idempotent
from api.schema import ErrorSerializer
from invoicing.api.common import (
    CONFLICT_RESPONSES,
    StateConflict,
    _state_conflicts_as_409,
    check_amounts_fit,
)
from invoicing.api.credit import CreditRequestSerializer
from invoicing.api.filters import _detail_queryset, _list_parameters, document_selection
from invoicing.api.invoices import InvoiceListSerializer, InvoiceSerializer
from invoicing.api.issue import (
    IssueManyRequestSerializer,
    IssueManyResponseSerializer,
    refusal_data,
)
from invoicing.api.pagination import DocumentPagination
from invoicing.api.payments import PaymentReverseSerializer, PaymentSerializer
from invoicing.models import Invoice, Payment
from invoicing.selectors import (
    PAYMENT_DUPLICATE_WINDOW,
    PAYMENT_OVERPAYMENT_MARGIN,
    invoices_to_issue,
)
from invoicing.services import (
    CreditLine,
    invoice_create_draft,
    invoice_credit,
    invoice_delete_draft,
    invoice_duplicate,
    invoice_header_of,
    invoice_issue,
    invoice_issue_many,
    invoice_update_draft,
    line_data_of,
    payment_register,
    payment_reverse,
)

INVOICE_STATUSES = list(Invoice.Status.values)
CREDIT_NOTE_STATUSES = [Invoice.Status.ISSUED.value, Invoice.Status.SENT.value]


def _document_list(
    view: ApiModelViewSet | ApiReadOnlyViewSet, request: Request, *, kind: str, statuses: list[str]
) -> Response:
    """A page of the invoices or credit notes, read as the web list reads them."""
    selection = document_selection(
        request, company=view.caller.company, kind=kind, statuses=statuses
    )
    paginator = view.paginator
    assert isinstance(paginator, DocumentPagination)  # the viewsets' pagination_class
    rows = paginator.paginate_selection(selection, request)
    return paginator.get_paginated_response(view.get_serializer(rows, many=True).data)


@extend_schema_view(
    list=extend_schema(
        summary="List invoices",
        parameters=_list_parameters(INVOICE_STATUSES, overdue=True),
    ),
    retrieve=extend_schema(summary="Get an invoice with lines, VAT breakdown and balance"),
    create=extend_schema(summary="Create a draft invoice (no number until issued)"),
    update=extend_schema(
        summary="Replace a draft (header fields left out get their defaults, lines replaced)",
        responses={200: InvoiceSerializer, 409: CONFLICT_RESPONSES[409]},
    ),
    partial_update=extend_schema(
        summary="Change some fields of a draft (lines, if given, replace all lines)",
        responses={200: InvoiceSerializer, 409: CONFLICT_RESPONSES[409]},
    ),
    destroy=extend_schema(
        summary="Delete a draft (issued invoices are never deleted: credit them)",
        responses={204: None, 409: CONFLICT_RESPONSES[409]},
    ),
)
class InvoiceViewSet(ApiModelViewSet):
    """The company's invoices: drafts, issue, credit notes, payments, PDF and EHF.

    A draft has no number; ``POST /invoices/{id}/issue/`` gives it the next number of the
    gapless series, its KID and fixes its content for good. An issued invoice is never
    changed or deleted: credit it (``/credit/``). Amounts are decimal strings.
    """

    pagination_class = DocumentPagination

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _document_list(self, request, kind=Invoice.Kind.INVOICE, statuses=INVOICE_STATUSES)

    def get_queryset(self) -> QuerySet[Invoice]:
        return _detail_queryset(Invoice.Kind.INVOICE)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Invoice]]:
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

    # DRF passes this view's serializer_class; its stubs type the argument as any serializer.
    def perform_create(self, serializer: InvoiceSerializer) -> None:  # type: ignore[override]
        header, lines = serializer.header(), serializer.line_data() or []
        check_amounts_fit(lines, header.exchange_rate)
        invoice = invoice_create_draft(
            company=self.caller.company, actor=self.caller.actor, header=header, lines=lines
        )
        serializer.instance = self._fresh(invoice)

    def perform_update(self, serializer: InvoiceSerializer) -> None:  # type: ignore[override]
        invoice = serializer.instance
        if invoice is None:  # DRF updates the object it found
            raise TypeError("perform_update needs the serializer's instance")
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
        responses={200: InvoiceSerializer, 409: CONFLICT_RESPONSES[409]},
    )
    @idempotent
    @action(detail=True, methods=["post"])
    def issue(self, request: Request, pk: str | None = None) -> Response:
        with _state_conflicts_as_409():
            issued = invoice_issue(invoice=self.get_object(), actor=self.caller.actor)
        return self._detail_response(issued)

    @extend_schema(
        operation_id="invoices_issue_many",
        summary="Issue several drafts in one call",
        description="Issues the given drafts as `POST /invoices/{id}/issue/` would, each "
        "with the same rules and result, numbered in invoice-date order (then id) so "
        "that the numbers follow the dates. At most `ISSUE_SELECTED_MAX` (default 500) ids "
        "per call; the drafts are issued while the request waits (about 260 a second). "
        "A draft that cannot be issued is listed under `refused` with the messages the "
        "single issue gives; it stays a draft and uses no number, and the others are "
        "issued. An invoice that is already issued is refused with code `already_issued`. "
        "An id that is not one of the company's invoices is a 400 on `ids` and nothing "
        "is issued.",
        request=IssueManyRequestSerializer,
        responses={200: IssueManyResponseSerializer},
    )
    @idempotent
    @action(detail=False, methods=["post"], url_path="issue", url_name="issue-many")
    def issue_many(self, request: Request) -> Response:
        body = IssueManyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ids: list[int] = list(dict.fromkeys(body.validated_data["ids"]))
        limit = settings.ISSUE_SELECTED_MAX
        if len(ids) > limit:
            raise serializers.ValidationError(
                {
                    "ids": [
                        _("Du kan utstede høyst %(max)s fakturaer om gangen; du valgte %(count)s.")
                        % {"max": limit, "count": len(ids)}
                    ]
                }
            )
        drafts, others = invoices_to_issue(ids=ids)
        known = {*drafts, *others}
        unknown = [pk for pk in ids if pk not in known]
        if unknown:
            raise serializers.ValidationError(
                {
                    "ids": [
                        _("Finnes ikke: %(ids)s.") % {"ids": ", ".join(str(pk) for pk in unknown)}
                    ]
                }
            )
        result = invoice_issue_many(
            company=self.caller.company, invoice_ids=[*drafts, *others], actor=self.caller.actor
        )
        data = {
            "issued": [{"id": invoice.pk, "number": invoice.number} for invoice in result.issued],
            "refused": [refusal_data(pk, result.failed[pk]) for pk in ids if pk in result.failed],
        }
        return Response(IssueManyResponseSerializer(data).data)

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
        responses={201: InvoiceSerializer, 409: CONFLICT_RESPONSES[409]},
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
            409: CONFLICT_RESPONSES[409],
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
        responses={201: PaymentSerializer, 409: CONFLICT_RESPONSES[409]},
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
        payment: Payment = get_object_or_404(Payment.objects.filter(invoice=invoice), pk=payment_id)
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

    pagination_class = DocumentPagination

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return _document_list(
            self, request, kind=Invoice.Kind.CREDIT_NOTE, statuses=CREDIT_NOTE_STATUSES
        )

    def get_queryset(self) -> QuerySet[Invoice]:
        return _detail_queryset(Invoice.Kind.CREDIT_NOTE)

    def get_serializer_class(self) -> type[serializers.BaseSerializer[Invoice]]:
        if self.action == "list":
            return InvoiceListSerializer
        return InvoiceSerializer
