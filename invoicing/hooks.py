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
from typing import Any, Protocol


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


# --- The invoice page and the invoice API: what higher apps add --------------------------
#
# A higher app (receivables) shows its data about an invoice without invoicing importing
# it: it registers a page panel (HTML for the invoice page) and API fields (read-only DRF
# fields added to the invoice serializer, so they also appear in the OpenAPI schema).


class InvoicePanel(Protocol):
    def __call__(self, *, request: Any, invoice: Any) -> str: ...


_panels: list[InvoicePanel] = []
_api_fields: dict[str, Callable[[], Any]] = {}


def register_invoice_panel(panel: InvoicePanel) -> InvoicePanel:
    """``panel(*, request, invoice)`` returns safe HTML shown on an issued invoice's page."""
    if panel not in _panels:
        _panels.append(panel)
    return panel


def invoice_panels(*, request: Any, invoice: Any) -> list[str]:
    return [panel(request=request, invoice=invoice) for panel in list(_panels)]


def register_invoice_api_field(name: str, factory: Callable[[], Any]) -> None:
    """``factory()`` returns a read-only serializer field (``source="*"``: it gets the
    invoice) added as ``name`` to ``GET /api/v1/invoices/{id}/``."""
    _api_fields[name] = factory


def invoice_api_fields() -> dict[str, Any]:
    return {name: factory() for name, factory in _api_fields.items()}
