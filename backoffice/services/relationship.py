"""Relationship records: interactions, complaints (with legal holds), credit checks, financing."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Company, Membership
from backoffice.models import Complaint, CreditCheck, FinancingUse, Interaction, LegalHold, Source
from backoffice.services.common import MAX_TEXT, _max_length, _require
from core.audit import Actor, audit_log

if TYPE_CHECKING:
    from accounts.models import User
    from backoffice.credit import CreditCheckProvider


def _person_of(customer: Company, person: User | None) -> User | None:
    if person is not None and not Membership.objects.filter(company=customer, user=person).exists():
        raise ValidationError({"person": _("Personen hører ikke til denne kunden.")})
    return person


@transaction.atomic
def interaction_add(
    *,
    customer: Company,
    staff: User,
    kind: str,
    occurred_on: datetime.date,
    summary: str,
    person: User | None = None,
    source: str = Source.STAFF,
) -> Interaction:
    if kind not in Interaction.Kind.values:
        raise ValidationError({"kind": _("Ukjent type kontakt.")})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("Datoen kan ikke være i fremtiden.")})
    summary = _require(summary, "summary", _("Skriv et sammendrag."))
    _max_length(summary, "summary", MAX_TEXT)
    interaction = Interaction.objects.create(
        customer=customer,
        person=_person_of(customer, person),
        kind=kind,
        occurred_on=occurred_on,
        staff=staff,
        summary=summary,
        source=source,
    )
    audit_log(
        action="backoffice.interaction.added",
        actor=Actor.user(staff),
        company=customer,
        target=interaction,
        data={"kind": kind, "occurred_on": str(occurred_on)},
    )
    return interaction


@transaction.atomic
def complaint_open(
    *,
    customer: Company,
    staff: User,
    kind: str,
    subject: str,
    description: str,
    opened_on: datetime.date | None = None,
    person: User | None = None,
    source: str = Source.STAFF,
) -> Complaint:
    """Register a complaint or a dispute; a dispute places a legal hold at once."""
    if kind not in Complaint.Kind.values:
        raise ValidationError({"kind": _("Ukjent type sak.")})
    subject = _require(subject, "subject", _("Skriv hva saken gjelder."))
    _max_length(subject, "subject", 200)
    description = _require(description, "description", _("Beskriv saken."))
    _max_length(description, "description", MAX_TEXT)
    opened_on = opened_on or timezone.localdate()
    if opened_on > timezone.localdate():
        raise ValidationError({"opened_on": _("Datoen kan ikke være i fremtiden.")})
    complaint = Complaint.objects.create(
        customer=customer,
        person=_person_of(customer, person),
        kind=kind,
        subject=subject,
        description=description,
        opened_on=opened_on,
        staff=staff,
        source=source,
    )
    if kind == Complaint.Kind.DISPUTE:
        LegalHold.objects.create(
            customer=customer,
            person=complaint.person,
            complaint=complaint,
            reason=_("Åpen tvist: %(subject)s") % {"subject": subject},
        )
    audit_log(
        action="backoffice.complaint.opened",
        actor=Actor.user(staff),
        company=customer,
        target=complaint,
        data={"kind": kind, "legal_hold": kind == Complaint.Kind.DISPUTE},
    )
    return complaint


@transaction.atomic
def complaint_close(
    *, complaint: Complaint, staff: User, status: str, resolution: str
) -> Complaint:
    """Resolve or reject a case; releases the legal hold of a dispute."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status != Complaint.Status.OPEN:
        raise ValidationError(_("Saken er allerede avsluttet."))
    if status not in (Complaint.Status.RESOLVED, Complaint.Status.REJECTED):
        raise ValidationError({"status": _("Velg løst eller avvist.")})
    resolution = _require(resolution, "resolution", _("Skriv utfallet."))
    _max_length(resolution, "resolution", MAX_TEXT)
    complaint.status = status
    complaint.resolution = resolution
    complaint.closed_on = timezone.localdate()
    complaint.save(update_fields=["status", "resolution", "closed_on"])
    released = LegalHold.objects.filter(complaint=complaint, released_at__isnull=True).update(
        released_at=timezone.now()
    )
    audit_log(
        action="backoffice.complaint.closed",
        actor=Actor.user(staff),
        company=complaint.customer,
        target=complaint,
        data={"status": status, "holds_released": released},
    )
    return complaint


@transaction.atomic
def credit_check_record(
    *,
    customer: Company,
    staff: User,
    provider: str,
    checked_on: datetime.date,
    result: str,
    score: int | None = None,
    reference: str = "",
    source: str = Source.STAFF,
) -> CreditCheck:
    """A credit check entered by hand (or stored from a provider by ``credit_check_run``)."""
    provider = _require(provider, "provider", _("Oppgi hvem som utførte kredittsjekken."))
    result = _require(result, "result", _("Oppgi resultatet."))
    _max_length(provider, "provider", 100)
    _max_length(result, "result", 200)
    _max_length(reference, "reference", 100)
    if checked_on > timezone.localdate():
        raise ValidationError({"checked_on": _("Datoen kan ikke være i fremtiden.")})
    if score is not None and not 0 <= score <= 100:
        raise ValidationError({"score": _("Scoren må være mellom 0 og 100.")})
    check = CreditCheck.objects.create(
        customer=customer,
        provider=provider,
        checked_on=checked_on,
        result=result,
        score=score,
        reference=reference.strip(),
        source=source,
        staff=staff,
    )
    audit_log(
        action="backoffice.credit_check.recorded",
        actor=Actor.user(staff),
        company=customer,
        target=check,
        data={"provider": provider, "source": source},
    )
    return check


def credit_check_run(
    *, customer: Company, staff: User, provider: CreditCheckProvider
) -> CreditCheck:
    """Ask ``provider`` (a ``backoffice.credit.CreditCheckProvider``) and store the answer.

    The HTTP call happens outside the transaction; a provider error is a ValidationError.
    """
    from backoffice.credit import CreditCheckError

    try:
        answer = provider.check(organization_number=customer.organization_number)
    except CreditCheckError as exc:
        raise ValidationError(
            _("Kredittsjekken feilet hos %(provider)s: %(error)s")
            % {"provider": provider.name, "error": exc}
        ) from exc
    return credit_check_record(
        customer=customer,
        staff=staff,
        provider=provider.name,
        checked_on=timezone.localdate(),
        result=answer.result,
        score=answer.score,
        reference=answer.reference,
        source=Source.PROVIDER,
    )


@transaction.atomic
def financing_add(
    *,
    customer: Company,
    staff: User,
    partner: str,
    arrangement: str,
    started_on: datetime.date,
    ended_on: datetime.date | None = None,
    source: str = Source.STAFF,
) -> FinancingUse:
    partner = _require(partner, "partner", _("Oppgi finansieringspartneren."))
    arrangement = _require(arrangement, "arrangement", _("Beskriv ordningen."))
    _max_length(partner, "partner", 150)
    _max_length(arrangement, "arrangement", 200)
    if ended_on is not None and ended_on < started_on:
        raise ValidationError({"ended_on": _("Sluttdatoen kan ikke være før startdatoen.")})
    use = FinancingUse.objects.create(
        customer=customer,
        partner=partner,
        arrangement=arrangement,
        started_on=started_on,
        ended_on=ended_on,
        source=source,
        staff=staff,
    )
    audit_log(
        action="backoffice.financing.added",
        actor=Actor.user(staff),
        company=customer,
        target=use,
        data={"partner": partner},
    )
    return use
