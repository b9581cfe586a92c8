"""The quote and recurring-invoice editors' client picker in Chromium, on a phone and a
laptop: type part of a name, choose from a page of suggestions, save."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in
from invoicing.tests.factories import ClientFactory
from quotes.models import Quote
from recurring.models import RecurringInvoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [375, 1280])
def test_choose_the_client_by_typing_in_both_editors(browser_page, screenshot, width):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    with scope(company=company):
        havbris = ClientFactory(company=company, number=1001, name="Havbris Sjømat AS")
        for n in range(30):
            ClientFactory(company=company, number=2000 + n, name=f"Annen kunde {n:02d} AS")
    page = browser_page
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, owner)

    for path, kind in (("/app/quotes/new/", "quote"), ("/app/recurring/new/", "recurring")):
        page.goto(path)
        assert page.locator("select#id_client").count() == 0  # no <select> of every client
        if kind == "recurring":
            page.get_by_label("Navn på malen").fill("Månedlig service")
            page.fill("#id_start_date", timezone.localdate().replace(day=1).isoformat())
        page.locator("#id_client").press_sequentially("bris", delay=30)
        options = page.locator("#id_client_options [data-pick]")
        expect(options).to_have_count(1)  # the editor must name a client: no "all clients"
        expect(options.first).to_contain_text("Havbris Sjømat AS")
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        screenshot(page, f"client-picker-{kind}-{width}")
        options.first.click()
        expect(page.locator('input[name="client"]')).to_have_value(str(havbris.pk))
        expect(page.locator("#id_client")).to_have_value("Havbris Sjømat AS")
        page.fill("#id_lines-0-description", "Service")
        page.fill("#id_lines-0-unit_price", "1 000")
        if kind == "quote":
            page.get_by_role("button", name="Lagre tilbudet").click()
            expect(page.get_by_role("heading", name="Tilbud 1")).to_be_visible()
        else:
            page.get_by_role("button", name="Lagre malen").click()
            expect(page.get_by_text("Malen er lagret.")).to_be_visible()

    with scopes_disabled():
        assert Quote.objects.get().client == havbris
        assert [t.client_id for t in RecurringInvoice.objects.all()] == [havbris.pk]
