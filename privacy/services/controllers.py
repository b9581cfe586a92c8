"""Requests about a customer company's own clients: we are the processor, the company is
the controller (GDPR art. 28(3)(e)).

The privacy officer passes a request on to each company that has the person as a client
(``controller_referral_create``: the owners are e-mailed, with a deadline) and sees it
answered or overdue; the company answers from its "find a person" page, where it can also
export, correct and — when bokføringsloven allows (``privacy.clients.client_erasure_plan``) —
anonymise the client record.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from accounts.emails import absolute_url, queue_email
from accounts.models import Company, Membership, Role, User
from core.audit import Actor, audit_log
from customers.models import Client
from customers.retention import CLIENT_ANONYMISED
from privacy import clients as client_records
from privacy.models import ControllerReferral, PrivacyRequest
from privacy.services.requests import _require_open, clean_message

MAX_ANSWER = 4000


def _owners(company: Company) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            company=company, role=Role.OWNER, user__is_active=True
        ).select_related("user")
    ]


@transaction.atomic
def controller_referral_create(
    *,
    request: PrivacyRequest,
    staff: User,
    client_ids: Iterable[int],
    deadline: datetime.date,
) -> list[ControllerReferral]:
    """Pass ``request`` on to the companies that hold the chosen client records: one
    referral per company (a second referral adds clients and moves the deadline), and an
    e-mail to each active owner with the deadline and a link to the company's page."""
    request = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    _require_open(request)
    if deadline <= timezone.localdate():
        raise ValidationError({"deadline": _("Fristen må være etter i dag.")})
    with scopes_disabled():
        chosen = list(
            Client._base_manager.filter(pk__in=list(client_ids)).select_related("company")
        )
    if not chosen:
        raise ValidationError({"clients": _("Velg minst én kunde å sende henvendelsen til.")})
    by_company: dict[int, list[Client]] = {}
    for client in chosen:
        by_company.setdefault(client.company_id, []).append(client)
    referrals = []
    for found in by_company.values():
        company = found[0].company
        numbers = sorted({c.number for c in found})
        referral, created = ControllerReferral.objects.select_for_update().get_or_create(
            request=request,
            company=company,
            defaults={"client_numbers": numbers, "deadline": deadline, "created_by": staff},
        )
        if not created:
            referral.client_numbers = sorted(set(referral.client_numbers) | set(numbers))
            referral.deadline = deadline
            referral.status = ControllerReferral.Status.OPEN
            referral.save(update_fields=["client_numbers", "deadline", "status"])
        audit_log(
            action="privacy.referral.sent",
            actor=Actor.user(staff),
            company=company,
            target=referral,
            data={
                "reference": request.reference,
                "clients": referral.client_numbers,
                "deadline": str(deadline),
            },
        )
        url = absolute_url(reverse("privacy:persons") + f"?referral={referral.pk}")
        for owner in _owners(company):
            queue_email(
                to=owner.email,
                template="controller_referral",
                language=owner.language,
                folder="privacy/email",
                context={
                    "recipient": owner,
                    "company": company,
                    "request": request,
                    "referral": referral,
                    "url": url,
                },
            )
        referrals.append(referral)
    return referrals


@transaction.atomic
def controller_referral_answer(
    *, referral: ControllerReferral, company: Company, user: User, answer: str
) -> ControllerReferral:
    """The company says how it answered the person; the privacy officer sees it."""
    referral = ControllerReferral.objects.select_for_update().get(pk=referral.pk)
    if referral.company_id != company.pk:
        raise ValidationError(_("Henvendelsen gjelder et annet firma."))
    if len(answer) > MAX_ANSWER:
        raise ValidationError(
            {"answer": _("Svaret er for langt (høyst %(max)s tegn).") % {"max": MAX_ANSWER}}
        )
    answer = clean_message(answer)
    if not answer:
        raise ValidationError({"answer": _("Skriv kort hva dere har gjort for personen.")})
    if referral.status == ControllerReferral.Status.ANSWERED:
        raise ValidationError(_("Henvendelsen er allerede besvart."))
    referral.status = ControllerReferral.Status.ANSWERED
    referral.answer = answer
    referral.answered_at = timezone.now()
    referral.answered_by = user
    referral.save(update_fields=["status", "answer", "answered_at", "answered_by"])
    audit_log(
        action="privacy.referral.answered",
        actor=Actor.user(user),
        company=company,
        target=referral,
        data={"request": referral.request_id},
    )
    return referral


def client_export(*, client: Client, user: User) -> bytes:
    """What the company holds about one client, for the person (art. 15 and 20): the
    client record and every issued invoice, credit note and payment, labelled in words."""
    invoices, payments = client_records.client_documents(client=client)
    record = {
        _("Kundenummer"): client.number,
        _("Navn"): client.name,
        _("Kontaktperson"): client.contact_person,
        _("Adresse"): ", ".join(
            filter(None, [client.address_line, client.address_line2, client.postcode, client.city])
        ),
        _("Land"): client.country,
        _("E-post for faktura"): client.invoice_emails,
        _("Telefon"): client.phone,
        _("Deres referanse"): client.their_reference,
        _("Notater"): client.notes,
    }
    document = {
        _("Firma"): client.company.name,
        _("Laget"): timezone.localtime().isoformat(timespec="seconds"),
        _("Kunden"): {label: value for label, value in record.items() if value not in ("", None)},
        _("Fakturaer og kreditnotaer"): [
            {
                _("Type"): str(invoice.get_kind_display()),
                _("Nummer"): invoice.number,
                _("Dato"): invoice.invoice_date.isoformat(),
                _("Beløp med mva."): f"{invoice.total_incl_vat} {invoice.currency}",
                _("Status"): str(invoice.get_status_display()),
            }
            for invoice in invoices
        ],
        _("Innbetalinger"): [
            {
                _("Faktura"): payment.invoice.number,
                _("Dato"): payment.date.isoformat(),
                _("Beløp"): f"{payment.amount} {payment.invoice.currency}",
            }
            for payment in payments
        ],
    }
    with transaction.atomic():
        audit_log(
            action="privacy.client.exported",
            actor=Actor.user(user),
            company=client.company,
            target=client,
            data={"number": client.number},
        )
    return json.dumps(document, ensure_ascii=False, indent=2).encode()


@transaction.atomic
def client_anonymise(*, client: Client, user: User) -> Client:
    """Anonymise a client record at the person's request, when the law allows it
    (``client_erasure_plan``): the same values the retention engine writes."""
    plan = client_records.client_erasure_plan(client=client)
    if plan.held:
        raise ValidationError(
            _("En åpen tvist holder på opplysningene; de kan ikke anonymiseres nå.")
        )
    if plan.drafts:
        raise ValidationError(
            _("Kunden har fakturautkast. Slett utkastene først, så kan kunden anonymiseres.")
        )
    if not plan.allowed:
        raise ValidationError(
            _(
                "Utstedte fakturaer til kunden må oppbevares til %(date)s (bokføringsloven "
                "§ 13); kunden kan ikke anonymiseres før det."
            )
            % {"date": plan.kept_until.strftime("%d.%m.%Y") if plan.kept_until else ""}
        )
    with scopes_disabled():
        Client._base_manager.filter(pk=client.pk).update(**CLIENT_ANONYMISED)
    audit_log(
        action="privacy.client.anonymised",
        actor=Actor.user(user),
        company=client.company,
        target=client,
        data={"number": client.number},
    )
    with scopes_disabled():
        return Client._base_manager.get(pk=client.pk)
