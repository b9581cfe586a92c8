"""An invoice from start to paid in Chromium: client, three VAT rates with live totals,
issue, full payment."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in
from invoicing.models import Invoice
from invoicing.tests.factories import ProductFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def choose_client(page, client) -> None:
    """Type part of the name in the editor's client picker and choose the client; the
    client's defaults are then swapped into the editor (HTMX)."""
    page.locator("#id_client").press_sequentially(client.name[:5].lower(), delay=30)
    page.locator(f'#id_client_options [data-pick="{client.pk}"]').click()
    expect(page.locator('input[name="client"]')).to_have_value(str(client.pk))
    page.wait_for_load_state("networkidle")


def fill_line(page, index: int, *, description: str, quantity: str, price: str, code: str):
    page.fill(f"#id_lines-{index}-description", description)
    page.fill(f"#id_lines-{index}-quantity", quantity)
    page.fill(f"#id_lines-{index}-unit_price", price)
    page.select_option(f"#id_lines-{index}-vat_code", code)


def test_invoice_from_draft_to_paid(browser_page, screenshot):
    owner = MembershipFactory(role=Role.OWNER, user__full_name="Olga Eier").user
    page = browser_page
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    company = owner.memberships.get().company
    with scope(company=company):
        ProductFactory(
            company=company,
            number="P-1",
            name="Konsulenttime",
            unit="HUR",
            unit_price=Decimal("1000.00"),
        )
        ProductFactory(company=company, number="P-2", name="Reisetid")
    log_in(page, owner)

    page.goto("/app/clients/new/")
    page.get_by_label("Navn").first.fill("Fjellbekk Kafé AS")
    page.get_by_label("Organisasjonsnummer").fill("988 077 917")
    page.get_by_label("E-post for faktura").fill("post@fjellbekk.no")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_role("heading", name="Fakturaer")).to_be_visible()
    page.get_by_role("button", name="Ny faktura").click()
    expect(page.get_by_role("heading", name="Ny faktura")).to_be_visible()
    # In the closed "Salg" menu group; the group itself is marked as current.
    assert page.locator("nav a[aria-current=page]").first.text_content() == "Fakturaer"
    # The new client is chosen already, in the type-ahead picker (no <select> of clients).
    expect(page.locator("#id_client")).to_have_value("Fjellbekk Kafé AS")
    assert page.locator("select#id_client").count() == 0

    # The type-ahead product picker (no <select> of the catalog) fills description, unit,
    # price and VAT code (HTMX).
    assert page.locator("select#id_lines-0-product").count() == 0
    page.locator("#id_lines-0-product").press_sequentially("konsul", delay=30)
    products = page.locator("#id_lines-0-product_options [data-pick]")
    # Focusing the box lists the catalog (3 options); then the typed text's answer:
    expect(products).to_have_count(2)  # "– fritekst –" and the one match
    products.get_by_text("P-1 Konsulenttime").click()
    expect(page.locator("#id_lines-0-description")).to_have_value("Konsulenttime")
    expect(page.locator("#id_lines-0-product")).to_have_value("P-1 Konsulenttime")
    expect(page.locator("#id_lines-0-unit_price")).to_have_value("1000,00")
    assert page.locator("#id_lines-0-unit").input_value() == "HUR"
    page.fill("#id_lines-0-quantity", "2")
    page.get_by_role("button", name="Legg til linje").click()
    page.locator("#id_lines-1-description").wait_for()
    fill_line(page, 1, description="Lunsj", quantity="3", price="150,50", code="31")
    page.get_by_role("button", name="Legg til linje").click()
    page.locator("#id_lines-2-description").wait_for()
    fill_line(page, 2, description="Taxi", quantity="1", price="412.40", code="33")

    totals = page.locator("#totals")
    # Live totals (HTMX): 2 000 + 451,50 + 412,40 net; VAT 500 + 67,73 + 49,49.
    expect(page.locator("[data-total=incl]")).to_contain_text("3\u00a0481,12", timeout=15_000)
    assert "67,73" in totals.inner_text() and "49,49" in totals.inner_text()
    expect(page.locator("#lines-1-net")).to_have_text("451,50", timeout=15_000)
    screenshot(page, "invoicing-1-editor")

    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_role("heading", name="Utkast til faktura")).to_be_visible()
    page.get_by_role("button", name="Utsted", exact=True).click()
    expect(page.get_by_text("Fakturanummer tildeles nå og kan ikke endres")).to_be_visible()
    page.get_by_role("button", name="Utsted fakturaen").click()
    expect(page.locator("#invoice-status")).to_have_text("Utstedt")
    assert page.locator("h1").inner_text().startswith("Faktura 1")
    assert page.get_by_role("link", name="Endre").count() == 0
    screenshot(page, "invoicing-2-issued")

    amount = page.get_by_label("Beløp")
    assert amount.input_value() in ("3481,12", "3481.12")
    page.get_by_role("button", name="Registrer innbetaling").click()
    expect(page.locator("#invoice-status")).to_have_text("Betalt")
    assert page.locator("#open-balance").inner_text() == "0,00"
    screenshot(page, "invoicing-3-paid")

    with scopes_disabled():
        invoice = Invoice.objects.get()
        assert invoice.number == 1 and invoice.status == Invoice.Status.PAID
        assert invoice.total_incl_vat == Decimal("3481.12")
        assert [line.vat_rate for line in invoice.lines.order_by("position")] == [
            Decimal("25.00"),
            Decimal("15.00"),
            Decimal("12.00"),
        ]
    page.goto("/app/invoices/")
    expect(page.locator("tbody tr")).to_have_count(1)
    assert page.locator("tbody .badge").first.inner_text() == "Betalt"
    screenshot(page, "invoicing-4-list")
    page.goto("/app/")
    assert page.locator("#stat-open").inner_text() == "NOK 0,00"
    screenshot(page, "invoicing-5-dashboard")
    assert csp_errors == []


def test_prepayment_invoice_and_days_ahead_setting(browser_page):
    """Delivery after the invoice date is refused at issue until the draft is marked as a
    prepayment invoice; the days-ahead limit is a setting."""
    import datetime

    from django.utils import timezone

    from invoicing.tests.factories import ClientFactory

    owner = MembershipFactory(role=Role.OWNER, user__full_name="Olga Eier").user
    company = owner.memberships.get().company
    with scope(company=company):
        buyer = ClientFactory(company=company, name="Fjellbekk Kafé AS")
    page = browser_page
    log_in(page, owner)

    page.goto("/app/invoices/settings/")
    page.get_by_label("Fakturadato høyst så mange dager fram i tid").fill("10")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Fakturainnstillingene er lagret.")).to_be_visible()

    later = (timezone.localdate() + datetime.timedelta(days=20)).isoformat()
    page.goto("/app/invoices/new/")
    choose_client(page, buyer)
    page.fill("#id_delivery_date", later)
    expect(page.locator("#id_delivery_date")).to_have_value(later)
    fill_line(page, 0, description="Årsabonnement", quantity="1", price="1200", code="3")
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_role("heading", name="Utkast til faktura")).to_be_visible()
    page.get_by_role("button", name="Utsted", exact=True).click()
    page.get_by_role("button", name="Utsted fakturaen").click()
    expect(page.get_by_text("merk den som det", exact=False)).to_be_visible()
    with scopes_disabled():
        assert Invoice.objects.get().is_draft

    with scopes_disabled():
        draft = Invoice.objects.get()
    page.goto(f"/app/invoices/{draft.pk}/edit/")
    page.get_by_label("Forskuddsfaktura").check()
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_role("heading", name="Utkast til faktura")).to_be_visible()
    page.get_by_role("button", name="Utsted", exact=True).click()
    page.get_by_role("button", name="Utsted fakturaen").click()
    expect(page.locator("#invoice-status")).to_have_text("Utstedt")
    with scopes_disabled():
        invoice = Invoice.objects.get()
        assert invoice.number == 1 and invoice.is_prepayment


def test_owner_finds_the_client_by_typing_and_its_defaults_fill_the_editor(
    browser_page, screenshot
):
    """Issue 15: the editor's client field is a type-ahead search (a page of matches at a
    time), not a <select> with every client; choosing one swaps in its defaults."""
    from invoicing.tests.factories import ClientFactory

    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        ClientFactory.create_batch(40, company=company)
        buyer = ClientFactory(
            company=company, name="Fjellbekk Kafé AS", their_reference="Kari Innkjøp"
        )
        ClientFactory(company=company, name="Fjellbekk Arkiv AS", is_active=False)
    page = browser_page
    log_in(page, owner)
    page.goto("/app/invoices/new/")
    assert page.locator("select#id_client").count() == 0
    page.locator("#id_client").press_sequentially("fjellb", delay=30)
    options = page.locator("#id_client_options [data-pick]")
    expect(options).to_have_count(1)  # the archived client is not offered
    screenshot(page, "invoicing-editor-client-picker")
    options.first.click()
    expect(page.locator("#id_their_reference")).to_have_value("Kari Innkjøp")  # swapped in
    expect(page.locator("#id_client")).to_have_value("Fjellbekk Kafé AS")
    fill_line(page, 0, description="Kaffe", quantity="1", price="100", code="3")
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_role("heading", name="Utkast til faktura")).to_be_visible()
    with scopes_disabled():
        assert Invoice.objects.get().client_id == buyer.pk


def test_a_date_typed_in_norwegian_order_is_the_date_meant(browser_page, screenshot):
    """A Norwegian user types day, month, year into the native date field (02.11.2026) and
    the invoice gets 2 November, not 11 February: the field follows Chromium's interface
    language, which the browser fixture sets to bokmål (needs Debian's chromium-l10n)."""
    import datetime

    from invoicing.tests.factories import ClientFactory

    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        buyer = ClientFactory(company=company, name="Fjellbekk Kafé AS")
    page = browser_page
    log_in(page, owner)
    page.goto("/app/invoices/new/")
    # Choosing the client swaps its defaults into the header (HTMX), the delivery date
    # with them: wait for that swap before typing, or it replaces what was typed.
    with page.expect_response(lambda response: response.request.method == "POST"):
        choose_client(page, buyer)
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling')")
    fill_line(page, 0, description="Konsulenttime", quantity="1", price="1000", code="3")
    # Empty before typing, so the value can only come from the keyboard; day and month
    # are both at most 12, so the US order gives another valid date instead of none.
    delivery = page.locator("#id_delivery_date")
    expect(delivery).to_have_value("")
    delivery.focus()
    page.keyboard.type("02.11.2026")
    expect(delivery).to_have_value("2026-11-02")
    screenshot(page, "invoicing-date-nb")
    page.get_by_role("button", name="Lagre utkast").click()
    expect(page.get_by_role("heading", name="Utkast til faktura")).to_be_visible()
    with scopes_disabled():
        assert Invoice.objects.get().delivery_date == datetime.date(2026, 11, 2)
