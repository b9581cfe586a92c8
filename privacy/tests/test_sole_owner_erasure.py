"""Erasure for everyone: a sole owner closes the company and is erased; the accounting
records stay until their deadline and are anonymised after; nothing of the person remains."""

from __future__ import annotations

import datetime

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.models import Company, Membership, Role, User
from accounts.tests.factories import MembershipFactory
from backoffice.models import StaffRole
from backoffice.tests.conftest import client_for, make_staff
from core.dates import add_months
from core.models import AuditEntry
from core.personal_data.retention import ANONYMISED_NAME
from invoicing.models import Invoice
from invoicing.tests.factories import ClientFactory, draft_invoice, issued_invoice
from privacy.models import PrivacyRequest
from privacy.tests.test_rights import _reauthenticated
from retention.services import retention_run

pytestmark = pytest.mark.django_db


@pytest.fixture
def sole_owner_with_history(owner, company):
    """The company's only owner, with a private-person client, an issued invoice and a
    failed log-in on record."""
    with scope(company=company):
        client = ClientFactory(
            company=company,
            kind="person",
            name="Berit Kjøper",
            organization_number="",
            invoice_emails="berit@example.no",
        )
        invoice = issued_invoice(company=company, client=client)
    AccessAttempt.objects.create(
        username=owner.email,
        ip_address="198.51.100.9",
        user_agent="EierBrowser",
        http_accept="*/*",
        path_info="/login/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    return owner, company, invoice


def test_the_plan_says_what_is_kept_under_which_law_until_when(
    owner_client, sole_owner_with_history
):
    _owner, company, invoice = sole_owner_with_history
    _reauthenticated(owner_client)
    body = owner_client.get(reverse("privacy:erase")).content.decode()
    until = datetime.date(invoice.invoice_date.year + 5, 12, 31)
    assert company.name in body
    assert f"beholdes til {until:%d.%m.%Y}" in body
    assert "bokføringsloven § 13" in body
    assert reverse("reports:saft") in body and reverse("privacy:export") in body


def test_a_sole_owner_closes_the_company_and_is_erased(owner_client, sole_owner_with_history):
    owner, company, invoice = sole_owner_with_history
    email = owner.email
    _reauthenticated(owner_client)
    # The box must be ticked: without it, nothing happens.
    response = owner_client.post(reverse("privacy:erase"), {"confirm": "on"})
    assert response.status_code == 400
    assert Company.objects.get(pk=company.pk).closed_at is None

    response = owner_client.post(
        reverse("privacy:erase"), {"confirm": "on", "close_companies": "on"}
    )
    assert response.status_code == 302
    company.refresh_from_db()
    assert company.closed_at is not None
    user = User.objects.get(pk=owner.pk)
    assert user.email.endswith("@slettet.invalid") and not user.is_active
    assert not Membership.objects.filter(user=user).exists()
    assert not AccessAttempt.objects.filter(username__iexact=email).exists()
    assert AuditEntry.objects.filter(action="accounts.company.closed").exists()
    # The accounting records stay as they were until their deadline.
    with scopes_disabled():
        invoice.refresh_from_db()
        assert invoice.buyer_snapshot["name"] == "Berit Kjøper"
    # A closed company makes no new documents.
    with pytest.raises(ValidationError, match="avsluttet"), scope(company=company):
        draft_invoice(company=company)


def test_past_the_deadline_nothing_of_the_person_or_the_company_remains(
    owner_client, sole_owner_with_history
):
    owner, company, invoice = sole_owner_with_history
    email, name = owner.email, owner.full_name
    _reauthenticated(owner_client)
    owner_client.post(reverse("privacy:erase"), {"confirm": "on", "close_companies": "on"})
    kept_until = datetime.date(invoice.invoice_date.year + 5, 12, 31)

    on_the_day = retention_run(today=kept_until).counts()
    assert on_the_day.get(("companies", "accounts.Company", "anonymise"), 0) == 0
    after = retention_run(today=kept_until + datetime.timedelta(days=1)).counts()
    assert after[("companies", "accounts.Company", "anonymise")] == 1

    company.refresh_from_db()
    assert company.name == ANONYMISED_NAME and company.organization_number.startswith("X")
    with scopes_disabled():
        invoice.refresh_from_db()
        assert invoice.buyer_snapshot["name"] == ANONYMISED_NAME
        assert invoice.seller_snapshot["name"] == ANONYMISED_NAME
        assert invoice.client.name == ANONYMISED_NAME
        assert invoice.total_incl_vat > 0  # the figures stay
    from retention.tests.test_nothing_kept_forever import _found

    assert _found([email, name, "Berit Kjøper", "berit@example.no", "EierBrowser"]) == []


def test_the_privacy_officer_can_close_and_erase_on_request(sole_owner_with_history):
    owner, company, _invoice = sole_owner_with_history
    officer = make_staff(StaffRole.PRIVACY_OFFICER)
    received = timezone.now()
    item = PrivacyRequest.objects.create(
        reference="PV-T-EIER",
        kind="erasure",
        user=owner,
        name=owner.full_name,
        email=owner.email,
        message="Slett meg og firmaet mitt.",
        status=PrivacyRequest.Status.OPEN,
        received_at=received,
        deadline=add_months(timezone.localdate(received), 1),
        verified_at=received,
    )
    staff = client_for(officer)
    url = reverse("privacy_staff:erase", args=[item.pk])
    assert staff.post(url).status_code == 400  # not without closing the company
    assert staff.post(url, {"close_companies": "on"}).status_code == 302
    company.refresh_from_db()
    assert company.closed_at is not None
    assert User.objects.get(pk=owner.pk).email.endswith("@slettet.invalid")
    closed = AuditEntry.objects.get(action="accounts.company.closed")
    assert closed.actor_id == officer.user.pk


def test_other_members_of_a_closed_company_cannot_invoice_either(owner, company):
    member = MembershipFactory(company=company, role=Role.ADMIN).user
    from accounts.services import company_close
    from core.audit import Actor

    company_close(company=company, actor=Actor.user(owner))
    with scope(company=company), pytest.raises(ValidationError):
        draft_invoice(company=company)
    with scopes_disabled():
        assert not Invoice.objects.filter(company=company).exists()
    assert Membership.objects.filter(user=member, company=company).exists()
