"""Payment details (bank account, IBAN/BIC, KID, the invoice e-mail) cannot be redirected
quietly: a fresh password check, an e-mail to every owner, and a masked audit trail."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django_scopes import scope

from accounts.models import Role
from accounts.permissions import SESSION_REAUTH_KEY
from accounts.tests.factories import PASSWORD, MembershipFactory
from accounts.tests.test_companies import settings_data
from core.audit import mask_tail
from core.models import AuditEntry
from invoicing import selectors

pytestmark = pytest.mark.django_db

SETTINGS = reverse("company:settings")
NEW_ACCOUNT = "12345678903"  # a valid MOD11 account number


def test_mask_tail_keeps_only_the_last_digits_and_the_mail_domain():
    assert mask_tail("86011117947") == "•••••••7947"
    assert mask_tail("NO9386011117947") == "•••••••••••7947"
    assert mask_tail("faktura@nordlys.no") == "f•••@nordlys.no"
    assert mask_tail("") == ""


def test_changing_the_bank_account_needs_the_password_and_loses_nothing(owner_client, company):
    old = company.bank_account
    response = owner_client.post(SETTINGS, settings_data(company, bank_account=NEW_ACCOUNT))
    assert response.status_code == 400
    assert "sudo_password" in response.context["form"].errors
    assert NEW_ACCOUNT in response.content.decode()  # what was typed is still in the form
    company.refresh_from_db()
    assert company.bank_account == old

    wrong = settings_data(company, bank_account=NEW_ACCOUNT, sudo_password="feil-passord")
    response = owner_client.post(SETTINGS, wrong)
    assert response.status_code == 400
    assert "sudo_password" in response.context["form"].errors
    company.refresh_from_db()
    assert company.bank_account == old
    assert SESSION_REAUTH_KEY not in owner_client.session


def test_a_confirmed_change_mails_every_owner_and_audits_masked_values(
    owner_client, owner, company, django_capture_on_commit_callbacks
):
    second_owner = MembershipFactory(company=company, role=Role.OWNER).user
    admin = MembershipFactory(company=company, role=Role.ADMIN).user
    old = company.bank_account
    data = settings_data(company, bank_account=NEW_ACCOUNT, sudo_password=PASSWORD)
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.post(SETTINGS, data).status_code == 302
    company.refresh_from_db()
    assert company.bank_account == NEW_ACCOUNT
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, second_owner.email])
    assert admin.email not in [m.to[0] for m in mail.outbox]
    body = mail.outbox[0].body
    assert "7947" in body and "8903" in body
    assert old not in body and NEW_ACCOUNT not in body
    entry = AuditEntry.objects.get(action="accounts.company.updated")
    details = entry.data["payment_details"]["bank_account"]
    assert details == {"before": mask_tail(old), "after": mask_tail(NEW_ACCOUNT)}
    assert old not in str(entry.data) and NEW_ACCOUNT not in str(entry.data)

    # Sudo mode now lasts a while: the next change needs no password, but is still mailed.
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            SETTINGS, settings_data(company, email="ny-avsender@nordlys.no")
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 2 and "n•••@nordlys.no" in mail.outbox[0].body


def test_other_company_fields_need_no_password(owner_client, company):
    response = owner_client.post(SETTINGS, settings_data(company, name="Nytt Navn AS"))
    assert response.status_code == 302
    assert not mail.outbox


def test_changing_the_kid_settings_needs_the_password_and_mails_the_owners(
    owner_client, owner, company, django_capture_on_commit_callbacks
):
    url = reverse("invoicing:settings")
    data = {"credit_note_numbering": "same", "kid_method": "mod11", "kid_length": "12",
            "default_payment_terms_days": "14"}  # fmt: skip
    response = owner_client.post(url, data)
    assert response.status_code == 400
    assert "sudo_password" in response.context["form"].errors
    with scope(company=company):
        assert selectors.invoicing_settings_for(company=company).kid_method == "none"
    # The payment terms alone are not payment details.
    assert (
        owner_client.post(url, {**data, "kid_method": "none", "kid_length": "10"}).status_code
        == 302
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert owner_client.post(url, {**data, "sudo_password": PASSWORD}).status_code == 302
    with scope(company=company):
        assert selectors.invoicing_settings_for(company=company).kid_method == "mod11"
    assert [m.to[0] for m in mail.outbox] == [owner.email]
    entry = AuditEntry.objects.filter(action="invoicing.settings.updated").latest("pk")
    assert entry.data["payment_details"]["kid_method"] == {"before": "none", "after": "mod11"}
