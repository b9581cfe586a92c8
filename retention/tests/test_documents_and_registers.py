"""The storage and deletion routines (HTML, PDF) and the privacy officer's registers."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from backoffice.models import StaffRole
from backoffice.tests.conftest import client_for, make_staff, operator  # noqa: F401
from core.models import AuditEntry
from core.personal_data.inventory import PURPOSES, DataSubject
from privacy import selectors
from privacy.models import RiskAssessment, SubProcessor
from privacy.services import registers
from retention.rules import rules
from retention.selectors import processing_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer():
    return make_staff(StaffRole.PRIVACY_OFFICER, full_name="Per Personvern")


def test_routines_page_lists_every_rule_and_is_linked_from_the_statement(client):
    response = client.get(reverse("retention:routines"))
    assert response.status_code == 200
    html = response.content.decode()
    for rule in rules():
        assert str(rule.title) in html
    assert "bokføringsloven § 13" in html
    statement = client.get(reverse("privacy_statement")).content.decode()
    assert reverse("retention:routines") in statement
    assert reverse("retention:routines_pdf") in statement


def test_routines_pdf_downloads(client):
    response = client.get(reverse("retention:routines_pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    assert client.post(reverse("retention:routines_pdf")).status_code == 405


def test_processing_record_is_generated_from_the_inventory(officer):
    SubProcessor.objects.create(
        name="Lagring AS",
        service="Drift",
        country="Norge",
        transfer_basis="EØS",
        agreement_date=datetime.date(2024, 1, 1),
    )
    html = client_for(officer).get(reverse("retention_staff:processing_record")).content.decode()
    assert "Fakturere kunden og oppfylle bokføringsplikten" in html
    assert "Rettslig forpliktelse" in html
    assert "Lagring AS (Norge; EØS)" in html


def test_the_record_names_page_view_subjects_and_has_the_processor_record(
    officer,
    company,
    other_company,
    operator,  # noqa: F811 (fixture)
):
    record = processing_record()
    by_purpose = {a["purpose"]: a for a in record["activities"]}
    visitors = str(DataSubject.VISITORS.label)
    clients = str(DataSubject.CLIENTS.label)
    # Page views are about visitors of the website, not the customers' clients.
    analytics = by_purpose[str(PURPOSES["product_improvement"].label)]
    assert visitors in analytics["subjects"] and clients not in analytics["subjects"]
    # Art. 30(2): every customer company is a controller we act for (not the operator).
    processor = record["processor"]
    names = [c["name"] for c in processor["controllers"]]
    assert company.name in names and other_company.name in names
    assert operator.name not in names
    assert processor["subjects"] == [clients]
    assert "kunder" in processor["records"]  # the client register (customers.Client)
    assert "Navn" in processor["categories"] and "Adresse" in processor["categories"]
    html = client_for(officer).get(reverse("retention_staff:processing_record")).content.decode()
    assert "artikkel 30 nr. 2" in html and company.name in html


def test_subprocessor_add_and_edit_are_audited_and_published(officer):
    client = client_for(officer)
    data = {
        "name": "Epost AS",
        "service": "E-postutsending",
        "country": "Sverige",
        "transfer_basis": "Innenfor EØS",
        "agreement_date": "2025-02-01",
        "active": "on",
    }
    assert client.post(reverse("retention_staff:subprocessor_new"), data).status_code == 302
    row = SubProcessor.objects.get(name="Epost AS")
    data["country"] = "Danmark"
    response = client.post(reverse("retention_staff:subprocessor_edit", args=[row.pk]), data)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.country == "Danmark"
    changed = AuditEntry.objects.get(action="privacy.subprocessor.changed")
    assert changed.data["fields"] == ["country"] and changed.actor_id == officer.user.pk
    assert AuditEntry.objects.filter(action="privacy.subprocessor.created").count() == 1
    assert "Epost AS" in Client().get(reverse("privacy_statement")).content.decode()


@pytest.mark.parametrize(
    "changes", [{"name": ""}, {"agreement_date": "not a date"}, {"country": "x" * 101}]
)
def test_bad_subprocessor_input_gives_400(officer, changes):
    data = {
        "name": "Epost AS",
        "service": "E-post",
        "country": "Sverige",
        "transfer_basis": "EØS",
        "agreement_date": "2025-02-01",
        **changes,
    }
    before = SubProcessor.objects.count()
    response = client_for(officer).post(reverse("retention_staff:subprocessor_new"), data)
    assert response.status_code == 400
    assert SubProcessor.objects.count() == before


def _risk_data(officer, **changes):
    return {
        "title": "Tap av bærbar PC",
        "description": "En ansatt mister en PC",
        "likelihood": "3",
        "consequence": "4",
        "measures": "Diskkryptering",
        "owner": str(officer.user.pk),
        "last_reviewed": "2026-01-10",
        "next_review": "2026-07-10",
        **changes,
    }


def test_risk_register_and_reminders_when_a_review_is_due(officer):
    client = client_for(officer)
    response = client.post(reverse("retention_staff:risk_new"), _risk_data(officer))
    assert response.status_code == 302
    risk = RiskAssessment.objects.get()
    assert risk.score == 12
    day = datetime.date(2026, 7, 10)
    assert list(selectors.risk_reviews_due(on=day - datetime.timedelta(days=1))) == []
    assert list(selectors.risk_reviews_due(on=day)) == [risk]
    assert registers.risk_review_remind(on=day) == 1
    assert mail.outbox[-1].to == [officer.user.email]
    assert "Tap av bærbar PC" in mail.outbox[-1].body
    assert registers.risk_review_remind(on=day) == 0  # once per due date
    # A new review date re-arms the reminder.
    data = _risk_data(officer, last_reviewed="2026-07-10", next_review="2027-01-10")
    assert (
        client.post(reverse("retention_staff:risk_edit", args=[risk.pk]), data).status_code == 302
    )
    assert registers.risk_review_remind(on=datetime.date(2027, 1, 10)) == 1
    page = client.get(reverse("retention_staff:risks")).content.decode()
    assert "Tap av bærbar PC" in page
    assert AuditEntry.objects.filter(action__startswith="privacy.risk.").count() == 2


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"likelihood": "9"},
        {"owner": "999999"},
        {"next_review": "2025-01-01"},
        {"last_reviewed": "bad"},
    ],
)
def test_bad_risk_input_gives_400(officer, changes):
    response = client_for(officer).post(
        reverse("retention_staff:risk_new"), _risk_data(officer, **changes)
    )
    assert response.status_code == 400
    assert not RiskAssessment.objects.exists()


@pytest.mark.parametrize("role", [StaffRole.SUPPORT, StaffRole.MARKETING, StaffRole.FINANCE])
def test_registers_are_for_the_privacy_officer(role):
    client = client_for(make_staff(role))
    for name in ("processing_record", "subprocessors", "risks", "runs"):
        assert client.get(reverse(f"retention_staff:{name}")).status_code == 403
    assert Client().get(reverse("retention_staff:risks")).status_code == 404


def test_retention_runs_page_shows_the_deletion_log(officer):
    from privacy.models import PageView
    from retention.services import retention_run

    PageView.objects.create(
        day=timezone.localdate() - datetime.timedelta(days=60), path="/", visitor_hash="x"
    )
    report = retention_run()
    html = client_for(officer).get(reverse("retention_staff:runs")).content.decode()
    assert str(report.run_id) in html and "analytics_raw" in html


def test_expired_page_views_leave_day_counts_and_keep_counts_already_made():
    """The raw page views past 30 days go; their day and path counts stay: the ones the
    daily task made are kept as they are, the missing ones are made from the events."""
    from privacy.models import DailyPageStat, PageView
    from retention.services import retention_run

    old = timezone.localdate() - datetime.timedelta(days=45)
    for path, visitor in [("/", "a"), ("/", "a"), ("/", "b"), ("/plans/", "c")]:
        PageView.objects.create(day=old, path=path, visitor_hash=visitor)
    DailyPageStat.objects.create(day=old, path="/", page_views=7, unique_visitors=5)
    retention_run()
    assert not PageView.objects.filter(day=old).exists()
    counts = {
        (stat.path, stat.page_views, stat.unique_visitors)
        for stat in DailyPageStat.objects.filter(day=old)
    }
    assert counts == {("/", 7, 5), ("/plans/", 1, 1)}
