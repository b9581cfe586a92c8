"""Receivers of ``invoicing.hooks``: what delivery does after an issue commits."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def store_documents_after_issue(*, invoice_id: int) -> None:
    """Enqueue the task that renders and archives the PDF and the EHF file, once.

    When the queue cannot take the task (Redis down, the task store locked), archive
    them here and now instead: an issued number must never go without its one archived
    PDF and EHF, and a download must never be a second rendering.
    """
    from delivery import tasks
    from documents.services import issued_documents_store

    try:
        tasks.store_documents(invoice_id)
    except Exception:
        logger.warning(
            "Queue unavailable: archiving invoice %s's documents in the request",
            invoice_id,
            exc_info=True,
        )
        issued_documents_store(invoice_id=invoice_id)
