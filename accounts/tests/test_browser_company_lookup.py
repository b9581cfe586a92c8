"""Sign-up in Chromium: typing the org.nr fills the company from Enhetsregisteret (a local
stand-in server), and a register that does not answer leaves the form working."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from accounts.models import Company
from core.tests import brreg

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "lang-og-trygg-2026"


@pytest.fixture
def register(settings):
    yield from brreg.serve(settings)


def fill_person(page) -> None:
    page.get_by_label("Fullt navn").fill("Kari Nordmann")
    page.get_by_label("E-post").fill("kari@nordmann.no")
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("Gjenta passordet").fill(PASSWORD)


def test_sign_up_fills_the_company_from_the_register(browser_page, register, screenshot):
    brreg.found(register)
    page = browser_page
    page.goto("/account/signup/")
    fill_person(page)
    page.locator("#id_organization_number").fill("974 760 673")
    expect(page.locator("#id_company_name")).to_have_value("REGISTERENHETEN I BRØNNØYSUND")
    # The sign-up form has one address line: the register's two are joined.
    expect(page.locator("#id_address_line")).to_have_value("Postboks 900, Tollbua")
    expect(page.locator("#id_postcode")).to_have_value("8910")
    expect(page.locator("#id_city")).to_have_value("BRØNNØYSUND")
    expect(page.locator("#id_vat_registered")).to_be_checked()
    expect(page.locator("#id_in_foretaksregisteret")).not_to_be_checked()
    expect(page.get_by_role("status")).to_contain_text(
        "Fant REGISTERENHETEN I BRØNNØYSUND i Enhetsregisteret"
    )
    screenshot(page, "accounts-signup-lookup")
    page.get_by_label("Kontonummer").fill("8601.11.17947")
    page.get_by_label("Jeg godtar vilkårene").check()
    page.get_by_role("button", name="Registrer", exact=True).click()
    page.get_by_role("heading", name="Sjekk e-posten din").wait_for()
    company = Company.objects.get()
    assert (company.name, company.postcode, company.vat_registered) == (
        "REGISTERENHETEN I BRØNNØYSUND",
        "8910",
        True,
    )


def test_a_register_that_does_not_answer_leaves_the_form_to_the_user(
    browser_page, register, screenshot
):
    register.answers[brreg.path()] = (200, b"{}", 2.0)  # slower than BRREG_TIMEOUT
    page = browser_page
    page.goto("/account/signup/")
    page.locator("#id_company_name").fill("Mitt Firma AS")
    page.locator("#id_organization_number").fill("974760673")
    expect(page.get_by_role("status")).to_have_text(
        "Enhetsregisteret svarer ikke nå. Fyll inn navn og adresse selv."
    )
    expect(page.locator("#id_company_name")).to_have_value("Mitt Firma AS")
    expect(page.locator("#id_address_line")).to_have_value("")
    screenshot(page, "accounts-signup-lookup-unavailable")

    # A number the register does not know: a quiet message, nothing filled.
    page.locator("#id_organization_number").fill("988077917")
    expect(page.get_by_role("status")).to_have_text("Fant ikke 988077917 i Enhetsregisteret.")
    expect(page.locator("#id_company_name")).to_have_value("Mitt Firma AS")
