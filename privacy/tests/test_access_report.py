"""The access report holds every category the statement lists that we hold about an owner:
the company's address, org.nr and bank account, purchase history, credit checks, financing
partners, log-in records and access-log rows about them or their company."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessLog
from django.utils import timezone

from accounts.models import Role
from accounts.tests.factories import MembershipFactory
from backoffice import services as backoffice
from backoffice.models import AccessLogEntry, StaffRole
from backoffice.tests.conftest import make_staff, operator, plan  # noqa: F401 (fixtures)
from core.audit import Actor
from core.money import format_money
from core.personal_data.inventory import RETENTION
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


def test_the_purchase_history_of_an_owners_companies_is_in_the_report(
    owner,
    company,
    member,
    plan,  # noqa: F811 (fixture)
):
    from decimal import Decimal

    from django_scopes import scope

    from backoffice.selectors import operator_company
    from invoicing.services import payment_register

    # The other owner's order of the same company is the company's history too.
    co_owner = MembershipFactory(company=company, role=Role.OWNER).user
    order = backoffice.order_place(customer=company, plan=plan, user=co_owner)
    invoice = order.invoice
    assert invoice is not None
    with scope(company=operator_company()):
        payment_register(
            invoice=invoice,
            actor=Actor.system("tests"),
            amount=Decimal("500.00"),
            date=timezone.localdate(),
        )
    reports = {r.key: r for r in selectors.personal_data_for(user=owner)}
    history = reports["customer_history"].items
    payments = reports["payment_history"].items
    assert any(item.field == "Abonnement" and item.value == "Standard" for item in history)
    assert any(item.record.startswith("Bestilling #") for item in history)
    record = f"Faktura {invoice.number}"
    ours = {item.field: item.value for item in payments if item.record == record}
    assert ours["Til firma"] == company.name
    assert ours["Beløp med mva."] == f"{format_money(invoice.total_incl_vat)} NOK"
    assert ours["Betalt"] == "500,00 NOK"
    assert ours["Status"] == "Delvis betalt"
    paid = [item for item in payments if item.record == f"Innbetaling til {record}"]
    assert [item.value for item in paid] == ["500,00 NOK"]
    assert paid[0].retention == str(RETENTION["bookkeeping"].label)
    # A member who does not own the company does not get its purchases.
    member_records = {
        item.record for r in selectors.personal_data_for(user=member) for item in r.items
    }
    assert record not in member_records and not any(
        r.startswith("Bestilling #") for r in member_records
    )


def test_every_personal_field_is_shown_with_words_chosen_for_people():
    """No field name ("created_at", "buyer_snapshot") reaches the report or the export."""
    from core.personal_data import inventory

    unlabelled = [
        (d.label, name)
        for d in inventory.declarations()
        for name in d.personal
        if not d.has_label(name)
    ]
    assert unlabelled == []
    for declaration in inventory.declarations():
        for name in declaration.personal:
            assert "_" not in declaration.field_label(name), (declaration.label, name)


def test_a_documents_snapshot_is_shown_as_its_values_not_its_keys():
    from privacy.selectors import _plain

    snapshot: dict[str, object] = {
        "name": "Kari Nordmann",
        "address_line": "Storgata 1",
        "vat": None,
        "lines": [],
    }
    assert _plain(snapshot) == "Kari Nordmann, Storgata 1"
