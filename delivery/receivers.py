"""Receivers of ``invoicing.hooks``: what delivery does when a document is issued."""

from __future__ import annotations


def store_documents_after_issue(*, invoice_id: int) -> None:
    """Record, in the issuing transaction, the task that archives the PDF and the EHF once.

    The durable outbox pushes it to the queue after commit; when the queue is down it
    runs from the sweep once the queue is back (``core.outbox``). Until then a download
    or a delivery archives the documents itself (``delivery.files``), once.
    """
    from core.outbox import outbox_enqueue

    outbox_enqueue(task="delivery.tasks.store_documents", args=[invoice_id])
