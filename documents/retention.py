"""Retention targets of the archived files (named by the handler in ``documents/privacy.py``)."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from django.db import transaction

from core.personal_data.retention import (
    Action,
    Context,
    Target,
    files_delete,
    manager,
    not_held,
    plain,
    primary_cutoff,
)
from invoicing.retention import ISSUED_STATUSES


def document_targets(ctx: Context) -> Iterable[Target]:
    """Archived PDF/EHF files of documents past the deadline (they print the buyer)."""
    cutoff = primary_cutoff(ctx.today)
    rows = not_held(
        manager("documents.StoredDocument").filter(
            invoice__invoice_date__lt=cutoff, invoice__status__in=ISSUED_STATUSES
        ),
        ctx,
        client="invoice__client_id",
    )

    def apply(pks: list[Any], ctx: Context) -> None:
        # One batch of ``BATCH_SIZE`` keys: its rows, then their files once committed.
        rows = plain("documents.StoredDocument").filter(pk__in=pks)
        files = [row.file for row in rows if row.file]
        rows.delete()
        transaction.on_commit(functools.partial(files_delete, files))

    yield Target("documents.StoredDocument", Action.DELETE, rows, apply)
