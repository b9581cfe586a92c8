"""What happens after an invoice or credit note is issued and committed.

The issue service calls ``document_issued`` inside the issuing transaction, once the
document is complete. Receivers only *record* work there, with
``core.outbox.outbox_enqueue``: the task is pushed to the queue after commit, vanishes with
a rolled-back issue, and still runs when the queue was down at commit (the outbox sweep).
Other apps (PDF/EHF rendering, e-mail or Peppol delivery) register a receiver from their
``AppConfig.ready()``::

    from invoicing.hooks import on_document_issued

    @on_document_issued
    def render_pdf(*, invoice_id: int) -> None:
        # keep receivers quick: record the work, the task does it
        outbox_enqueue(task="documents.tasks.render_invoice_pdf", args=[invoice_id])

A receiver gets the document's primary key only and must load it itself (inside
``django_scopes.scope``), as a task would. Nothing is registered by this app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class IssuedReceiver(Protocol):
    def __call__(self, *, invoice_id: int) -> None: ...


class IssuedManyReceiver(Protocol):
    def __call__(self, *, company_id: int, invoice_ids: list[int]) -> None: ...


_receivers: list[IssuedReceiver] = []
# A receiver's set-based variant, called once for the documents of one set-based issue.
_many_receivers: dict[IssuedReceiver, IssuedManyReceiver] = {}


def on_document_issued(
    receiver: IssuedReceiver, *, many: IssuedManyReceiver | None = None
) -> IssuedReceiver:
    """Register ``receiver`` (usable as a decorator); registering twice has no effect.

    ``many``: what the receiver records for many documents issued in one transaction
    (``invoice_issue_many``), e.g. one task per chunk instead of one per document.
    Without it, ``receiver`` is called once per document there too."""
    if receiver not in _receivers:
        _receivers.append(receiver)
    if many is not None:
        _many_receivers[receiver] = many
    return receiver


def remove_receiver(receiver: Callable[..., None]) -> None:
    if receiver in _receivers:
        _receivers.remove(receiver)
    _many_receivers.pop(receiver, None)


def document_issued(*, invoice_id: int) -> None:
    """Called inside the issuing transaction by ``invoice_issue`` and ``invoice_credit``."""
    for receiver in list(_receivers):
        receiver(invoice_id=invoice_id)


def documents_issued(*, company_id: int, invoice_ids: list[int]) -> None:
    """Called inside the issuing transaction by ``invoice_issue_many`` (in number order)."""
    if not invoice_ids:
        return
    for receiver in list(_receivers):
        many = _many_receivers.get(receiver)
        if many is not None:
            many(company_id=company_id, invoice_ids=list(invoice_ids))
        else:
            for invoice_id in invoice_ids:
                receiver(invoice_id=invoice_id)


# --- The invoice page and the invoice API: what higher apps add --------------------------
#
# A higher app (receivables) shows its data about an invoice without invoicing importing
# it: it registers a page panel (HTML for the invoice page) and API fields (read-only DRF
# fields added to the invoice serializer, so they also appear in the OpenAPI schema).


class InvoicePanel(Protocol):
    def __call__(self, *, request: Any, invoice: Any) -> str: ...


# Where a panel goes: "collection" after the payments of an issued invoice (not on credit
# notes), "log" before the history of any issued document (invoice or credit note).
PANEL_SLOTS = ("collection", "log")
_panels: dict[str, list[InvoicePanel]] = {slot: [] for slot in PANEL_SLOTS}
_api_fields: dict[str, Callable[[], Any]] = {}


def register_invoice_panel(panel: InvoicePanel, *, slot: str = "collection") -> InvoicePanel:
    """``panel(*, request, invoice)`` returns safe HTML shown on an issued document's page,
    in ``slot`` (one of ``PANEL_SLOTS``)."""
    if panel not in _panels[slot]:
        _panels[slot].append(panel)
    return panel


def invoice_panels(*, request: Any, invoice: Any, slot: str = "collection") -> list[str]:
    return [panel(request=request, invoice=invoice) for panel in list(_panels[slot])]


def register_invoice_api_field(name: str, factory: Callable[[], Any]) -> None:
    """``factory()`` returns a read-only serializer field (``source="*"``: it gets the
    invoice) added as ``name`` to ``GET /api/v1/invoices/{id}/``."""
    _api_fields[name] = factory


def invoice_api_fields() -> dict[str, Any]:
    return {name: factory() for name, factory in _api_fields.items()}


# --- Validators run inside the issue transaction --------------------------------------------
#
# A higher layer (documents: "would this invoice give a valid EHF?") registers a validator
# from its ``AppConfig.ready()``. ``invoice_issue`` and ``invoice_credit`` call every
# validator inside the issuing transaction, after the number, snapshots, frozen lines, VAT
# breakdown and totals are set and saved, and before commit. A validator gets the objects
# in memory (no need to query them again) and returns the problems as translated
# sentences; any problem rolls the whole issue back, so no number is used.


class IssueValidator(Protocol):
    def __call__(self, *, invoice: Any, lines: list[Any], vat_lines: list[Any]) -> list[str]: ...


_validators: list[IssueValidator] = []


def register_issue_validator(validator: IssueValidator) -> IssueValidator:
    """Register ``validator`` (usable as a decorator); registering twice has no effect."""
    if validator not in _validators:
        _validators.append(validator)
    return validator


def remove_issue_validator(validator: Callable[..., list[str]]) -> None:
    if validator in _validators:
        _validators.remove(validator)


def issue_problems(*, invoice: Any, lines: list[Any], vat_lines: list[Any]) -> list[str]:
    """Every registered validator's problems with the document being issued."""
    problems: list[str] = []
    for validator in list(_validators):
        problems.extend(validator(invoice=invoice, lines=lines, vat_lines=vat_lines))
    return problems
