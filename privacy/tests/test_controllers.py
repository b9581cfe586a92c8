"""People who are not users: the customers' own clients (the customer is the controller,
we are its processor). The privacy officer finds the person in every company and passes
the request on; each company finds its own clients, exports, corrects and anonymises."""

from __future__ import annotations

import datetime
import json
import time

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django_scopes import scope, scopes_disabled

from accounts.permissions import SESSION_REAUTH_KEY
from backoffice.models import AccessLogEntry, StaffRole
from backoffice.tests.conftest import client_for, make_staff
from core.dates import add_months
from core.models import AuditEntry
from customers.models import Client
from invoicing.tests.factories import ClientFactory, issued_invoice
from privacy import clients, selectors
from privacy.models import ControllerReferral, PrivacyRequest
from privacy.services import controllers

pytestmark = pytest.mark.django_db

EMAIL = "kari.nordmann@example.no"


@pytest.fixture
def officer():
    return make_staff(StaffRole.PRIVACY_OFFICER, full_name="Per Personvern")


@pytest.fixture
def people(company, other_company):
    """Kari is a client of two companies (by e-mail and by phone); Ola is someone else."""
    with scopes_disabled():
        return {
            "kari_here": ClientFactory(
                company=company,
                kind="person",
                name="Kari Nordmann",
                organization_number="",
                invoice_emails=f"{EMAIL}, kari@jobb.example",
                phone="+47 912 34 567",
            ),
            "kari_there": ClientFactory(
                company=other_company,
                kind="person",
                name="K. Nordmann",
                organization_number="",
                invoice_emails="annen@example.no",
                phone="91234567",
            ),
            "ola": ClientFactory(
                company=company,
                kind="person",
                name="Ola Hansen",
                organization_number="",
                invoice_emails="ola@example.no",
                phone="+47 400 00 000",
            ),
        }


def _request(kind: str = "erasure") -> PrivacyRequest:
    now = timezone.now()
    return PrivacyRequest.objects.create(
        reference=f"PV-C-{PrivacyRequest.objects.count() + 1}",
        kind=kind,
        name="Kari Nordmann",
        email=EMAIL,
        message="Slett alt dere har om meg.",
        status=PrivacyRequest.Status.OPEN,
        received_at=now,
        deadline=add_months(timezone.localdate(now), 1),
        verified_at=now,
    )


def test_the_officer_finds_every_client_record_by_email_name_or_phone(people):
    by_email = clients.client_records_matching(query=clients.person_query_clean(email=EMAIL))
    assert [m.client.pk for m in by_email] == [people["kari_here"].pk]
    assert by_email[0].matched == ("email",)
    by_phone = clients.client_records_matching(query=clients.person_query_clean(phone="912 34 567"))
    assert {m.client.pk for m in by_phone} == {people["kari_here"].pk, people["kari_there"].pk}
    by_name = clients.client_records_matching(query=clients.person_query_clean(name="nordmann"))
    assert {m.client.pk for m in by_name} == {people["kari_here"].pk, people["kari_there"].pk}
    # A company's own search sees only its own clients.
    own = clients.client_records_matching(
        query=clients.person_query_clean(phone="91234567"), company=people["kari_there"].company
    )
    assert [m.client.pk for m in own] == [people["kari_there"].pk]
    # A word that is part of an address is not a match on an e-mail search.
    assert (
        clients.client_records_matching(query=clients.person_query_clean(email="jobb@x.no")) == []
    )
    with pytest.raises(ValidationError):
        clients.person_query_clean(name="ka", phone="123")


def test_a_referral_notifies_the_owners_with_a_deadline_and_is_tracked(
    people, officer, company, owner, other_company, outsider, django_capture_on_commit_callbacks
):
    request = _request()
    deadline = timezone.localdate() + datetime.timedelta(days=14)
    with django_capture_on_commit_callbacks(execute=True):
        sent = controllers.controller_referral_create(
            request=request,
            staff=officer.user,
            client_ids=[people["kari_here"].pk, people["kari_there"].pk],
            deadline=deadline,
        )
    assert {r.company_id for r in sent} == {company.pk, other_company.pk}
    to = sorted(address for message in mail.outbox for address in message.to)
    assert to == sorted([owner.email, outsider.email])
    message = next(m for m in mail.outbox if owner.email in m.to)
    assert deadline.strftime("%d.%m.%Y") in message.body
    assert str(people["kari_here"].number) in message.body
    assert reverse("privacy:persons") in message.body
    [mine] = selectors.controller_referrals(request=request, company=company)
    assert mine.state == "open"
    # The officer's queue flags a request whose companies have not answered in time.
    ControllerReferral.objects.filter(pk=mine.pk).update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    [queued] = selectors.privacy_request_queue(status="open")
    assert queued.referrals_overdue == 1
    ControllerReferral.objects.filter(pk=mine.pk).update(deadline=deadline)
    # Past the deadline without an answer: overdue; answered: answered.
    assert mine.state_on(deadline + datetime.timedelta(days=1)) == "overdue"
    controllers.controller_referral_answer(
        referral=mine, company=company, user=owner, answer="Kunden er anonymisert."
    )
    [mine] = selectors.controller_referrals(request=request, company=company)
    assert mine.state == "answered" and mine.answer == "Kunden er anonymisert."
    # Another company cannot answer it; an empty answer or a past deadline is refused.
    [theirs] = selectors.controller_referrals(request=request, company=other_company)
    with pytest.raises(ValidationError):
        controllers.controller_referral_answer(
            referral=theirs, company=company, user=owner, answer="Nei"
        )
    with pytest.raises(ValidationError):
        controllers.controller_referral_answer(
            referral=theirs, company=other_company, user=outsider, answer="  "
        )
    with pytest.raises(ValidationError):
        controllers.controller_referral_create(
            request=request,
            staff=officer.user,
            client_ids=[people["ola"].pk],
            deadline=timezone.localdate(),
        )
    assert AuditEntry.objects.filter(action="privacy.referral.sent").count() == 2


def test_the_officers_search_is_in_the_access_log_and_bad_input_is_a_400(people, officer, company):
    request = _request()
    web = client_for(officer)
    url = reverse("privacy_staff:detail", args=[request.pk])
    page = web.get(url)
    assert page.status_code == 200 and EMAIL in page.content.decode()  # prefilled
    found = web.get(url, {"find": "1", "find_email": EMAIL})
    body = found.content.decode()
    assert found.status_code == 200 and "Kari Nordmann" in body and "Ola Hansen" not in body
    logged = AccessLogEntry.objects.filter(customer=company, reason=request.reference)
    assert logged.exists()
    assert web.get(url, {"find": "1", "find_name": "x"}).status_code == 200  # form error shown
    refused = web.post(
        reverse("privacy_staff:refer", args=[request.pk]),
        {"client": [people["kari_here"].pk], "deadline": "nonsense"},
    )
    assert refused.status_code == 400
    # Values that are not ids are left out: "²" passes str.isdigit() but not int().
    done = web.post(
        reverse("privacy_staff:refer", args=[request.pk]),
        {
            "client": [people["kari_here"].pk, "²", "9" * 30],
            "deadline": (timezone.localdate() + datetime.timedelta(days=7)).isoformat(),
        },
    )
    assert done.status_code == 302
    assert ControllerReferral.objects.get(request=request).client_numbers == [
        people["kari_here"].number
    ]


def test_the_company_page_is_for_its_own_clients_and_managers_only(
    people, owner_client, member_client, outsider_client
):
    url = reverse("privacy:persons")
    page = owner_client.get(url, {"email": EMAIL})
    assert page.status_code == 200 and "Kari Nordmann" in page.content.decode()
    assert owner_client.get(url, {"name": "x"}).status_code == 400
    assert member_client.get(url).status_code == 403
    # Another company's client: 404 on every action.
    theirs = people["kari_here"].pk
    assert outsider_client.get(reverse("privacy:person", args=[theirs])).status_code == 404
    assert outsider_client.post(reverse("privacy:person_export", args=[theirs])).status_code == 404


def test_export_gives_the_record_and_documents_in_words(people, company, owner_client):
    kari = people["kari_here"]
    with scope(company=company):
        invoice = issued_invoice(company=company, client=kari)
    response = owner_client.post(reverse("privacy:person_export", args=[kari.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["Kunden"]["Navn"] == "Kari Nordmann"
    assert data["Kunden"]["Telefon"] == "+47 912 34 567"
    [document] = data["Fakturaer og kreditnotaer"]
    assert document["Nummer"] == invoice.number
    assert AuditEntry.objects.filter(action="privacy.client.exported").count() == 1


def test_anonymising_waits_for_the_bookkeeping_deadline_and_explains_what_is_kept(
    people, company, owner
):
    kari = people["kari_here"]
    issued_on = timezone.localdate()
    with scope(company=company):
        issued_invoice(company=company, client=kari, invoice_date=issued_on)
    plan = clients.client_erasure_plan(client=kari)
    assert not plan.allowed and plan.documents == 1
    assert plan.kept_until == datetime.date(issued_on.year + 5, 12, 31)
    with pytest.raises(ValidationError, match="bokføringsloven"):
        controllers.client_anonymise(client=kari, user=owner)
    # The day after the deadline the record may go; the invoice number and amounts stay.
    after = datetime.datetime(issued_on.year + 6, 1, 1, 12, tzinfo=datetime.UTC)
    with time_machine.travel(after, tick=False):
        assert clients.client_erasure_plan(client=kari).allowed
        done = controllers.client_anonymise(client=kari, user=owner)
    assert done.name == "Anonymisert" and done.phone == "" and done.invoice_emails == ""
    assert done.number == kari.number


def test_a_client_without_documents_is_anonymised_at_once_on_the_page(people, owner_client):
    ola = people["ola"]
    page = owner_client.get(reverse("privacy:person", args=[ola.pk]))
    assert 'id="person-anonymise"' in page.content.decode()
    # Anonymising asks for the password again first.
    response = owner_client.post(reverse("privacy:person_anonymise", args=[ola.pk]))
    assert response.status_code == 302 and "reauth" in response["Location"]
    session = owner_client.session
    session[SESSION_REAUTH_KEY] = time.time()
    session.save()
    response = owner_client.post(reverse("privacy:person_anonymise", args=[ola.pk]))
    assert response.status_code == 302
    with scopes_disabled():
        ola = Client._base_manager.get(pk=ola.pk)
    assert ola.name == "Anonymisert" and ola.phone == ""


def test_the_company_answers_a_referral_on_its_page_and_bad_input_is_a_400(
    people, officer, owner_client, outsider_client
):
    request = _request()
    [referral] = controllers.controller_referral_create(
        request=request,
        staff=officer.user,
        client_ids=[people["kari_here"].pk],
        deadline=timezone.localdate() + datetime.timedelta(days=5),
    )
    url = reverse("privacy:referral_answer", args=[referral.pk])
    page = owner_client.get(reverse("privacy:persons"), {"referral": referral.pk})
    assert f'id="answer-{referral.pk}"' in page.content.decode()
    empty = owner_client.post(url, {"answer": "   "})
    assert empty.status_code == 400
    assert "Skriv kort hva dere har gjort for personen." in empty.content.decode()
    assert outsider_client.post(url, {"answer": "Ferdig"}).status_code == 404
    assert owner_client.post(url, {"answer": "Kopi sendt til Kari."}).status_code == 302
    referral.refresh_from_db()
    assert referral.status == ControllerReferral.Status.ANSWERED
