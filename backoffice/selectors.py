"""Reads of the back office: relationship status (R8a), legal holds, customer records.

Relationship status, precisely (the statement, clause 8)::

    anchor  = the latest of
                - the completion date of a delivery (``ServiceDelivery.period_end``, or
                  ``delivered_on`` when it has no period), and
                - the date of a later contact: an ``Interaction`` (call, meeting, e-mail)
                  or an ``Order`` (its ``ordered_at`` date, local time),
              counting only events on or before the day asked about;
              a delivery whose period has started but not ended counts from the day asked.
    active  = there is an anchor, and  day < anchor + 3 years
              (so the relationship has ended ON the day three years after the anchor;
              29 February + 3 years is 28 February).

Every communication to customers (surveys now, marketing campaigns later) is gated
with ``relationship_is_active`` or ``active_customers``.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django_scopes import scope

from accounts.models import Company, User
from backoffice.models import (
    Complaint,
    CustomerAccount,
    Interaction,
    LegalHold,
    OperatorCompany,
    Order,
    ServiceDelivery,
    SurveyInvitation,
)
from core.dates import add_years

RELATIONSHIP_YEARS = 3


# --- The operator ------------------------------------------------------------------------


def operator_company() -> Company | None:
    marker = OperatorCompany.objects.select_related("company").first()
    return marker.company if marker else None


def customers() -> QuerySet[Company]:
    """The operator's customers: every company except the operator itself."""
    rows = Company.objects.all()
    operator = operator_company()
    if operator is not None:
        rows = rows.exclude(pk=operator.pk)
    return rows


# --- Relationship status -------------------------------------------------------------------


@dataclass(frozen=True)
class RelationshipStatus:
    active: bool
    last_delivery: datetime.date | None
    last_contact: datetime.date | None
    anchor: datetime.date | None
    ends_on: datetime.date | None  # the first day the relationship counts as ended


def _local_date(value: datetime.datetime) -> datetime.date:
    return timezone.localtime(value).date()


def relationship_statuses(
    customer_ids: Iterable[int] | None = None, *, on: datetime.date | None = None
) -> dict[int, RelationshipStatus]:
    """The status of many customers at once (three queries), keyed by company id.

    ``customer_ids=None`` means every company with a delivery, interaction or order.
    Companies without any event are absent (their status: never active).
    """
    day = on or timezone.localdate()
    deliveries = ServiceDelivery.objects.filter(delivered_on__lte=day)
    interactions = Interaction.objects.filter(occurred_on__lte=day)
    # One day of slack for the time zone; the exact local date is checked below.
    orders = Order.objects.filter(ordered_at__date__lte=day + datetime.timedelta(days=1))
    if customer_ids is not None:
        ids = list(customer_ids)
        deliveries = deliveries.filter(customer_id__in=ids)
        interactions = interactions.filter(customer_id__in=ids)
        orders = orders.filter(customer_id__in=ids)
    last_delivery: dict[int, datetime.date] = {}
    for customer_id, delivered_on, period_end in deliveries.values_list(
        "customer_id", "delivered_on", "period_end"
    ):
        completed = min(period_end or delivered_on, day)
        if completed > last_delivery.get(customer_id, datetime.date.min):
            last_delivery[customer_id] = completed
    last_contact: dict[int, datetime.date] = dict(
        interactions.values("customer_id")
        .annotate(d=Max("occurred_on"))
        .values_list("customer_id", "d")
    )
    for customer_id, ordered_at in orders.values_list("customer_id", "ordered_at"):
        ordered_on = _local_date(ordered_at)
        if ordered_on <= day and ordered_on > last_contact.get(customer_id, datetime.date.min):
            last_contact[customer_id] = ordered_on
    result = {}
    for customer_id in set(last_delivery) | set(last_contact):
        delivery, contact = last_delivery.get(customer_id), last_contact.get(customer_id)
        anchor = max(d for d in (delivery, contact) if d is not None)
        ends_on = add_years(anchor, RELATIONSHIP_YEARS)
        result[customer_id] = RelationshipStatus(
            active=day < ends_on,
            last_delivery=delivery,
            last_contact=contact,
            anchor=anchor,
            ends_on=ends_on,
        )
    return result


NO_RELATIONSHIP = RelationshipStatus(
    active=False, last_delivery=None, last_contact=None, anchor=None, ends_on=None
)


def relationship_status(
    customer: Company, *, on: datetime.date | None = None
) -> RelationshipStatus:
    return relationship_statuses([customer.pk], on=on).get(customer.pk, NO_RELATIONSHIP)


def relationship_is_active(customer: Company, *, on: datetime.date | None = None) -> bool:
    """The gate for every communication to a customer (R8a)."""
    return relationship_status(customer, on=on).active


def active_customers(*, on: datetime.date | None = None) -> QuerySet[Company]:
    """All customers whose relationship is active on ``on`` (default today)."""
    statuses = relationship_statuses(on=on)
    return customers().filter(pk__in=[pk for pk, status in statuses.items() if status.active])


# --- Legal holds ---------------------------------------------------------------------------


def legal_holds_for(
    *,
    customer: Company | None = None,
    person: User | None = None,
    on: datetime.datetime | None = None,
) -> QuerySet[LegalHold]:
    """Holds in force (placed and not released at ``on``) on a customer or a person.

    The retention engine and erasure keep the data of a held customer (and of a held
    person, including as a member of a held customer) until the hold is released.
    """
    moment = on or timezone.now()
    rows = LegalHold.objects.filter(placed_at__lte=moment).filter(
        Q(released_at__isnull=True) | Q(released_at__gt=moment)
    )
    if customer is not None:
        rows = rows.filter(customer=customer)
    if person is not None:
        companies = person.memberships.values("company_id")
        rows = rows.filter(Q(person=person) | Q(customer_id__in=companies))
    return rows


def has_legal_hold(*, customer: Company | None = None, person: User | None = None) -> bool:
    return legal_holds_for(customer=customer, person=person).exists()


# --- Customer records ------------------------------------------------------------------------


def people_of(customer: Company) -> QuerySet:
    return customer.memberships.select_related("user").order_by("user__full_name")


def open_complaints() -> QuerySet[Complaint]:
    return Complaint.objects.filter(status=Complaint.Status.OPEN).select_related("customer")


def operator_invoices_for(customer: Company) -> list[Any]:
    """The operator's invoices and credit notes to ``customer``, with their payments."""
    account = CustomerAccount.objects.filter(customer=customer).select_related("client").first()
    operator = operator_company()
    if account is None or operator is None:
        return []
    from invoicing.models import Invoice

    with scope(company=operator):
        return list(
            Invoice.objects.filter(client=account.client)
            .exclude(status=Invoice.Status.DRAFT)
            .prefetch_related("payments")
            .order_by("-invoice_date", "-number")
        )


def survey_results(*, period: str | None = None) -> list[dict[str, Any]]:
    """NPS per period: answers, promoters (9–10), passives (7–8), detractors (0–6), score."""
    rows = SurveyInvitation.objects.filter(score__isnull=False)
    if period:
        rows = rows.filter(period=period)
    results: dict[str, dict[str, Any]] = {}
    for period_key, score in rows.values_list("period", "score"):
        if score is None:  # not in the rows (score__isnull=False); narrows the type
            continue
        entry = results.setdefault(
            period_key,
            {"period": period_key, "answers": 0, "promoters": 0, "passives": 0, "detractors": 0},
        )
        entry["answers"] += 1
        if score >= 9:
            entry["promoters"] += 1
        elif score >= 7:
            entry["passives"] += 1
        else:
            entry["detractors"] += 1
    for entry in results.values():
        entry["nps"] = round(100 * (entry["promoters"] - entry["detractors"]) / entry["answers"])
    sent = SurveyInvitation.objects.values_list("period", flat=True)
    for period_key in set(sent):
        if (period is None or period_key == period) and period_key not in results:
            results[period_key] = {
                "period": period_key,
                "answers": 0,
                "promoters": 0,
                "passives": 0,
                "detractors": 0,
                "nps": None,
            }
    return sorted(results.values(), key=lambda e: e["period"], reverse=True)
