"""A privacy officer handles an access request from the queue, in a real browser."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from accounts.models import Role
from accounts.tests.factories import PASSWORD, MembershipFactory
from backoffice.models import StaffRole
from backoffice.tests.conftest import make_staff
from core.dates import add_months
from privacy.models import DataExport, PrivacyRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_privacy_officer_handles_an_access_request_to_completion(browser_page, screenshot):
    page = browser_page
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    officer = make_staff(StaffRole.PRIVACY_OFFICER, full_name="Per Personvern")
    person = MembershipFactory(role=Role.MEMBER, user__full_name="Ingrid Innsyn").user
    received = timezone.now() - datetime.timedelta(days=3)
    item = PrivacyRequest.objects.create(
        reference="PV-20261121-ABC123",
        kind=PrivacyRequest.Kind.ACCESS,
        user=person,
        name="Ingrid Innsyn",
        email=person.email,
        message="Jeg vil se alle opplysningene dere har om meg.",
        status=PrivacyRequest.Status.OPEN,
        received_at=received,
        deadline=add_months(timezone.localdate(received), 1),
        verified_at=received,
    )
    late = PrivacyRequest.objects.create(
        reference="PV-20261001-LATE01",
        kind=PrivacyRequest.Kind.QUESTION,
        name="Sen Sak",
        email="sen@example.com",
        message="Hvorfor?",
        status=PrivacyRequest.Status.OPEN,
        received_at=timezone.now() - datetime.timedelta(days=45),
        deadline=timezone.localdate() - datetime.timedelta(days=10),
        verified_at=timezone.now() - datetime.timedelta(days=45),
    )

    page.goto("/account/login/?next=/backoffice/privacy-requests/")
    page.get_by_label("E-post").fill(officer.user.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    device = TOTPDevice.objects.get(user=officer.user)
    page.get_by_label("Kode fra autentiseringsappen").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Bekreft").click()

    page.get_by_role("heading", name="Personvernhenvendelser").wait_for()
    overdue_row = page.locator("tr.overdue")
    assert overdue_row.count() == 1
    assert late.reference in overdue_row.inner_text()
    screenshot(page, "privacy-queue")

    page.get_by_role("link", name=item.reference).click()
    page.get_by_role("heading", name=f"{item.reference}: Innsyn").wait_for()
    page.get_by_label("Saksbehandler").select_option(label="Per Personvern")
    page.get_by_role("button", name="Tildel").click()
    page.get_by_text("Saken er tildelt Per Personvern.").wait_for()
    assert page.locator("#assignee").inner_text() == "Per Personvern"

    page.get_by_role("button", name="Lag eksport").click()
    page.get_by_text("Eksporten lages nå").wait_for()
    export = DataExport.objects.get(user=person)
    assert export.status == DataExport.Status.READY
    assert page.locator(".export-status").first.inner_text() == "Klar"
    screenshot(page, "privacy-request-exported")

    page.get_by_label("Svar til personen").fill(
        "Eksporten med alle opplysningene ligger klar under Personvern på kontoen din i 7 dager."
    )
    page.get_by_role("button", name="Send svar og avslutt").click()
    page.get_by_text("Henvendelsen er avsluttet").wait_for()
    assert page.locator("#request-status").inner_text() == "Avsluttet"
    screenshot(page, "privacy-request-closed")

    item.refresh_from_db()
    assert item.status == PrivacyRequest.Status.CLOSED
    assert item.assigned_to == officer.user
    assert "Eksporten med alle" in item.outcome
    assert csp_errors == []


def test_privacy_officer_registers_a_request_received_by_phone(browser_page):
    from backoffice.tests.test_browser_backoffice import _log_in

    officer = make_staff(StaffRole.PRIVACY_OFFICER, full_name="Per Personvern")
    page = browser_page
    _log_in(page, officer)
    page.goto("/backoffice/privacy-requests/")
    page.get_by_role("button", name="Registrer henvendelse (telefon, brev, oppmøte)").click()
    page.get_by_label("Type henvendelse").select_option("erasure")
    page.get_by_label("Mottatt via").select_option("phone")
    page.get_by_label("Identitet bekreftet ved").select_option("callback")
    page.get_by_label("Navn").fill("Siri Sletting")
    page.get_by_label("E-post").fill("siri@example.no")
    page.get_by_label("Hva gjelder henvendelsen").fill("Ringte og ba om å bli slettet.")
    page.get_by_role("button", name="Registrer").click()
    item = PrivacyRequest.objects.get(email="siri@example.no")
    expect(page.get_by_text(f"Henvendelsen er registrert som {item.reference}.")).to_be_visible()
    assert (item.kind, item.channel) == ("erasure", "phone")
    # Registered with its legal deadline, one month from the day it was received.
    assert item.deadline == add_months(timezone.localdate(), 1)
