"""A seeded data set for the retention engine: customers whose relationships ended at many
dates, an open dispute, accounting records on both sides of their deadlines."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.db import models
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import Role
from accounts.tests.factories import CompanyFactory, MembershipFactory, UserFactory
from backoffice import services as backoffice
from backoffice.models import AccessLogEntry, Complaint, ElevatedSession, SurveyInvitation
from core.audit import Actor
from core.models import AuditEntry
from invoicing import services as invoicing
from invoicing.tests.factories import ClientFactory, issued_invoice, line
from marketing.models import Segment, SegmentMembership
from privacy.models import (
    ConsentRecord,
    DataExport,
    MarketingSuppression,
    PageView,
    PrivacyRequest,
)

if TYPE_CHECKING:
    from accounts.models import User

SYSTEM = Actor.system("tests")


def years_ago(today: datetime.date, years: int, days: int = 0) -> datetime.date:
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day - datetime.timedelta(days=days)


def backdate(model: type[models.Model], pk: Any, **values: Any) -> None:
    """Tests only: move a row's timestamps into the past (past every guard, as the
    retention run passes them: ``core.guards``)."""
    from django.db import transaction

    from core.guards import retention_guards_lifted

    with transaction.atomic(), retention_guards_lifted():
        models.QuerySet(model=model).filter(pk=pk).update(**values)


@dataclass
class Seed:
    today: datetime.date
    staff: User
    active: Any
    ended_long_ago: Any
    ended_recently: Any
    held: Any
    people: dict[str, Any] = field(default_factory=dict)
    rows: dict[str, Any] = field(default_factory=dict)


def _customer(name: str, delivered_on: datetime.date) -> tuple[Any, Any]:
    company = CompanyFactory(name=name)
    owner = MembershipFactory(company=company, role=Role.OWNER).user
    backoffice.delivery_record(
        customer=company, actor=SYSTEM, description="Abonnement", delivered_on=delivered_on
    )
    return company, owner


def _invoices(company: Any, seed: Seed, prefix: str, old: datetime.date) -> None:
    young = datetime.date(seed.today.year - 1, 3, 1)
    with scope(company=company):
        person = ClientFactory(
            company=company,
            kind="person",
            name=f"{prefix} Privat Person",
            organization_number="",
            contact_person="",
            phone="99999999",
            invoice_emails="privat@example.com",
        )
        firm = ClientFactory(company=company, contact_person="Kari Kontakt", name=f"{prefix} AS")
        old_person = issued_invoice(
            company=company,
            client=person,
            invoice_date=old,
            lines=[line(quantity="2", unit_price="500.00"), line(code="31", unit_price="80.00")],
        )
        invoicing.payment_register(
            invoice=old_person,
            actor=SYSTEM,
            amount=Decimal("600.00"),
            date=old + datetime.timedelta(days=10),
            reference="Betalt av Privat Person",
        )
        old_firm = issued_invoice(
            company=company, client=firm, invoice_date=old, their_reference="Kari Kontakt"
        )
        # A person the company stopped invoicing long ago: the client row is anonymised.
        gone = ClientFactory(
            company=company, kind="person", name=f"{prefix} Gammel Kunde", organization_number=""
        )
        gone_invoice = issued_invoice(company=company, client=gone, invoice_date=old)
        # Issued in date order: a series' numbers follow its dates.
        invoicing.invoice_credit(
            invoice=old_person, actor=SYSTEM, credit_date=old + datetime.timedelta(days=20)
        )
        young_person = issued_invoice(company=company, client=person, invoice_date=young)
        invoicing.payment_register(
            invoice=young_person,
            actor=SYSTEM,
            amount=Decimal("50.00"),
            date=young,
            reference="Ung betaling",
        )
    for client in (person, firm, gone):
        backdate(
            type(client),
            client.pk,
            created_at=timezone.make_aware(datetime.datetime(old.year, 1, 1)),
            updated_at=timezone.make_aware(datetime.datetime(old.year, 1, 1)),
        )
    with scopes_disabled():
        old_audit = AuditEntry.objects.filter(
            object_type="invoicing.invoice", object_id=str(old_person.pk)
        ).values_list("pk", flat=True)
        for pk in old_audit:
            backdate(
                AuditEntry, pk, created_at=timezone.make_aware(datetime.datetime(old.year, 6, 1))
            )
    from delivery.files import store_issued_documents

    with scope(company=company):
        store_issued_documents(old_person.pk)
        store_issued_documents(young_person.pk)
    seed.rows[f"{prefix}_old_person"] = old_person
    seed.rows[f"{prefix}_old_firm"] = old_firm
    seed.rows[f"{prefix}_young_person"] = young_person
    seed.rows[f"{prefix}_person_client"] = person
    seed.rows[f"{prefix}_gone_client"] = gone
    seed.rows[f"{prefix}_gone_invoice"] = gone_invoice


@pytest.fixture
def seed(db) -> Seed:
    today = timezone.localdate()
    staff = UserFactory(is_staff=True, full_name="Sara Support")
    active, active_owner = _customer("Aktiv AS", years_ago(today, 1))
    ended_long_ago, ended_owner = _customer("Sluttet AS", years_ago(today, 6))
    ended_recently, recent_owner = _customer("Nylig Sluttet AS", years_ago(today, 3, days=100))
    held, held_owner = _customer("Tvist AS", years_ago(today, 6))
    seed = Seed(today, staff, active, ended_long_ago, ended_recently, held)
    seed.people = {
        "active": active_owner,
        "ended": ended_owner,
        "recent": recent_owner,
        "held": held_owner,
    }
    for company, owner, when in (
        (ended_long_ago, ended_owner, years_ago(today, 6, days=-10)),
        (ended_recently, recent_owner, years_ago(today, 3, days=90)),
        (held, held_owner, years_ago(today, 6, days=-10)),
    ):
        backoffice.interaction_add(
            customer=company,
            staff=staff,
            kind="call",
            occurred_on=when,
            summary=f"Samtale med {owner.full_name}",
            person=owner,
        )
    closed = backoffice.complaint_open(
        customer=ended_long_ago,
        staff=staff,
        kind=Complaint.Kind.DISPUTE,
        subject="Uenighet om faktura",
        description="Kunden bestred fakturaen",
        opened_on=years_ago(today, 5),
    )
    backoffice.complaint_close(
        complaint=closed, staff=staff, status=Complaint.Status.RESOLVED, resolution="Kreditert"
    )
    seed.rows["open_dispute"] = backoffice.complaint_open(
        customer=held,
        staff=staff,
        kind=Complaint.Kind.DISPUTE,
        subject="Krav om erstatning",
        description="Kunden krever erstatning",
        opened_on=years_ago(today, 1),
    )

    # The access log: one entry (with an elevated session) older than 3 years, one recent,
    # and an old one about the disputed customer (held).
    long_ago = timezone.now() - datetime.timedelta(days=3 * 365 + 30)
    session = ElevatedSession.objects.create(
        user=staff, reason="Feilsøking", started_at=long_ago, expires_at=long_ago
    )
    for customer, when, elevated in (
        (ended_long_ago, long_ago, session),
        (active, timezone.now(), None),
        (held, long_ago, None),
    ):
        entry = AccessLogEntry.objects.create(
            staff=staff,
            customer=customer,
            categories=["name"],
            purpose="customer_relationship",
            view="test",
            path="/backoffice/",
            elevated_session=elevated,
        )
        backdate(AccessLogEntry, entry.pk, created_at=when)
    # Survey answers: kept while the relationship is active.
    for customer, person in ((active, active_owner), (ended_recently, recent_owner)):
        SurveyInvitation.objects.create(
            customer=customer,
            person=person,
            period="2026-Q1",
            nonce="x",
            expires_at=timezone.now(),
            score=9,
        )

    old = datetime.date(today.year - 7, 3, 1)
    _invoices(active, seed, "aktiv", old)
    _invoices(held, seed, "tvist", old)

    # Marketing profile: one active customer, one ended, one objector.
    segment = Segment.objects.create(name="Storbrukere", description="Tilbud", criteria="> 10")
    objector = MembershipFactory(company=active, role=Role.MEMBER).user
    MarketingSuppression.objects.create(email=objector.email)
    withdrawn = MembershipFactory(company=active, role=Role.MEMBER).user
    ConsentRecord.objects.create(
        user=withdrawn, purpose="marketing_email", given=True, text_version="1", channel="web"
    )
    ConsentRecord.objects.create(
        user=withdrawn, purpose="marketing_email", given=False, text_version="1", channel="web"
    )
    for user in (active_owner, ended_owner, objector, withdrawn, held_owner):
        SegmentMembership.objects.create(user=user, segment=segment, reason="test")
    seed.people.update(objector=objector, withdrawn=withdrawn)

    # Web analytics, exports and requests.
    PageView.objects.create(day=today - datetime.timedelta(days=40), path="/", visitor_hash="a")
    PageView.objects.create(day=today - datetime.timedelta(days=10), path="/", visitor_hash="b")
    DataExport.objects.create(
        user=active_owner, expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    DataExport.objects.create(
        user=active_owner, expires_at=timezone.now() + datetime.timedelta(days=3)
    )
    for closed_days in (4 * 365, 100):
        PrivacyRequest.objects.create(
            reference=f"PV-{closed_days}",
            kind="question",
            name="Navn",
            email="n@example.com",
            message="?",
            status="closed",
            received_at=timezone.now() - datetime.timedelta(days=closed_days + 10),
            deadline=today,
            closed_at=timezone.now() - datetime.timedelta(days=closed_days),
        )
    return seed
