"""Invoicing pages: list, editor (drafts), detail with actions by state, settings.

Thin: parse with ``invoicing.forms``, read with ``invoicing.selectors``, change with
``invoicing.services``. A service's ``ValidationError`` lands on the form field it names;
bad input re-renders the form (400) and saves nothing.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import user_has_device

from accounts.permissions import company_view, confirm_sudo, editor_view, manager_view
from catalog.models import Product, VatCode
from catalog.selectors import vat_codes_for, vat_rate_on
from core.audit import Actor
from core.forms import form_add_service_errors
from core.models import AuditEntry
from core.money import format_nok
from core.parsing import parse_id, parse_int
from customers.models import Client
from customers.widgets import ClientPicker
from invoicing import hooks, selectors, services
from invoicing.calculation import LineInput, compute_totals
from invoicing.forms import (
    MAX_LINE_AMOUNT,
    MAX_LINES,
    MAX_TOTAL_AMOUNT,
    CreditForm,
    InvoiceForm,
    LineFormSet,
    PaymentForm,
    PaymentReverseForm,
    SettingsForm,
    blank_row,
    data_from_rows,
    format_number,
    header_from_data,
    header_from_invoice,
    parse_date,
    parse_decimal,
    row_from_line,
    row_from_product,
    rows_from_data,
)
from invoicing.models import Invoice, InvoicingSettings, NumberSeries, Payment
from invoicing.pagination import capped_page

STATUS_FILTERS = ("open", "overdue", *Invoice.Status.values)
SORTS = {
    "number": "number",
    "-number": "-number",
    "date": "invoice_date",
    "-date": "-invoice_date",
    "due": "due_date",
    "-due": "-due_date",
    "amount": "total",
    "-amount": "-total",
    "client": "client",
    "-client": "-client",
}
DEFAULT_SORT = "-date"


def _actor(request: HttpRequest) -> Actor:
    return Actor.user(request.user)


def _company(request: HttpRequest) -> Any:
    return request.company  # type: ignore[attr-defined]


def _get_invoice(pk: int, *, kind: str | None = None) -> Invoice:
    invoices = Invoice.objects.select_related("client")
    if kind is not None:
        invoices = invoices.filter(kind=kind)
    return get_object_or_404(invoices, pk=pk)


# --- List ---------------------------------------------------------------------------------


def _list_filters(request: HttpRequest) -> dict[str, Any]:
    get = request.GET
    status = get.get("status", "")
    sort = get.get("sort", DEFAULT_SORT)
    client_id = parse_id(get.get("client", ""))
    client = Client.objects.filter(pk=client_id).first() if client_id else None
    return {
        "q": get.get("q", "").strip()[:100],
        "status": status if status in STATUS_FILTERS else "",
        "client": client,
        "date_from": parse_date(get.get("date_from", "")[:10]),
        "date_to": parse_date(get.get("date_to", "")[:10]),
        "sort": sort if sort in SORTS else DEFAULT_SORT,
    }


def _document_list(request: HttpRequest, *, kind: str) -> HttpResponse:
    company = _company(request)
    filters = _list_filters(request)
    status = filters["status"]
    today = timezone.localdate()
    invoices = selectors.invoice_list(
        company=company,
        kind=kind,
        status=(
            list(selectors.OPEN_STATUSES)
            if status == "open"
            else (status if status not in ("", "overdue") else None)
        ),
        overdue=True if status == "overdue" else None,
        client=filters["client"],
        date_from=filters["date_from"],
        date_to=filters["date_to"],
        search=filters["q"],
        ordering=SORTS[filters["sort"]],
        today=today,
    )
    if kind == Invoice.Kind.CREDIT_NOTE:
        invoices = invoices.select_related("credited_invoice")
    page = capped_page(invoices, request.GET.get("page"))
    query = {
        "q": filters["q"],
        "status": status,
        "client": filters["client"].pk if filters["client"] else "",
        "date_from": filters["date_from"].isoformat() if filters["date_from"] else "",
        "date_to": filters["date_to"].isoformat() if filters["date_to"] else "",
        "sort": filters["sort"] if filters["sort"] != DEFAULT_SORT else "",
    }
    query_string = urlencode({key: value for key, value in query.items() if value})
    without_sort = urlencode(
        {key: value for key, value in query.items() if value and key != "sort"}
    )
    return render(
        request,
        "invoicing/invoice_list.html",
        {
            "page": page,
            "filters": filters,
            "query_string": query_string,
            "sort_base": f"?{without_sort}&" if without_sort else "?",
            "kind": kind,
            "is_credit_notes": kind == Invoice.Kind.CREDIT_NOTE,
            "today": today,
            "open_statuses": selectors.OPEN_STATUSES,
            "statuses": [
                ("open", _("Åpne")),
                ("overdue", _("Forfalte")),
                *Invoice.Status.choices,
            ],
            "client_picker": ClientPicker().render(
                "client", filters["client"], attrs={"id": "id_client"}
            ),
        },
    )


@company_view
def invoice_list(request: HttpRequest) -> HttpResponse:
    return _document_list(request, kind=Invoice.Kind.INVOICE)


@company_view
def credit_note_list(request: HttpRequest) -> HttpResponse:
    return _document_list(request, kind=Invoice.Kind.CREDIT_NOTE)


# --- Editor -------------------------------------------------------------------------------


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
    formset = LineFormSet(data, company=_company(request), **urls)
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
    company = _company(request)
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
    company = _company(request)
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
    preview = preview_totals(company=_company(request), header=header, rows=rows)
    return render(
        request,
        "invoicing/_totals_response.html",
        {"preview": preview, "line_nets": list(enumerate(preview["line_nets"]))},
    )


# --- Detail and actions --------------------------------------------------------------------


def _audit_entries(invoice: Invoice) -> list[AuditEntry]:
    payment_ids = [str(payment.pk) for payment in invoice.payments.all()]
    condition = Q(object_type="invoicing.invoice", object_id=str(invoice.pk))
    if payment_ids:
        condition |= Q(object_type="invoicing.payment", object_id__in=payment_ids)
    return list(
        AuditEntry.objects.filter(condition, company=invoice.company_id).order_by(
            "created_at", "id"
        )[:200]
    )


@company_view
def invoice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        invoice = selectors.invoice_detail(pk=pk)
    except Invoice.DoesNotExist:
        raise Http404 from None
    today = timezone.localdate()
    draft_totals = None
    draft_problems: list[str] = []
    if invoice.is_draft:
        try:
            draft_totals = selectors.invoice_draft_totals(invoice=invoice)
        except ValidationError as exc:  # e.g. no VAT rate in force on the draft's date
            draft_problems = exc.messages
    payments = list(invoice.payments.all())
    reversed_ids = {payment.reverses_id for payment in payments if payment.reverses_id}
    can_edit = request.membership.can_edit  # type: ignore[attr-defined]
    is_open = invoice.status in selectors.OPEN_STATUSES and not invoice.is_credit_note
    credit_balance = (
        selectors.client_credit_balance(client=invoice.client, currency=invoice.currency)
        if not invoice.is_draft
        else None
    )
    return render(
        request,
        "invoicing/invoice_detail.html",
        {
            "invoice": invoice,
            "lines": list(invoice.lines.all()),
            "vat_lines": list(invoice.vat_lines.all()),
            "draft_totals": draft_totals,
            "draft_problems": draft_problems,
            "payments": payments,
            "reversed_ids": reversed_ids,
            "credit_notes": list(invoice.credit_notes.all()),
            "audit_entries": _audit_entries(invoice),
            "overdue": invoice.is_overdue(today=today),
            "credit_balance": credit_balance,
            "can_edit": can_edit,
            "can_pay": can_edit and is_open,
            "can_credit": (
                can_edit
                and not invoice.is_draft
                and not invoice.is_credit_note
                and invoice.status != Invoice.Status.CREDITED
            ),
            "payment_form": PaymentForm(
                initial={"date": today, "amount": format_number(invoice.open_balance, 2)}
            )
            if can_edit and is_open
            else None,
            "seller": invoice.seller_snapshot,
            "buyer": invoice.buyer_snapshot,
            "extra_panels": (
                []
                if invoice.is_draft or invoice.is_credit_note
                else hooks.invoice_panels(request=request, invoice=invoice)
            ),
            "log_panels": (
                []
                if invoice.is_draft
                else hooks.invoice_panels(request=request, invoice=invoice, slot="log")
            ),
        },
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


@editor_view
@require_http_methods(["GET", "POST"])
def invoice_issue(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _get_invoice(pk, kind=Invoice.Kind.INVOICE)
    if not invoice.is_draft:
        messages.info(
            request, _("Fakturaen er allerede utstedt med nummer %(n)s.") % {"n": invoice.number}
        )
        return redirect("invoicing:detail", pk=pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            issued = services.invoice_issue(invoice=invoice, actor=_actor(request))
        except ValidationError as exc:
            invoice.refresh_from_db()
            if not invoice.is_draft:  # issued by a parallel request (double submit)
                messages.info(
                    request,
                    _("Fakturaen er allerede utstedt med nummer %(n)s.") % {"n": invoice.number},
                )
                return redirect("invoicing:detail", pk=pk)
            errors = exc.messages
        else:
            messages.success(request, _("Faktura %(n)s er utstedt.") % {"n": issued.number})
            return redirect("invoicing:detail", pk=pk)
    try:
        totals = selectors.invoice_draft_totals(invoice=invoice)
    except ValidationError:
        totals = None
    return render(
        request,
        "invoicing/invoice_issue.html",
        {"invoice": invoice, "errors": errors, "totals": totals},
        status=400 if errors else 200,
    )


@editor_view
@require_http_methods(["GET", "POST"])
def payment_register(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _get_invoice(pk, kind=Invoice.Kind.INVOICE)
    if invoice.status not in selectors.OPEN_STATUSES:
        messages.error(request, _("Fakturaen har ingen åpen saldo å registrere betaling mot."))
        return redirect("invoicing:detail", pk=pk)
    form = PaymentForm(
        request.POST or None,
        initial={"date": timezone.localdate(), "amount": format_number(invoice.open_balance, 2)},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.payment_register(
                invoice=invoice,
                actor=_actor(request),
                amount=data["amount"],
                date=data["date"],
                method=data["method"],
                reference=data["reference"],
                confirm_overpayment=data["confirm_overpayment"],
                confirm_duplicate=data["confirm_duplicate"],
            )
        except ValidationError as exc:
            refused = getattr(exc, "error_dict", {})
            asked = [name for name in form.CONFIRMATIONS if name in refused]
            form_add_service_errors(form, exc)
            for name in asked:
                form.ask(name)
        else:
            messages.success(
                request,
                _("Innbetaling på %(amount)s er registrert.")
                % {"amount": format_nok(payment.amount)},
            )
            if payment.to_credit_amount > 0:
                balance = selectors.client_credit_balance(
                    client=invoice.client, currency=invoice.currency
                )
                messages.info(
                    request,
                    _(
                        "Overbetaling: %(over)s er ført til kundens tilgodehavende, som nå "
                        "er %(balance)s %(currency)s."
                    )
                    % {
                        "over": format_nok(payment.to_credit_amount),
                        "balance": format_nok(balance),
                        "currency": invoice.currency,
                    },
                )
            return redirect("invoicing:detail", pk=pk)
    return render(
        request,
        "invoicing/payment_form.html",
        {"invoice": invoice, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@editor_view
@require_http_methods(["GET", "POST"])
def payment_reverse(request: HttpRequest, pk: int, payment_pk: int) -> HttpResponse:
    invoice = _get_invoice(pk)
    payment = get_object_or_404(Payment.objects.filter(invoice=invoice), pk=payment_pk)
    form = PaymentReverseForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.payment_reverse(
                payment=payment,
                actor=_actor(request),
                date=form.cleaned_data["date"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Innbetalingen på %(amount)s er tilbakeført.")
                % {"amount": format_nok(payment.amount)},
            )
            return redirect("invoicing:detail", pk=pk)
    return render(
        request,
        "invoicing/payment_reverse.html",
        {"invoice": invoice, "payment": payment, "form": form},
        status=400 if request.method == "POST" else 200,
    )


@editor_view
@require_http_methods(["GET", "POST"])
def invoice_credit(request: HttpRequest, pk: int) -> HttpResponse:
    invoice = _get_invoice(pk, kind=Invoice.Kind.INVOICE)
    if invoice.is_draft:
        messages.error(request, _("Et utkast krediteres ikke; det kan endres eller slettes."))
        return redirect("invoicing:detail", pk=pk)
    creditable = selectors.invoice_creditable_lines(invoice=invoice)
    form = CreditForm(
        request.POST or None,
        creditable=creditable,
        initial={"credit_date": timezone.localdate(), "mode": CreditForm.FULL},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            credit_note = services.invoice_credit(
                invoice=invoice,
                actor=_actor(request),
                lines=form.credit_lines(),
                credit_date=data["credit_date"],
                free_text=data["free_text"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request,
                _("Kreditnota %(n)s er utstedt for faktura %(invoice)s.")
                % {"n": credit_note.number, "invoice": invoice.number},
            )
            return redirect("invoicing:detail", pk=credit_note.pk)
    return render(
        request,
        "invoicing/invoice_credit.html",
        {"invoice": invoice, "form": form},
        status=400 if request.method == "POST" else 200,
    )


# --- Settings -------------------------------------------------------------------------------


@manager_view
@require_http_methods(["GET", "POST"])
def invoicing_settings(request: HttpRequest) -> HttpResponse:
    company = _company(request)
    settings_row = selectors.invoicing_settings_for(company=company)
    series = selectors.number_series_for(company=company)
    invoice_series = series.get(NumberSeries.Kind.INVOICE)
    credit_series = series.get(NumberSeries.Kind.CREDIT_NOTE)
    credit_notes_issued = Invoice.objects.credit_notes().issued().exists()
    locked = set()
    if invoice_series is not None and invoice_series.is_used:
        locked.add("first_invoice_number")
    if credit_series is not None and credit_series.is_used:
        locked.add("first_credit_note_number")
    if credit_notes_issued:
        locked.add("credit_note_numbering")
    initial = {
        "first_invoice_number": invoice_series.first_number if invoice_series else 1,
        "credit_note_numbering": settings_row.credit_note_numbering,
        "first_credit_note_number": credit_series.first_number if credit_series else None,
        "kid_method": settings_row.kid_method,
        "kid_length": settings_row.kid_length,
        "default_payment_terms_days": settings_row.default_payment_terms_days,
        "max_days_ahead": settings_row.max_days_ahead,
    }
    form = SettingsForm(
        request.POST or None,
        initial=initial,
        locked=locked,
        with_otp=user_has_device(request.user),
    )
    if (
        request.method == "POST"
        and form.is_valid()
        and (
            # Changing how payments are matched (KID) needs sudo mode, like the bank account.
            (
                form.cleaned_data["kid_method"] == settings_row.kid_method
                and form.cleaned_data["kid_length"] == settings_row.kid_length
            )
            or confirm_sudo(request, form)
        )
    ):
        data = form.cleaned_data
        separate = (
            data["credit_note_numbering"] == InvoicingSettings.CreditNoteNumbering.SEPARATE_SERIES
        )
        try:
            services.invoicing_settings_update(
                company=company,
                actor=_actor(request),
                first_invoice_number=(
                    None if "first_invoice_number" in locked else data["first_invoice_number"]
                ),
                credit_note_numbering=(
                    None if "credit_note_numbering" in locked else data["credit_note_numbering"]
                ),
                first_credit_note_number=(
                    data["first_credit_note_number"]
                    if separate and "first_credit_note_number" not in locked
                    else None
                ),
                kid_method=data["kid_method"],
                kid_length=data["kid_length"],
                default_payment_terms_days=data["default_payment_terms_days"],
                max_days_ahead=data["max_days_ahead"],
            )
        except ValidationError as exc:
            form_add_service_errors(form, exc)
        else:
            messages.success(request, _("Fakturainnstillingene er lagret."))
            return redirect("invoicing:settings")
    return render(
        request,
        "invoicing/settings.html",
        {
            "form": form,
            "locked": locked,
            "invoice_series": invoice_series,
            "credit_series": credit_series,
            "vat_reported_through": settings_row.vat_reported_through,
        },
        status=400 if request.method == "POST" else 200,
    )
