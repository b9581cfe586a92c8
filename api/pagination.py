from __future__ import annotations

from functools import cached_property
from typing import Any

from django.core.paginator import Paginator
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

# Matches the pages' cap (invoicing.pagination.COUNT_CAP): no request counts more rows.
COUNT_CAP = 10_000


class CappedCountPaginator(Paginator):
    """Counts at most ``COUNT_CAP + 1`` rows of the filtered set (``COUNT(*)`` over a
    ``LIMIT``ed subquery), never the whole table: at 4.5 million invoices a full count
    on every list request costs seconds. Pages past the cap do not exist (404)."""

    @property
    def cap(self) -> int:
        """The rows counted exactly; more are counted as ``cap + 1``."""
        return COUNT_CAP

    @cached_property
    def count(self) -> int:
        object_list: Any = self.object_list
        return int(object_list[: self.cap + 1].count())


class ApiPagination(PageNumberPagination):
    """``?page=<n>&page_size=<m>``: 50 per page by default, at most 200.

    ``count`` is exact up to 10,000; above that it is 10,001 with ``count_is_capped``
    true, and the last page served is the one holding row 10,001 (narrow the filters to
    reach the rest). The invoice and credit-note lists count a text search's first 1,000
    (``invoicing.api.pagination``)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    django_paginator_class = CappedCountPaginator

    def get_paginated_response(self, data: Any) -> Response:
        response = super().get_paginated_response(data)
        # super() has read self.page (set by paginate_queryset) already. Its paginator is a
        # CappedCountPaginator, or what stands for one (``invoicing.api.pagination``): a
        # count and the cap it was counted to.
        paginator: Any = self.page.paginator if self.page is not None else None
        response.data["count_is_capped"] = paginator is not None and paginator.count > paginator.cap
        return response

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        result = super().get_paginated_response_schema(schema)
        result["properties"]["count_is_capped"] = {
            "type": "boolean",
            "description": (
                "True when more rows match than the list counts, 10,000 (a text search "
                "of the invoices or credit notes: 1,000): count is then one more."
            ),
        }
        result["required"] = [*result.get("required", []), "count_is_capped"]
        return result
