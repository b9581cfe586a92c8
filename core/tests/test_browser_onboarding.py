"""A newcomer's first minutes, in Chromium: the landing page says what the product does
and costs (the plans that backoffice_setup creates), and a new company's dashboard has a
getting-started checklist computed from what is really there."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from core.tests.browser import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_landing_page_says_what_it_does_and_costs(browser_page, screenshot):
    call_command("backoffice_setup", stdout=StringIO())
    page = browser_page
    page.goto("/")
    expect(
        page.get_by_role("heading", name="Fakturering for små og store bedrifter")
    ).to_be_visible()
    expect(page.get_by_role("heading", name="Priser")).to_be_visible()
    # The plans with their prices, grouped in thousands (2 490,00).
    for name, price in (("Start", "990,00 kr"), ("Standard", "2 490,00 kr")):
        plan = page.locator("article", has=page.get_by_role("heading", name=name, exact=True))
        assert price in plan.inner_text().replace("\u00a0", " ")
    screenshot(page, "onboarding-1-landing")
    page.get_by_role("link", name="Se alle abonnementer og bestill").click()
    page.wait_for_url("**/plans/")
    expect(page.get_by_role("heading", name="Abonnementer")).to_be_visible()
    expect(page.get_by_role("heading", name="Pluss")).to_be_visible()


def test_new_company_gets_a_checklist_that_follows_what_is_done(browser_page, screenshot):
    owner = MembershipFactory(role=Role.OWNER, company__email="", user__full_name="Nina Ny").user
    page = browser_page
    log_in(page, owner)
    page.goto("/app/")
    checklist = page.locator(".getting-started")
    expect(checklist.get_by_role("heading", name="Kom i gang")).to_be_visible()
    expect(checklist).to_contain_text("1 av 6 steg gjort")  # the bank account, from sign-up
    assert checklist.locator("[data-step=bank_account]").get_attribute("class") == "step-done"
    for step in ("details", "logo", "kid", "client", "invoice"):
        assert checklist.locator(f"[data-step={step}]").get_attribute("class") == "step-open"
    screenshot(page, "onboarding-2-checklist")

    checklist.get_by_role("link", name="Første kunde").click()
    page.wait_for_url("**/app/clients/new/")
    page.get_by_label("Navn").first.fill("Fjellbekk Kafé AS")
    page.get_by_label("Organisasjonsnummer").fill("988 077 917")
    page.get_by_role("button", name="Lagre").click()
    page.wait_for_load_state()

    page.goto("/app/")
    expect(checklist).to_contain_text("2 av 6 steg gjort")
    assert checklist.locator("[data-step=client]").get_attribute("class") == "step-done"
    checklist.get_by_role("link", name="KID").click()
    page.wait_for_url("**/app/invoices/settings/")
    screenshot(page, "onboarding-3-after-first-client")
