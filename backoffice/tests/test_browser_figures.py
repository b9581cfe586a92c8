"""Finance staff add next half-year's late-payment interest in the browser."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from backoffice.models import StaffRole
from backoffice.tests.conftest import make_staff
from backoffice.tests.test_browser_backoffice import _log_in
from receivables import selectors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_adds_a_half_year_rate(browser_page):
    from playwright.sync_api import expect

    staff = make_staff(StaffRole.FINANCE, full_name="Frida Finans")
    page = browser_page
    _log_in(page, staff)
    page.get_by_role("link", name="Lovfastsatte satser").click()
    page.get_by_role("button", name="Ny sats").click()
    page.get_by_label("Type").select_option("late_interest")
    page.get_by_label("Gjelder fra").fill("2031-01-01")
    page.get_by_label("Gjelder til").fill("2031-06-30")
    page.get_by_label("Verdi").fill("11,75")
    page.get_by_label("Kilde (forskrift)").fill("FOR-2030-12-20-1")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Satsen er lagret.")).to_be_visible()
    expect(page.locator("#figures")).to_contain_text("FOR-2030-12-20-1")
    assert selectors.interest_rate_on(datetime.date(2031, 3, 1)) == Decimal("11.75")
