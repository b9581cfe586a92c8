"""Reads of delivery shared by views and the invoice pages (inside the tenant scope)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet

from delivery.models import ACTIVE_STATUSES, Batch, Delivery, Status
from delivery.peppol import configured_transport
from documents.models import StoredDocument
from invoicing.models import Invoice


def send_log(*, invoice: Invoice) -> QuerySet[Delivery]:
    """Every attempt to deliver ``invoice``, newest first (the ``send_log`` of the snippet)."""
    return (
        Delivery.objects.filter(invoice=invoice)
        .select_related("requested_by")
        .order_by("-created_at", "-attempt", "-id")
    )


def failed_deliveries() -> QuerySet[Delivery]:
    """Requests that ended in failure: the last attempt failed and nothing newer is on its way
    or sent for that invoice."""
    later_attempt = Delivery.objects.filter(
        request_id=OuterRef("request_id"), attempt__gt=OuterRef("attempt")
    )
    newer_for_invoice = Delivery.objects.filter(
        invoice=OuterRef("invoice"), created_at__gt=OuterRef("created_at")
    ).filter(Q(status__in=ACTIVE_STATUSES) | Q(status=Status.SENT))
    return (
        Delivery.objects.filter(status=Status.FAILED)
        .exclude(Exists(later_attempt))
        .exclude(Exists(newer_for_invoice))
        .select_related("invoice", "invoice__client")
        .order_by("-finished_at", "-id")
    )


def unsent_issued_invoices() -> QuerySet[Invoice]:
    """Issued invoices and credit notes never sent and not on their way now (batch form)."""
    active = Delivery.objects.filter(invoice=OuterRef("pk"), status__in=ACTIVE_STATUSES)
    return (
        Invoice.objects.issued()
        .filter(sent_at__isnull=True)
        .exclude(Exists(active))
        .select_related("client")
        .order_by("number", "id")
    )


def has_active_delivery(*, invoice: Invoice) -> bool:
    return Delivery.objects.filter(invoice=invoice, status__in=ACTIVE_STATUSES).exists()


def stored_kinds(*, invoice: Invoice) -> set[str]:
    """Which archived documents exist for ``invoice`` (``{"pdf", "ehf"}`` or fewer)."""
    return set(StoredDocument.objects.filter(invoice=invoice).values_list("kind", flat=True))


def peppol_configured() -> bool:
    return configured_transport() is not None


def recent_batches(limit: int = 10) -> QuerySet[Batch]:
    return Batch.objects.order_by("-created_at", "-id")[:limit]
