"""``{% staff_can "payment_history" "view" as ok %}``: hide what the staff member may not see."""

from __future__ import annotations

from django import template

from backoffice.permissions import can

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_can(context, category: str, action: str = "view") -> bool:
    request = context.get("request")
    staff = getattr(request, "staff", None)
    return can(staff, category, action)
