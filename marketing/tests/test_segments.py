"""Rule-based segments: members with their reasons, shown on the person's profiling page."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope

from accounts.models import Role
from accounts.tests.factories import CompanyFactory, MembershipFactory
from backoffice import services as backoffice
from backoffice.models import Order, StaffRole
from backoffice.tests.conftest import client_for, make_staff
from core.audit import Actor
from invoicing.tests.factories import issued_invoice
from marketing import services
from marketing.models import Segment, SegmentMembership, SegmentRule
from privacy.models import ConsentChannel, ConsentPurpose
from privacy.services import consents

pytestmark = pytest.mark.django_db
SYSTEM = Actor.system("tests")


@pytest.fixture
def marketer():
    return make_staff(StaffRole.MARKETING)


def _active_customer(name: str, *, consent: bool = True):
    """An active customer's owner; with the marketing consent unless told otherwise
    (profiling for marketing is only for those who consented)."""
    company = CompanyFactory(name=name)
    backoffice.delivery_record(
        customer=company,
        actor=SYSTEM,
        description="Abonnement",
        delivered_on=timezone.localdate() - datetime.timedelta(days=30),
    )
    user = MembershipFactory(company=company, role=Role.OWNER).user
    if consent:
        consents.consent_give(
            purpose=ConsentPurpose.MARKETING_EMAIL, channel=ConsentChannel.WEB, user=user
        )
    return company, user


def test_plan_activity_segment_counts_last_quarters_invoices(marketer, plan):
    start, _end = services.previous_quarter(timezone.localdate())
    busy, busy_owner = _active_customer("Travel AS")
    quiet, _quiet_owner = _active_customer("Rolig AS")
    objecting, objector = _active_customer("Protest AS")
    silent, _silent_owner = _active_customer("Stille AS", consent=False)
    for company in (busy, quiet, objecting, silent):
        Order.objects.create(customer=company, plan=plan, ordered_by=None)
    for company, n in ((busy, 3), (quiet, 1), (objecting, 3), (silent, 3)):
        with scope(company=company):
            for _ in range(n):
                issued_invoice(company=company, invoice_date=start + datetime.timedelta(days=5))
    consents.marketing_object(user=objector, channel=ConsentChannel.WEB)
    rule = services.segment_rule_create(
        staff=marketer.user,
        name="Storbrukere",
        description="Tilbud om flere brukere",
        kind=SegmentRule.Kind.PLAN_ACTIVITY,
        plan=plan,
        min_invoices=2,
    )
    # Busy and silent both match; only busy consented (the objector withdrew).
    assert services.segment_compute(rule=rule) == 1
    member = SegmentMembership.objects.get(segment=rule.segment)
    assert member.user == busy_owner
    assert "utstedte 3 fakturaer" in member.reason and plan.name in member.reason

    # The person sees the segment and the reason on the profiling page.
    client = Client()
    client.force_login(busy_owner)
    page = client.get(reverse("privacy:profiling")).content.decode()
    assert "Storbrukere" in page
    assert member.reason in page


def test_lapsed_segment_and_recompute_drops_who_no_longer_matches(marketer, plan):
    old, old_owner = _active_customer("Gammel AS")
    new, new_owner = _active_customer("Ny AS")
    long_ago = timezone.now() - datetime.timedelta(days=500)
    Order.objects.create(customer=old, plan=plan, ordered_by=None, ordered_at=long_ago)
    recent = Order.objects.create(customer=new, plan=plan, ordered_by=None)
    rule = services.segment_rule_create(
        staff=marketer.user,
        name="Savnet",
        description="Tilbud til dem som ikke har bestilt på lenge",
        kind=SegmentRule.Kind.LAPSED,
        months=12,
    )
    assert services.segment_compute(rule=rule) == 1
    member = SegmentMembership.objects.get(segment=rule.segment)
    assert member.user == old_owner and "Siste bestilling" in member.reason
    Order.objects.filter(pk=recent.pk).update(ordered_at=long_ago)
    assert services.segment_compute(rule=rule) == 2
    Order.objects.create(customer=old, plan=plan, ordered_by=None)
    assert services.segment_compute(rule=rule) == 1
    assert SegmentMembership.objects.get(segment=rule.segment).user == new_owner


def test_previous_quarter():
    assert services.previous_quarter(datetime.date(2026, 1, 10)) == (
        datetime.date(2025, 10, 1),
        datetime.date(2025, 12, 31),
    )


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "description": "x", "kind": "language", "language": "en"},
        {"name": "A", "description": "", "kind": "language", "language": "en"},
        {"name": "A", "description": "x", "kind": "unknown"},
        {"name": "A", "description": "x", "kind": "language", "language": "xx"},
        {"name": "A", "description": "x", "kind": "lapsed", "months": "0"},
        {"name": "A", "description": "x", "kind": "lapsed"},
        {"name": "A", "description": "x", "kind": "plan_activity", "min_invoices": "2"},
        {"name": "A", "description": "x", "kind": "plan_activity", "plan": "999"},
    ],
)
def test_bad_segment_input_gives_400_and_saves_nothing(marketer, data):
    response = client_for(marketer).post(reverse("marketing:segment_new"), data)
    assert response.status_code == 400
    assert not Segment.objects.exists()


@pytest.mark.parametrize(
    "changes",
    [{"name": ""}, {"subject": ""}, {"body": ""}, {"segment": "999"}, {"body": "x" * 20001}],
)
def test_bad_campaign_input_gives_400(marketer, changes):
    segment = Segment.objects.create(name="S", description="d", criteria="c")
    data = {"name": "K", "segment": str(segment.pk), "subject": "E", "body": "T", **changes}
    response = client_for(marketer).post(reverse("marketing:campaign_new"), data)
    assert response.status_code == 400


def test_language_segment_through_the_views(marketer):
    _company, user = _active_customer("Språk AS")
    user.language = "en"
    user.save(update_fields=["language"])
    client = client_for(marketer)
    response = client.post(
        reverse("marketing:segment_new"),
        {
            "name": "Engelsk",
            "description": "Tilbud på engelsk",
            "kind": "language",
            "language": "en",
        },
    )
    assert response.status_code == 302
    rule = SegmentRule.objects.get()
    assert list(rule.segment.members.values_list("user_id", flat=True)) == [user.pk]
    assert client.get(reverse("marketing:overview")).status_code == 200
    assert client.post(reverse("marketing:segment_compute", args=[rule.pk])).status_code == 302


def test_the_daily_recompute_follows_the_data(marketer):
    from marketing.tasks import segments_recompute

    _company, user = _active_customer("Språk AS")
    rule = services.segment_rule_create(
        staff=marketer.user,
        name="Engelsk",
        description="Tilbud på engelsk",
        kind=SegmentRule.Kind.LANGUAGE,
        language="en",
    )
    segments_recompute.call_local()
    assert not rule.segment.members.exists()
    user.language = "en"
    user.save(update_fields=["language"])
    segments_recompute.call_local()
    assert list(rule.segment.members.values_list("user_id", flat=True)) == [user.pk]
