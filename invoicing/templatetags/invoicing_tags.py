"""Template helpers of the invoicing pages, the client page and the dashboard."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from html import escape as html_escape
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.translation import gettext as _

from core.activity import ActivityLine, activity_lines
from core.models import AuditEntry
from core.money import format_nok
from invoicing import selectors
from invoicing.models import Invoice, open_balance_of

register = template.Library()

STATUS_CLASSES: dict[str, str] = {
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


@register.simple_tag(takes_context=True)
def sort_header(context: Any, key: str, label: str, css_class: str = "") -> SafeString:
    """A sortable column's header of the invoice list: a link that sorts by ``key`` (again:
    the other way), ``aria-sort`` and an arrow on the current sort. Built in Python: five
    template includes were a tenth of the page's template time (issue 15)."""
    current = context["filters"]["sort"]
    ascending, descending = current == key, current == f"-{key}"
    attributes = f' class="{html_escape(css_class)}"' if css_class else ""
    arrow = ""
    if ascending:
        attributes += ' aria-sort="ascending"'
        arrow = ' <span aria-hidden="true">▲</span>'
    elif descending:
        attributes += ' aria-sort="descending"'
        arrow = ' <span aria-hidden="true">▼</span>'
    href = html_escape(f"{context['sort_base']}sort={'-' if ascending else ''}{key}")
    # What format_html did (a safe label as it is, any other escaped) without its
    # lazy-argument checks, which were most of the tag's calls.
    text = label if isinstance(label, SafeData) else html_escape(str(label))
    return SafeString(f'<th scope="col"{attributes}><a href="{href}">{text}{arrow}</a></th>')


@register.simple_tag
def options(choices: Iterable[tuple[str, str]], selected: str) -> SafeString:
    """``<option>`` elements of ``(value, label)`` pairs, the one equal to ``selected``
    marked: the markup a template loop gave, for a fraction of its function calls (a
    variable or ``if`` node is ~25 calls; issue 15)."""
    return SafeString(
        "".join(
            f'<option value="{html_escape(str(value))}" '
            f"{'selected' if value == selected else ''}>{html_escape(str(label))}</option>"
            for value, label in choices
        )
    )


_PK_MARK = "987654321"


def invoice_detail_address_parts() -> tuple[str, str]:
    """The invoice page's address before and after the invoice's id: the address of many
    rows' invoices with one ``reverse`` (a few µs each, for 50 to 2,000 rows)."""
    prefix, suffix = reverse("invoicing:detail", args=[int(_PK_MARK)]).split(_PK_MARK)
    return prefix, suffix


_DASH = '<span class="muted">–</span>'


@register.simple_tag
def invoice_rows(
    invoices: Iterable[Any], *, is_credit_notes: bool, today: Any, select_form: str = ""
) -> SafeString:
    """The list's table rows, built in Python: the same markup a template loop gave, at a
    fraction of its cost (the loop was most of the list page's CPU at 50 rows; issue 15).
    The rows are the list view's named tuples (``pk``, ``ROW_FIELDS`` and, for credit
    notes, ``credited_invoice__number``), not model instances. Every text from
    the database is escaped (``html.escape``: what Django's ``escape`` does, without its
    lazy-argument check, a fifth of these rows' calls). With ``select_form`` (a form's id)
    each row starts with a cell holding, for a draft, an ``invoice`` checkbox of that form."""
    prefix, suffix = invoice_detail_address_parts()
    open_statuses = selectors.OPEN_STATUSES
    draft = Invoice.Status.DRAFT
    overdue_label = escape(_("Forfalt"))
    labels: dict[str, str] = {}
    out = []
    for invoice in invoices:
        status = invoice.status
        if status not in labels:
            # str(): the label is lazy, and escape() of a lazy text stays lazy, translated
            # again in every row that shows it.
            labels[status] = html_escape(str(Invoice.Status(status).label))
        is_draft = status == draft
        number = str(invoice.number) if invoice.number else _DASH
        reference = (
            f' <small class="muted">{html_escape(invoice.their_reference)}</small>'
            if invoice.their_reference
            else ""
        )
        if is_credit_notes:
            credited = ""
            if invoice.credited_invoice_id is not None:
                text = _("faktura %(n)s") % {"n": invoice.credited_invoice__number}
                credited = (
                    f'<a href="{prefix}{invoice.credited_invoice_id}{suffix}">{escape(text)}</a>'
                )
            fourth = f"<td>{credited}</td>"
        else:
            fourth = f"<td>{invoice.due_date:%d.%m.%Y}</td>"
        currency = f"{html_escape(invoice.currency)} " if invoice.currency != "NOK" else ""
        # Formatted amounts are digits, no-break spaces, a comma and a minus: no escaping.
        amount = _DASH if is_draft else money(invoice.total_incl_vat)
        is_open = status in open_statuses
        balance = ""
        if not is_credit_notes:
            shown = money(open_balance_of(invoice)) if is_open else ""
            balance = f'<td class="num">{shown}</td>'
        overdue = (
            f' <span class="badge badge-danger">{overdue_label}</span>'
            if is_open and invoice.due_date < today and not is_credit_notes
            else ""
        )
        client_name = html_escape(invoice.client__name)
        select = ""
        if select_form:
            label = escape(_("Velg utkast til %(client)s") % {"client": invoice.client__name})
            box = (
                f'<input type="checkbox" name="invoice" value="{invoice.pk}" '
                f'form="{escape(select_form)}" aria-label="{label}">'
                if is_draft
                else ""
            )
            select = f'\n      <td class="select">{box}</td>'
        out.append(
            f"\n    <tr>{select}"
            f'\n      <td class="num">{number}</td>'
            f"\n      <td>{invoice.invoice_date:%d.%m.%Y}</td>"
            f'\n      <th scope="row"><a href="{prefix}{invoice.pk}{suffix}">'
            f"{client_name}</a>{reference}</th>"
            f"\n      {fourth}"
            f'\n      <td class="num">{currency}{amount}</td>'
            f"\n      {balance}"
            f'\n      <td><span class="{STATUS_CLASSES.get(status, "badge")}">{labels[status]}'
            f"</span>{overdue}</td>"
            "\n    </tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every database value above is escaped


@register.inclusion_tag("invoicing/_client_invoices.html", takes_context=True)
def client_invoices(context: Any, client: Any) -> dict[str, Any]:
    """The client's latest invoices, open balance and credit balance (client page)."""
    company = context["company"]
    invoices = list(
        selectors.invoice_list(
            company=company,
            filters=selectors.InvoiceFilter(client=client),
            ordering="-invoice_date",
        )[:LATEST]
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
