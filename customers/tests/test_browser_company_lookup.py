"""The new-client form in Chromium: the org.nr fills name and address from
Enhetsregisteret (a local stand-in server); what the user typed is kept."""

from __future__ import annotations

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import expect

from core.tests import brreg
from core.tests.browser import log_in
from customers.models import Client
from customers.tests.factories import ClientFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def register(settings):
    yield from brreg.serve(settings)


def test_new_client_is_filled_from_the_register(browser_page, owner, company, register, screenshot):
    brreg.found(register)
    page = browser_page
    log_in(page, owner)
    page.goto("/app/clients/new/")
    page.locator("#id_postcode").fill("0150")  # typed by the user: kept
    page.locator("#id_organization_number").fill("974760673")
    expect(page.locator("#id_name")).to_have_value("REGISTERENHETEN I BRØNNØYSUND")
    expect(page.locator("#id_address_line")).to_have_value("Postboks 900")
    expect(page.locator("#id_address_line2")).to_have_value("Tollbua")
    expect(page.locator("#id_city")).to_have_value("BRØNNØYSUND")
    expect(page.locator("#id_postcode")).to_have_value("0150")
    expect(page.locator("#id_country")).to_have_value("NO")
    expect(page.get_by_role("status")).to_contain_text("Registrert i Merverdiavgiftsregisteret.")
    screenshot(page, "customers-form-lookup")

    # Another number: what the first look-up filled is replaced, the typed postcode stays.
    other = dict(brreg.ENHET, organisasjonsnummer="988077917", navn="HAVBRIS SJØMAT AS")
    other["postadresse"] = {"adresse": ["Kaia 1"], "postnummer": "6004", "poststed": "ÅLESUND"}
    brreg.found(register, other)
    page.locator("#id_organization_number").fill("988 077 917")
    expect(page.locator("#id_name")).to_have_value("HAVBRIS SJØMAT AS")
    expect(page.locator("#id_address_line")).to_have_value("Kaia 1")
    expect(page.locator("#id_address_line2")).to_have_value("")
    expect(page.locator("#id_postcode")).to_have_value("0150")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state()
    with scopes_disabled():
        client = Client.objects.get(company=company)
    assert (client.name, client.organization_number, client.city) == (
        "HAVBRIS SJØMAT AS",
        "988077917",
        "ÅLESUND",
    )


def test_edit_form_fills_only_the_empty_fields(browser_page, owner, company, register, screenshot):
    """The same look-up on an existing client: the saved name stays, the empty address is
    filled from the register."""
    with scopes_disabled():
        existing = ClientFactory(
            company=company,
            name="Brreg kunde (eget navn)",
            organization_number="",
            peppol_id="",
            address_line="",
            postcode="",
            city="",
        )
    brreg.found(register)
    page = browser_page
    log_in(page, owner)
    page.goto(f"/app/clients/{existing.pk}/edit/")
    page.locator("#id_organization_number").fill("974760673")
    expect(page.get_by_role("status")).to_contain_text("Registrert i Merverdiavgiftsregisteret.")
    expect(page.locator("#id_address_line")).to_have_value("Postboks 900")
    expect(page.locator("#id_city")).to_have_value("BRØNNØYSUND")
    expect(page.locator("#id_name")).to_have_value("Brreg kunde (eget navn)")
    screenshot(page, "customers-edit-lookup")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state()
    with scopes_disabled():
        existing.refresh_from_db()
    assert (existing.name, existing.organization_number, existing.postcode) == (
        "Brreg kunde (eget navn)",
        "974760673",
        "8910",
    )
