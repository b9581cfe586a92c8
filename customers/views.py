from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from accounts.permissions import company_view, editor_view, request_company
from core.audit import Actor
from core.companylookup import company_lookup_response, enable_company_lookup
from core.csvfiles import csv_import_page, csv_preview_page, csv_response
from core.parsing import parse_int
from customers import selectors, services
from customers.forms import ClientForm
from customers.models import Client

PAGE_SIZE = 50


def _filters(request: HttpRequest) -> dict[str, str]:
    status = request.GET.get("status", "active")
    kind = request.GET.get("kind", "")
    sort = request.GET.get("sort", "number")
    return {
        "q": request.GET.get("q", "").strip()[:100],
        "status": status if status in selectors.STATUSES else "active",
        "kind": kind if kind in Client.Kind.values else "",
        "sort": sort if sort in selectors.SORTS else "number",
    }


@company_view
def client_list(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    clients = selectors.client_list(
        search=filters["q"], status=filters["status"], kind=filters["kind"], sort=filters["sort"]
    )
    page = Paginator(clients, PAGE_SIZE).get_page(request.GET.get("page"))
    query_string = urlencode({key: value for key, value in filters.items() if value})
    return render(
        request,
        "customers/client_list.html",
        {
            "page": page,
            "filters": filters,
            "query_string": query_string,
            "kinds": Client.Kind.choices,
            "sorts": [
                ("number", _("Kundenummer")),
                ("name", _("Navn")),
                ("-created", _("Nyeste først")),
                ("created", _("Eldste først")),
            ],
        },
    )


@company_view
def client_picker(request: HttpRequest) -> HttpResponse:
    """The type-ahead client filter's options (an HTML fragment for HTMX), a page at a
    time: the filters never render every client as an ``<option>``."""
    search = request.GET.get("client_q", "").strip()[:100]
    page = parse_int(request.GET.get("page", ""), min_value=1, max_value=10_000) or 1
    # active=1: a form that needs one active client (the invoice editor), not a filter.
    active_only = request.GET.get("active") == "1"
    clients, has_next = selectors.client_picker_page(
        search=search, page=page, active_only=active_only
    )
    query = {"client_q": search, "page": page + 1, **({"active": 1} if active_only else {})}
    return render(
        request,
        "customers/_client_picker_options.html",
        {
            "clients": clients,
            "q": search,
            "page": page,
            "active_only": active_only,
            "has_next": has_next,
            "next_query": urlencode(query),
        },
    )


# The look-up's answer → the client form's fields (the script fills only empty ones).
LOOKUP_FIELDS = {
    "name": "name",
    "address_line": "address_line",
    "address_line2": "address_line2",
    "postcode": "postcode",
    "city": "city",
    "country": "country",
}
# On the edit form the country select holds the client's saved choice, which the script
# cannot tell from an untouched default, so the look-up leaves it alone.
LOOKUP_FIELDS_EDIT = {key: name for key, name in LOOKUP_FIELDS.items() if key != "country"}


def _warn(request: HttpRequest, client: Client) -> None:
    for warning in selectors.client_warnings(client):
        messages.warning(request, warning)


@editor_view
def client_create(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            client = services.client_create(
                company=request_company(request),
                actor=Actor.user(request.user),
                data=form.to_data(),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Kunde %(number)s er opprettet.") % {"number": client.number}
            )
            _warn(request, client)
            return redirect("customers:detail", pk=client.pk)
    enable_company_lookup(form, url=reverse("customers:lookup"), fields=LOOKUP_FIELDS)
    status = 400 if request.method == "POST" else 200
    return render(request, "customers/client_form.html", {"form": form}, status=status)


@editor_view
@require_GET
def client_company_lookup(request: HttpRequest) -> HttpResponse:
    """The client form's company look-up (JSON, new and edit), throttled per user."""
    return company_lookup_response(request, scope="brreg_client", rate=settings.BRREG_RATE_USER)


@company_view
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client: Client = get_object_or_404(Client.objects.all(), pk=pk)
    return render(
        request,
        "customers/client_detail.html",
        {"client": client, "warnings": selectors.client_warnings(client)},
    )


@editor_view
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client: Client = get_object_or_404(Client.objects.all(), pk=pk)
    if request.method == "POST":
        form = ClientForm(request.POST)
        if form.is_valid():
            try:
                services.client_update(
                    client=client, actor=Actor.user(request.user), data=form.to_data()
                )
            except ValidationError as exc:
                form.add_error(None, exc)
                client.refresh_from_db()
            else:
                messages.success(request, _("Endringene er lagret."))
                _warn(request, client)
                return redirect("customers:detail", pk=client.pk)
        enable_company_lookup(form, url=reverse("customers:lookup"), fields=LOOKUP_FIELDS_EDIT)
        return render(
            request, "customers/client_form.html", {"form": form, "client": client}, status=400
        )
    form = ClientForm.for_client(client)
    enable_company_lookup(form, url=reverse("customers:lookup"), fields=LOOKUP_FIELDS_EDIT)
    return render(request, "customers/client_form.html", {"form": form, "client": client})


@editor_view
@require_POST
def client_archive(request: HttpRequest, pk: int) -> HttpResponse:
    client: Client = get_object_or_404(Client.objects.all(), pk=pk)
    services.client_archive(client=client, actor=Actor.user(request.user))
    messages.success(request, _("Kunde %(number)s er arkivert.") % {"number": client.number})
    return redirect("customers:detail", pk=client.pk)


@editor_view
@require_POST
def client_activate(request: HttpRequest, pk: int) -> HttpResponse:
    client: Client = get_object_or_404(Client.objects.all(), pk=pk)
    services.client_activate(client=client, actor=Actor.user(request.user))
    messages.success(request, _("Kunde %(number)s er aktiv igjen.") % {"number": client.number})
    return redirect("customers:detail", pk=client.pk)


@company_view
def client_export(request: HttpRequest) -> HttpResponse:
    clients = Client.objects.all().order_by("number")
    return csv_response(
        filename=f"kunder-{timezone.localdate():%Y-%m-%d}.csv",
        header=[header for header, _field in services.CSV_COLUMNS],
        rows=services.client_csv_rows(clients),
    )


_IMPORT_KIND = "customers.client"


def _import_context() -> dict[str, object]:
    return {
        "columns": [header for header, _field in services.CSV_COLUMNS],
        "list_url": reverse("customers:list"),
        "list_label": _("Kunder"),
        "upload_url": reverse("customers:import"),
        "upload_label": _("Importer kunder"),
        "preview_title": _("Importer kunder: kontroller radene"),
    }


@editor_view
def client_import(request: HttpRequest) -> HttpResponse:
    return csv_import_page(
        request,
        kind=_IMPORT_KIND,
        preview_csv=services.client_import_preview,
        preview_url="customers:import_preview",
        template="customers/client_import.html",
        context=_import_context(),
    )


@editor_view
def client_import_preview(request: HttpRequest, token: str) -> HttpResponse:
    return csv_preview_page(
        request,
        token,
        kind=_IMPORT_KIND,
        preview_csv=services.client_import_preview,
        import_csv=services.client_import_csv,
        shown_columns=[
            "kundenummer",
            "navn",
            "organisasjonsnummer",
            "adresse",
            "postnummer",
            "poststed",
            "land",
            "e-post for faktura",
        ],
        success_message=lambda count: (
            ngettext("%(count)s kunde er importert.", "%(count)s kunder er importert.", count)
            % {"count": count}
        ),
        success_url="customers:list",
        upload_template="customers/client_import.html",
        context=_import_context(),
    )
