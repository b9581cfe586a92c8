"""An invoice line's type-ahead product picker in Chromium: the catalog a page at a time,
typing narrows it, Enter or a click chooses, and the line is filled from the product."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from catalog.selectors import PICKER_PAGE_SIZE
from catalog.tests.factories import ProductFactory
from core.tests.browser import log_in
from customers.models import Client
from invoicing.models import Invoice
from invoicing.tests.factories import ClientFactory
from invoicing.tests.test_browser_invoicing import choose_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_pages_narrows_and_chooses_a_product_by_keyboard(browser_page, screenshot):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        ClientFactory(company=company, name="Fjellbekk Kafé AS")
        reise = ProductFactory(
            company=company, number="P-2", name="Reisetid", unit="HUR", unit_price=Decimal("650")
        )
        for n in range(PICKER_PAGE_SIZE + 5):
            ProductFactory(company=company, number=f"V-{n:03d}", name=f"Vare {n}")
    page = browser_page
    log_in(page, owner)
    page.goto("/app/invoices/new/")
    with scopes_disabled():
        choose_client(page, Client.objects.get(name="Fjellbekk Kafé AS"))

    box = page.locator("#id_lines-0-product")
    options = page.locator("#id_lines-0-product_options [data-pick]")
    # Focusing the box lists the catalog by number, a page at a time.
    box.focus()
    expect(options).to_have_count(1 + PICKER_PAGE_SIZE)  # "– fritekst –" and a page
    expect(options.nth(1)).to_have_text("P-2 Reisetid 650,00 / t")
    # "Vis flere" by keyboard: the rest of the catalog, the focus on its first product.
    page.get_by_role("button", name="Vis flere").focus()
    page.keyboard.press("Enter")
    expect(options).to_have_count(1 + PICKER_PAGE_SIZE + 6)
    expect(options.nth(1 + PICKER_PAGE_SIZE)).to_be_focused()
    page.keyboard.press("Escape")  # on that product: closes the list
    expect(options).to_have_count(0)

    # Typing narrows the list; Enter chooses the first match and fills the line (HTMX).
    box.press_sequentially("reise", delay=30)
    expect(options).to_have_count(2)
    box.press("Enter")
    expect(page.locator("#id_lines-0-description")).to_have_value("Reisetid")
    expect(page.locator("#id_lines-0-unit_price")).to_have_value("650,00")
    expect(box).to_have_value("P-2 Reisetid")
    expect(page.locator('input[name="lines-0-product"]')).to_have_value(str(reise.pk))
    expect(options).to_have_count(0)

    # The box keeps the focus; with a product chosen, Enter moves on as in any field.
    expect(box).to_be_focused()
    box.press("Enter")
    expect(page.locator("#id_lines-0-description")).to_be_focused()
    # Back in the box, its product is listed; leaving by keyboard closes the list.
    box.focus()
    expect(options).to_have_count(2)
    screenshot(page, "invoicing-editor-product-picker")
    box.press("Enter")
    expect(page.locator("#id_lines-0-description")).to_be_focused()
    expect(options).to_have_count(0)
    page.keyboard.press("Enter")
    page.keyboard.type("2")
    page.keyboard.press("Enter")  # leaving the quantity recomputes the totals (HTMX)
    expect(page.locator("[data-total=incl]")).to_contain_text("1\u00a0625,00")  # 1 300 + 25 %

    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_role("heading", name="Utkast til faktura")).to_be_visible()
    with scopes_disabled():
        line = Invoice.objects.get().lines.get()
        assert (line.product_id, line.quantity, line.unit_price) == (
            reise.pk,
            Decimal(2),
            Decimal(650),
        )
