"""The first visit of a new company, in Chromium: sign up, verify, log in, switch language."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def dismiss_cookie_banner(page) -> None:
    reject = page.get_by_role("button", name="Avvis alle")
    if reject.count():
        reject.first.click()


def test_sign_up_verify_log_in_and_switch_language(browser_page, live_server, screenshot):
    page = browser_page
    page.goto("/account/signup/")
    dismiss_cookie_banner(page)
    assert page.get_by_role("link", name=re.compile("Personvern", re.I)).count() >= 1

    page.fill("#id_full_name", "Kari Nordmann")
    page.fill("#id_email", "kari@nordlys.example")
    page.fill("#id_password1", "Fjordlys-Faktura-2026")
    page.fill("#id_password2", "Fjordlys-Faktura-2026")
    page.fill("#id_company_name", "Nordlys Regnskap AS")
    page.fill("#id_organization_number", "995 525 828")
    page.check("#id_vat_registered")
    page.check("#id_in_foretaksregisteret")
    page.fill("#id_address_line", "Kongens gate 1")
    page.fill("#id_postcode", "7011")
    page.fill("#id_city", "Trondheim")
    page.fill("#id_bank_account", "8601.11.17947")
    page.check("#id_accept_terms")
    screenshot(page, "foundation-1-signup")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert User.objects.filter(email="kari@nordlys.example", email_verified_at=None).exists()

    # The verification e-mail was sent by a task; follow its link.
    assert len(mail.outbox) == 1
    link = re.search(r"/account/verify/[^\s/]+/[^\s/]+/", str(mail.outbox[0].body))
    assert link, mail.outbox[0].body
    page.goto(link.group(0))
    assert User.objects.get(email="kari@nordlys.example").email_verified_at is not None
    # The success page no longer asks to confirm the address.
    assert page.get_by_text("Bekreft e-postadressen din").count() == 0

    page.goto("/account/login/")
    if page.locator("#id_username").count():
        page.fill("#id_username", "kari@nordlys.example")
        page.fill("#id_password", "Fjordlys-Faktura-2026")
        page.locator("main form button[type=submit]").click()
        page.wait_for_load_state()
    page.goto("/app/")
    assert page.locator("h1").first.inner_text() == "Oversikt"
    assert page.get_by_text("Nordlys Regnskap AS").count() >= 1
    screenshot(page, "foundation-2-dashboard-nb")

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").first.inner_text() == "Overview"
    assert User.objects.get(email="kari@nordlys.example").language == "en"
    screenshot(page, "foundation-3-dashboard-en")
