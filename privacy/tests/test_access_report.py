"""The access report holds every category the statement lists that we hold about an owner:
the company's address, org.nr and bank account, purchase history, credit checks, financing
partners, log-in records and access-log rows about them or their company."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessLog
from django.utils import timezone

from backoffice import services as backoffice
from backoffice.models import AccessLogEntry, StaffRole
from backoffice.tests.conftest import make_staff
from core.audit import Actor
from privacy import selectors

pytestmark = pytest.mark.django_db


def test_an_owners_access_report_has_every_category_held(owner, company, member):
    staff = make_staff(StaffRole.PRIVACY_OFFICER).user
    today = timezone.localdate()
    backoffice.delivery_record(
        customer=company,
        actor=Actor.system("tests"),
        description="Abonnement Standard",
        delivered_on=today - datetime.timedelta(days=10),
    )
    backoffice.credit_check_record(
        customer=company, staff=staff, provider="Bisnode", checked_on=today, result="Godkjent"
    )
    backoffice.financing_add(
        customer=company,
        staff=staff,
        partner="Svea Finans",
        arrangement="Factoring",
        started_on=today,
    )
    AccessLogEntry.objects.create(
        staff=staff,
        customer=company,
        categories=["name"],
        purpose="customer_relationship",
        view="test",
        path="/backoffice/",
        reason="Sak 4711",
    )
    AccessLog.objects.create(
        username=owner.email,
        ip_address="192.0.2.44",
        user_agent="Eierleser/2.0",
        http_accept="*/*",
        path_info="/account/login/",
    )
    reports = {r.key: r for r in selectors.personal_data_for(user=owner)}
    values = {key: {item.value for item in r.items} for key, r in reports.items()}
    everything = set().union(*values.values())
    assert company.organization_number in everything
    assert company.bank_account in everything and company.address_line in everything
    assert "Abonnement Standard" in values["customer_history"]
    assert "Bisnode" in values["credit_check"]
    assert "Svea Finans" in values["financing"]
    assert "Sak 4711" in values["web_activity"]
    assert "192.0.2.44" in values["web_activity"] and "Eierleser/2.0" in values["web_activity"]
    # Labels are words, never model or field names.
    labels = {item.field for r in reports.values() for item in r.items}
    assert not {"ip_address", "user_agent", "buyer_snapshot", "Membership"} & labels
    records = {item.record.split(" #")[0] for r in reports.values() for item in r.items}
    assert not {"Membership", "Access log", "Access logs"} & records

    # A member who does not own the company does not get the company's records.
    member_values = {
        item.value for r in selectors.personal_data_for(user=member) for item in r.items
    }
    assert "Bisnode" not in member_values and "Sak 4711" not in member_values
