"""Huey tasks of delivery. Each is safe to run more than once (design.md §4)."""

from __future__ import annotations

import logging

from django_scopes import scope, scopes_disabled
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from accounts.models import Company
from delivery import files, services
from documents import services as document_services

logger = logging.getLogger(__name__)


@db_task()
def store_documents(invoice_id: int) -> None:
    """Render and archive the issued document's PDF and (if possible) EHF, once."""
    from invoicing.models import Invoice

    with scopes_disabled():
        company_id = Invoice.objects.values_list("company_id", flat=True).get(pk=invoice_id)
    with scope(company=Company.objects.get(pk=company_id)):
        files.store_issued_documents(invoice_id)


@db_task()
def store_documents_chunk(company_id: int, invoice_ids: list[int]) -> None:
    """Archive the PDF and EHF of a chunk of one company's issued documents (each once:
    a second run, or a run after a killed one, archives only what is still missing)."""
    company = Company.objects.get(pk=company_id)
    with scope(company=company):
        document_services.issued_documents_store_many(company=company, invoice_ids=invoice_ids)


@db_task()
def send_delivery(company_id: int, delivery_id: int) -> None:
    """Transmit one attempt; a second run of the same attempt does nothing."""
    with scope(company=Company.objects.get(pk=company_id)):
        services.delivery_execute(delivery_id=delivery_id)


@db_periodic_task(crontab(minute="*"))
def requeue_deliveries() -> None:
    """Every minute: enqueue attempts whose task was lost (the claim prevents doubles)."""
    for company_id, delivery_id in services.deliveries_requeue():
        logger.info("Re-enqueueing delivery %s", delivery_id)
        send_delivery(company_id, delivery_id)
