"""What happens after an invoice or credit note is issued and committed.

The issue service schedules ``document_issued`` with ``transaction.on_commit``, so the
receivers run only for committed documents, never for a rolled-back issue. Other apps
(PDF/EHF rendering, e-mail or Peppol delivery) register a receiver from their
``AppConfig.ready()``::

    from invoicing.hooks import on_document_issued

    @on_document_issued
    def render_pdf(*, invoice_id: int) -> None:
        render_invoice_pdf.schedule(...)  # enqueue a Huey task; keep receivers quick

A receiver gets the document's primary key only and must load it itself (inside
``django_scopes.scope``), as a task would. Nothing is registered by this app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol


class IssuedReceiver(Protocol):
    def __call__(self, *, invoice_id: int) -> None: ...


_receivers: list[IssuedReceiver] = []


def on_document_issued(receiver: IssuedReceiver) -> IssuedReceiver:
    """Register ``receiver`` (usable as a decorator); registering twice has no effect."""
    if receiver not in _receivers:
        _receivers.append(receiver)
    return receiver


def remove_receiver(receiver: Callable[..., None]) -> None:
    if receiver in _receivers:
        _receivers.remove(receiver)


def document_issued(*, invoice_id: int) -> None:
    """Called after commit by ``invoice_issue`` and ``invoice_credit``."""
    for receiver in list(_receivers):
        receiver(invoice_id=invoice_id)
