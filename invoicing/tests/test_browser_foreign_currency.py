"""A foreign-currency invoice in Chromium: refused at issue until the company has an IBAN
and BIC (issue 9: print and send IBAN/BIC for foreign-currency invoices), which the owner
enters with the password check; then it is issued and shows them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django_scopes import scope, scopes_disabled
from playwright.sync_api import expect

from accounts.models import Company, Role
from accounts.tests.factories import PASSWORD, MembershipFactory
from core.tests.browser import log_in
from invoicing.models import Invoice
from invoicing.tests.factories import draft_invoice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_eur_invoice_needs_the_companys_iban_and_bic(browser_page, screenshot):
    owner = MembershipFactory(role=Role.OWNER).user
    company = owner.memberships.get().company
    Company.objects.filter(pk=company.pk).update(iban="", bic="")
    company.refresh_from_db()
    with scope(company=company):
        draft = draft_invoice(
            company=company,
            currency="EUR",
            exchange_rate=Decimal("11.7325"),
            buyer_reference="PO 7",
        )
    page = browser_page
    log_in(page, owner)

    page.goto(f"/app/invoices/{draft.pk}/")
    page.get_by_role("button", name="Utsted", exact=True).click()
    page.get_by_role("button", name="Utsted fakturaen").click()
    expect(page.get_by_text("må vise firmaets IBAN og BIC")).to_be_visible()
    with scopes_disabled():
        assert Invoice.objects.get(pk=draft.pk).is_draft

    page.goto("/app/company/")
    page.fill("#id_iban", "NO93 8601 1117 948")  # wrong check digits
    page.fill("#id_bic", "DNBANOKK")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_text("Dette er ikke et gyldig IBAN-nummer.")).to_be_visible()
    page.fill("#id_iban", "NO93 8601 1117 947")
    # Payment details need the password (the field is always on the form).
    page.fill("#id_sudo_password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_text("Firmaopplysningene er lagret")).to_be_visible()
    company.refresh_from_db()
    assert (company.iban, company.bic) == ("NO9386011117947", "DNBANOKK")

    page.goto(f"/app/invoices/{draft.pk}/")
    page.get_by_role("button", name="Utsted", exact=True).click()
    page.get_by_role("button", name="Utsted fakturaen").click()
    expect(page.locator("#invoice-status")).to_have_text("Utstedt")
    screenshot(page, "invoicing-eur-issued")
    with scopes_disabled():
        issued = Invoice.objects.get(pk=draft.pk)
        assert issued.number == 1 and issued.currency == "EUR"
        assert issued.seller_snapshot["iban"] == "NO9386011117947"
