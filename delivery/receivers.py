"""Receivers of ``invoicing.hooks``: what delivery does when a document is issued."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def send_log_panel(*, request: Any, invoice: Any) -> str:
    """The send log on an issued document's page (``invoicing.hooks``, slot "log")."""
    from delivery.selectors import send_log

    return render_to_string(
        "delivery/_send_log.html", {"send_log": list(send_log(invoice=invoice))}, request=request
    )


def store_documents_after_issue(*, invoice_id: int) -> None:
    """Record, in the issuing transaction, the task that archives the PDF and the EHF once.

    The durable outbox pushes it to the queue after commit; when the queue is down it
    runs from the sweep once the queue is back (``core.outbox``). Until then a download
    or a delivery archives the documents itself (``delivery.files``), once.
    """
    from core.outbox import outbox_enqueue

    outbox_enqueue(task="delivery.tasks.store_documents", args=[invoice_id])


def store_documents_after_issue_many(*, company_id: int, invoice_ids: list[int]) -> None:
    """Record, in the transaction that issued ``invoice_ids`` at once, one archiving task
    per ``ARCHIVE_CHUNK_SIZE`` of them (run side by side by the worker processes)."""
    from django.conf import settings

    from core.outbox import outbox_enqueue_many

    size = settings.ARCHIVE_CHUNK_SIZE
    outbox_enqueue_many(
        task="delivery.tasks.store_documents_chunk",
        calls=[
            ([company_id, invoice_ids[start : start + size]], {})
            for start in range(0, len(invoice_ids), size)
        ],
    )
