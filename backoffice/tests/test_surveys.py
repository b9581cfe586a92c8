"""NPS surveys: sent only to active relationships, one-time signed links, aggregation."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backoffice import services
from backoffice.models import ServiceDelivery, StaffRole, SurveyInvitation
from backoffice.selectors import survey_results
from backoffice.services.surveys import SURVEY_DAYS, SURVEY_SALT
from backoffice.tests.conftest import client_for, customer_with_owner, make_staff


def _active_customer(name: str = "Aktiv AS"):
    customer, owner = customer_with_owner(name)
    ServiceDelivery.objects.create(
        customer=customer, description="Standard", delivered_on=timezone.localdate()
    )
    return customer, owner


def _answer_url(invitation: SurveyInvitation) -> str:
    return reverse("survey_answer", kwargs={"token": services.survey_token(invitation)})


@pytest.mark.django_db
def test_surveys_go_only_to_owners_of_customers_with_an_active_relationship(
    django_capture_on_commit_callbacks,
):
    active, active_owner = _active_customer()
    ended, _ = customer_with_owner("Avsluttet AS")
    ServiceDelivery.objects.create(
        customer=ended, description="Gammel", delivered_on=datetime.date(2019, 1, 1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.survey_send()
    assert [(i.customer, i.person) for i in sent] == [(active, active_owner)]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [active_owner.email]
    invitation = sent[0]
    assert _answer_url(invitation) in message.body
    # Once per person and period.
    with django_capture_on_commit_callbacks(execute=True):
        assert services.survey_send() == []
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_a_signed_link_is_answered_once_without_login():
    _active_customer()
    invitation = services.survey_send()[0]
    client = Client()
    url = _answer_url(invitation)
    assert client.get(url).status_code == 200
    response = client.post(url, {"score": "9", "comment": "Veldig bra"})
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.score == 9 and invitation.answered_at is not None
    # Replayed: a clear message and no change.
    response = client.post(url, {"score": "1", "comment": "endret"})
    assert response.status_code == 410
    assert "allerede svart" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.score == 9 and invitation.comment == "Veldig bra"


@pytest.mark.django_db
def test_a_forged_or_tampered_link_is_refused():
    _active_customer()
    invitation = services.survey_send()[0]
    client = Client()
    forged = signing.dumps({"i": invitation.pk, "n": "0" * 32}, salt=SURVEY_SALT)
    for token in ("not-a-token", forged, services.survey_token(invitation) + "x"):
        response = client.post(reverse("survey_answer", kwargs={"token": token}), {"score": "5"})
        assert response.status_code == 404
        assert "ugyldig" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.score is None


@pytest.mark.django_db
def test_an_expired_link_says_so_and_changes_nothing():
    _active_customer()
    invitation = services.survey_send()[0]
    url = _answer_url(invitation)
    later = timezone.now() + datetime.timedelta(days=SURVEY_DAYS, seconds=1)
    with time_machine.travel(later, tick=False):
        response = Client().post(url, {"score": "5"})
    assert response.status_code == 410
    assert "utløpt" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.score is None


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [{}, {"score": "11"}, {"score": "-1"}, {"score": "x"}, {"score": "5", "comment": "x" * 2001}],
)
def test_bad_answers_rerender_the_form(data):
    _active_customer()
    invitation = services.survey_send()[0]
    response = Client().post(_answer_url(invitation), data)
    assert response.status_code == 400
    invitation.refresh_from_db()
    assert invitation.answered_at is None


@pytest.mark.django_db
def test_answers_are_aggregated_per_period():
    for n, score in enumerate([10, 9, 8, 3]):
        _active_customer(f"Kunde {n} AS")
    invitations = services.survey_send()
    period = services.survey_period(timezone.localdate())
    for invitation, score in zip(invitations, [10, 9, 8, 3], strict=True):
        services.survey_answer(token=services.survey_token(invitation), score=score)
    [result] = survey_results(period=period)
    assert result == {
        "period": period,
        "answers": 4,
        "promoters": 2,
        "passives": 1,
        "detractors": 1,
        "nps": 25,
    }


def test_the_period_is_the_quarter():
    assert services.survey_period(datetime.date(2026, 11, 2)) == "2026-Q4"
    assert services.survey_period(datetime.date(2026, 1, 1)) == "2026-Q1"
    assert services.survey_period(datetime.date(2026, 6, 30)) == "2026-Q2"


@pytest.mark.django_db
def test_staff_see_the_results_and_support_may_send(privacy_officer):
    _active_customer()
    marketing = make_staff(StaffRole.MARKETING)
    response = client_for(marketing).get(reverse("backoffice:surveys"))
    assert response.status_code == 200
    assert client_for(marketing).post(reverse("backoffice:survey_send")).status_code == 403
    support = make_staff(StaffRole.SUPPORT)
    assert client_for(support).post(reverse("backoffice:survey_send")).status_code == 302
    assert SurveyInvitation.objects.count() == 1
