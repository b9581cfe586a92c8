"""The staff console in a real browser: login with the second factor, dashboard and chart
under the CSP, and a customer page that hides what the role may not see."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.factories import PASSWORD
from backoffice.models import AccessLogEntry, CreditCheck, ServiceDelivery, StaffRole
from backoffice.permissions import CATEGORIES
from backoffice.tests.conftest import customer_with_owner, make_staff
from privacy.models import DailyPageStat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, staff) -> None:
    page.goto("/account/login/?next=/backoffice/")
    page.get_by_label("E-post").fill(staff.user.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    device = TOTPDevice.objects.get(user=staff.user)
    page.get_by_label("Kode fra autentiseringsappen").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Bekreft").click()


def test_dashboard_chart_and_a_need_to_know_customer_page(browser_page, screenshot):
    page = browser_page
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    today = timezone.localdate()
    for i in range(30):
        DailyPageStat.objects.create(
            day=today - datetime.timedelta(days=i),
            path="/",
            page_views=40 + (i * 7) % 25,
            unique_visitors=15 + (i * 3) % 10,
        )
    customer, _owner = customer_with_owner("Fjordkraft Regnskap AS")
    ServiceDelivery.objects.create(customer=customer, description="Standard", delivered_on=today)
    marketing = make_staff(StaffRole.MARKETING, full_name="Maja Marked")
    CreditCheck.objects.create(
        customer=customer,
        provider="Byrå",
        checked_on=today,
        result="SKJULT-KREDITT",
        source="staff",
        staff=marketing.user,
    )

    _log_in(page, marketing)
    page.get_by_role("heading", name="Oversikt").wait_for()
    bars = page.locator("svg.chart-svg rect.chart-bar")
    assert bars.count() == 30
    box = page.locator("svg.chart-svg").bounding_box()
    assert box and box["width"] > 300 and box["height"] > 80
    screenshot(page, "backoffice-dashboard")

    page.get_by_role("link", name="Kunder").click()
    page.get_by_role("link", name="Fjordkraft Regnskap AS").click()
    page.get_by_role("heading", name="Fjordkraft Regnskap AS").wait_for()
    assert page.get_by_text("Aktivt", exact=True).is_visible()
    assert page.get_by_text("SKJULT-KREDITT").count() == 0
    assert page.get_by_role("heading", name="Betalingshistorikk").count() == 0
    screenshot(page, "backoffice-customer-marketing")
    entry = AccessLogEntry.objects.filter(customer=customer).latest("created_at")
    assert "credit_check" not in entry.categories and "employer" in entry.categories
    assert csp_errors == []


def test_privacy_officer_sees_the_matrix_and_records_a_dispute(browser_page, screenshot):
    page = browser_page
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    customer, owner = customer_with_owner("Havbris Bygg AS")
    officer = make_staff(StaffRole.PRIVACY_OFFICER, full_name="Per Personvern")
    _log_in(page, officer)
    page.get_by_role("link", name="Tilgangsmatrise").click()
    page.get_by_role("heading", name="Tilgangsmatrise").wait_for()
    # One row per category of personal data and of the operator's own records.
    assert page.locator("table.matrix tbody tr").count() == len(CATEGORIES)
    screenshot(page, "backoffice-permissions")

    page.goto(f"/backoffice/customers/{customer.pk}/")
    page.get_by_text("Registrer reklamasjon eller tvist").click()
    form = page.locator("form[action$='/complaints/']")
    form.get_by_label("Type").select_option("dispute")
    form.get_by_label("Gjelder").fill("Uenighet om faktura 17")
    form.get_by_label("Beskrivelse").fill("Kunden bestrider beløpet.")
    form.get_by_label("Kontaktperson").select_option(str(owner.pk))
    form.get_by_role("button", name="Lagre").click()
    page.get_by_text("Saken er registrert.").wait_for()
    assert page.get_by_text("Rettslig hold på data").is_visible()
    screenshot(page, "backoffice-customer-privacy-officer")
    assert csp_errors == []


def test_an_owner_orders_a_plan_and_answers_a_survey(browser_page, screenshot, plan):
    from backoffice import services
    from backoffice.models import Order

    page = browser_page
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    customer, owner = customer_with_owner("Solsiden Snekkeri AS")
    page.goto("/plans/")
    page.get_by_role("heading", name="Standard").wait_for()
    assert page.get_by_role("link", name="personvernerklæringen").is_visible()
    screenshot(page, "backoffice-plans")
    page.get_by_role("button", name="Bestill").click()
    page.get_by_label("E-post").fill(owner.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    page.get_by_role("heading", name="Bestill Standard").wait_for()
    page.get_by_label("Jeg bestiller abonnementet").check()
    page.get_by_role("button", name="Bekreft bestillingen").click()
    page.get_by_role("heading", name="Bestillingen er mottatt").wait_for()
    order = Order.objects.get(customer=customer)
    assert order.invoice is not None
    assert page.get_by_text(f"Faktura nr. {order.invoice.number}").is_visible()
    screenshot(page, "backoffice-order-done")

    invitation = services.survey_send()[0]
    page.context.clear_cookies()
    page.goto(f"/survey/{services.survey_token(invitation)}/")
    page.get_by_label("9").check()
    page.get_by_label("Vil du fortelle oss hvorfor?").fill("Enkelt å fakturere")
    screenshot(page, "backoffice-survey")
    page.get_by_role("button", name="Send svar").click()
    page.get_by_text("Takk for svaret!").wait_for()
    invitation.refresh_from_db()
    assert invitation.score == 9
    assert csp_errors == []


def test_a_grant_asked_in_an_elevated_session_is_approved_by_a_second_administrator(
    browser_page, screenshot
):
    from django.core import mail

    from backoffice.models import StaffProfile

    admin = make_staff(StaffRole.ADMINISTRATOR, full_name="Ada Admin")
    bjorn = make_staff(StaffRole.ADMINISTRATOR, email="bjorn@example.no", full_name="Bjørn Admin")
    colleague = make_staff(StaffRole.MARKETING, email="mia@example.no", full_name="Mia Marked")
    page = browser_page
    _log_in(page, admin)
    page.goto(f"/backoffice/staff/{colleague.pk}/")
    page.get_by_label("Kundestøtte").check()
    page.get_by_role("button", name="Lagre").click()
    page.get_by_text("kan bare tildeles i en utvidet økt").first.wait_for()
    page.get_by_role("link", name="Start utvidet tilgang").click()
    page.get_by_label("Hvorfor trenger du tilgang").fill(
        "Mia skal dekke kundestøtte i jula, sak 88"
    )
    page.get_by_role("button", name="Start utvidet tilgang").click()
    page.wait_for_url(f"**/backoffice/staff/{colleague.pk}/")
    page.get_by_label("Kundestøtte").check()
    screenshot(page, "backoffice-grant-in-elevated-session")
    page.get_by_role("button", name="Lagre").click()
    page.get_by_text("venter på godkjenning fra en annen administrator").wait_for()
    assert "support" not in StaffProfile.objects.get(pk=colleague.pk).roles
    assert "bjorn@example.no" in [m.to[0] for m in mail.outbox]
    # The requester cannot approve their own request.
    page.get_by_text("Venter på en annen administrator").wait_for()
    assert page.get_by_role("button", name="Godkjenn").count() == 0

    page.context.clear_cookies()
    _log_in(page, bjorn)
    page.goto("/backoffice/staff/")
    page.get_by_text("Mia skal dekke kundestøtte i jula").wait_for()
    screenshot(page, "backoffice-grant-awaiting-approval")
    page.get_by_role("button", name="Godkjenn").click()
    page.get_by_text("Tilgangen for Mia Marked er godkjent").wait_for()
    assert "support" in StaffProfile.objects.get(pk=colleague.pk).roles


def test_an_administrator_registers_a_new_staff_member(browser_page):
    from backoffice.models import StaffProfile

    admin = make_staff(StaffRole.ADMINISTRATOR, full_name="Ada Admin")
    page = browser_page
    _log_in(page, admin)
    page.goto("/backoffice/staff/")
    page.get_by_role("button", name="Ny ansatt").click()
    page.get_by_label("E-post").fill("ola.drift@example.no")
    page.get_by_role("textbox", name="Navn").fill("Ola Drift")
    # An administrator opens no customer's personal data: no elevated session needed.
    page.get_by_label("Administrator").check()
    page.get_by_role("button", name="Lagre").click()
    page.get_by_text("Den ansatte er registrert.").wait_for()
    assert page.locator("main").get_by_text("Ola Drift").count() >= 1
    created = StaffProfile.objects.get(user__email="ola.drift@example.no")
    assert (created.roles, created.user.is_staff) == (["administrator"], True)
    # No password yet: the person sets one through "forgot password", then a second factor.
    assert not created.user.has_usable_password()
