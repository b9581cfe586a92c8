"""A quote in Chromium: the user creates and e-mails it, the client accepts it through the
signed link without logging in, and the user turns it into a draft invoice."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core import mail
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in
from invoicing.models import Invoice
from invoicing.tests.factories import ClientFactory
from invoicing.tests.test_browser_invoicing import choose_client
from quotes.models import Quote

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_quote_created_sent_accepted_by_link_and_invoiced(
    browser_page, new_browser_context, screenshot
):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        havbris = ClientFactory(
            company=company, number=7, name="Havbris Fisk AS", invoice_emails="innkjop@havbris.no"
        )
    page = browser_page
    log_in(page, owner)
    page.goto("/app/")
    page.locator(".site-nav summary", has_text="Salg").click()  # the menu group
    page.get_by_role("link", name="Tilbud", exact=True).click()
    page.get_by_role("button", name="Nytt tilbud").click()
    choose_client(page, havbris)
    page.fill("#id_lines-0-description", "Montering av kjølerom")
    page.fill("#id_lines-0-quantity", "1")
    page.fill("#id_lines-0-unit_price", "48 000")
    page.fill("#id_lines-1-description", "Servicebesøk")
    page.fill("#id_lines-1-quantity", "2")
    page.fill("#id_lines-1-unit_price", "1 500,50")
    page.get_by_role("button", name="Lagre tilbudet").click()
    expect(page.get_by_role("heading", name="Tilbud 1")).to_be_visible()
    # 48 000 + 3 001 = 51 001 net, 25 % VAT
    expect(page.locator("[data-total=incl]")).to_contain_text("63\u00a0751,25")
    screenshot(page, "quotes-1-created")

    page.get_by_role("button", name="Send på e-post").click()
    expect(page.get_by_text("Tilbudet sendes på e-post til kunden.")).to_be_visible()
    expect(page.get_by_test_id("quote-status")).to_contain_text("Sendt")
    (message,) = mail.outbox
    assert message.to == ["innkjop@havbris.no"] and message.attachments
    link = next(word for word in message.body.split() if "/tilbud/" in word)
    path = link[link.index("/tilbud/") :]

    # The client: a fresh browser without a session, straight to the link.
    client_context = new_browser_context()
    client_page = client_context.new_page()
    client_page.goto(path)
    reject = client_page.get_by_role("button", name="Avvis alle")
    if reject.count():
        reject.first.click()
    expect(client_page.get_by_role("heading", name="Tilbud 1 fra")).to_be_visible()
    expect(client_page.get_by_text("Montering av kjølerom")).to_be_visible()
    screenshot(client_page, "quotes-2-client-link")
    client_page.get_by_label("Kommentar (valgfritt)").fill("Vi kjører på!")
    client_page.get_by_role("button", name="Aksepter tilbudet").click()
    expect(client_page.get_by_text("Tilbudet er akseptert. Takk!")).to_be_visible()
    assert client_page.get_by_role("button", name="Aksepter tilbudet").count() == 0
    client_context.close()

    page.reload()
    expect(page.get_by_test_id("quote-status")).to_contain_text("Akseptert")
    expect(page.get_by_text("Vi kjører på!")).to_be_visible()
    page.get_by_role("button", name="Lag faktura").click()
    expect(page.get_by_role("heading", name="Utkast til faktura")).to_be_visible()
    screenshot(page, "quotes-3-invoice-draft")
    with scopes_disabled():
        quote = Quote.objects.get()
        invoice = Invoice.objects.get()
        assert quote.status == Quote.Status.INVOICED and quote.invoice == invoice
        assert quote.decided_by == Quote.DecidedBy.CLIENT_LINK
        assert [line.description for line in invoice.lines.order_by("position")] == [
            "Montering av kjølerom",
            "Servicebesøk",
        ]
        assert quote.total_incl_vat == Decimal("63751.25")


def test_quote_in_euro_converted_with_the_exchange_rate(browser_page, screenshot):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        nordsee = ClientFactory(company=company, number=8, name="Nordsee GmbH")
    page = browser_page
    log_in(page, owner)
    page.goto("/app/quotes/new/")
    choose_client(page, nordsee)
    page.fill("#id_currency", "EUR")
    page.fill("#id_lines-0-description", "Kjøleanlegg")
    page.fill("#id_lines-0-quantity", "1")
    page.fill("#id_lines-0-unit_price", "10 000")
    page.get_by_role("button", name="Lagre tilbudet").click()
    expect(page.locator("[data-total=incl]")).to_contain_text("EUR")
    page.get_by_label("Valutakurs: NOK per EUR").fill("11,52")
    screenshot(page, "quotes-4-euro-convert")
    page.get_by_role("button", name="Lag faktura").click()
    expect(page.get_by_role("heading", name="Utkast til faktura")).to_be_visible()
    with scopes_disabled():
        invoice = Invoice.objects.get()
        assert (invoice.currency, invoice.exchange_rate) == ("EUR", Decimal("11.520000"))
        assert Quote.objects.get().status == Quote.Status.INVOICED


def test_a_quote_handed_over_in_person_is_marked_sent_then_declined(browser_page):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        from quotes.tests.factories import quote

        draft = quote(company=company)
    page = browser_page
    log_in(page, owner)
    page.goto(f"/app/quotes/{draft.pk}/")
    page.get_by_role("button", name="Marker som sendt").click()
    expect(page.get_by_text("Tilbudet er registrert som sendt.")).to_be_visible()
    # Sent: no longer editable, and the client's answer can be registered.
    expect(page.get_by_role("button", name="Marker som sendt")).to_have_count(0)
    expect(page.get_by_role("button", name="Endre")).to_have_count(0)
    page.get_by_role("button", name="Registrer avslag").click()
    page.wait_for_load_state()
    with scopes_disabled():
        draft.refresh_from_db()
        assert draft.status == Quote.Status.DECLINED and draft.sent_at is not None
    expect(page.get_by_role("button", name="Lag faktura")).to_have_count(0)
