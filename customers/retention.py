"""Retention targets of client records (named by the handlers in ``customers/privacy.py`` and,
for the operator's own client records, ``backoffice/privacy.py``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q

from core.personal_data.retention import (
    ANONYMISED_NAME,
    Action,
    Context,
    Target,
    manager,
    not_held,
    primary_cutoff,
    start_of,
    updater,
)

# What an anonymised client record keeps: its number and kind, nothing about the person
# (the engine's rules and a company's own anonymisation, privacy.services.controllers).
CLIENT_ANONYMISED = {
    "name": ANONYMISED_NAME,
    "contact_person": "",
    "their_reference": "",
    "address_line": "",
    "address_line2": "",
    "postcode": "",
    "city": "",
    "invoice_emails": "",
    "phone": "",
    "notes": "",
    "is_active": False,
}


def person_client_targets(ctx: Context) -> Iterable[Target]:
    """A private person as a client: anonymised when nothing about them is still kept."""
    cutoff = primary_cutoff(ctx.today)
    recent = (
        manager("invoicing.Invoice")
        .filter(client_id=OuterRef("pk"))
        .filter(Q(invoice_date__gte=cutoff) | Q(status="draft"))
    )
    rows = not_held(
        manager("customers.Client")
        .filter(kind="person", created_at__lt=start_of(cutoff), updated_at__lt=start_of(cutoff))
        .exclude(name=ANONYMISED_NAME)
        .filter(~Exists(recent)),
        ctx,
        client="pk",
    )
    # ``update`` leaves ``updated_at`` alone: the row is not selected again anyway.
    yield Target(
        "customers.Client", Action.ANONYMISE, rows, updater("customers.Client", **CLIENT_ANONYMISED)
    )


def left_client_targets(ctx: Context) -> Iterable[Target]:
    """Every client record of a customer that left (its own client register).

    Rows the person-client rule selects in the same run are left to it (one row, one rule:
    the dry run's counts stay those of the real run)."""
    yield _left_clients(ctx, Q(company_id__in=ctx.left_company_ids))


def operator_client_targets(ctx: Context) -> Iterable[Target]:
    """Our own client record (in our books) of a customer that left."""
    yield _left_clients(ctx, Q(pk__in=ctx.left_client_ids))


def _left_clients(ctx: Context, which: Q) -> Target:
    person_rule = next(iter(person_client_targets(ctx))).queryset.values("pk")
    rows = (
        manager("customers.Client")
        .filter(which)
        .exclude(name=ANONYMISED_NAME)
        .exclude(pk__in=person_rule)
    )
    return Target(
        "customers.Client", Action.ANONYMISE, rows, updater("customers.Client", **CLIENT_ANONYMISED)
    )
