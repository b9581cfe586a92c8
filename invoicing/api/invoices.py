"""Invoices and credit notes in the API: the list and detail serializers with their figures."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Manager, Prefetch
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import VatCode
from catalog.selectors import VatRateTable, vat_rate_on
from customers.models import Client
from invoicing import hooks
from invoicing.api.common import (
    DATE_VALIDATORS,
    MAX_LINES,
    MONEY_SCHEMA,
    TOTAL_SCHEMA,
    CompanyObjectField,
    DocumentKindField,
    _money,
)
from invoicing.api.lines import InvoiceLineSerializer, VatBreakdownSerializer
from invoicing.calculation import LineInput, compute_totals
from invoicing.models import Invoice, InvoiceLine, InvoiceVatLine, is_overdue_of, open_balance_of
from invoicing.selectors import vat_rate_date
from invoicing.services import InvoiceHeader, LineData


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
        table: VatRateTable | None = self.context.get("_vat_rate_table")
        if table is not None:  # a list page's drafts: their codes' rates read at once
            return table.rate_on(vat_code=line.vat_code, on=on)
        rates: dict[tuple[int, datetime.date], Decimal] = self.context.setdefault("_vat_rates", {})
        key = (line.vat_code_id, on)
        if key not in rates:
            rates[key] = vat_rate_on(vat_code=line.vat_code, on=on)
        return rates[key]

    def figures(self, invoice: Invoice) -> _Figures:
        cache: dict[int, _Figures] = self.context.setdefault("_figures", {})
        if invoice.pk not in cache:
            if invoice.status != Invoice.Status.DRAFT:  # a model or a list's named row
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
            [LineInput.of(line, rate) for line, rate in zip(lines, rates, strict=True)],
            exchange_rate=invoice.exchange_rate,
        )
        codes: dict[tuple[str, Decimal], list[VatCode]] = {}
        for line, rate in zip(lines, rates, strict=True):
            same_group = codes.setdefault((line.vat_code.ubl_category, Decimal(rate)), [])
            if line.vat_code not in same_group:
                same_group.append(line.vat_code)
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


# What a list row shows, read as named rows (``values_list(..., named=True)``): building
# an invoice instance per row (with its client) cost ~1.7 ms of a 51-row page, a tenth of
# the request (issue 15). The names are the attributes ``InvoiceListSerializer`` reads.
ROW_COLUMNS = (
    "pk",
    "kind",
    "status",
    "number",
    "client_id",
    "client__name",
    "client__number",
    "invoice_date",
    "due_date",
    "currency",
    "total_excl_vat",
    "total_vat",
    "total_incl_vat",
    "total_vat_nok",
    "paid_amount",
    "credited_amount",
    "kid",
    "credited_invoice_id",
)
# What a draft's figures are computed from besides its lines (``_draft_figures``): only
# the page's drafts are loaded as invoices, with these columns.
DRAFT_COLUMNS = (
    "kind",
    "status",
    "invoice_date",
    "delivery_date",
    "delivery_period_end",
    "exchange_rate",
)


class InvoiceRowsSerializer(serializers.ListSerializer[Invoice]):
    """The rows of a list page: named rows of ``ROW_COLUMNS``. Only drafts need more than
    their own row: their lines (their figures are computed) and the rates of the lines'
    VAT codes, read for all the page's drafts in three queries, and not at all on a page
    without drafts."""

    def to_representation(self, data: Manager[Any] | Iterable[Any]) -> list[Any]:  # type: ignore[override]
        child = self.child
        assert isinstance(child, InvoiceListSerializer)
        rows = list(data.all() if isinstance(data, Manager) else data)
        draft_ids = [row.pk for row in rows if row.status == Invoice.Status.DRAFT]
        if draft_ids:
            lines = InvoiceLine.objects.select_related("vat_code").order_by("position")
            drafts = list(
                Invoice.objects.filter(pk__in=draft_ids)
                .only(*DRAFT_COLUMNS)
                .prefetch_related(Prefetch("lines", queryset=lines))
            )
            codes = [line.vat_code for draft in drafts for line in draft.lines.all()]
            child.context["_vat_rate_table"] = VatRateTable(vat_codes=codes)
            for draft in drafts:  # into ``figures``' cache, by id, for their rows
                child.figures(draft)
        child.context["_today"] = timezone.localdate()
        return [child.to_representation(row) for row in rows]


class InvoiceListSerializer(_FiguresMixin, serializers.ModelSerializer[Invoice]):
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
        list_serializer_class = InvoiceRowsSerializer
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

    def to_representation(self, instance: Any) -> dict[str, Any]:
        """What the fields above give for an invoice, written out for its named row of
        ``ROW_COLUMNS`` (``InvoiceRowsSerializer``): DRF's walk through the fields cost more
        CPU than the rest of a list request (issue 15). The fields stay the schema; a test
        checks that this equals DRF's own representation of the invoice for every kind of
        row."""
        figures = self.figures(instance)
        return {
            "id": instance.pk,
            "kind": instance.kind,
            "status": instance.status,
            "number": instance.number,
            "client": instance.client_id,
            "client_name": instance.client__name,
            "client_number": instance.client__number,
            "invoice_date": instance.invoice_date.isoformat(),
            "due_date": instance.due_date.isoformat(),
            "currency": instance.currency,
            "total_excl_vat": _money(figures.total_excl_vat),
            "total_vat": _money(figures.total_vat),
            "total_incl_vat": _money(figures.total_incl_vat),
            "paid_amount": _money(instance.paid_amount),
            "credited_amount": _money(instance.credited_amount),
            "open_balance": _money(open_balance_of(instance)),
            "overdue": is_overdue_of(instance, today=self.context["_today"]),
            "kid": instance.kid,
            "credited_invoice": instance.credited_invoice_id,
        }


class InvoiceSerializer(_FiguresMixin, serializers.ModelSerializer[Invoice]):
    """A whole invoice or credit note. Writable fields make the draft (create/update)."""

    kind = DocumentKindField()
    client = CompanyObjectField(Client, help_text="Id of one of your clients.")
    client_name = serializers.CharField(source="client.name", read_only=True)
    client_number = serializers.IntegerField(source="client.number", read_only=True)
    # many=True makes a ListSerializer, which takes max_length; the stubs' overloads do not.
    lines = InvoiceLineSerializer(
        many=True,
        allow_empty=False,
        max_length=MAX_LINES,  # type: ignore[call-arg]
    )
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

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
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
        lines_field = self.fields["lines"]
        assert isinstance(lines_field, serializers.ListSerializer)  # many=True
        child = lines_field.child
        assert isinstance(child, InvoiceLineSerializer)
        return [child.line_data(values) for values in self.validated_data["lines"]]
