from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.permissions import company_view, editor_view, request_company
from catalog import selectors, services
from catalog.forms import ProductForm
from catalog.models import Product
from core.audit import Actor
from core.csvfiles import csv_import_page, csv_preview_page, csv_response
from core.parsing import parse_int

PAGE_SIZE = 50


def _filters(request: HttpRequest) -> dict[str, str]:
    status = request.GET.get("status", "active")
    sort = request.GET.get("sort", "number")
    return {
        "q": request.GET.get("q", "").strip()[:100],
        "status": status if status in selectors.STATUSES else "active",
        "sort": sort if sort in selectors.SORTS else "number",
    }


@company_view
def product_picker(request: HttpRequest) -> HttpResponse:
    """An invoice line's type-ahead product options (an HTML fragment for HTMX), a page at
    a time: the line editors never render the whole catalog as ``<option>``s."""
    search = request.GET.get("product_q", "").strip()[:100]
    page = parse_int(request.GET.get("page", ""), min_value=1, max_value=10_000) or 1
    products, has_next = selectors.product_picker_page(search=search, page=page)
    return render(
        request,
        "catalog/_product_picker_options.html",
        {
            "products": [(product, selectors.product_label(product)) for product in products],
            "searched": bool(search),
            "page": page,
            "has_next": has_next,
            "next_query": urlencode({"product_q": search, "page": page + 1}),
        },
    )


@company_view
def product_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    products = selectors.product_list(
        search=filters["q"], status=filters["status"], sort=filters["sort"]
    )
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/product_list.html",
        {
            "page": page,
            "filters": filters,
            "query_string": urlencode({key: value for key, value in filters.items() if value}),
            "sorts": [
                ("number", _("Varenummer")),
                ("name", _("Navn")),
                ("price", _("Pris, lavest først")),
                ("-price", _("Pris, høyest først")),
                ("-created", _("Nyeste først")),
            ],
        },
    )


@editor_view
def product_create(request: HttpRequest) -> HttpResponse:
    company = request_company(request)
    if request.method == "POST":
        form = ProductForm(request.POST, company=company)
        if form.is_valid():
            try:
                product = services.product_create(
                    company=company, actor=Actor.user(request.user), data=form.to_data()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request, _("Produkt %(number)s er opprettet.") % {"number": product.number}
                )
                return redirect("catalog:list")
        return render(request, "catalog/product_form.html", {"form": form}, status=400)
    initial = {"number": selectors.suggest_product_number(company=company)}
    if not company.vat_registered:
        initial["vat_code"] = "7"
    form = ProductForm(initial=initial, company=company)
    return render(request, "catalog/product_form.html", {"form": form})


@editor_view
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    company = request_company(request)
    product: Product = get_object_or_404(Product.objects.select_related("vat_code"), pk=pk)
    if request.method == "POST":
        form = ProductForm(request.POST, company=company)
        if form.is_valid():
            try:
                services.product_update(
                    product=product, actor=Actor.user(request.user), data=form.to_data()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
                product.refresh_from_db()
            else:
                messages.success(request, _("Endringene er lagret."))
                return redirect("catalog:list")
        return render(
            request, "catalog/product_form.html", {"form": form, "product": product}, status=400
        )
    form = ProductForm.for_product(product, company=company)
    return render(request, "catalog/product_form.html", {"form": form, "product": product})


@editor_view
@require_POST
def product_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    product: Product = get_object_or_404(Product.objects.all(), pk=pk)
    services.product_deactivate(product=product, actor=Actor.user(request.user))
    messages.success(request, _("Produkt %(number)s er deaktivert.") % {"number": product.number})
    return redirect("catalog:edit", pk=product.pk)


@editor_view
@require_POST
def product_activate(request: HttpRequest, pk: int) -> HttpResponse:
    product: Product = get_object_or_404(Product.objects.all(), pk=pk)
    services.product_activate(product=product, actor=Actor.user(request.user))
    messages.success(request, _("Produkt %(number)s er aktivt igjen.") % {"number": product.number})
    return redirect("catalog:edit", pk=product.pk)


@company_view
def product_export(request: HttpRequest) -> HttpResponse:
    products = Product.objects.select_related("vat_code").order_by("number")
    return csv_response(
        filename=f"produkter-{timezone.localdate():%Y-%m-%d}.csv",
        header=[header for header, _field in services.CSV_COLUMNS],
        rows=services.product_csv_rows(products),
    )


_IMPORT_KIND = "catalog.product"


def _import_context() -> dict[str, object]:
    return {
        "columns": [header for header, _field in services.CSV_COLUMNS],
        "units": services.Unit.choices,
        "list_url": reverse("catalog:list"),
        "list_label": _("Produkter"),
        "upload_url": reverse("catalog:import"),
        "upload_label": _("Importer produkter"),
        "preview_title": _("Importer produkter: kontroller radene"),
    }


@editor_view
def product_import(request: HttpRequest) -> HttpResponse:
    return csv_import_page(
        request,
        kind=_IMPORT_KIND,
        preview_csv=services.product_import_preview,
        preview_url="catalog:import_preview",
        template="catalog/product_import.html",
        context=_import_context(),
    )


@editor_view
def product_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    return csv_preview_page(
        request,
        token,
        kind=_IMPORT_KIND,
        preview_csv=services.product_import_preview,
        import_csv=services.product_import_csv,
        shown_columns=[
            "varenummer",
            "navn",
            "beskrivelse",
            "enhet",
            "enhetspris eks. mva",
            "mva-kode",
            "aktiv",
        ],
        success_message=lambda count: (
            ngettext("%(count)s produkt er importert.", "%(count)s produkter er importert.", count)
            % {"count": count}
        ),
        success_url="catalog:list",
        upload_template="catalog/product_import.html",
        context=_import_context(),
    )


@company_view
def vat_codes(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "catalog/vat_codes.html",
        {"rows": selectors.vat_code_table(on=today), "today": today},
    )
