"""Support sends the quarter's satisfaction survey in Chromium: once per person and
period, to customers whose relationship is active."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from backoffice.models import ServiceDelivery, StaffRole, SurveyInvitation
from backoffice.tests.conftest import customer_with_owner, make_staff
from backoffice.tests.test_browser_backoffice import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_support_sends_the_survey_once_per_period(browser_page):
    active, owner = customer_with_owner("Kystlys Elektro AS")
    ServiceDelivery.objects.create(
        customer=active, description="Standard", delivered_on=timezone.localdate()
    )
    page = browser_page
    _log_in(page, make_staff(StaffRole.SUPPORT, full_name="Siri Støtte"))
    page.goto("/backoffice/surveys/")
    send = page.get_by_role("button", name="Send undersøkelsen for")
    send.click()
    expect(
        page.get_by_text("1 invitasjon er sendt til kunder med aktivt kundeforhold.")
    ).to_be_visible()
    invitation = SurveyInvitation.objects.get()
    assert (invitation.customer_id, invitation.person_id) == (active.pk, owner.pk)
    # Again in the same period: nobody gets it twice.
    page.get_by_role("button", name="Send undersøkelsen for").click()
    expect(
        page.get_by_text("0 invitasjoner er sendt til kunder med aktivt kundeforhold.")
    ).to_be_visible()
    assert SurveyInvitation.objects.count() == 1
