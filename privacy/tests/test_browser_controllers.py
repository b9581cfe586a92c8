"""People who are not users, in Chromium: the privacy officer finds a person among the
customers' own clients and passes the request on; the customer company answers it, and
uses its own "find a person" page to export and anonymise."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_scopes import scope, scopes_disabled

from accounts.models import Role
from accounts.tests.factories import PASSWORD, MembershipFactory
from backoffice.models import StaffRole
from backoffice.tests.conftest import make_staff
from core.dates import add_months
from core.tests.browser import log_in
from customers.models import Client
from invoicing.tests.factories import ClientFactory, issued_invoice
from privacy.models import ControllerReferral, PrivacyRequest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "kari.nordmann@example.no"


def _person_client(company, **fields) -> Client:
    with scope(company=company):
        return ClientFactory(company=company, kind="person", organization_number="", **fields)


def test_the_officer_passes_a_request_on_and_the_company_answers_it(
    browser_page, new_browser_context, screenshot
):
    owner = MembershipFactory(
        role=Role.OWNER, user__full_name="Eva Eier", company__name="Bakeriet AS"
    ).user
    company = owner.memberships.get().company
    kari = _person_client(company, name="Kari Nordmann", invoice_emails=EMAIL)
    _person_client(company, name="Ola Hansen", invoice_emails="ola@example.no")
    officer = make_staff(StaffRole.PRIVACY_OFFICER, full_name="Per Personvern")
    now = timezone.now()
    item = PrivacyRequest.objects.create(
        reference="PV-20261203-KARI01",
        kind=PrivacyRequest.Kind.ERASURE,
        name="Kari Nordmann",
        email=EMAIL,
        message="Jeg har kjøpt brød på faktura. Slett meg.",
        status=PrivacyRequest.Status.OPEN,
        received_at=now,
        deadline=add_months(timezone.localdate(now), 1),
        verified_at=now,
    )

    page = browser_page
    page.goto(f"/account/login/?next=/backoffice/privacy-requests/{item.pk}/")
    page.get_by_label("E-post").fill(officer.user.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    device = TOTPDevice.objects.get(user=officer.user)
    page.get_by_label("Kode fra autentiseringsappen").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Bekreft").click()
    page.get_by_role("heading", name=f"{item.reference}: Sletting").wait_for()

    section = page.locator("#controllers")
    assert section.get_by_label("E-post").input_value() == EMAIL  # prefilled from the request
    section.get_by_role("button", name="Søk i kunderegistrene").click()
    matches = page.locator("#client-matches")
    matches.wait_for()
    assert "Bakeriet AS" in matches.inner_text() and "Kari Nordmann" in matches.inner_text()
    assert "Ola Hansen" not in matches.inner_text()
    deadline = timezone.localdate() + datetime.timedelta(days=10)
    page.get_by_label("Frist for kundene").fill(deadline.isoformat())
    screenshot(page, "privacy-officer-finds-client")
    page.get_by_role("button", name="Send til firmaene").click()
    page.get_by_text("Henvendelsen er sendt til 1 firma(er)").wait_for()
    assert "Venter på kunden" in page.locator("#referrals").inner_text()
    referral = ControllerReferral.objects.get(request=item)
    assert referral.client_numbers == [kari.number] and referral.deadline == deadline

    # The owner, in another browser, follows the e-mail's link and answers.
    context = new_browser_context()
    owner_page = context.new_page()
    owner_page.set_default_timeout(15_000)
    log_in(owner_page, owner.email)
    owner_page.goto(f"/account/privacy/persons/?referral={referral.pk}")
    row = owner_page.locator(f"#referral-{referral.pk}")
    assert "Kari Nordmann" in row.inner_text() and deadline.strftime("%d.%m.%Y") in row.inner_text()
    owner_page.get_by_label("Hva har dere gjort for personen?").fill(
        "Kari har fått en kopi; kunden anonymiseres når fristen i bokføringsloven er ute."
    )
    screenshot(owner_page, "privacy-company-referral")
    owner_page.get_by_role("button", name="Marker som besvart").click()
    owner_page.get_by_text("Personvernombudet hos FakturaNett ser svaret").wait_for()
    context.close()

    page.reload()
    assert "Besvart" in page.locator("#referrals").inner_text()
    assert "Kari har fått en kopi" in page.locator("#referrals").inner_text()


def test_a_company_finds_its_client_exports_and_anonymises_where_the_law_allows(
    browser_page, screenshot
):
    owner = MembershipFactory(
        role=Role.OWNER, user__full_name="Eva Eier", company__name="Bakeriet AS"
    ).user
    company = owner.memberships.get().company
    kari = _person_client(company, name="Kari Nordmann", invoice_emails=EMAIL, phone="91234567")
    with scope(company=company):
        invoice = issued_invoice(company=company, client=kari)
    ola = _person_client(company, name="Ola Nordmann", invoice_emails="ola@example.no")
    until = datetime.date(invoice.invoice_date.year + 5, 12, 31)

    page = browser_page
    log_in(page, owner.email)
    page.goto("/account/privacy/")
    page.get_by_role("link", name="Finn en person blant kundene").click()
    page.get_by_label("Navn").fill("Nordmann")
    page.get_by_role("button", name="Søk").click()
    matches = page.locator("#person-matches")
    matches.wait_for()
    assert "Kari Nordmann" in matches.inner_text() and "Ola Nordmann" in matches.inner_text()

    # Kari has a recent invoice: the page explains what is kept and until when.
    matches.get_by_role("link", name="Kari Nordmann").click()
    explained = page.locator("#kept-explained")
    assert f"oppbevares til {until:%d.%m.%Y}" in explained.inner_text()
    assert "bokføringsloven § 13" in explained.inner_text().lower()
    assert page.locator("#person-anonymise").count() == 0
    screenshot(page, "privacy-company-person-kept")
    with page.expect_download() as download:
        page.get_by_role("button", name="Last ned opplysningene").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["Kunden"]["Navn"] == "Kari Nordmann"
    assert [d["Nummer"] for d in data["Fakturaer og kreditnotaer"]] == [invoice.number]

    # Ola has no invoices: anonymised at once (after the password again).
    page.goto(f"/account/privacy/persons/{ola.pk}/")
    page.get_by_role("button", name="Anonymiser kunden").click()
    if "reauth" in page.url:
        page.fill("input[type=password]", PASSWORD)
        page.locator("main form button[type=submit]").click()
        page.wait_for_url(lambda url: "reauth" not in url)
        page.goto(f"/account/privacy/persons/{ola.pk}/")
        page.get_by_role("button", name="Anonymiser kunden").click()
    page.get_by_text("Kunden er anonymisert").wait_for()
    screenshot(page, "privacy-company-person-anonymised")
    with scopes_disabled():
        ola = Client._base_manager.get(pk=ola.pk)
        assert ola.name == "Anonymisert" and ola.invoice_emails == ""
        assert Client._base_manager.get(pk=kari.pk).name == "Kari Nordmann"
