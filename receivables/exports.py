"""The claim as CSV for a collection agency (one row per invoice, semicolon-separated,
UTF-8, decimal point): creditor, debtor, principal and the additional claims separately,
interest basis, and the letters sent (inkassoloven § 10 asks the agency to state them)."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

from core.money import ZERO, round_money
from receivables import rules, selectors
from receivables.models import Letter, ReceivableItem

COLUMNS = [
    "creditor_name",
    "creditor_organization_number",
    "invoice_number",
    "invoice_date",
    "due_date",
    "currency",
    "kid",
    "invoice_amount",
    "paid",
    "credited",
    "principal_open",
    "fees_open",
    "compensation_open",
    "interest_claimed_open",
    "interest_accrued_unclaimed",
    "interest_from",
    "interest_rate_today",
    "debtor_kind",
    "debtor_name",
    "debtor_organization_number",
    "debtor_address",
    "debtor_postcode",
    "debtor_city",
    "debtor_country",
    "debtor_email",
    "debtor_phone",
    "reminders_sent",
    "inkassovarsel_sent",
    "inkassovarsel_deadline",
]


def _sum(items: list[ReceivableItem], kinds: tuple[str, ...]) -> Decimal:
    return round_money(sum((i.open_amount for i in items if i.kind in kinds), ZERO))


def collection_csv(*, invoice: Any, today: datetime.date) -> str:
    items = list(selectors.receivable_items_for(company=invoice.company, invoice=invoice))
    letters = list(Letter.objects.filter(invoice=invoice).order_by("sent_on"))
    notice = next(
        (lt for lt in reversed(letters) if lt.kind == Letter.Kind.COLLECTION_NOTICE), None
    )
    try:
        accrued = selectors.accrued_interest(invoice=invoice, until=today, claimed=items)
        rate = str(selectors.interest_rate_on(today))
    except rules.FigureMissing:
        accrued, rate = ZERO, ""
    seller = invoice.seller_snapshot or {}
    buyer = invoice.buyer_snapshot or {}
    row = {
        "creditor_name": seller.get("name", ""),
        "creditor_organization_number": seller.get("organization_number", ""),
        "invoice_number": invoice.number,
        "invoice_date": invoice.invoice_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "currency": invoice.currency,
        "kid": invoice.kid,
        "invoice_amount": f"{invoice.total_incl_vat:.2f}",
        "paid": f"{invoice.paid_amount:.2f}",
        "credited": f"{invoice.credited_amount:.2f}",
        "principal_open": f"{invoice.open_balance:.2f}",
        "fees_open": f"{_sum(items, ('reminder_fee', 'notice_fee')):.2f}",
        "compensation_open": f"{_sum(items, ('compensation',)):.2f}",
        "interest_claimed_open": f"{_sum(items, ('interest',)):.2f}",
        "interest_accrued_unclaimed": f"{accrued:.2f}",
        "interest_from": invoice.due_date.isoformat(),
        "interest_rate_today": rate,
        "debtor_kind": buyer.get("kind", invoice.client.kind),
        "debtor_name": buyer.get("name", invoice.client.name),
        "debtor_organization_number": buyer.get("organization_number", ""),
        "debtor_address": " ".join(
            x for x in (buyer.get("address_line", ""), buyer.get("address_line2", "")) if x
        ),
        "debtor_postcode": buyer.get("postcode", ""),
        "debtor_city": buyer.get("city", ""),
        "debtor_country": buyer.get("country", ""),
        "debtor_email": ", ".join(invoice.client.invoice_email_list),
        "debtor_phone": invoice.client.phone,
        "reminders_sent": " ".join(
            lt.sent_on.isoformat() for lt in letters if lt.kind == Letter.Kind.REMINDER
        ),
        "inkassovarsel_sent": notice.sent_on.isoformat() if notice else "",
        "inkassovarsel_deadline": notice.deadline.isoformat() if notice else "",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerow(row)
    return out.getvalue()
