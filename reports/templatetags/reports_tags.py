"""Report template tags: the reports' panel on the dashboard (core's dashboard template loads
it), the ageing tables' rows and the customer ledger's rows."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape as html_escape
from typing import Any

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from core.money import format_nok
from invoicing.templatetags.invoicing_tags import invoice_detail_address_parts
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


@register.simple_tag
def ageing_rows(rows: list[selectors.AgeingRow], *, drill: str, query: str) -> SafeString:
    """The ageing table's client rows, built in Python: the markup a template loop gave
    (a link to the drill-down per client and per non-zero bucket), at a fraction of its
    cost: 2,000 clients took ~0.15 s of the page's template time (issue 15). The client's
    name is escaped; the rest is the drill-down address, numbers and formatted amounts."""
    base = f"{html_escape(drill)}?{html_escape(query)}"
    out = []
    for row in rows:
        client = row.client
        assert client is not None  # a client's row (the totals row has none)
        link = f"{base}&amp;client={client.pk}"
        cells = "".join(
            f'<td class="num"><a href="{link}&amp;bucket={html_escape(key)}">'
            f"{format_nok(amount)}</a></td>"
            if amount
            else '<td class="num">–</td>'
            for key, amount in row.bucket_list
        )
        items = format_nok(row.items) if row.items else ""
        credit = format_nok(row.credit_balance) if row.credit_balance else ""
        out.append(
            f'\n    <tr><th scope="row"><a href="{link}">{html_escape(client.name)}</a></th>'
            f"\n      {cells}"
            f'\n      <td class="num">{format_nok(row.total)}</td><td class="num">{items}</td>'
            f'<td class="num">{credit}</td><td class="num">{format_nok(row.net)}</td></tr>'
        )
    return mark_safe("".join(out))  # noqa: S308 - the client's name is escaped above


@register.simple_tag
def ageing_invoice_rows(invoices: Iterable[Any]) -> SafeString:
    """The ageing drill-down's rows (``views.AGEING_INVOICE_COLUMNS`` as named tuples),
    built in Python as ``ageing_rows`` is: up to 2,000 rows, each with a link to the
    invoice (the address reversed once). The client's name is escaped; the rest are
    numbers, dates and formatted amounts."""
    prefix, suffix = invoice_detail_address_parts()
    out = []
    for invoice in invoices:
        items = format_nok(invoice.items_open_as_of) if invoice.items_open_as_of else ""
        out.append(
            f'\n    <tr><td class="num"><a href="{prefix}{invoice.pk}{suffix}">{invoice.number}'
            f"</a></td><td>{html_escape(invoice.client__name)}</td>"
            f"<td>{invoice.invoice_date:%d.%m.%Y}</td><td>{invoice.due_date:%d.%m.%Y}</td>"
            f'<td class="num">{format_nok(invoice.total_incl_vat)}</td>'
            f'<td class="num">{format_nok(invoice.open_as_of)}</td>'
            f'<td class="num">{items}</td>'
            f'<td class="num">{format_nok(invoice.claim_open_as_of)}</td></tr>'
        )
    return mark_safe("".join(out))  # noqa: S308 - the client's name is escaped above


@register.simple_tag
def ledger_client_rows(rows: Iterable[Any], *, client_link: str) -> SafeString:
    """The ledger's balance per client, built in Python as ``ageing_rows`` is: a big
    company's 2,000 clients took a good part of the page's ~0.4 s of template time (issue
    15). Each client's name links to its own ledger (``client_link`` and its id). The name
    is escaped; the rest are numbers and formatted amounts."""
    link = html_escape(client_link)
    out = []
    for row in rows:
        client = row.client
        out.append(
            f'\n    <tr><th scope="row"><a href="{link}{client.pk}">{html_escape(client.name)}'
            f'</a> <span class="muted">{client.number}</span></th>'
            f'\n      <td class="num">{format_nok(row.opening)}</td>'
            f'<td class="num">{format_nok(row.debit)}</td>'
            f'<td class="num">{format_nok(row.credit)}</td>'
            f'<td class="num">{format_nok(row.closing)}</td></tr>'
        )
    return mark_safe("".join(out))  # noqa: S308 - the client's name is escaped above


@register.simple_tag
def ledger_entry_rows(entries: Iterable[tuple[Any, Any]], *, one_client: Any) -> SafeString:
    """The ledger's entries (``(LedgerEntry, its client)`` pairs), built in Python as
    ``ledger_client_rows`` is: up to 1,000 rows, each with its document's link (the
    address reversed once). With ``one_client`` (the client chosen, or None) the client
    column is left out and the balance is that client's. Names, labels, KIDs and texts
    are escaped."""
    prefix, suffix = invoice_detail_address_parts()
    one_client = bool(one_client)
    labels: dict[str, str] = {}
    out = []
    for entry, client in entries:
        if entry.kind not in labels:
            labels[entry.kind] = html_escape(entry.kind_label)
        name = "" if one_client else f"<td>{html_escape(client.name) if client else ''}</td>"
        number = (
            f'<a href="{prefix}{entry.document_id}{suffix}">{entry.number}</a>'
            if entry.document_id
            else ""
        )
        due = f"{entry.due_date:%d.%m.%Y}" if entry.due_date else ""
        debit, credit = entry.debit, entry.credit
        balance = entry.client_balance if one_client else entry.balance
        out.append(
            f"\n    <tr><td>{entry.date:%d.%m.%Y}</td>{name}<td>{labels[entry.kind]}</td>"
            f'\n      <td class="num">{number}</td>'
            f"\n      <td>{due}</td><td>{html_escape(entry.kid or entry.text)}</td>"
            f'\n      <td class="num">{format_nok(debit) if debit else ""}</td>'
            f'<td class="num">{format_nok(credit) if credit else ""}</td>'
            f'\n      <td class="num">{format_nok(balance)}</td></tr>'
        )
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped
