"""Sign-up and two-factor enrolment in a real browser: the pages work under the CSP."""

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Company, User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "lang-og-trygg-2026"


def test_sign_up_then_enrol_two_factor(browser_page, screenshot):
    page = browser_page
    csp_errors = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )

    page.goto("/account/signup/")
    page.get_by_label("Fullt navn").fill("Kari Nordmann")
    page.get_by_label("E-post").fill("kari@nordmann.no")
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("Gjenta passordet").fill(PASSWORD)
    page.get_by_label("Firmanavn").fill("Nordmann Rørlegger AS")
    page.get_by_label("Organisasjonsnummer").fill("974 760 673")
    page.get_by_label("Firmaet er registrert i Merverdiavgiftsregisteret (MVA)").check()
    page.get_by_label("Adresse").fill("Storgata 5")
    page.get_by_label("Postnummer").fill("0155")
    page.get_by_label("Poststed").fill("Oslo")
    page.get_by_label("Kontonummer").fill("8601.11.17947")
    page.get_by_label("Jeg godtar vilkårene").check()
    screenshot(page, "accounts-signup")
    page.get_by_role("button", name="Registrer", exact=True).click()
    page.get_by_role("heading", name="Sjekk e-posten din").wait_for()
    assert User.objects.filter(email="kari@nordmann.no").exists()
    assert Company.objects.get().organization_number == "974760673"

    # Sign-up does not log in (it answers the same for a registered address): log in.
    page.get_by_role("link", name="Logg inn").first.click()
    page.locator("#id_username").fill("kari@nordmann.no")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    page.goto("/account/two-factor/")
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Fortsett").click()
    qr = page.locator("figure.qr-code svg")
    qr.wait_for()
    box = qr.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100
    screenshot(page, "accounts-two-factor-setup")
    device = TOTPDevice.objects.get(user__email="kari@nordmann.no", confirmed=False)
    page.get_by_label("Sekssifret kode fra appen").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Slå på").click()
    page.get_by_role("heading", name="Gjenopprettingskoder").wait_for()
    assert page.locator(".recovery-codes li").count() == 10
    assert csp_errors == []
