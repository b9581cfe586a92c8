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
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django_scopes import scope

from accounts.models import Company
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

RELATIONSHIP_YEARS = 3


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


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


def relationship_status(
    customer: Company, *, on: datetime.date | None = None
) -> RelationshipStatus:
    day = on or timezone.localdate()
    last_delivery = None
    for delivery in ServiceDelivery.objects.filter(customer=customer, delivered_on__lte=day):
        completed = min(delivery.completed_on, day)
        if last_delivery is None or completed > last_delivery:
            last_delivery = completed
    contacts = [
        Interaction.objects.filter(customer=customer, occurred_on__lte=day).aggregate(
            d=Max("occurred_on")
        )["d"]
    ]
    last_order = (
        Order.objects.filter(customer=customer)
        .order_by("-ordered_at")
        .values_list("ordered_at", flat=True)
    )
    for ordered_at in last_order:
        if _local_date(ordered_at) <= day:
            contacts.append(_local_date(ordered_at))
            break
    known = [d for d in contacts if d is not None]
    last_contact = max(known) if known else None
    candidates = [d for d in (last_delivery, last_contact) if d is not None]
    anchor = max(candidates) if candidates else None
    ends_on = add_years(anchor, RELATIONSHIP_YEARS) if anchor else None
    return RelationshipStatus(
        active=ends_on is not None and day < ends_on,
        last_delivery=last_delivery,
        last_contact=last_contact,
        anchor=anchor,
        ends_on=ends_on,
    )


def relationship_is_active(customer: Company, *, on: datetime.date | None = None) -> bool:
    """The gate for every communication to a customer (R8a)."""
    return relationship_status(customer, on=on).active


def active_customers(*, on: datetime.date | None = None) -> QuerySet[Company]:
    """All customers whose relationship is active on ``on`` (default today).

    Narrowed in the database to companies with an event in the last three years (plus
    running subscription periods), then checked exactly with ``relationship_status``.
    """
    day = on or timezone.localdate()
    since = add_years(day, -RELATIONSHIP_YEARS)
    candidate_ids = set(
        ServiceDelivery.objects.filter(delivered_on__lte=day)
        .filter(Q(period_end__gte=since) | Q(period_end__isnull=True, delivered_on__gte=since))
        .values_list("customer_id", flat=True)
    )
    candidate_ids |= set(
        Interaction.objects.filter(occurred_on__lte=day, occurred_on__gte=since).values_list(
            "customer_id", flat=True
        )
    )
    candidate_ids |= set(
        Order.objects.annotate(day=TruncDate("ordered_at"))
        .filter(day__lte=day, day__gte=since - datetime.timedelta(days=1))
        .values_list("customer_id", flat=True)
    )
    active_ids = [
        company.pk
        for company in customers().filter(pk__in=candidate_ids)
        if relationship_is_active(company, on=day)
    ]
    return customers().filter(pk__in=active_ids)


# --- Legal holds ---------------------------------------------------------------------------


def legal_holds_for(
    *, customer: Company | None = None, person: Any = None, on: datetime.datetime | None = None
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


def has_legal_hold(*, customer: Company | None = None, person: Any = None) -> bool:
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
