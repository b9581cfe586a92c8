"""The draft editor (new, edit, live totals), deleting and duplicating a draft."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.permissions import editor_view, request_company
from catalog.models import Product, VatCode
from catalog.selectors import vat_codes_for, vat_rate_on
from core.forms import form_add_service_errors
from core.parsing import parse_id, parse_int
from customers.models import Client
from invoicing import services
from invoicing.calculation import LineInput, compute_totals
from invoicing.forms import (
    MAX_LINE_AMOUNT,
    MAX_LINES,
    MAX_TOTAL_AMOUNT,
    InvoiceForm,
    LineFormSet,
    blank_row,
    data_from_rows,
    header_from_data,
    header_from_invoice,
    parse_date,
    parse_decimal,
    row_from_line,
    row_from_product,
    rows_from_data,
)
from invoicing.models import Invoice
from invoicing.views.common import _actor, _get_invoice


def _rate_date(header: dict[str, str]) -> datetime.date:
    for name in ("delivery_date", "delivery_period_end", "invoice_date"):
        value = parse_date(header.get(name, ""))
        if value is not None:
            return value
    return timezone.localdate()


def preview_totals(
    *, company: Any, header: dict[str, str], rows: list[dict[str, str]]
) -> dict[str, Any]:
    """The figures of the posted lines, as issuing would compute them (never raises).

    Rows that can't be read are left out and named in ``problems``.
    """
    codes = {code.code: code for code in vat_codes_for(vat_registered=company.vat_registered)}
    products: dict[str, Product] = {}
    product_ids = {pk for row in rows if (pk := parse_id(row["product"])) is not None}
    if product_ids:
        products = {
            str(product.pk): product
            for product in Product.objects.filter(pk__in=product_ids).select_related("vat_code")
        }
    on = _rate_date(header)
    rates: dict[str, Decimal] = {}
    problems: list[str] = []
    inputs: list[LineInput] = []
    nets: list[Decimal | None] = []
    used: list[int] = []
    for index, row in enumerate(rows):
        position = index + 1
        product = products.get(row["product"])
        if not (product or row["description"].strip() or row["unit_price"].strip()):
            nets.append(None)
            continue
        quantity = parse_decimal(row["quantity"])
        price = parse_decimal(row["unit_price"]) if row["unit_price"].strip() else None
        if price is None and product is not None and not row["unit_price"].strip():
            price = product.unit_price
        discount = parse_decimal(row["discount_percent"]) if row["discount_percent"] else None
        if row["discount_percent"].strip() and discount is None:
            discount = Decimal(-1)
        code = codes.get(row["vat_code"]) or (
            product.vat_code if product and not row["vat_code"] else None
        )
        if (
            quantity is None
            or quantity == 0
            or abs(quantity) > services.MAX_QUANTITY
            or -quantity.normalize().as_tuple().exponent > 4  # type: ignore[operator]
            or price is None
            or price < 0
            or abs(quantity * price) >= MAX_LINE_AMOUNT
            or (discount is not None and not 0 <= discount <= 100)
            or code is None
        ):
            problems.append(
                _("Linje %(n)s er ikke med i summen: sjekk antall, pris, rabatt og MVA-kode.")
                % {"n": position}
            )
            nets.append(None)
            continue
        if code.code not in rates:
            try:
                rates[code.code] = vat_rate_on(vat_code=code, on=on)
            except ValidationError as exc:
                problems.extend(exc.messages)
                nets.append(None)
                continue
        inputs.append(
            LineInput(
                quantity=quantity,
                unit_price=price,
                discount_percent=discount or Decimal(0),
                vat_category=code.ubl_category,
                vat_rate=rates[code.code],
            )
        )
        used.append(index)
        nets.append(Decimal(0))
    currency = header.get("currency", "NOK").strip().upper() or "NOK"
    exchange_rate = Decimal(1)
    if currency != "NOK":
        rate = parse_decimal(header.get("exchange_rate", ""))
        if rate is not None and rate > 0 and rate < Decimal("1e9"):
            exchange_rate = rate
        else:
            problems.append(_("Oppgi valutakursen for å se MVA i NOK."))
    if sum((abs(line.quantity * line.unit_price) for line in inputs), Decimal(0)) >= (
        MAX_TOTAL_AMOUNT
    ):
        problems.append(_("Summen av linjene er for stor."))
        for index in used:
            nets[index] = None
        inputs, used = [], []
    totals = compute_totals(inputs, exchange_rate=exchange_rate)
    too_large = services.totals_limit_problem(totals)
    if too_large:
        problems.append(too_large)
    for index, net in zip(used, totals.line_nets, strict=True):
        nets[index] = net
    labels = dict(VatCode.Category.choices)
    return {
        "totals": totals,
        "groups": [
            (group, labels.get(group.category, group.category)) for group in totals.vat_groups
        ],
        "line_nets": nets,
        "problems": problems,
        "currency": currency,
        "foreign": currency != "NOK",
        "exchange_rate_known": currency == "NOK" or exchange_rate != 1,
        "rate_date": on,
    }


def _editor_url(invoice: Invoice | None) -> str:
    if invoice is None:
        return reverse("invoicing:create")
    return reverse("invoicing:edit", args=[invoice.pk])


def _editor_forms(
    request: HttpRequest, invoice: Invoice | None, data: Any
) -> tuple[InvoiceForm, Any]:
    urls = {"editor_url": _editor_url(invoice), "totals_url": reverse("invoicing:totals")}
    form = InvoiceForm(data, current_client=invoice.client if invoice else None, **urls)
    formset = LineFormSet(data, company=request_company(request), **urls)
    return form, formset


def _silence(form: Any) -> None:
    """Render a bound form without validating it (re-renders that are not a save)."""
    form._errors = ErrorDict()
    form.cleaned_data = {}


def _render_editor(
    request: HttpRequest,
    *,
    invoice: Invoice | None,
    data: Any,
    show_errors: bool,
    forms: tuple[InvoiceForm, Any] | None = None,
    status: int = 200,
    focus_row: int | None = None,
) -> HttpResponse:
    company = request_company(request)
    form, formset = forms or _editor_forms(request, invoice, data)
    if not show_errors:
        _silence(form)
        for line_form in formset.forms:
            _silence(line_form)
        formset._errors = []
        formset._non_form_errors = formset.error_class()
    if focus_row is not None and 0 <= focus_row < len(formset.forms):
        formset.forms[focus_row].fields["description"].widget.attrs["autofocus"] = True
    header = header_from_data(data)
    rows = rows_from_data(data)
    preview = preview_totals(company=company, header=header, rows=rows)
    line_rows = list(zip(formset.forms, preview["line_nets"], strict=False))
    return render(
        request,
        "invoicing/invoice_form.html",
        {
            "invoice": invoice,
            "form": form,
            "formset": formset,
            "line_rows": line_rows,
            "preview": preview,
            "show_errors": show_errors,
            "can_add_line": len(rows) < MAX_LINES,
            "editor_url": _editor_url(invoice),
            "focus_row": focus_row,
        },
        status=status,
    )


def _new_header(request: HttpRequest) -> dict[str, str]:
    today = timezone.localdate()
    header = {
        "invoice_date": today.isoformat(),
        "currency": "NOK",
        "our_reference": getattr(request.user, "full_name", "")[:100],
    }
    client_id = parse_id(request.GET.get("client", ""))
    if client_id is not None:
        client = Client.objects.filter(pk=client_id, is_active=True).first()
        if client is not None:
            header.update(_client_defaults(client, today))
    return header


def _client_defaults(client: Client, invoice_date: datetime.date) -> dict[str, str]:
    due = invoice_date + datetime.timedelta(days=client.payment_terms_days)
    return {
        "client": str(client.pk),
        "due_date": due.isoformat(),
        "their_reference": client.their_reference,
    }


def _row_index(action: str, rows: list[dict[str, str]]) -> int | None:
    _name, _sep, value = action.partition(":")
    return parse_int(value, min_value=0, max_value=len(rows) - 1)


def _editor(request: HttpRequest, invoice: Invoice | None) -> HttpResponse:
    company = request_company(request)
    if request.method == "GET":
        if invoice is None:
            header = _new_header(request)
            rows = [blank_row(vat_registered=company.vat_registered)]
        else:
            header = header_from_invoice(invoice)
            rows = [
                row_from_line(line)
                for line in invoice.lines.select_related("vat_code").order_by("position")
            ] or [blank_row(vat_registered=company.vat_registered)]
        return _render_editor(
            request, invoice=invoice, data=data_from_rows(header, rows), show_errors=False
        )

    action = request.POST.get("action", "save")[:20]
    if action != "save":
        header = header_from_data(request.POST)
        rows = rows_from_data(request.POST)
        index = _row_index(action, rows)
        if action == "add_line" and len(rows) < MAX_LINES:
            rows.append(blank_row(vat_registered=company.vat_registered))
        elif action.startswith("remove:") and index is not None:
            rows.pop(index)
            if not rows:
                rows.append(blank_row(vat_registered=company.vat_registered))
        elif action.startswith("product:") and index is not None:
            product_id = parse_id(rows[index]["product"])
            product = (
                Product.objects.filter(pk=product_id, is_active=True)
                .select_related("vat_code")
                .first()
                if product_id is not None
                else None
            )
            if product is not None:
                rows[index] = row_from_product(rows[index], product)
        elif action == "client":
            client_id = parse_id(header.get("client", ""))
            client = Client.objects.filter(pk=client_id).first() if client_id else None
            if client is not None:
                invoice_date = parse_date(header.get("invoice_date", "")) or timezone.localdate()
                header.update(_client_defaults(client, invoice_date))
        return _render_editor(
            request,
            invoice=invoice,
            data=data_from_rows(header, rows),
            show_errors=action == "calc",
            focus_row=len(rows) - 1 if action == "add_line" else None,
        )

    form, formset = _editor_forms(request, invoice, request.POST)
    if form.is_valid() and formset.is_valid():
        try:
            if invoice is None:
                invoice = services.invoice_create_draft(
                    company=company,
                    actor=_actor(request),
                    header=form.header(),
                    lines=formset.line_data(),
                )
                messages.success(request, _("Utkastet er lagret."))
            else:
                services.invoice_update_draft(
                    invoice=invoice,
                    actor=_actor(request),
                    header=form.header(),
                    lines=formset.line_data(),
                )
                messages.success(request, _("Endringene er lagret."))
        except ValidationError as exc:
            form_add_service_errors(form, exc, formset=formset)
        else:
            return redirect("invoicing:detail", pk=invoice.pk)
    if invoice is not None:
        invoice.refresh_from_db()
    return _render_editor(
        request,
        invoice=invoice,
        data=request.POST,
        show_errors=True,
        forms=(form, formset),
        status=400,
    )


def _not_draft(request: HttpRequest, invoice: Invoice) -> HttpResponse:
    return render(request, "invoicing/not_draft.html", {"invoice": invoice}, status=409)


@editor_view
@require_http_methods(["GET", "POST"])
def invoice_create(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@editor_view
@require_http_methods(["GET", "POST"])
def invoice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _get_invoice(pk)
    if not invoice.is_draft or invoice.is_credit_note:
        return _not_draft(request, invoice)
    return _editor(request, invoice)


@editor_view
@require_POST
def invoice_totals(request: HttpRequest) -> HttpResponse:
    """The live totals of the editor (HTMX): the figures of the posted lines."""
    header = header_from_data(request.POST)
    rows = rows_from_data(request.POST)
    preview = preview_totals(company=request_company(request), header=header, rows=rows)
    return render(
        request,
        "invoicing/_totals_response.html",
        {"preview": preview, "line_nets": list(enumerate(preview["line_nets"]))},
    )


@editor_view
@require_http_methods(["GET", "POST"])
def invoice_delete(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _get_invoice(pk)
    if not invoice.is_draft:
        return _not_draft(request, invoice)
    if request.method == "POST":
        try:
            services.invoice_delete_draft(invoice=invoice, actor=_actor(request))
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect("invoicing:detail", pk=pk)
        messages.success(request, _("Utkastet er slettet."))
        return redirect("invoicing:list")
    return render(request, "invoicing/invoice_delete.html", {"invoice": invoice})


@editor_view
@require_POST
def invoice_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    """A new draft with the same client and lines; the user lands in its editor."""
    invoice = _get_invoice(pk, kind=Invoice.Kind.INVOICE)
    try:
        copy = services.invoice_duplicate(invoice=invoice, actor=_actor(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return redirect("invoicing:detail", pk=pk)
    messages.success(request, _("Et nytt utkast med de samme linjene er laget."))
    return redirect("invoicing:edit", pk=copy.pk)
