"""Receivers of ``invoicing.hooks``: what delivery does after an issue commits."""

from __future__ import annotations


def store_documents_after_issue(*, invoice_id: int) -> None:
    """Enqueue the task that renders and archives the PDF and the EHF file, once."""
    from delivery import tasks

    tasks.store_documents(invoice_id)
