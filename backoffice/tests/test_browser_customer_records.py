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


def _record(page, summary: str, action: str, fields: dict[str, str], *, saved: str) -> None:
    """Open the folded form under ``summary``, fill its fields by label, save it and see
    its message."""
    page.get_by_text(summary).click()
    form = page.locator(f"form[action$='{action}']")
    for label, value in fields.items():
        form.get_by_label(label).fill(value)
    form.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text(saved)).to_be_visible()


def test_finance_records_a_delivery_a_credit_check_and_financing(browser_page, screenshot):
    customer, _owner = customer_with_owner("Fjellvind Transport AS")
    page = browser_page
    _log_in(page, make_staff(StaffRole.FINANCE, full_name="Frida Finans"))
    page.goto(f"/backoffice/customers/{customer.pk}/")

    _record(
        page,
        "Registrer leveranse",
        "/deliveries/",
        {"Hva ble levert": "Standard, 12 måneder"},
        saved="Leveransen er registrert.",
    )
    _record(
        page,
        "Registrer kredittsjekk manuelt",
        "/credit-checks/",
        {"Leverandør": "Kredittbyrå AS", "Resultat": "Lav risiko", "Score (0–100)": "82"},
        saved="Kredittsjekken er lagret.",
    )
    _record(
        page,
        "Registrer finansiering",
        "/financing/",
        {"Finansieringspartner": "Fjordfinans", "Ordning": "Factoring"},
        saved="Finansieringen er lagret.",
    )
    for shown in ("Standard, 12 måneder", "Lav risiko", "Fjordfinans"):
        expect(page.get_by_text(shown)).to_be_visible()
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
