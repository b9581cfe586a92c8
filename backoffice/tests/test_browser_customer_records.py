"""What staff record on a customer's page, in Chromium: finance records a delivery, a
credit check and a financing arrangement; support records a phone call with a contact
person. Each form is folded until opened, and each entry shows on the page after saving."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from backoffice.models import CreditCheck, FinancingUse, Interaction, ServiceDelivery, StaffRole
from backoffice.tests.conftest import customer_with_owner, make_staff
from backoffice.tests.test_browser_backoffice import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_finance_records_a_delivery_a_credit_check_and_financing(browser_page, screenshot):
    customer, _owner = customer_with_owner("Fjellvind Transport AS")
    page = browser_page
    _log_in(page, make_staff(StaffRole.FINANCE, full_name="Frida Finans"))
    page.goto(f"/backoffice/customers/{customer.pk}/")

    page.get_by_text("Registrer leveranse").click()
    delivery = page.locator("form[action$='/deliveries/']")
    delivery.get_by_label("Hva ble levert").fill("Standard, 12 måneder")
    delivery.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Leveransen er registrert.")).to_be_visible()
    expect(page.get_by_text("Standard, 12 måneder")).to_be_visible()

    page.get_by_text("Registrer kredittsjekk manuelt").click()
    credit = page.locator("form[action$='/credit-checks/']")
    credit.get_by_label("Leverandør").fill("Kredittbyrå AS")
    credit.get_by_label("Resultat").fill("Lav risiko")
    credit.get_by_label("Score (0–100)").fill("82")
    credit.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Kredittsjekken er lagret.")).to_be_visible()
    expect(page.get_by_text("Lav risiko")).to_be_visible()

    page.get_by_text("Registrer finansiering").click()
    financing = page.locator("form[action$='/financing/']")
    financing.get_by_label("Finansieringspartner").fill("Fjordfinans")
    financing.get_by_label("Ordning").fill("Factoring")
    financing.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Finansieringen er lagret.")).to_be_visible()
    expect(page.get_by_text("Fjordfinans")).to_be_visible()
    screenshot(page, "backoffice-customer-finance-records")

    assert ServiceDelivery.objects.get(customer=customer).description == "Standard, 12 måneder"
    check = CreditCheck.objects.get(customer=customer)
    assert (check.provider, check.score, check.source) == ("Kredittbyrå AS", 82, "staff")
    assert FinancingUse.objects.get(customer=customer).arrangement == "Factoring"


def test_support_records_a_phone_call_with_the_contact_person(browser_page):
    customer, owner = customer_with_owner("Solstrand Kafé AS")
    page = browser_page
    _log_in(page, make_staff(StaffRole.SUPPORT, full_name="Siri Støtte"))
    page.goto(f"/backoffice/customers/{customer.pk}/")
    page.get_by_text("Registrer kontakt").click()
    form = page.locator("form[action$='/interactions/']")
    form.get_by_label("Type").select_option("call")
    form.get_by_label("Kontaktperson").select_option(str(owner.pk))
    form.get_by_label("Sammendrag").fill("Spurte om EHF til kommunen.")
    form.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Kontakten er lagret.")).to_be_visible()
    expect(page.get_by_text("Spurte om EHF til kommunen.")).to_be_visible()
    call = Interaction.objects.get(customer=customer)
    assert (call.kind, call.person_id) == (Interaction.Kind.CALL, owner.pk)
