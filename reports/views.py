"""The report pages under /app/reports/.

Who sees what (docs/reports.md): every member of the company, the read-only member
included, sees the ledger, ageing, VAT and sales reports (the same figures they can
already read invoice by invoice). The exports (CSV/XLSX, the company ZIP, SAF-T), the
report settings and marking a VAT term reported are for the roles that keep the books:
owner, administrator and accountant (``EDITOR_ROLES``); a member gets 403.
"""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import company_view, editor_view, request_company
from core.audit import Actor, audit_log
from core.forms import form_add_service_errors
from core.money import ZERO
from customers.models import Client
from invoicing import services as invoicing_services
from invoicing.selectors import invoicing_settings_for
from reports import charts, exports, selectors, services
from reports.forms import (
    AccountMappingForm,
    AgeingForm,
    LedgerForm,
    MarkReportedForm,
    PeriodForm,
    ReportSettingsForm,
    VatTermForm,
)
from reports.ledger import ledger_currencies, ledger_entries, ledger_totals
from reports.saft import saft_filename, write_saft

ENTRY_LIMIT = 1000


def _bad(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    return render(request, template, context, status=400)


@company_view
def index(request: HttpRequest) -> HttpResponse:
    company = request_company(request)
    today = timezone.localdate()
    settings_row = selectors.report_settings_for(company=company)
    term = selectors.vat_term_of(day=today, yearly=settings_row.vat_term == "yearly")
    return render(
        request,
        "reports/index.html",
        {
            "today": today,
            "term": term,
            "vat": selectors.vat_report(company=company, date_from=term.start, date_to=term.end),
        },
    )


# --- Ledger ------------------------------------------------------------------------------------


@company_view
def ledger(request: HttpRequest) -> HttpResponse:
    company = request_company(request)
    currencies = ledger_currencies(company=company)
    form = LedgerForm(request.GET or None, currencies=currencies)
    context: dict[str, Any] = {"form": form}
    if request.GET and not form.is_valid():
        raw_client = request.GET.get("client", "")
        if "client" in form.errors and raw_client.isascii() and raw_client.isdigit():
            raise Http404  # another company's client (or none): not found, as everywhere
        return _bad(request, "reports/ledger.html", context)
    data: dict[str, Any] = (
        form.cleaned_data
        if request.GET
        else {
            "date_from": None,
            "date_to": timezone.localdate(),
            "client": None,
            "currency": "NOK",
        }
    )
    totals = ledger_totals(
        company=company,
        date_from=data["date_from"],
        date_to=data["date_to"],
        currency=data["currency"],
        client=data["client"],
    )
    entries = list(
        ledger_entries(
            company=company,
            date_from=data["date_from"],
            date_to=data["date_to"],
            currency=data["currency"],
            client=data["client"],
            opening=totals.opening,
            client_openings={row.client.pk: row.opening for row in totals.clients},
            limit=ENTRY_LIMIT + 1,
        )
    )
    clients = {row.client.pk: row.client for row in totals.clients}
    # A client's own ledger for the same period, linked from each of up to thousands of
    # rows: the query string built once.
    period = {"date_from": data["date_from"], "date_to": data["date_to"]}
    shown = {name: day.isoformat() for name, day in period.items() if day}
    client_link = "?" + urlencode({**shown, "currency": data["currency"], "client": ""})
    context.update(
        {
            "data": data,
            "client_link": client_link,
            "totals": totals,
            "entries": [(entry, clients.get(entry.client_id)) for entry in entries[:ENTRY_LIMIT]],
            "truncated": len(entries) > ENTRY_LIMIT,
            "limit": ENTRY_LIMIT,
        }
    )
    return render(request, "reports/ledger.html", context)


# --- Ageing ------------------------------------------------------------------------------------


@company_view
def ageing(request: HttpRequest) -> HttpResponse:
    company = request_company(request)
    form = AgeingForm(request.GET or None, currencies=ledger_currencies(company=company))
    if request.GET and not form.is_valid():
        return _bad(request, "reports/ageing.html", {"form": form})
    data: dict[str, Any] = (
        form.cleaned_data if request.GET else {"date": timezone.localdate(), "currency": "NOK"}
    )
    report = selectors.ageing(company=company, as_of=data["date"], currency=data["currency"])
    return render(
        request,
        "reports/ageing.html",
        {
            "form": form,
            "report": report,
            "buckets": [(key, selectors.BUCKET_LABELS[key]) for key in selectors.BUCKETS],
            "query": urlencode({"date": data["date"].isoformat(), "currency": data["currency"]}),
        },
    )


# What a drill-down row shows (``reports_tags.ageing_invoice_rows``).
AGEING_INVOICE_COLUMNS = (
    "pk",
    "number",
    "client__name",
    "invoice_date",
    "due_date",
    "total_incl_vat",
    "open_as_of",
    "items_open_as_of",
    "claim_open_as_of",
)


@company_view
def ageing_invoices(request: HttpRequest) -> HttpResponse:
    """Drill-down: the open invoices behind one cell (client and/or bucket) of the ageing."""
    company = request_company(request)
    form = AgeingForm(request.GET, currencies=ledger_currencies(company=company))
    bucket = request.GET.get("bucket") or None
    if not form.is_valid() or (bucket is not None and bucket not in selectors.BUCKETS):
        if bucket is not None and bucket not in selectors.BUCKETS:
            form.add_error(None, _("Ukjent aldersgruppe."))
        return _bad(request, "reports/ageing_invoices.html", {"form": form})
    client: Client | None = None
    if request.GET.get("client"):
        try:
            client_pk = int(request.GET["client"])
        except ValueError as exc:
            raise Http404 from exc
        client = get_object_or_404(Client.objects.all(), pk=client_pk)
    data = form.cleaned_data
    # The columns the rows show, as named tuples: model instances (each with its two ~2 kB
    # JSON snapshots) were most of the page's time at 2,000 rows (issue 15).
    invoices = selectors.ageing_invoices(
        company=company, as_of=data["date"], currency=data["currency"], client=client, bucket=bucket
    ).values_list(*AGEING_INVOICE_COLUMNS, named=True)[:2000]
    return render(
        request,
        "reports/ageing_invoices.html",
        {
            "form": form,
            "invoices": invoices,
            "client": client,
            "bucket_label": selectors.BUCKET_LABELS.get(bucket or "", _("Alle")),
            "data": data,
        },
    )


# --- VAT ---------------------------------------------------------------------------------------


@company_view
def vat(request: HttpRequest) -> HttpResponse:
    company = request_company(request)
    today = timezone.localdate()
    settings_row = selectors.report_settings_for(company=company)
    yearly = settings_row.vat_term == "yearly"
    custom = "date_from" in request.GET or "date_to" in request.GET
    term_form = VatTermForm(request.GET if not custom else None)
    period_form = PeriodForm(request.GET if custom else None)
    context: dict[str, Any] = {"term_form": term_form, "period_form": period_form, "yearly": yearly}
    term = None
    if custom:
        if not period_form.is_valid():
            return _bad(request, "reports/vat.html", context)
        date_from, date_to = (
            period_form.cleaned_data["date_from"],
            period_form.cleaned_data["date_to"],
        )
    else:
        if not term_form.is_valid():
            return _bad(request, "reports/vat.html", context)
        current = selectors.vat_term_of(day=today, yearly=yearly)
        year = term_form.cleaned_data.get("year") or current.year
        terms = selectors.vat_terms(year=year, yearly=yearly)
        number = term_form.cleaned_data.get("term") or (
            current.number if year == current.year else 1
        )
        term = terms[min(number, len(terms)) - 1]
        date_from, date_to = term.start, term.end
    reported_through = invoicing_settings_for(company=company).vat_reported_through
    context.update(
        {
            "report": selectors.vat_report(company=company, date_from=date_from, date_to=date_to),
            "term": term,
            "terms": selectors.vat_terms(year=(term.year if term else date_to.year), yearly=yearly),
            "reported_through": reported_through,
            "term_reported": term is not None
            and reported_through is not None
            and reported_through >= term.end,
            "can_mark": term is not None and term.end < today,
            "years": list(range(today.year - 5, today.year + 1)),
        }
    )
    return render(request, "reports/vat.html", context)


@editor_view
@require_POST
def vat_mark_reported(request: HttpRequest) -> HttpResponse:
    """Mark a term as reported: from then on no document can be dated in it."""
    company = request_company(request)
    form = MarkReportedForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Ugyldig termin."))
        return redirect("reports:vat")
    through = form.cleaned_data["through"]
    yearly = selectors.report_settings_for(company=company).vat_term == "yearly"
    term = selectors.vat_term_of(day=through, yearly=yearly)
    query = urlencode({"year": term.year, "term": term.number})
    if through != term.end:
        messages.error(request, _("Bare en hel termin kan merkes som rapportert."))
        return redirect(f"{_reverse('reports:vat')}?{query}")
    try:
        invoicing_services.vat_term_mark_reported(
            company=company, actor=Actor.user(request.user), through=through
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("%(term)s er merket som rapportert. Nye dokumenter kan ikke dateres i terminen.")
            % {"term": term.label},
        )
    return redirect(f"{_reverse('reports:vat')}?{query}")


def _reverse(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


# --- Sales -------------------------------------------------------------------------------------


SALES_VIEWS = ("month", "client", "product")


@company_view
def sales(request: HttpRequest) -> HttpResponse:
    company = request_company(request)
    form = PeriodForm(request.GET or None)
    by = request.GET.get("by", "month")
    if by not in SALES_VIEWS:
        form.is_valid()
        form.add_error(None, _("Ukjent gruppering."))
        return _bad(request, "reports/sales.html", {"form": form, "by": "month"})
    if request.GET and not form.is_valid():
        return _bad(request, "reports/sales.html", {"form": form, "by": by})
    today = timezone.localdate()
    data = (
        form.cleaned_data
        if request.GET
        else {"date_from": today.replace(month=1, day=1), "date_to": today}
    )
    sales = {
        "client": selectors.sales_by_client,
        "product": selectors.sales_by_product,
        "month": selectors.sales_by_month,
    }[by]
    rows = sales(company=company, date_from=data["date_from"], date_to=data["date_to"])
    shown = rows[:12] if by != "month" else rows
    titles = {
        "month": _("Salg per måned"),
        "client": _("Salg per kunde (de 12 største)"),
        "product": _("Salg per produkt (de 12 største)"),
    }
    chart = charts.bar_chart(
        title=str(titles[by]),
        description=_(
            "Netto salg eks. MVA i NOK, %(start)s–%(end)s. Tallene står i tabellen under."
        )
        % {
            "start": data["date_from"].strftime("%d.%m.%Y"),
            "end": data["date_to"].strftime("%d.%m.%Y"),
        },
        categories=[row.label for row in shown],
        series=[[row.amount for row in shown]],
        series_names=[_("Salg")],
    )
    total = sum((row.amount for row in rows), ZERO)
    query = urlencode(
        {"date_from": data["date_from"].isoformat(), "date_to": data["date_to"].isoformat()}
    )
    return render(
        request,
        "reports/sales.html",
        {"form": form, "by": by, "rows": rows, "chart": chart, "total": total, "query": query},
    )


# --- Exports -----------------------------------------------------------------------------------


@editor_view
def export_index(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None)
    if request.GET and not form.is_valid():
        return _bad(request, "reports/exports.html", {"form": form, "tables": exports.TABLES})
    today = timezone.localdate()
    data = (
        form.cleaned_data
        if request.GET
        else {"date_from": today.replace(month=1, day=1), "date_to": today}
    )
    query = urlencode(
        {"date_from": data["date_from"].isoformat(), "date_to": data["date_to"].isoformat()}
    )
    return render(
        request,
        "reports/exports.html",
        {"form": form, "tables": exports.TABLES, "query": query, "data": data},
    )


@editor_view
def export_table(request: HttpRequest, table: str, fmt: str) -> HttpResponseBase:
    company = request_company(request)
    spec = exports.TABLES.get(table)
    if spec is None or fmt not in exports.FORMATS:
        raise Http404
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return _bad(request, "reports/exports.html", {"form": form, "tables": exports.TABLES})
    date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    name = f"{table}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.{fmt}"
    _log_export(request, kind=f"{table}.{fmt}", date_from=date_from, date_to=date_to)
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.table_csv(spec, company=company, date_from=date_from, date_to=date_to),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    target = exports.spooled_file()
    exports.table_xlsx(spec, company=company, date_from=date_from, date_to=date_to, target=target)
    target.seek(0)
    return FileResponse(
        target,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@editor_view
def export_zip(request: HttpRequest) -> HttpResponseBase:
    company = request_company(request)
    today = timezone.localdate()
    target = exports.spooled_file()
    exports.company_zip(company=company, target=target, today=today)
    target.seek(0)
    _log_export(request, kind="company.zip", date_from=None, date_to=today)
    return FileResponse(
        target,
        as_attachment=True,
        filename=f"fakturanett-{company.organization_number}-{today:%Y%m%d}.zip",
        content_type="application/zip",
    )


@editor_view
def saft_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    last_year = today.year - 1
    form = PeriodForm(
        request.GET or None,
        initial={
            "date_from": datetime.date(last_year, 1, 1),
            "date_to": datetime.date(last_year, 12, 31),
        },
    )
    if request.GET and not form.is_valid():
        return _bad(request, "reports/saft.html", {"form": form})
    return render(request, "reports/saft.html", {"form": form, "years": [last_year, today.year]})


@editor_view
def saft_download(request: HttpRequest) -> HttpResponseBase:
    company = request_company(request)
    form = PeriodForm(request.GET)
    if not form.is_valid():
        return _bad(request, "reports/saft.html", {"form": form})
    date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    target = exports.spooled_file()
    write_saft(company=company, date_from=date_from, date_to=date_to, target=target)
    target.seek(0)
    _log_export(request, kind="saft", date_from=date_from, date_to=date_to)
    return FileResponse(
        target,
        as_attachment=True,
        filename=saft_filename(company, date_from, date_to),
        content_type="application/xml",
    )


def _log_export(
    request: HttpRequest, *, kind: str, date_from: datetime.date | None, date_to: datetime.date
) -> None:
    audit_log(
        action="reports.export.downloaded",
        actor=Actor.user(request.user),
        company=request_company(request),
        data={
            "kind": kind,
            "from": date_from.isoformat() if date_from else None,
            "to": date_to.isoformat(),
        },
    )


# --- Settings ----------------------------------------------------------------------------------


@editor_view
def report_settings(request: HttpRequest) -> HttpResponse:
    company = request_company(request)
    mapping = selectors.account_mapping(company=company)
    current = selectors.report_settings_for(company=company)
    settings_form = ReportSettingsForm(request.POST or None, instance=current)
    accounts_form = AccountMappingForm(request.POST or None, mapping=mapping)
    if request.method == "POST":
        if settings_form.is_valid() and accounts_form.is_valid():
            actor = Actor.user(request.user)
            try:
                services.report_settings_update(
                    company=company, actor=actor, vat_term=settings_form.cleaned_data["vat_term"]
                )
                services.revenue_accounts_set(
                    company=company,
                    actor=actor,
                    accounts={
                        row.vat_code.code: (
                            accounts_form.cleaned_data[f"revenue_{row.vat_code.code}"],
                            accounts_form.cleaned_data[f"vat_{row.vat_code.code}"],
                        )
                        for row in mapping.values()
                    },
                )
            except ValidationError as exc:
                form_add_service_errors(accounts_form, exc)
            else:
                messages.success(request, _("Rapportinnstillingene er lagret."))
                return redirect("reports:settings")
        return render(
            request,
            "reports/settings.html",
            {"settings_form": settings_form, "accounts_form": accounts_form},
            status=400,
        )
    return render(
        request,
        "reports/settings.html",
        {"settings_form": settings_form, "accounts_form": accounts_form},
    )
