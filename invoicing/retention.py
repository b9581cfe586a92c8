"""Retention targets of invoices and payments (named by the handlers in ``invoicing/privacy.py``).

An issued invoice is never changed, except here: past the bookkeeping deadline (or when its
customer has left) the people on it are anonymised, with the guard triggers lifted for the
batch's own transaction only (``core.guards``).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django.db.models import Q

from core.bulk import id_array
from core.guards import retention_guards_lifted
from core.personal_data.retention import (
    ANONYMISED_NAME,
    Action,
    Context,
    Target,
    manager,
    not_held,
    plain,
    primary_cutoff,
)

ISSUED_STATUSES = ("issued", "sent", "partially_paid", "paid", "credited")
PERSON_SNAPSHOT_KEYS = {
    "name": ANONYMISED_NAME,
    "address_line": "",
    "address_line2": "",
    "postcode": "",
    "city": "",
    "contact_person": "",
    "invoice_emails": [],
    "phone": "",
    "peppol_id": "",
}
COMPANY_SNAPSHOT_KEYS = {"contact_person": ""}
# Names of people on the document (the inventory's personal fields); amounts, numbers,
# lines, dates and the KID stay.
INVOICE_CLEARED = {
    "our_reference": "",
    "their_reference": "",
    "buyer_reference": "",
    "free_text": "",
    "delivery_address": "",
    "delivery_postcode": "",
    "delivery_city": "",
    "delivery_country": "",
    "issued_by": None,
}
CLEARED_SQL = (
    " our_reference = '', their_reference = '', buyer_reference = '', free_text = '',"
    " delivery_address = '', delivery_postcode = '', delivery_city = '',"
    " delivery_country = '', issued_by_id = NULL"
)
SELLER_SNAPSHOT_KEYS = {
    "name": ANONYMISED_NAME,
    "organization_number": "",
    "organization_number_display": "",
    "address_line": "",
    "postcode": "",
    "city": "",
    "bank_account": "",
    "bank_account_display": "",
    "iban": "",
    "bic": "",
    "email": "",
    "phone": "",
    "website": "",
}


def anonymised_snapshot(snapshot: dict[str, Any], today: datetime.date) -> dict[str, Any]:
    """The buyer snapshot without a person's data (a company's contact person only).

    Keys are set whether or not the snapshot had them, so that PostgreSQL's ``||`` does
    exactly the same."""
    keys = PERSON_SNAPSHOT_KEYS if snapshot.get("kind") == "person" else COMPANY_SNAPSHOT_KEYS
    return {**snapshot, **keys, "anonymised": today.isoformat()}


def _update_invoices(sql: dict[str, str], params: list[Any], pks: list[Any]) -> None:
    """Run the vendor's statement over ``pks``, 5,000 ids per statement."""
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 5000):
            chunk = list(pks[start : start + 5000])
            ids = chunk if connection.vendor == "postgresql" else json.dumps(chunk)
            vendor = "postgresql" if connection.vendor == "postgresql" else "sqlite"
            cursor.execute(sql[vendor], [*params, ids])


def _anonymise_invoices_sql(pks: list[Any], today: datetime.date) -> None:
    """``anonymised_snapshot`` and INVOICE_CLEARED in one statement per 5,000 rows.

    PostgreSQL merges with ``jsonb ||``, SQLite with ``json_patch`` (RFC 7396; no value
    here is null, so both only set keys)."""
    marker = {"anonymised": today.isoformat()}
    person = json.dumps({**PERSON_SNAPSHOT_KEYS, **marker})
    company = json.dumps({**COMPANY_SNAPSHOT_KEYS, **marker})
    # Both statements clear the columns of INVOICE_CLEARED.
    sql = {
        "postgresql": (
            "UPDATE invoicing_invoice SET buyer_snapshot = CASE"  # noqa: S608 (constant SQL; values are parameters)
            " WHEN buyer_snapshot ->> 'kind' = 'person' THEN buyer_snapshot || %s::jsonb"
            " ELSE buyer_snapshot || %s::jsonb END," + CLEARED_SQL + " WHERE id = ANY(%s)"
        ),
        "sqlite": (
            "UPDATE invoicing_invoice SET buyer_snapshot = CASE"  # noqa: S608 (constant SQL; values are parameters)
            " WHEN json_extract(buyer_snapshot, '$.kind') = 'person'"
            " THEN json_patch(buyer_snapshot, %s) ELSE json_patch(buyer_snapshot, %s) END,"
            + CLEARED_SQL
            + " WHERE id IN (SELECT value FROM json_each(%s))"
        ),
    }
    _update_invoices(sql, [person, company], pks)


def _anonymise_left_invoices_sql(pks: list[Any], today: datetime.date) -> None:
    """Invoices of (or, for the operator, to) a customer that left: seller and buyer both.

    Both snapshots lose every name, address and contact detail (a company buyer too: its
    seller has left, and nothing is printed again); INVOICE_CLEARED as for every invoice."""
    done = {"left_anonymised": today.isoformat()}
    buyer = json.dumps({**PERSON_SNAPSHOT_KEYS, **done})
    seller = json.dumps(SELLER_SNAPSHOT_KEYS)
    sql = {
        "postgresql": (
            "UPDATE invoicing_invoice SET buyer_snapshot = buyer_snapshot || %s::jsonb,"  # noqa: S608 (constant SQL; values are parameters)
            " seller_snapshot = seller_snapshot || %s::jsonb," + CLEARED_SQL + " WHERE id = ANY(%s)"
        ),
        "sqlite": (
            "UPDATE invoicing_invoice SET buyer_snapshot = json_patch(buyer_snapshot, %s),"  # noqa: S608 (constant SQL; values are parameters)
            " seller_snapshot = json_patch(seller_snapshot, %s),"
            + CLEARED_SQL
            + " WHERE id IN (SELECT value FROM json_each(%s))"
        ),
    }
    _update_invoices(sql, [buyer, seller], pks)


def invoice_targets(ctx: Context) -> Iterable[Target]:
    cutoff = primary_cutoff(ctx.today)
    rows = not_held(
        manager("invoicing.Invoice")
        .exclude(status="draft")
        .filter(invoice_date__lt=cutoff)
        .exclude(buyer_snapshot__has_key="anonymised"),
        ctx,
    )

    def apply(pks: list[Any], ctx: Context) -> None:
        with retention_guards_lifted():
            _anonymise_invoices_sql(pks, ctx.today)

    yield Target("invoicing.Invoice", Action.ANONYMISE, rows, apply, parallel=True)


def left_invoice_targets(ctx: Context) -> Iterable[Target]:
    rows = (
        manager("invoicing.Invoice")
        .filter(Q(company_id__in=ctx.left_company_ids) | Q(client_id__in=ctx.left_client_ids))
        .exclude(buyer_snapshot__has_key="left_anonymised")
    )

    def apply(pks: list[Any], ctx: Context) -> None:
        with retention_guards_lifted():
            _anonymise_left_invoices_sql(pks, ctx.today)

    yield Target("invoicing.Invoice", Action.ANONYMISE, rows, apply, parallel=True)


def payment_targets(ctx: Context) -> Iterable[Target]:
    cutoff = primary_cutoff(ctx.today)
    rows = not_held(
        manager("invoicing.Payment")
        .filter(date__lt=cutoff)
        .filter(~Q(reference="") | ~Q(note="") | Q(created_by__isnull=False)),
        ctx,
        client="invoice__client_id",
    )

    def apply(pks: list[Any], ctx: Context) -> None:
        # One statement per batch: a batch is already ``BATCH_SIZE`` keys (the Target's
        # ``batch_size``), and on PostgreSQL they are one array parameter (``in_ids``).
        with retention_guards_lifted():
            plain("invoicing.Payment").filter(pk__in_ids=id_array(pks)).update(
                reference="", note="", created_by=None
            )

    yield Target("invoicing.Payment", Action.ANONYMISE, rows, apply, parallel=True)
