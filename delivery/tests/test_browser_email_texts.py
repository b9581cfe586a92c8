"""The company's own invoice e-mail text in Chromium: a wrong field name is refused with a
message, the corrected text is saved, and the invoice e-mail sent next carries it."""

from __future__ import annotations

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from delivery.tests.conftest import issue_for, make_client
from delivery.tests.test_browser_delivery import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_edit_the_email_text_then_send_an_invoice_with_it(browser_page, smtp_server, screenshot):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        client = make_client(
            company, delivery_channel="email", invoice_emails="faktura@fjellbekk.no", language="nb"
        )
    invoice = issue_for(company, client=client)
    page = browser_page
    log_in(page, owner)

    page.goto("/app/")
    page.get_by_text("Firma", exact=True).click()
    page.get_by_role("link", name="E-posttekster").click()
    expect(page.get_by_label("Emne på norsk")).to_have_value(
        "Faktura {fakturanummer} fra {avsender}"
    )
    page.get_by_label("Emne på norsk").fill("Regning {nummer} fra {avsender}")
    page.get_by_role("button", name="Lagre tekstene").click()
    expect(page.get_by_text("Ukjent felt: {nummer}")).to_be_visible()
    screenshot(page, "delivery-email-texts-error")

    page.get_by_label("Emne på norsk").fill("Regning {fakturanummer} fra {avsender}")
    page.get_by_label("Tekst på norsk").fill(
        "Takk for handelen!\n\nBetal {valuta} {beløp} innen {forfallsdato}.\n\nHilsen {avsender}"
    )
    page.get_by_role("button", name="Lagre tekstene").click()
    expect(page.get_by_text("E-posttekstene er lagret.")).to_be_visible()
    screenshot(page, "delivery-email-texts-saved")

    page.goto(f"/app/delivery/invoices/{invoice.pk}/send/")
    expect(page.get_by_label("E-post", exact=True)).to_be_checked()
    page.locator("main form").get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Fakturaen er lagt i kø for utsendelse.")).to_be_visible()

    (message,) = smtp_server.messages
    assert message["Subject"] == f"Regning {invoice.number} fra {company.name}"
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Takk for handelen!" in body
    assert f"Betal NOK 125,00 innen {invoice.due_date:%d.%m.%Y}." in body
