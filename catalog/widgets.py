"""The type-ahead product picker of an invoice line: a search box that asks
``catalog:picker`` (HTMX) for a page of matching active products, and a hidden field with
the chosen product's id (the script in ``static/js/app.js`` shared with the client picker).

A line editor never renders the catalog as ``<option>``s: with 2,000 products a 20-line
invoice's editor was 40,000 options (~3 MB, 0.35–3.4 s to render; issue 15).
"""

from __future__ import annotations

from typing import Any

from catalog.models import Product
from catalog.selectors import product_label
from core.parsing import parse_id
from core.widgets import TypeAheadPicker


class ProductLabels:
    """The chosen products' labels of all of a form's lines, read in one query when the
    first line is rendered (each line names the ids it shows with ``want``)."""

    def __init__(self) -> None:
        self.wanted: set[int] = set()
        self.labels: dict[int, str] | None = None

    def want(self, value: Any) -> None:
        pk = _pk(value)
        if pk is not None and pk not in self.wanted:
            self.wanted.add(pk)
            self.labels = None

    def label(self, value: Any) -> str:
        pk = _pk(value)
        if pk is None:
            return ""
        self.want(pk)
        if self.labels is None:
            # Tenant-scoped manager: another company's id has no label. An archived
            # product keeps its label, so the line shows what it holds (and the form says
            # why it cannot be saved so).
            products = (
                Product.objects.filter(pk__in=self.wanted).order_by().only("pk", "number", "name")
            )
            self.labels = {product.pk: product_label(product) for product in products}
        return self.labels.get(pk, "")


def _pk(value: Any) -> int | None:
    if isinstance(value, Product):
        return value.pk
    return parse_id(str(value)) if value not in (None, "") else None


class ProductPicker(TypeAheadPicker):
    """The invoice editor's ``hx-*`` attributes fill the line from the chosen product.
    ``labels``: shared by a form's lines (``ProductLabels``); without it the widget reads
    its own product's label."""

    template_name = "catalog/widgets/product_picker.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs)
        self.labels: ProductLabels | None = None

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        context["label"] = (self.labels or ProductLabels()).label(value)
        return context

    def format_value(self, value: Any) -> str | None:
        pk = _pk(value)
        return None if pk is None else str(pk)
