"""Nothing is kept forever: with the clock moved past every deadline, the retention engine
leaves no identifying value of anyone outside a legal hold.

The seeded history (``conftest.seed``) is extended with what the other rules do not show:
an order and the operator's client record and invoice, a credit check and a financing
partner, a quote, log-in records (django-axes), an anonymous visitor's cookie choice. Then
the run is dated ten years on: every relationship has ended and every bookkeeping deadline
has passed, except for the customer under an open dispute. Every text and JSON column of
every table is searched for the seeded people's and companies' identifying values.
"""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.db import models
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from backoffice import services as backoffice
from backoffice.tests.conftest import operator, plan  # noqa: F401 (fixtures)
from core.audit import Actor
from invoicing.tests.factories import ClientFactory
from privacy.models import ConsentRecord
from quotes.tests.factories import quote
from retention.services import retention_run
from retention.tests.conftest import Seed, _invoices

pytestmark = pytest.mark.django_db

SYSTEM = Actor.system("tests")
IP = "203.0.113.77"
BROWSER = "MerkeBrowser/1.0"
VISITOR = "besokende-merke-123"


def _text_columns(model: type[models.Model]) -> list[str]:
    kinds = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField)
    return [f.attname for f in model._meta.concrete_fields if isinstance(f, kinds)]


def _found(markers: list[str]) -> list[tuple[str, object, str, str]]:
    """(model, pk, column, marker) for every stored value that contains a marker."""
    wanted = [m.lower() for m in markers if m]
    hits = []
    with scopes_disabled():
        for model in apps.get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            columns = _text_columns(model)
            if not columns:
                continue
            for row in model._base_manager.values("pk", *columns).iterator():
                for column in columns:
                    text = str(row[column]).lower()
                    for marker in wanted:
                        if marker in text:
                            hits.append((model._meta.label, row["pk"], column, marker))
    return hits


@pytest.fixture
def history(seed: Seed, operator, plan) -> Seed:  # noqa: F811 (fixtures)
    ended, owner = seed.ended_long_ago, seed.people["ended"]
    _invoices(ended, seed, "sluttet", datetime.date(seed.today.year - 7, 3, 1))
    # Our own side: an order, our client record of the customer, our invoice to it.
    backoffice.order_place(customer=ended, plan=plan, user=owner)
    staff = seed.staff
    backoffice.credit_check_record(
        customer=ended,
        staff=staff,
        provider="Bisnode",
        checked_on=seed.today,
        result="Godkjent",
        reference="BIS-MERKE-1",
    )
    backoffice.financing_add(
        customer=ended,
        staff=staff,
        partner="Svea Finans",
        arrangement="Factoring",
        started_on=seed.today,
    )
    with scope(company=ended):
        quote(
            company=ended,
            client=ClientFactory(company=ended, name="sluttet Tilbudskunde"),
            their_reference="Merke Tilbudsen",
        )
    for user in (owner, seed.people["held"]):
        AccessAttempt.objects.create(
            username=user.email,
            ip_address=IP,
            user_agent=BROWSER,
            http_accept="*/*",
            path_info="/login/",
            get_data="",
            post_data="",
            failures_since_start=1,
        )
    AccessLog.objects.create(
        username=owner.email, ip_address=IP, user_agent=BROWSER, http_accept="*/*", path_info="/"
    )
    ConsentRecord.objects.create(
        visitor_id=VISITOR, purpose="analytics", given=True, text_version="1", channel="banner"
    )
    return seed


def _markers(seed: Seed) -> list[str]:
    people = [seed.people[k] for k in ("active", "ended", "recent", "objector", "withdrawn")]
    companies = [seed.active, seed.ended_long_ago, seed.ended_recently]
    return [
        *(user.email for user in people),
        # (Org.nr and bank account are not unique in the factories: checked by row below.)
        *(c.name for c in companies),
        "aktiv Privat Person",
        "aktiv Gammel Kunde",
        "sluttet Privat Person",
        "sluttet Gammel Kunde",
        "sluttet Tilbudskunde",
        "Merke Tilbudsen",
        "Bisnode",
        "BIS-MERKE-1",
        "Svea Finans",
        IP,
        BROWSER,
        VISITOR,
    ]


def test_past_every_deadline_nothing_identifying_survives_outside_a_legal_hold(history):
    seed = history
    markers = _markers(seed)
    held_markers = [seed.people["held"].email, seed.held.name, "tvist Privat Person"]
    assert {m.lower() for _model, _pk, _col, m in _found(markers)} >= {
        m.lower() for m in markers
    }  # the history really holds every marker before the run
    far = seed.today + datetime.timedelta(days=10 * 365)

    dry = retention_run(dry_run=True, today=far)
    real = retention_run(today=far)

    assert real.counts() == dry.counts()
    left = _found(markers)
    assert left == [], "\n".join(map(str, left))
    for company in (seed.active, seed.ended_long_ago, seed.ended_recently):
        company.refresh_from_db()
        assert company.organization_number.startswith("X")
        assert (company.bank_account, company.iban, company.email, company.phone) == ("",) * 4
    # What is under the open dispute is all still there.
    assert {m.lower() for _model, _pk, _col, m in _found(held_markers)} == {
        m.lower() for m in held_markers
    }
    again = retention_run(today=far)
    assert again.total == 0, [r for r in again.results if r.count]


def test_a_recent_customer_keeps_its_records(history):
    """The same run dated today touches none of the accounts, companies or log-ins."""
    seed = history
    report = retention_run(today=seed.today).counts()
    for key in ("user_account", "companies", "login_records", "consent_ledger"):
        assert all(count == 0 for (rule, _m, _a), count in report.items() if rule == key), key
    with scopes_disabled():
        assert (
            not seed.people["ended"]
            .__class__.objects.filter(email__endswith="@slettet.invalid")
            .exists()
        )


def test_log_ins_and_anonymous_cookie_choices_end_at_their_periods(history):
    seed = history
    now = timezone.now()
    counts = retention_run(today=seed.today + datetime.timedelta(days=91)).counts()
    assert counts[("login_records", "axes.AccessAttempt", "delete")] == 2
    assert counts[("login_records", "axes.AccessLog", "delete")] == 1
    assert counts[("consent_ledger", "privacy.ConsentRecord", "anonymise")] == 0
    counts = retention_run(today=(now + datetime.timedelta(days=2 * 365 + 1)).date()).counts()
    assert counts[("consent_ledger", "privacy.ConsentRecord", "anonymise")] == 1
    assert not ConsentRecord.objects.filter(visitor_id=VISITOR).exists()
    # Account holders' consent rows stay as proof while the account exists.
    assert ConsentRecord.objects.filter(user=seed.people["withdrawn"]).count() == 2


def test_the_command_date_moves_the_whole_clock(seed):
    """``--date`` judges exports, requests, invitations and log-ins at that day too."""
    from io import StringIO

    from django.core.management import call_command

    from privacy.models import DataExport

    week = (timezone.localdate() + datetime.timedelta(days=8)).isoformat()
    out = StringIO()
    call_command("retention_run", "--dry-run", "--date", week, stdout=out)
    line = next(x for x in out.getvalue().splitlines() if "privacy.DataExport" in x)
    assert line.split()[-2] == "2"  # the expired export and the one valid 3 more days
    assert DataExport.objects.count() == 2


def test_deleted_correspondence_leaves_no_copy_in_the_activity_log(seed):
    """The log does not keep "Bisnode" or "Svea Finans" after the records are deleted."""
    ended = seed.ended_long_ago
    backoffice.credit_check_record(
        customer=ended,
        staff=seed.staff,
        provider="Bisnode",
        checked_on=seed.today,
        result="Godkjent",
        reference="BIS-MERKE-1",
    )
    backoffice.financing_add(
        customer=ended,
        staff=seed.staff,
        partner="Svea Finans",
        arrangement="Factoring",
        started_on=seed.today,
    )
    assert _found(["Bisnode", "Svea Finans"])
    dry = retention_run(dry_run=True, today=seed.today)
    counts = retention_run(today=seed.today).counts()
    assert counts == dry.counts()
    assert counts[("correspondence", "backoffice.CreditCheck", "delete")] == 1
    assert counts[("correspondence", "backoffice.FinancingUse", "delete")] == 1
    assert counts[("correspondence", "core.AuditEntry", "anonymise")] >= 2
    assert _found(["Bisnode", "Svea Finans", "BIS-MERKE-1"]) == []
