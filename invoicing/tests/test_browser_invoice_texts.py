"""A manager changes the payment note in Chromium (Firma → Fakturatekst); a draft's PDF
preview prints the new text."""

from __future__ import annotations

import pytest
from django_scopes import scope
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in
from documents.tests.test_adapters import pdf_text
from invoicing.tests.factories import draft_invoice
from invoicing.texts import DEFAULT_PAYMENT_NOTES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTE = "Husk KID ved betaling. Spørsmål: faktura@nordlys.no."


@pytest.mark.parametrize("width", [375, 1280])
def test_manager_changes_the_payment_note(browser_page, screenshot, width):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        draft = draft_invoice(company=company)
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, owner)
    page.goto("/app/")
    if width < 900:
        page.get_by_role("button", name="Meny").click()
    page.locator(".site-nav summary").get_by_text("Firma", exact=True).click()
    page.get_by_role("link", name="Fakturatekst").click()
    note = page.get_by_label("Betalingsmerknad på norsk")
    expect(note).to_have_value(DEFAULT_PAYMENT_NOTES["nb"])
    note.fill(NOTE)
    page.get_by_role("button", name="Lagre teksten").click()
    expect(page.get_by_text("Betalingsmerknaden er lagret.")).to_be_visible()
    expect(note).to_have_value(NOTE)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    screenshot(page, f"invoicing-texts-{width}")

    preview = page.request.get(f"/app/invoices/{draft.pk}/preview/")
    assert preview.ok and NOTE in " ".join(pdf_text(preview.body()).split())
