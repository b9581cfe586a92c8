"""Campaign recipients: lawful basis, active relationship, no objection; sent once."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import CompanyFactory, MembershipFactory
from backoffice import services as backoffice
from backoffice.models import StaffRole
from backoffice.tests.conftest import client_for, make_staff
from core.audit import Actor
from marketing import services
from marketing.models import Campaign, CampaignRecipient, Segment, SegmentMembership
from privacy.models import ConsentChannel, ConsentPurpose
from privacy.services import consents

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")


def _customer(name: str, delivered_years_ago: int):
    company = CompanyFactory(name=name)
    today = timezone.localdate()
    backoffice.delivery_record(
        customer=company,
        actor=SYSTEM,
        description="Abonnement",
        delivered_on=today.replace(year=today.year - delivered_years_ago)
        - datetime.timedelta(days=1),
    )
    return company


def _person(company, name: str, *, consent: bool | None = None):
    user = MembershipFactory(company=company, role=Role.OWNER, user__full_name=name).user
    if consent is not None:
        consents.consent_give(
            purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.WEB, user=user
        )
        if not consent:
            consents.consent_withdraw(
                purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.WEB, user=user
            )
    return user


@pytest.fixture
def marketer():
    return make_staff(StaffRole.MARKETING, full_name="Mia Marked")


@pytest.fixture
def people():
    active = _customer("Aktiv AS", 1)
    other_active = _customer("Også Aktiv AS", 0)
    ended = _customer("Sluttet AS", 4)
    people = {
        "consent": _person(active, "Cecilie Samtykke", consent=True),
        "customer": _person(other_active, "Kåre Kunde", consent=True),
        "silent": _person(active, "Siri Stille"),
        "ended": _person(ended, "Eva Sluttet", consent=True),
        "objector": _person(active, "Otto Protest", consent=True),
        "withdrawn": _person(other_active, "Wenche Trakk", consent=False),
    }
    consents.marketing_object(user=people["objector"], channel=ConsentChannel.WEB)
    segment = Segment.objects.create(name="Alle", description="Tilbud", criteria="alle")
    for user in people.values():
        SegmentMembership.objects.create(user=user, segment=segment, reason="test")
    people["segment"] = segment
    return people


def _campaign(marketer, segment) -> Campaign:
    return services.campaign_create(
        staff=marketer.user,
        name="Vårtilbud",
        segment=segment,
        subject="Nytt i FakturaNett",
        body="Prøv purringer gratis i en måned.",
    )


def test_the_marketing_matrix_consent_only(marketer, people):
    """Consent + active relationship: sent. No consent (even an active existing customer),
    withdrawn consent, objection, ended relationship: not sent, each with its reason."""
    campaign = _campaign(marketer, people["segment"])
    preview = services.campaign_preview(campaign=campaign)
    included = {row.user.pk: row.basis for row in preview.included}
    excluded = {row.user.pk: row.reason for row in preview.excluded}
    assert included == {
        people["consent"].pk: CampaignRecipient.Basis.CONSENT,
        people["customer"].pk: CampaignRecipient.Basis.CONSENT,
    }
    assert "har ikke samtykket" in excluded[people["silent"].pk]
    assert "kundeforholdet er avsluttet" in excluded[people["ended"].pk]
    assert "reservert seg" in excluded[people["objector"].pk]
    assert "trukket samtykket" in excluded[people["withdrawn"].pk]


def test_withdrawing_the_consent_removes_the_person_from_segments_at_once(people):
    person = people["consent"]
    assert SegmentMembership.objects.filter(user=person).exists()
    consents.consent_withdraw(
        purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.WEB, user=person
    )
    assert not SegmentMembership.objects.filter(user=person).exists()
    consents.marketing_object(user=people["customer"], channel=ConsentChannel.WEB)
    assert not SegmentMembership.objects.filter(user=people["customer"]).exists()


def test_the_preview_page_lists_excluded_customers_with_the_reason(marketer, people):
    campaign = _campaign(marketer, people["segment"])
    response = client_for(marketer).get(reverse("marketing:campaign", args=[campaign.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    excluded = html[html.index('id="excluded"') :]
    assert "Eva Sluttet" in excluded and "kundeforholdet er avsluttet" in excluded
    assert "Otto Protest" in excluded
    included = html[html.index('id="included"') : html.index('id="excluded"')]
    assert "Kåre Kunde" in included and "markedsføringsloven § 15" not in html
    assert "Siri Stille" in excluded and "har ikke samtykket" in excluded


def test_sending_runs_once_per_recipient_with_headers_and_a_working_unsubscribe_link(
    marketer, people, django_capture_on_commit_callbacks
):
    campaign = _campaign(marketer, people["segment"])
    with django_capture_on_commit_callbacks(execute=True):
        assert services.campaign_start(campaign=campaign, staff=marketer.user) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people["consent"].email, people["customer"].email]
    )
    recipients = CampaignRecipient.objects.filter(campaign=campaign)
    assert {r.user_id: r.basis for r in recipients} == {
        people["consent"].pk: "consent",
        people["customer"].pk: "consent",
    }
    assert all(r.status == "sent" and r.sent_at for r in recipients)
    campaign.refresh_from_db()
    assert campaign.status == Campaign.Status.SENT

    # Twice: the campaign refuses, and a repeated task finds nothing to claim.
    with pytest.raises(ValidationError), django_capture_on_commit_callbacks(execute=True):
        services.campaign_start(campaign=campaign, staff=marketer.user)
    for recipient in recipients:
        assert services.campaign_recipient_send(recipient_id=recipient.pk) == "skipped"
    assert len(mail.outbox) == 2

    message = next(m for m in mail.outbox if m.to == [people["consent"].email])
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_url = message.extra_headers["List-Unsubscribe"].strip("<>")
    found = re.search(r"https?://\S+/personvern/avmelding/\S+/", str(message.body))
    assert found
    body_url = found.group(0)
    assert body_url == header_url
    path = "/" + body_url.split("/", 3)[3]
    response = Client().post(path, "List-Unsubscribe=One-Click", content_type="text/plain")
    assert response.status_code == 200
    again = services.campaign_preview(campaign=_campaign(marketer, people["segment"]))
    assert people["consent"].pk not in {row.user.pk for row in again.included}


def test_a_basis_lost_after_start_is_not_sent(marketer, people):
    campaign = _campaign(marketer, people["segment"])
    services.campaign_start(campaign=campaign, staff=marketer.user)  # tasks not yet run
    consents.marketing_object(user=people["customer"], channel=ConsentChannel.WEB)
    for recipient in CampaignRecipient.objects.filter(campaign=campaign):
        services.campaign_recipient_send(recipient_id=recipient.pk)
    assert [m.to for m in mail.outbox] == [[people["consent"].email]]
    skipped = CampaignRecipient.objects.get(user=people["customer"])
    assert skipped.status == "skipped" and "reservert" in skipped.error


def test_progress_fragment_shows_a_progress_bar(marketer, people):
    campaign = _campaign(marketer, people["segment"])
    services.campaign_start(campaign=campaign, staff=marketer.user)
    client = client_for(marketer)
    html = client.get(reverse("marketing:campaign_progress", args=[campaign.pk])).content.decode()
    assert '<progress class="campaign-progress" value="0" max="2">' in html
    assert 'hx-trigger="every 2s"' in html
    first = CampaignRecipient.objects.filter(campaign=campaign).first()
    assert first is not None
    services.campaign_recipient_send(recipient_id=first.pk)
    html = client.get(reverse("marketing:campaign_progress", args=[campaign.pk])).content.decode()
    assert 'value="1" max="2"' in html


def test_send_twice_through_the_view_is_refused_without_500(marketer, people):
    campaign = _campaign(marketer, people["segment"])
    client = client_for(marketer)
    assert client.post(reverse("marketing:campaign_send", args=[campaign.pk])).status_code == 302
    assert client.post(reverse("marketing:campaign_send", args=[campaign.pk])).status_code == 409


def test_only_segment_roles_get_in(people):
    support = client_for(make_staff(StaffRole.SUPPORT))
    assert support.get(reverse("marketing:overview")).status_code == 403
    assert Client().get(reverse("marketing:overview")).status_code == 404


def test_body_and_header_carry_the_same_unsubscribe_link_across_a_second_boundary(
    marketer, people, monkeypatch
):
    # The link's signature carries the second it was made; a clock that moves on between
    # two signings must not give the body and the header two different links.
    clock = iter(range(1_800_000_000, 1_800_000_100))
    monkeypatch.setattr("django.core.signing.time.time", lambda: float(next(clock)))
    campaign = _campaign(marketer, people["segment"])
    message = services.marketing_message(campaign=campaign, user=people["consent"])
    header_url = message.extra_headers["List-Unsubscribe"].strip("<>")
    found = re.search(r"https?://\S+/personvern/avmelding/\S+/", str(message.body))
    assert found and found.group(0) == header_url
