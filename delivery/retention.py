"""Retention targets of the send log (named by the handler in ``delivery/privacy.py``)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from core.personal_data.retention import (
    Action,
    Context,
    Target,
    manager,
    not_held,
    secondary_cutoff,
    start_of,
    updater,
)


def delivery_targets(ctx: Context) -> Iterable[Target]:
    cutoff = start_of(secondary_cutoff(ctx.today))
    deliveries = not_held(
        manager("delivery.Delivery")
        .filter(created_at__lt=cutoff)
        .filter(~Q(recipients="") | ~Q(error="")),
        ctx,
        client="invoice__client_id",
    )
    yield Target(
        "delivery.Delivery",
        Action.ANONYMISE,
        deliveries,
        updater("delivery.Delivery", recipients="", error=""),
    )
    items = not_held(
        manager("delivery.BatchItem").filter(batch__created_at__lt=cutoff).exclude(error=""),
        ctx,
        client="invoice__client_id",
    )
    yield Target(
        "delivery.BatchItem", Action.ANONYMISE, items, updater("delivery.BatchItem", error="")
    )
