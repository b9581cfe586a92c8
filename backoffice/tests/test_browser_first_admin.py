"""The first back-office administrator, from the README to the console, in Chromium:
backoffice_setup prints a one-time link to choose a password, the administrator sets up
two-factor authentication, a page of personal data says which access is missing, and
after asking for elevated access (with a reason) the page opens."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from backoffice.tests.conftest import customer_with_owner

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Nordlys-Konsoll-2026"


def test_first_administrator_follows_the_link_and_reaches_the_console(
    browser_page, live_server, screenshot, settings
):
    settings.SITE_URL = live_server.url
    out = StringIO()
    call_command("backoffice_setup", "--admin-email", "admin@invoiceclub.no", stdout=out)
    link = re.search(r"http\S+/account/password/reset/\S+/\S+/", out.getvalue())
    assert link, out.getvalue()
    customer_with_owner("Fjordkraft Regnskap AS")

    page = browser_page
    page.goto(link.group(0))
    reject = page.get_by_role("button", name="Avvis alle")
    if reject.count():
        reject.first.click()
    page.fill("#id_password1", NEW_PASSWORD)
    page.fill("#id_password2", NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/account/login/**")
    assert User.objects.get(email="admin@invoiceclub.no").check_password(NEW_PASSWORD)

    # The link worked once.
    page.goto(link.group(0))
    assert page.get_by_role("heading", name="Lenken virker ikke").count() == 1

    page.goto("/account/login/?next=/backoffice/")
    page.fill("#id_username", "admin@invoiceclub.no")
    page.fill("#id_password", NEW_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    if "/account/reauthenticate/" in page.url:  # setting up 2FA asks for the password again
        page.get_by_label("Passord").fill(NEW_PASSWORD)
        page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/account/two-factor/**")
    device = TOTPDevice.objects.get(user__email="admin@invoiceclub.no", confirmed=False)
    page.get_by_label("Sekssifret kode fra appen").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Slå på").click()
    page.wait_for_load_state()
    page.goto("/backoffice/")
    assert page.get_by_role("heading", name="Oversikt").count() >= 1

    # Customers' personal data: the 403 page says what is missing and how to get it.
    response = page.goto("/backoffice/customers/")
    assert response.status == 403
    assert page.get_by_text("forhøyet tilgang").count() == 1
    screenshot(page, "backoffice-first-admin-403")

    page.goto("/backoffice/elevate/?next=/backoffice/customers/")
    page.get_by_label("Hvorfor trenger du tilgang til personopplysninger?").fill(
        "Kunden ringte om en feil i fakturaen sin."
    )
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/backoffice/customers/")
    assert page.get_by_text("Fjordkraft Regnskap AS").count() >= 1
    screenshot(page, "backoffice-first-admin-elevated")
