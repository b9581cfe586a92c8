"""Security flows in Chromium: changing the bank account with the inline password check, and
lifting a log-in lock with the unlock link from the e-mail."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from accounts.models import Company, Role
from accounts.tests.factories import PASSWORD, MembershipFactory
from core.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_owner_changes_the_bank_account_after_typing_the_password(browser_page, screenshot):
    owner = MembershipFactory(role=Role.OWNER, user__full_name="Olga Eier").user
    company = owner.memberships.get().company
    page = browser_page
    log_in(page, owner.email)
    page.goto("/app/company/")
    page.fill("#id_bank_account", "1234.56.78903")
    page.locator("main form button[type=submit]").click()
    page.get_by_text("Skriv passordet ditt for å endre betalingsopplysninger").wait_for()
    assert page.input_value("#id_bank_account") == "1234.56.78903"  # nothing lost
    company.refresh_from_db()
    assert company.bank_account != "12345678903"
    page.fill("#id_sudo_password", PASSWORD)
    screenshot(page, "accounts-payment-details-password")
    page.locator("main form button[type=submit]").click()
    page.get_by_text("Firmaopplysningene er lagret").wait_for()
    assert Company.objects.get(pk=company.pk).bank_account == "12345678903"
    assert [m.to for m in mail.outbox] == [[owner.email]]


def test_a_locked_out_user_lifts_the_lock_with_the_link_from_the_email(browser_page, live_server):
    user = MembershipFactory(role=Role.OWNER).user
    for n in range(10):
        attacker = Client(REMOTE_ADDR=f"203.0.113.{n}")
        for _ in range(4):
            attacker.post("/account/login/", {"username": user.email, "password": "feil"})
    (message,) = [m for m in mail.outbox if m.to == [user.email]]
    found = re.search(r"https?://[^/\s]+(/account/unlock/[^\s]+/)", str(message.body))
    assert found, message.body
    path = found.group(1)
    page = browser_page
    page.goto(path)
    page.get_by_role("button", name="Opphev sperren").click()
    page.get_by_text("Sperren er opphevet").wait_for()
    log_in(page, user.email)
    assert "/account/login" not in page.url
