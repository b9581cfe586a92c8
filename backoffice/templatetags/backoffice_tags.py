"""``{% staff_can "payment_history" "view" as ok %}``: hide what the staff member may not see;
``|category_labels``: the names of data categories."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from backoffice.permissions import can, category_label

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_can(context, category: str, action: str = "view") -> bool:
    request = context.get("request")
    staff = getattr(request, "staff", None)
    return can(staff, category, action)


@register.filter
def category_labels(categories: Iterable[str]) -> list[str]:
    """``{{ entry.categories|category_labels|join:", " }}``: the categories' names."""
    return [category_label(c) for c in categories]
