"""Sending in Chromium: one invoice from its own page (issue, send by e-mail, see the log),
and several at once from the send batch form."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in
from delivery.models import Delivery, Status
from delivery.tests.conftest import make_client
from invoicing.models import Invoice
from invoicing.tests.factories import draft_invoice, issued_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def emailed():
    """An owner and a client who takes invoices by e-mail: (owner, company, client)."""
    owner = MembershipFactory(role=Role.OWNER, user__full_name="Olga Eier").user
    company = owner.memberships.get().company
    with scope(company=company):
        client = make_client(
            company,
            name="Fjellbekk Kafé AS",
            delivery_channel="email",
            invoice_emails="faktura@fjellbekk.no",
        )
    return owner, company, client


def test_issue_and_send_one_invoice_from_its_page(browser_page, smtp_server, screenshot, emailed):
    owner, company, client = emailed
    with scope(company=company):
        draft = draft_invoice(company=company, client=client)
    page = browser_page
    log_in(page, owner)

    page.goto(f"/app/invoices/{draft.pk}/")
    page.get_by_role("button", name="Utsted", exact=True).click()
    page.get_by_role("button", name="Utsted fakturaen").click()
    expect(page.locator("#invoice-status")).to_have_text("Utstedt")
    invoice_url = page.url

    page.locator("main .actions").get_by_role("button", name="Send", exact=True).click()
    expect(page.locator("section.send-log")).to_contain_text("Ikke sendt ennå.")
    page.locator("main .actions").get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_role("heading", name="Send Faktura 1")).to_be_visible()
    # The client's channel is chosen already; every channel is a real radio with one label.
    expect(page.get_by_label("E-post", exact=True)).to_be_checked()
    expect(page.get_by_label("EHF (Peppol)", exact=True)).not_to_be_checked()
    screenshot(page, "delivery-1-send")
    page.locator("main form").get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Fakturaen er lagt i kø for utsendelse.")).to_be_visible()

    page.goto(invoice_url)
    log = page.locator("section.send-log")
    expect(log.locator("tbody tr")).to_have_count(1)
    expect(log.locator("tbody tr").first).to_contain_text("E-post")
    expect(log.locator(".badge").first).to_have_text("Sendt")
    expect(log).to_contain_text("faktura@fjellbekk.no")
    expect(page.locator("#invoice-status")).to_have_text("Sendt")
    screenshot(page, "delivery-2-sent")

    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "faktura@fjellbekk.no"
    with scopes_disabled():
        invoice = Invoice.objects.get(pk=draft.pk)
        assert invoice.number == 1 and invoice.status == Invoice.Status.SENT
        assert Delivery.objects.get(invoice=invoice).status == Status.SENT


def test_send_the_chosen_invoices_from_the_batch_form(
    browser_page, smtp_server, screenshot, emailed
):
    owner, company, client = emailed
    with scope(company=company):
        chosen = issued_invoice(company=company, client=client)
        left = issued_invoice(company=company, client=client)
    page = browser_page
    log_in(page, owner)

    page.goto("/app/delivery/batches/new/")
    table = page.locator("main table")
    expect(table.locator("tbody tr")).to_have_count(2)
    row = table.locator("tbody tr").first
    expect(row).to_contain_text(f"Faktura {chosen.number}")
    expect(row).to_contain_text("Fjellbekk Kafé AS")
    expect(row).to_contain_text("E-post")
    expect(row).to_contain_text("NOK")
    page.get_by_label(f"Velg faktura {chosen.number}").check()
    expect(page.get_by_label(f"Velg faktura {chosen.number}")).to_be_checked()
    expect(page.get_by_label(f"Velg faktura {left.number}")).not_to_be_checked()
    screenshot(page, "delivery-3-batch-form")
    page.get_by_role("button", name="Send valgte").click()

    expect(page.get_by_role("heading", name="Samlesending")).to_be_visible()
    progress = page.locator("#batch-progress")
    expect(progress).to_contain_text("Ferdig.")
    expect(progress.locator("tbody tr")).to_have_count(1)
    expect(progress.locator(".badge")).to_have_text("Sendt")
    screenshot(page, "delivery-4-batch-sent")

    # Sent, it leaves the form; the other one stays to be sent.
    page.goto("/app/delivery/batches/new/")
    expect(page.get_by_label(f"Velg faktura {chosen.number}")).to_have_count(0)
    expect(page.get_by_label(f"Velg faktura {left.number}")).to_be_visible()
    assert [message["To"] for message in smtp_server.messages] == ["faktura@fjellbekk.no"]
