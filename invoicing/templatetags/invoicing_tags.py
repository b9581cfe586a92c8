"""Template helpers of the invoicing pages, the client page and the dashboard."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone

from core.activity import ActivityLine, activity_lines
from core.models import AuditEntry
from core.money import format_nok
from invoicing import selectors
from invoicing.models import Invoice

register = template.Library()

STATUS_CLASSES = {
    Invoice.Status.DRAFT: "badge",
    Invoice.Status.ISSUED: "badge badge-info",
    Invoice.Status.SENT: "badge badge-info",
    Invoice.Status.PARTIALLY_PAID: "badge badge-warning",
    Invoice.Status.PAID: "badge badge-success",
    Invoice.Status.CREDITED: "badge",
}
LATEST = 10


@register.filter
def money(value: Decimal | None) -> str:
    """12 345,60 (Norwegian grouping, decimal comma)."""
    return "" if value is None else format_nok(value)


@register.filter
def quantity(value: Decimal | None) -> str:
    """1,5 (no trailing zeros, decimal comma)."""
    if value is None:
        return ""
    return f"{value.normalize():f}".replace(".", ",")


@register.filter
def rate(value: Decimal | None) -> str:
    if value is None:
        return "–"
    return f"{value.normalize():f}".replace(".", ",") + "\u00a0%"


@register.simple_tag(takes_context=True)
def activity(context: Any, entries: Iterable[AuditEntry]) -> list[ActivityLine]:
    """Audit entries in words, with links (``core.activity``): the history tables."""
    return activity_lines(entries, request=context["request"])


@register.filter
def status_class(status: str) -> str:
    return STATUS_CLASSES.get(status, "badge")


@register.inclusion_tag("invoicing/_client_invoices.html", takes_context=True)
def client_invoices(context: Any, client: Any) -> dict[str, Any]:
    """The client's latest invoices, open balance and credit balance (client page)."""
    company = context["company"]
    invoices = list(
        selectors.invoice_list(company=company, client=client, ordering="-invoice_date")[:LATEST]
    )
    return {
        "client": client,
        "invoices": invoices,
        "open_balance": selectors.client_open_balance(client=client),
        "credit_balance": selectors.client_credit_balance(client=client),
        "today": timezone.localdate(),
        "open_statuses": selectors.OPEN_STATUSES,
        "membership": context.get("membership"),
    }


@register.inclusion_tag("invoicing/_dashboard.html", takes_context=True)
def invoicing_dashboard(context: Any) -> dict[str, Any]:
    """Open receivables, overdue, drafts and the latest invoices (dashboard)."""
    company = context["company"]
    today = timezone.localdate()
    return {
        "summary": selectors.receivables_summary(company=company, today=today),
        "latest": list(selectors.invoice_list(company=company)[:LATEST]),
        "today": today,
        "open_statuses": selectors.OPEN_STATUSES,
        "membership": context.get("membership"),
    }
