"""The recurring invoices' alert on the dashboard (core's dashboard template loads it)."""

from __future__ import annotations

from typing import Any

from django import template

from recurring import selectors

register = template.Library()


@register.inclusion_tag("recurring/_dashboard.html")
def recurring_dashboard() -> dict[str, Any]:
    """Periods whose invoice could not be made, so nobody misses them."""
    failed = list(selectors.failed_runs()[:5])
    return {"failed_runs": failed, "more": selectors.failed_runs().count() - len(failed)}
