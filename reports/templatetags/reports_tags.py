"""The reports' panel on the dashboard (core's dashboard template loads it)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from reports import charts, selectors

register = template.Library()


@register.inclusion_tag("reports/_dashboard.html", takes_context=True)
def reports_dashboard(context: Any) -> dict[str, Any]:
    """Paid this month, open invoices in other currencies (in NOK), 12 months of invoiced
    vs paid. Outstanding and overdue in NOK are invoicing's panel (one figure each)."""
    company = context["company"]
    figures = selectors.dashboard_figures(company=company, today=timezone.localdate())
    chart = charts.bar_chart(
        title=_("Fakturert og innbetalt, siste 12 måneder"),
        description=_(
            "Fakturert (inkl. MVA, kreditnotaer trukket fra) og innbetalt per måned i NOK. "
            "Tallene står i tabellen under diagrammet."
        ),
        categories=[date_format(month.month, "M y") for month in figures.months],
        series=[[m.invoiced for m in figures.months], [m.paid for m in figures.months]],
        series_names=[_("Fakturert"), _("Innbetalt")],
    )
    return {"figures": figures, "chart": chart, "membership": context.get("membership")}
