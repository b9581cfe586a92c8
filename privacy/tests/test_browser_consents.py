"""The user's own consents page in Chromium: one click objects to direct marketing."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from core.tests.browser import log_in
from privacy.models import MarketingSuppression

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_one_click_stops_all_direct_marketing(browser_page, owner, screenshot):
    page = browser_page
    log_in(page, owner)
    page.goto("/account/privacy/consents/")
    page.get_by_role("button", name="Send meg ikke markedsføring").click()
    expect(page.get_by_text("Vi sender deg ikke lenger markedsføring.")).to_be_visible()
    expect(page.get_by_text("Du har reservert deg mot direkte markedsføring.")).to_be_visible()
    with scopes_disabled():
        assert MarketingSuppression.objects.filter(email=owner.email.lower()).exists()
    screenshot(page, "privacy-marketing-objection")
