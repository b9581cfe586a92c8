"""Relationship status (R8a): 3 years after the last delivery, extended by later contact."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from backoffice import services
from backoffice.models import Complaint, Interaction, Order, ServiceDelivery
from backoffice.selectors import (
    active_customers,
    has_legal_hold,
    legal_holds_for,
    relationship_is_active,
    relationship_status,
)
from backoffice.tests.conftest import customer_with_owner, make_staff
from core.dates import add_years

D = datetime.date


def _deliver(customer, on, period_end=None):
    return ServiceDelivery.objects.create(
        customer=customer, description="Standard", delivered_on=on, period_end=period_end
    )


@pytest.mark.django_db
def test_active_until_three_years_after_the_last_delivery():
    customer, _owner = customer_with_owner()
    _deliver(customer, D(2020, 5, 10))
    assert not relationship_is_active(customer, on=D(2020, 5, 9))  # nothing delivered yet
    assert relationship_is_active(customer, on=D(2020, 5, 10))
    assert relationship_is_active(customer, on=D(2023, 5, 9))  # 3 years minus one day
    assert not relationship_is_active(customer, on=D(2023, 5, 10))  # ended on the day
    assert not relationship_is_active(customer, on=D(2023, 5, 11))  # 3 years plus one day
    status = relationship_status(customer, on=D(2023, 5, 11))
    assert status.ends_on == D(2023, 5, 10) and status.last_delivery == D(2020, 5, 10)


@pytest.mark.django_db
def test_a_subscription_period_counts_from_its_end():
    customer, _owner = customer_with_owner()
    _deliver(customer, D(2020, 1, 1), period_end=D(2020, 12, 31))
    assert relationship_is_active(customer, on=D(2020, 6, 1))
    assert relationship_is_active(customer, on=D(2023, 12, 30))
    assert not relationship_is_active(customer, on=D(2023, 12, 31))


@pytest.mark.django_db
def test_later_contact_extends_the_relationship():
    customer, owner = customer_with_owner()
    staff = make_staff("support")
    _deliver(customer, D(2020, 5, 10))
    Interaction.objects.create(
        customer=customer,
        person=owner,
        kind=Interaction.Kind.CALL,
        occurred_on=D(2022, 2, 1),
        staff=staff.user,
        summary="Spurte om nytt abonnement",
    )
    assert relationship_is_active(customer, on=D(2025, 1, 31))
    assert not relationship_is_active(customer, on=D(2025, 2, 1))
    # Contact counts only once it has happened.
    assert relationship_status(customer, on=D(2021, 1, 1)).last_contact is None


@pytest.mark.django_db
def test_a_new_order_counts_as_contact(plan):
    customer, owner = customer_with_owner()
    _deliver(customer, D(2019, 1, 1))
    ordered = timezone.make_aware(datetime.datetime(2021, 3, 3, 12, 0))
    Order.objects.create(customer=customer, plan=plan, ordered_by=owner, ordered_at=ordered)
    assert relationship_is_active(customer, on=D(2024, 3, 2))
    assert not relationship_is_active(customer, on=D(2024, 3, 3))


@pytest.mark.django_db
def test_29_february_plus_three_years_is_28_february():
    assert add_years(D(2024, 2, 29), 3) == D(2027, 2, 28)
    customer, _owner = customer_with_owner()
    _deliver(customer, D(2024, 2, 29))
    assert relationship_is_active(customer, on=D(2027, 2, 27))
    assert not relationship_is_active(customer, on=D(2027, 2, 28))


@pytest.mark.django_db
def test_active_customers_selects_exactly_the_active_ones(operator):
    old, _ = customer_with_owner("Gammel AS")
    fresh, _ = customer_with_owner("Fersk AS")
    never, _ = customer_with_owner("Aldri AS")
    _deliver(old, D(2020, 5, 10))
    _deliver(fresh, D(2023, 1, 1))
    on = D(2023, 5, 10)
    assert set(active_customers(on=on)) == {fresh}
    assert set(active_customers(on=D(2023, 5, 9))) == {old, fresh}
    assert never not in active_customers(on=on)
    assert operator not in active_customers(on=on)


@pytest.mark.django_db
def test_an_open_dispute_places_a_legal_hold_until_it_is_closed():
    customer, owner = customer_with_owner()
    staff = make_staff("support")
    complaint = services.complaint_open(
        customer=customer,
        staff=staff.user,
        kind=Complaint.Kind.COMPLAINT,
        subject="Feil pris",
        description="Fakturaen hadde feil pris",
    )
    assert not has_legal_hold(customer=customer)  # a complaint is not a legal claim
    dispute = services.complaint_open(
        customer=customer,
        staff=staff.user,
        person=owner,
        kind=Complaint.Kind.DISPUTE,
        subject="Uenighet om oppsigelse",
        description="Kunden bestrider fakturaen",
    )
    holds = legal_holds_for(customer=customer)
    assert [h.complaint for h in holds] == [dispute]
    assert has_legal_hold(person=owner)
    other, other_owner = customer_with_owner("Annen AS")
    assert not has_legal_hold(customer=other) and not has_legal_hold(person=other_owner)
    before_close = timezone.now()
    services.complaint_close(
        complaint=dispute, staff=staff.user, status=Complaint.Status.RESOLVED, resolution="Forlik"
    )
    assert not has_legal_hold(customer=customer)
    # The history stays queryable: the hold was in force before it was released.
    assert legal_holds_for(customer=customer, on=before_close).count() == 1
    services.complaint_close(
        complaint=complaint, staff=staff.user, status=Complaint.Status.REJECTED, resolution="Nei"
    )


@pytest.mark.django_db
def test_relationship_defaults_to_today():
    customer, _owner = customer_with_owner()
    with time_machine.travel(datetime.datetime(2026, 6, 1, 12, tzinfo=datetime.UTC), tick=False):
        _deliver(customer, D(2023, 6, 2))
        assert relationship_is_active(customer)
        _ = ServiceDelivery.objects.all().delete()
        assert not relationship_is_active(customer)
