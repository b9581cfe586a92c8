"""REST endpoints of the reports: ledger, ageing, VAT (JSON) and the SAF-T file (XML).

Amounts are decimal strings with two decimals. Every caller of the company can read the
reports; the SAF-T export, like the exports in the app, needs a token or an editor role
(owner, administrator, accountant): a read-only member gets 403.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from api.base import ApiView
from core.audit import audit_log
from customers.models import Client
from reports import exports, selectors
from reports.forms import MAX_YEARS
from reports.ledger import ledger_entries, ledger_totals
from reports.saft import saft_filename, write_saft

ENTRY_LIMIT = 5000


def _money(value: Decimal) -> str:
    return f"{value:.2f}"


class _Money(serializers.DecimalField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_digits=18, decimal_places=2, coerce_to_string=True, **kwargs)


def _date_param(params: Any, name: str, default: datetime.date | None) -> datetime.date | None:
    raw = params.get(name)
    if raw in (None, ""):
        return default
    try:
        value = datetime.date.fromisoformat(str(raw))
    except ValueError as exc:
        raise ValidationError({name: [_("Ugyldig dato; bruk ÅÅÅÅ-MM-DD.")]}) from exc
    if not 1970 <= value.year <= 2100:
        raise ValidationError({name: [_("Velg en dato mellom 1970 og 2100.")]})
    return value


def _period(params: Any, *, default_from: datetime.date | None) -> tuple[Any, datetime.date]:
    date_to = _date_param(params, "to", timezone.localdate())
    assert date_to is not None
    date_from = _date_param(params, "from", default_from)
    if date_from is not None:
        if date_from > date_to:
            raise ValidationError({"from": [_("Fra-datoen må være før eller lik til-datoen.")]})
        if date_to.year - date_from.year > MAX_YEARS:
            raise ValidationError(
                {"from": [_("Velg en periode på høyst %(years)s år.") % {"years": MAX_YEARS}]}
            )
    return date_from, date_to


def _currency(params: Any) -> str:
    value = str(params.get("currency") or "NOK").upper()
    if len(value) != 3 or not value.isalpha() or not value.isascii():
        raise ValidationError({"currency": [_("Ugyldig valutakode.")]})
    return value


FROM = OpenApiParameter("from", OpenApiTypes.DATE, description="First date (YYYY-MM-DD).")
TO = OpenApiParameter("to", OpenApiTypes.DATE, description="Last date (default: today).")
CURRENCY = OpenApiParameter("currency", OpenApiTypes.STR, description="Currency (default NOK).")


# --- Ledger ------------------------------------------------------------------------------------


class LedgerClientSerializer(serializers.Serializer[Any]):  # a report row
    client = serializers.IntegerField()
    client_number = serializers.IntegerField()
    client_name = serializers.CharField()
    opening = _Money()
    debit = _Money()
    credit = _Money()
    closing = _Money()


class LedgerEntrySerializer(serializers.Serializer[Any]):  # a report row
    date = serializers.DateField()
    client = serializers.IntegerField()
    kind = serializers.CharField()
    number = serializers.IntegerField(allow_null=True)
    document = serializers.IntegerField(allow_null=True)
    due_date = serializers.DateField(allow_null=True)
    kid = serializers.CharField()
    text = serializers.CharField()
    debit = _Money()
    credit = _Money()
    balance = _Money()


class LedgerSerializer(serializers.Serializer[Any]):  # a report row
    currency = serializers.CharField()
    date_from = serializers.DateField(allow_null=True)
    date_to = serializers.DateField()
    opening = _Money()
    debit = _Money()
    credit = _Money()
    closing = _Money()
    clients = LedgerClientSerializer(many=True)
    entries = LedgerEntrySerializer(many=True)
    entries_truncated = serializers.BooleanField()


class LedgerApi(ApiView):
    """Customer ledger (kundereskontro): per client opening balance, debits, credits and
    closing balance for a period (without ``from``: everything up to ``to``, i.e. the
    ledger as of that date); with ``client`` also every entry with its running balance."""

    @extend_schema(
        summary="Customer ledger (kundereskontro)",
        parameters=[
            OpenApiParameter("client", OpenApiTypes.INT, description="The client's id."),
            FROM,
            TO,
            CURRENCY,
        ],
        responses={
            200: LedgerSerializer,
            400: OpenApiResponse(description="Invalid parameter"),
            404: OpenApiResponse(description="Unknown client (or another company's)"),
        },
    )
    def get(self, request: Request) -> Response:
        company = self.caller.company
        params = request.query_params
        date_from, date_to = _period(params, default_from=None)
        currency = _currency(params)
        client = None
        if params.get("client"):
            raw = str(params["client"])
            if not raw.isascii() or not raw.isdigit():
                raise ValidationError({"client": [_("Ugyldig kunde-id.")]})
            client = Client.objects.filter(pk=int(raw)).first()
            if client is None:  # another company's client is not found, as everywhere
                raise NotFound(_("Ukjent kunde."))
        totals = ledger_totals(
            company=company, date_from=date_from, date_to=date_to, currency=currency, client=client
        )
        entries: list[dict[str, Any]] = []
        truncated = False
        if client is not None:
            for entry in ledger_entries(
                company=company,
                date_from=date_from,
                date_to=date_to,
                currency=currency,
                client=client,
                opening=totals.opening,
                limit=ENTRY_LIMIT + 1,
            ):
                if len(entries) >= ENTRY_LIMIT:
                    truncated = True
                    break
                entries.append(
                    {
                        "date": entry.date,
                        "client": entry.client_id,
                        "kind": entry.kind,
                        "number": entry.number,
                        "document": entry.document_id,
                        "due_date": entry.due_date,
                        "kid": entry.kid,
                        "text": entry.text,
                        "debit": entry.debit,
                        "credit": entry.credit,
                        "balance": entry.balance,
                    }
                )
        data = {
            "currency": currency,
            "date_from": date_from,
            "date_to": date_to,
            "opening": totals.opening,
            "debit": totals.debit,
            "credit": totals.credit,
            "closing": totals.closing,
            "clients": [
                {
                    "client": row.client.pk,
                    "client_number": row.client.number,
                    "client_name": row.client.name,
                    "opening": row.opening,
                    "debit": row.debit,
                    "credit": row.credit,
                    "closing": row.closing,
                }
                for row in totals.clients
            ],
            "entries": entries,
            "entries_truncated": truncated,
        }
        return Response(LedgerSerializer(data).data)


# --- Ageing ------------------------------------------------------------------------------------


class AgeingRowSerializer(serializers.Serializer[Any]):  # a report row
    client = serializers.IntegerField(allow_null=True)
    client_number = serializers.IntegerField(allow_null=True)
    client_name = serializers.CharField(allow_null=True)
    not_due = _Money()
    d1_30 = _Money()
    d31_60 = _Money()
    d61_90 = _Money()
    d90_plus = _Money()
    total = _Money(help_text="Total open, fees and interest included.")
    items = _Money(help_text="Of the total: reminder fees, compensation and late-payment interest.")
    credit_balance = _Money()
    net = _Money()


class AgeingSerializer(serializers.Serializer[Any]):  # a report row
    date = serializers.DateField()
    currency = serializers.CharField()
    clients = AgeingRowSerializer(many=True)
    totals = AgeingRowSerializer()


def _ageing_row(row: selectors.AgeingRow) -> dict[str, Any]:
    return {
        "client": row.client.pk if row.client else None,
        "client_number": row.client.number if row.client else None,
        "client_name": row.client.name if row.client else None,
        **row.buckets,
        "total": row.total,
        "items": row.items,
        "credit_balance": row.credit_balance,
        "net": row.net,
    }


class AgeingApi(ApiView):
    """Aged receivables: open amounts per client as of ``date`` in the buckets not due,
    1–30, 31–60, 61–90 and over 90 days past due, with totals."""

    @extend_schema(
        summary="Aged receivables",
        parameters=[
            OpenApiParameter(
                "date", OpenApiTypes.DATE, description="As of this date (default today)."
            ),
            CURRENCY,
        ],
        responses={200: AgeingSerializer, 400: OpenApiResponse(description="Invalid parameter")},
    )
    def get(self, request: Request) -> Response:
        as_of = _date_param(request.query_params, "date", timezone.localdate())
        assert as_of is not None
        currency = _currency(request.query_params)
        report = selectors.ageing(company=self.caller.company, as_of=as_of, currency=currency)
        data = {
            "date": as_of,
            "currency": currency,
            "clients": [_ageing_row(row) for row in report.rows],
            "totals": _ageing_row(report.totals),
        }
        return Response(AgeingSerializer(data).data)


# --- VAT ---------------------------------------------------------------------------------------


class VatRowSerializer(serializers.Serializer[Any]):  # a report row
    code = serializers.CharField()
    name = serializers.CharField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    base = _Money()
    vat = _Money()
    in_mva_melding = serializers.BooleanField()


class VatSerializer(serializers.Serializer[Any]):  # a report row
    date_from = serializers.DateField()
    date_to = serializers.DateField()
    documents = serializers.IntegerField()
    codes = VatRowSerializer(many=True)
    total_base = _Money()
    total_vat = _Money()


class VatApi(ApiView):
    """VAT report: base and output VAT in NOK per SAF-T standard tax code from the issued
    invoices and credit notes dated in the period (default: the current VAT term)."""

    @extend_schema(
        summary="VAT report",
        parameters=[FROM, TO],
        responses={200: VatSerializer, 400: OpenApiResponse(description="Invalid parameter")},
    )
    def get(self, request: Request) -> Response:
        company = self.caller.company
        params = request.query_params
        if not params.get("from") and not params.get("to"):
            yearly = selectors.report_settings_for(company=company).vat_term == "yearly"
            term = selectors.vat_term_of(day=timezone.localdate(), yearly=yearly)
            date_from, date_to = term.start, term.end
        else:
            start, date_to = _period(params, default_from=None)
            date_from = start or date_to.replace(month=1, day=1)
        report = selectors.vat_report(company=company, date_from=date_from, date_to=date_to)
        data = {
            "date_from": date_from,
            "date_to": date_to,
            "documents": report.documents,
            "codes": [
                {
                    "code": row.code,
                    "name": row.name,
                    "rate": row.rate,
                    "base": row.base,
                    "vat": row.vat,
                    "in_mva_melding": row.in_mva_melding,
                }
                for row in report.rows
            ],
            "total_base": report.total_base,
            "total_vat": report.total_vat,
        }
        return Response(VatSerializer(data).data)


# --- SAF-T -------------------------------------------------------------------------------------


class SaftApi(ApiView):
    """SAF-T Financial 1.30 file (XML) of the period; tokens and editor roles only."""

    @extend_schema(
        summary="SAF-T Financial (XML)",
        parameters=[FROM, TO],
        responses={
            (200, "application/xml"): OpenApiResponse(
                response=OpenApiTypes.BINARY, description="SAF-T Financial 1.30"
            ),
            400: OpenApiResponse(description="Invalid parameter"),
            403: OpenApiResponse(description="The role cannot export"),
        },
    )
    def get(self, request: Request) -> HttpResponseBase:
        caller = self.caller
        if not caller.can_edit:
            raise PermissionDenied(_("Bare eier, administrator og regnskapsfører kan eksportere."))
        today = timezone.localdate()
        start, date_to = _period(request.query_params, default_from=None)
        date_from = start or date_to.replace(month=1, day=1)
        target = exports.spooled_file()
        write_saft(company=caller.company, date_from=date_from, date_to=date_to, target=target)
        target.seek(0)
        audit_log(
            action="reports.export.downloaded",
            actor=caller.actor,
            company=caller.company,
            data={
                "kind": "saft",
                "from": date_from.isoformat(),
                "to": date_to.isoformat(),
                "via": "api",
                "on": today.isoformat(),
            },
        )
        return FileResponse(
            target,
            as_attachment=True,
            filename=saft_filename(caller.company, date_from, date_to),
            content_type="application/xml",
        )
