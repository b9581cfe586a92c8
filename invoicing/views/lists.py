"""The invoice and credit-note lists: filters, sorting, paging."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.permissions import company_view, request_company, request_membership
from core.parsing import parse_id
from customers.models import Client
from customers.widgets import ClientPicker
from invoicing import selectors
from invoicing.forms import parse_date
from invoicing.models import Invoice
from invoicing.pagination import COUNT_CAP

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
# The longest text search the list applies: a longer one is cut to this (the list shows
# what it lists); "issue all matching" refuses it instead (``views/issue.py``).
SEARCH_MAX_LENGTH = 100
DATES = ("date_from", "date_to")  # the list's date filters, in the form's order
# What a row of the list shows (``invoicing_tags.invoice_rows``; the open balance from
# the amounts, ``models.open_balance_of``).
ROW_FIELDS = (
    "kind",
    "status",
    "number",
    "client__name",
    "their_reference",
    "invoice_date",
    "due_date",
    "currency",
    "total_incl_vat",
    "paid_amount",
    "credited_amount",
    "credited_invoice_id",
)


def _list_filters(request: HttpRequest) -> dict[str, Any]:
    """The list's filters from the query string. A value it cannot apply as given is
    dropped (a longer search cut to ``SEARCH_MAX_LENGTH``), and kept as given in
    ``unapplied`` (by filter name): the list shows what it lists and says why
    (``unapplied_filter_reasons``), "issue all matching" refuses (``views/issue.py``)."""
    get = request.GET
    status = get.get("status", "")
    sort = get.get("sort", DEFAULT_SORT)
    client_id = parse_id(get.get("client", ""))
    # The filter and the picker read the client's id and name only (of ~25 columns).
    client = Client.objects.filter(pk=client_id).only("pk", "name").first() if client_id else None
    search = get.get("q", "").strip()
    filters: dict[str, Any] = {
        "q": search[:SEARCH_MAX_LENGTH],
        "status": status if status in STATUS_FILTERS else "",
        "client": client,
        "date_from": parse_date(get.get("date_from", "")[:10]),
        "date_to": parse_date(get.get("date_to", "")[:10]),
        "sort": sort if sort in SORTS else DEFAULT_SORT,
    }
    given = {name: get.get(name, "").strip() for name in ("status", "client", *DATES)}
    dropped = {
        "q": len(search) > SEARCH_MAX_LENGTH,
        "status": bool(status) and not filters["status"],
        "client": bool(given["client"]) and client is None,
        **{name: bool(given[name]) and filters[name] is None for name in DATES},
    }
    given["q"] = search
    filters["unapplied"] = {name: given[name] for name, out in dropped.items() if out}
    return filters


def unapplied_filter_reasons(filters: dict[str, Any]) -> dict[str, str]:
    """Why each value the list could not apply as given (``_list_filters``' ``unapplied``)
    was left out or cut, by filter name, in the form's order: the list says so above the
    rows, "issue all matching" refuses with the same words (``views/issue.py``)."""
    unapplied = filters["unapplied"]
    reasons: dict[str, str] = {}
    if "q" in unapplied:
        reasons["q"] = _("Søket i filteret er lengre enn %(max)s tegn.") % {
            "max": SEARCH_MAX_LENGTH
        }
    if "status" in unapplied:
        reasons["status"] = _("«%(value)s» i filteret er ikke en status.") % {
            "value": unapplied["status"][:20]
        }
    if "client" in unapplied:
        reasons["client"] = _("Kunden i filteret finnes ikke i dette firmaet.")
    for name in DATES:
        if name in unapplied:
            reasons[name] = _("«%(value)s» i filteret er ikke en gyldig dato.") % {
                "value": unapplied[name][:20]
            }
    return reasons


def _document_list(request: HttpRequest, *, kind: str) -> HttpResponse:
    company = request_company(request)
    filters = _list_filters(request)
    status = filters["status"]
    today = timezone.localdate()
    selection = selectors.invoice_list_parts(
        company=company,
        filters=selectors.InvoiceFilter(
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
        ),
        ordering=SORTS[filters["sort"]],
        today=today,
    )
    # Only the columns the rows show (``invoice_rows``), as named tuples: an invoice has
    # ~40 columns and two ~2 kB JSON snapshots, and building model instances (an invoice
    # and its client per row) was a good part of the page's CPU (issue 15).
    fields: tuple[str, ...] = ROW_FIELDS
    if kind == Invoice.Kind.CREDIT_NOTE:
        fields = (*ROW_FIELDS, "credited_invoice__number")
    page = selection.page(
        request.GET.get("page"), cap=selection.cap(COUNT_CAP), columns=("pk", *fields)
    )
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
    # The draft view of an editor: drafts can be ticked and issued together.
    selectable = (
        kind == Invoice.Kind.INVOICE
        and status == Invoice.Status.DRAFT
        and request_membership(request).can_edit
    )
    return render(
        request,
        "invoicing/invoice_list.html",
        {
            "select_form": "issue-selected" if selectable else "",
            "issue_selected_max": settings.ISSUE_SELECTED_MAX,
            "page": page,
            "filters": filters,
            "unapplied": unapplied_filter_reasons(filters).values(),
            "short_search": selectors.search_is_short(filters["q"]),
            "search_min_word": selectors.SEARCH_MIN_WORD,
            "query_string": query_string,
            "sort_base": f"?{without_sort}&" if without_sort else "?",
            "kind": kind,
            "is_credit_notes": kind == Invoice.Kind.CREDIT_NOTE,
            "today": today,
            "open_statuses": selectors.OPEN_STATUSES,
            "statuses": [("open", _("Åpne")), ("overdue", _("Forfalte")), *Invoice.Status.choices],
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
