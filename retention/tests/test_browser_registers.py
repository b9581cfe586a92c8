"""The privacy officer keeps the registers in Chromium: a new sub-processor shows in the
public privacy statement at once (R6); a risk assessment gets its review date (R10)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from backoffice.models import StaffRole
from backoffice.tests.conftest import make_staff
from backoffice.tests.test_browser_backoffice import _log_in
from privacy.models import RiskAssessment, SubProcessor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_privacy_officer_adds_a_sub_processor_and_a_risk_assessment(browser_page, screenshot):
    officer = make_staff(StaffRole.PRIVACY_OFFICER, full_name="Per Personvern")
    page = browser_page
    _log_in(page, officer)
    page.goto("/backoffice/registers/subprocessors/")
    page.get_by_role("button", name="Legg til").click()
    # By id: each field has an English twin whose label starts the same way.
    page.fill("#id_name", "Nordisk Utskrift AS")
    page.fill("#id_service", "Utskrift og utsending av papirfakturaer")
    page.fill("#id_country", "Norge")
    page.fill("#id_transfer_basis", "Innenfor EØS")
    page.get_by_label("Databehandleravtale inngått").fill("2026-11-30")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Underleverandøren er lagret.")).to_be_visible()
    assert SubProcessor.objects.get(name="Nordisk Utskrift AS").active
    # Public at once, in the statement's list of sub-processors.
    page.goto("/personvern/")
    expect(page.locator("main")).to_contain_text("Nordisk Utskrift AS")
    expect(page.locator("main")).to_contain_text("Utskrift og utsending av papirfakturaer")

    page.goto("/backoffice/registers/risks/")
    page.get_by_role("button", name="Ny risikovurdering").click()
    page.get_by_label("Tittel").fill("Papirfakturaer på avveie")
    page.get_by_label("Beskrivelse").fill("Utskrevne fakturaer kan sendes til feil adresse.")
    page.get_by_label("Sannsynlighet").select_option("2")
    page.get_by_label("Konsekvens").select_option("3")
    page.get_by_label("Tiltak").fill("Adressen kontrolleres mot Enhetsregisteret.")
    page.get_by_label("Ansvarlig").select_option(str(officer.user.pk))
    page.get_by_label("Sist gjennomgått").fill("2026-12-01")
    page.get_by_label("Neste gjennomgang").fill("2027-06-01")
    page.get_by_role("button", name="Lagre").click()
    expect(page.get_by_text("Risikovurderingen er lagret.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Papirfakturaer på avveie")
    screenshot(page, "retention-risks")
    risk = RiskAssessment.objects.get(title="Papirfakturaer på avveie")
    assert (risk.likelihood, risk.consequence, risk.owner_id) == (2, 3, officer.user.pk)
