"""The company's own invoice e-mail text in Chromium: a wrong field name is refused with a
message, the corrected text is saved, and the invoice e-mail sent next carries it."""

from __future__ import annotations

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from delivery.models import EmailTexts
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


@pytest.mark.parametrize("width", [375, 1280])
def test_word_the_reminder_email_with_a_preview_then_reset(browser_page, screenshot, width):
    """Another kind on the same page: the reminder tab, a refused field, the preview with
    example values, save, and back to the default."""
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, owner)
    page.goto("/app/delivery/texts/")
    page.locator("nav.tabs").get_by_role("link", name="Purring").click()
    expect(page.get_by_role("heading", name="Purring")).to_be_visible()
    subject = page.get_by_label("Emne på norsk")
    expect(subject).to_have_value("{overskrift}: faktura {fakturanummer} fra {avsender}")

    subject.fill("Påminnelse: faktura {faktura}")
    page.get_by_role("button", name="Forhåndsvis").click()
    expect(page.get_by_text("Ukjent felt: {faktura}")).to_be_visible()

    subject.fill("Påminnelse: faktura {fakturanummer} ({beløp} {valuta})")
    page.get_by_role("button", name="Forhåndsvis").click()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Påminnelse: faktura 10042 (12 570,00 NOK)")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(page, f"delivery-email-texts-reminder-preview-{width}")
    with scopes_disabled():
        assert not EmailTexts.objects.exists()  # a preview saves nothing

    page.get_by_role("button", name="Lagre tekstene").click()
    expect(page.get_by_text("E-posttekstene er lagret.")).to_be_visible()
    expect(page.locator("nav.tabs a[aria-current=page]")).to_have_text("Purring")
    with scopes_disabled():
        saved = EmailTexts.objects.get(company=company)
    assert (saved.kind, saved.subject_nb) == (
        "reminder",
        "Påminnelse: faktura {fakturanummer} ({beløp} {valuta})",
    )
    page.get_by_role("button", name="Tilbake til standardtekstene").click()
    expect(subject).to_have_value("{overskrift}: faktura {fakturanummer} fra {avsender}")
    with scopes_disabled():
        assert not EmailTexts.objects.exists()
