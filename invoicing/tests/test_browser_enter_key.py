"""Enter in an editor field (invoice and quote editors) moves on to the next field; it never
submits the form and reloads the page at the top, nor saves a half-typed quote."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in
from customers.models import Client
from invoicing.models import Invoice
from invoicing.tests.factories import ClientFactory
from invoicing.tests.test_browser_invoicing import choose_client
from quotes.models import Quote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _owner_with_client():
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        ClientFactory(company=company, name="Fjellbekk Kafé AS")
    return owner


def _focused_id(page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def test_enter_in_the_invoice_editor_moves_on_and_adds_a_line(browser_page, screenshot):
    page = browser_page
    log_in(page, _owner_with_client())
    page.goto("/app/invoices/new/")
    with scopes_disabled():
        choose_client(page, Client.objects.get(name="Fjellbekk Kafé AS"))
    page.evaluate("window.__samePage = true")
    page.fill("#id_lines-0-description", "Rådgivning")
    page.press("#id_lines-0-description", "Enter")
    assert _focused_id(page) == "id_lines-0-quantity"
    page.keyboard.type("3")
    page.keyboard.press("Enter")
    assert _focused_id(page) == "id_lines-0-unit"
    page.fill("#id_lines-0-unit_price", "1 000")
    page.select_option("#id_lines-0-vat_code", "3")
    page.press("#id_lines-0-unit_price", "Enter")
    assert _focused_id(page) == "id_lines-0-discount_percent"
    # Leaving the field recomputes the totals in place: 3 × 1 000 + 25 % VAT.
    expect(page.locator("[data-total=incl]")).to_contain_text("3\u00a0750,00")

    # Enter in the last line's last field adds a line and moves into it.
    page.press("#id_lines-0-vat_code", "Enter")
    expect(page.locator("#id_lines-1-description")).to_be_visible()
    expect(page.locator("#id_lines-1-product")).to_be_focused()
    expect(page.locator("#id_lines-0-description")).to_have_value("Rådgivning")
    screenshot(page, "invoicing-editor-enter-adds-line")

    # Same page all along: no submit, no reload, nothing saved.
    assert page.evaluate("window.__samePage") is True
    assert page.url.endswith("/app/invoices/new/")
    with scopes_disabled():
        assert not Invoice.objects.exists()

    # The buttons still work: saving keeps the line typed above.
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_role("heading", name="Utkast til faktura")).to_be_visible()
    with scopes_disabled():
        saved = Invoice.objects.get().lines.get(description="Rådgivning")
        assert (saved.quantity, saved.unit_price) == (Decimal(3), Decimal(1000))


def test_enter_in_the_quote_editor_does_not_save_the_quote(browser_page):
    page = browser_page
    log_in(page, _owner_with_client())
    page.goto("/app/quotes/new/")
    page.evaluate("window.__samePage = true")
    page.fill("#id_lines-0-description", "Nettside")
    page.press("#id_lines-0-description", "Enter")
    assert _focused_id(page) == "id_lines-0-quantity"
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    assert page.evaluate("window.__samePage") is True
    with scopes_disabled():
        assert not Quote.objects.exists()
