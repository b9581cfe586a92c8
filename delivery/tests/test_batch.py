"""Batches: one small task per invoice; a lost worker neither loses nor duplicates."""

from __future__ import annotations

import datetime
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from core.audit import Actor
from core.models import AuditEntry
from core.tests.plans import query_plan, refresh_statistics, sorts
from delivery import services, tasks
from delivery.models import Batch, BatchItem, Delivery, Status
from delivery.tests.conftest import issue_for, make_client
from invoicing.models import Invoice
from invoicing.tests.factories import draft_invoice

pytestmark = pytest.mark.django_db


def recipients_of(messages) -> Counter:
    return Counter(message["Subject"] for message in messages)


def test_worker_lost_mid_batch_every_invoice_sent_exactly_once(
    company, owner, email_client, smtp_server, django_capture_on_commit_callbacks
):
    invoices = [issue_for(company, client=email_client) for _ in range(6)]
    # The batch is created, but the queue holding its tasks is lost (not executed).
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = services.batch_create(
            company=company, invoice_ids=[i.pk for i in invoices], actor=Actor.user(owner)
        )
    assert len(callbacks) == 6
    with scopes_disabled():
        deliveries = list(Delivery.objects.filter(batch_item__batch=batch).order_by("pk"))
    with scope(company=company):
        assert services.batch_progress(batch=batch) == {
            "total": 6, "sent": 0, "failed": 0, "done": 0, "remaining": 6, "finished": False
        }  # fmt: skip

    # The worker processes three items, then dies; a fourth was taken but not yet run.
    for delivery in deliveries[:3]:
        tasks.send_delivery(company.pk, delivery.pk)
    with scope(company=company):
        assert services.batch_progress(batch=batch)["done"] == 3
        assert services.batch_progress(batch=batch)["remaining"] == 3

    # The periodic sweep re-enqueues what is stuck in the queue; a restarted worker
    # also replays the tasks it had already run: the claim lets nothing through twice.
    found = services.deliveries_requeue(now=timezone.now() + services.REQUEUE_AFTER)
    assert sorted(pk for _, pk in found) == [d.pk for d in deliveries[3:]]
    for company_id, delivery_id in found:
        tasks.send_delivery(company_id, delivery_id)
    for delivery in deliveries:
        tasks.send_delivery(company.pk, delivery.pk)

    subjects = recipients_of(smtp_server.messages)
    assert subjects == Counter(
        f"Faktura {invoice.number} fra {company.name}" for invoice in invoices
    )
    with scope(company=company):
        batch.refresh_from_db()
        assert services.batch_progress(batch=batch) == {
            "total": 6, "sent": 6, "failed": 0, "done": 6, "remaining": 0, "finished": True
        }  # fmt: skip
        assert batch.finished_at is not None
        assert all(
            status == Invoice.Status.SENT
            for status in Invoice.objects.filter(pk__in=[i.pk for i in invoices]).values_list(
                "status", flat=True
            )
        )
    with scopes_disabled():
        assert AuditEntry.objects.filter(action="delivery.batch.created").count() == 1
        assert AuditEntry.objects.filter(action="delivery.batch.finished").count() == 1
        assert AuditEntry.objects.filter(action="delivery.sent").count() == 6


def test_items_that_cannot_go_fail_with_a_reason_and_the_rest_is_sent(
    company, owner, email_client, smtp_server, settings, django_capture_on_commit_callbacks
):
    settings.PEPPOL_AP_URL = ""
    with scope(company=company):
        no_mail = make_client(company, invoice_emails="", delivery_channel="email")
        ehf = make_client(company, delivery_channel="ehf")
        manual = make_client(company, delivery_channel="manual")
    good = issue_for(company, client=email_client)
    bad = [issue_for(company, client=client) for client in (no_mail, ehf, manual)]
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_create(
            company=company,
            invoice_ids=[good.pk, *[i.pk for i in bad]],
            actor=Actor.user(owner),
        )
    with scope(company=company):
        items = {item.invoice_id: item for item in batch.items.all()}
        assert items[good.pk].status == Status.SENT
        errors = [items[i.pk].error for i in bad]
        assert all(items[i.pk].status == Status.FAILED for i in bad)
        assert "ingen e-postadresse" in errors[0]
        assert "IKKE overføres" in errors[1]
        assert "manuelt" in errors[2]
        batch.refresh_from_db()
        assert batch.finished_at is not None
        progress = services.batch_progress(batch=batch)
    assert (progress["sent"], progress["failed"], progress["remaining"]) == (1, 3, 0)
    assert len(smtp_server.messages) == 1


def test_bad_batches_are_refused_whole(company, other_company, owner, email_client):
    good = issue_for(company, client=email_client)
    foreign = issue_for(other_company, client=make_client(other_company))
    with scope(company=company):
        draft = draft_invoice(company=company, client=email_client)
    for ids, message in [
        ([good.pk, foreign.pk], "finnes ikke"),
        ([good.pk, draft.pk], "Utkast"),
        ([], "minst én"),
        ([good.pk, 10**12], "finnes ikke"),
    ]:
        with pytest.raises(ValidationError, match=message):
            services.batch_create(company=company, invoice_ids=ids, actor=Actor.user(owner))
    with scopes_disabled():
        assert Batch.objects.count() == 0
        assert BatchItem.objects.count() == 0
        assert Delivery.objects.count() == 0


def test_an_invoice_already_on_its_way_is_not_batched_again(company, owner, email_client):
    invoice = issue_for(company, client=email_client)
    with scope(company=company):
        services.delivery_request(invoice=invoice, channel="email", actor=Actor.user(owner))
    with pytest.raises(ValidationError, match="allerede i kø"):
        services.batch_create(company=company, invoice_ids=[invoice.pk], actor=Actor.user(owner))
    with scopes_disabled():
        assert Delivery.objects.count() == 1


def test_temporary_failure_keeps_the_item_open_until_the_retry_ends_it(
    company, owner, email_client, smtp_peer, django_capture_on_commit_callbacks
):
    from huey.contrib.djhuey import HUEY

    invoice = issue_for(company, client=email_client)
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_create(
            company=company, invoice_ids=[invoice.pk], actor=Actor.user(owner)
        )
    with scope(company=company):
        assert services.batch_progress(batch=batch)["remaining"] == 1
    smtp_peer.start()
    (scheduled,) = HUEY.scheduled()
    assert scheduled.eta is not None
    with django_capture_on_commit_callbacks(execute=True):
        HUEY.execute(scheduled, timestamp=scheduled.eta + datetime.timedelta(seconds=1))
    with scope(company=company):
        assert services.batch_progress(batch=batch)["sent"] == 1
        assert services.batch_progress(batch=batch)["finished"]
    assert len(smtp_peer.messages) == 1


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_batch_forms_unsent_invoices_come_from_their_partial_index(company):
    """The plan of the batch form's query, on SQLite and PostgreSQL: the partial index of
    unsent issued documents (``invoice_unsent``) answers it in number order. Without it
    PostgreSQL read every client's invoices of every company (1.9 s at 4.5 M invoices)."""
    from delivery.selectors import unsent_issued_invoices

    invoice = issue_for(company)
    with scope(company=company):
        Invoice.objects.filter(pk=invoice.pk).update(sent_at=None)
        refresh_statistics("invoicing_invoice")
        sql, params = unsent_issued_invoices()[: services.batch_max()].query.sql_with_params()
        plan = query_plan(sql, params, in_order=True)
    assert "invoice_unsent" in plan, plan
    assert not sorts(plan.split("invoice_unsent")[0]), plan  # in the index's order
