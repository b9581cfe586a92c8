"""Pages of the invoice and credit-note lists: the API's ``?page=&page_size=`` over the
web list's reading (``selectors.invoice_list_parts`` + ``pagination.capped_page``).

The response is the one every API list gives (``api.pagination.ApiPagination``: ``count``
exact up to 10,000, else 10,001 with ``count_is_capped``; ``next``/``previous`` links), and
the pages served are the same: up to the one holding row 10,001. A text search counts
and pages its first 1,000 matches as the web list does (``selectors.SEARCH_CAP``): count
exact up to 1,000, else 1,001 with ``count_is_capped``, pages up to row 1,001. What
differs is how the page is read: a text search is a ``UNION`` of one query per
alternative, each through its own index, and a page past the first 500 rows reads its
keys first (issue 15). So no page of any search costs more than the first
``COUNT_CAP + page_size`` index entries of each alternative. A page that does not exist
is a 404 that says why, before any query when the
number is past the deepest page the cap allows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound
from rest_framework.request import Request

from api import pagination as api_pagination
from core.parsing import ID_MAX, parse_int
from invoicing.api.invoices import ROW_COLUMNS
from invoicing.pagination import CappedPage
from invoicing.selectors import InvoiceListParts


@dataclass(frozen=True)
class _Counted:
    """What DRF and ``ApiPagination`` read of a page's paginator: the count (``cap + 1``
    when capped), and the cap: the rows the list counts exactly (10,000; a text search's
    1,000)."""

    count: int
    cap: int


@dataclass(frozen=True)
class _DrfPage:
    """A ``CappedPage`` as DRF's ``PageNumberPagination`` reads ``self.page``: the methods
    of Django's ``Page`` its response and links use, and the paginator's count. DRF then
    builds the ``next``/``previous`` links and ``ApiPagination`` the response (with
    ``count_is_capped``) as for every other list."""

    capped: CappedPage
    paginator: _Counted

    def has_next(self) -> bool:
        return self.capped.has_next

    def has_previous(self) -> bool:
        return self.capped.has_previous

    def next_page_number(self) -> int:
        return self.capped.next_page_number

    def previous_page_number(self) -> int:
        return self.capped.previous_page_number


class DocumentPagination(api_pagination.ApiPagination):
    """``ApiPagination``'s parameters and response for an ``InvoiceListParts``."""

    def paginate_selection(self, selection: InvoiceListParts, request: Request) -> list[Any]:
        self.request = request
        per_page = self.get_page_size(request) or self.page_size
        # The rows served: up to row 10,001, a text search's up to row 1,001.
        cap = selection.cap(api_pagination.COUNT_CAP)
        rows = cap + 1
        deepest = -(-rows // per_page)
        value = request.query_params.get(self.page_query_param, "1")
        number = deepest if value in self.last_page_strings else parse_int(value, max_value=ID_MAX)
        if number is None or number < 1:
            raise NotFound(_("Ugyldig side: bruk et helt tall fra 1."))
        if number > deepest:
            raise NotFound(
                _(
                    "Side %(page)d finnes ikke: bare de første %(rows)d radene kan blas i "
                    "(%(pages)d sider à %(size)d). Snevre inn filtrene for å nå resten."
                )
                % {"page": number, "rows": rows, "pages": deepest, "size": per_page}
            )
        page = selection.page(number, per_page=per_page, cap=rows, columns=ROW_COLUMNS)
        if page.number < number and value not in self.last_page_strings:
            raise NotFound(
                _("Side %(page)d finnes ikke: listen har %(pages)d sider.")
                % {"page": number, "pages": page.num_pages or deepest}
            )
        # DRF's stubs type ``page`` as Django's Page; DRF reads only what _DrfPage has.
        self.page = _DrfPage(  # type: ignore[assignment]
            page, _Counted(rows if page.count is None else page.count, cap)
        )
        # The deepest page ends at row 10,001 as every API list's does: ``capped_page``
        # cuts it at the cap. The rows are named rows of ``ROW_COLUMNS``.
        return list(page.object_list)
