"""A marketer previews a campaign (recipients and the excluded with reasons) and sends it."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role
from accounts.tests.factories import PASSWORD, CompanyFactory, MembershipFactory
from backoffice import services as backoffice
from backoffice.models import StaffRole
from backoffice.tests.conftest import make_staff
from core.audit import Actor
from marketing import services
from marketing.models import Segment, SegmentMembership
from privacy.models import ConsentChannel, ConsentPurpose
from privacy.services import consents

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_preview_and_send_with_progress(browser_page, screenshot):
    page = browser_page
    csp_errors: list[str] = []
    page.on(
        "console",
        lambda msg: csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    marketer = make_staff(StaffRole.MARKETING, full_name="Maja Marked")
    today = timezone.localdate()
    active = CompanyFactory(name="Aktiv AS")
    ended = CompanyFactory(name="Sluttet AS")
    for company, delivered in ((active, today), (ended, today - datetime.timedelta(days=4 * 365))):
        backoffice.delivery_record(
            customer=company,
            actor=Actor.system("tests"),
            description="Abonnement",
            delivered_on=delivered,
        )
    keen = MembershipFactory(company=active, role=Role.OWNER, user__full_name="Kari Kunde").user
    gone = MembershipFactory(company=ended, role=Role.OWNER, user__full_name="Sigurd Sluttet").user
    for user in (keen, gone):
        consents.consent_give(
            purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.WEB, user=user
        )
    segment = Segment.objects.create(name="Alle", description="Tilbud", criteria="alle")
    for user in (keen, gone):
        SegmentMembership.objects.create(user=user, segment=segment, reason="test")
    campaign = services.campaign_create(
        staff=marketer.user,
        name="Vårkampanje",
        segment=segment,
        subject="Nytt i FakturaNett",
        body="Prøv purringer gratis.",
    )

    page.goto(f"/account/login/?next=/backoffice/marketing/campaigns/{campaign.pk}/")
    page.get_by_label("E-post").fill(marketer.user.email)
    page.get_by_label("Passord").fill(PASSWORD)
    page.get_by_role("button", name="Logg inn").click()
    device = TOTPDevice.objects.get(user=marketer.user)
    page.get_by_label("Kode fra autentiseringsappen").fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Bekreft").click()

    page.get_by_role("heading", name="Vårkampanje").wait_for()
    assert "Kari Kunde" in page.locator("#included").inner_text()
    excluded = page.locator("#excluded").inner_text()
    assert "Sigurd Sluttet" in excluded and "kundeforholdet er avsluttet" in excluded
    screenshot(page, "campaign-preview")

    page.get_by_role("button", name="Send kampanjen").click()
    page.get_by_text("Sendingen har startet").wait_for()
    progress = page.locator("progress.campaign-progress")
    assert progress.get_attribute("value") == "1" and progress.get_attribute("max") == "1"
    screenshot(page, "campaign-sent")
    assert [m.to for m in mail.outbox] == [[keen.email]]
    assert csp_errors == []
