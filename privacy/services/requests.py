"""Data-subject requests: the contact form, and the privacy officer's work in the back office."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import Actor, audit_log
from core.dates import add_months
from core.outbox import outbox_enqueue
from privacy.models import (
    DataExport,
    PrivacyRequest,
)
from privacy.services.erasure import user_erase
from privacy.services.exports import EXPORT_VALID_DAYS

if TYPE_CHECKING:
    from accounts.models import User

VERIFICATION_VALID_DAYS = 7
MAX_UNVERIFIED_PER_DAY = 3
MAX_MESSAGE_LENGTH = 5000


def _actor_for(user: User | None, fallback: str) -> Actor:
    if user is not None:
        return Actor.user(user)
    return Actor.system(fallback)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_reference() -> str:
    return f"PV-{timezone.localdate():%Y%m%d}-{secrets.token_hex(3).upper()}"


def clean_message(text: str) -> str:
    """Plain text only: over-long or binary input is refused with a message."""
    if len(text) > MAX_MESSAGE_LENGTH:
        raise ValidationError(
            _("Meldingen er for lang (høyst %(max)s tegn).") % {"max": MAX_MESSAGE_LENGTH}
        )
    if any((ord(ch) < 32 and ch not in "\n\r\t") or ch in "\ufffe\uffff" for ch in text):
        raise ValidationError(_("Meldingen inneholder tegn som ikke er tekst."))
    return text.strip()


@transaction.atomic
def privacy_request_create(
    *,
    kind: str,
    name: str,
    email: str,
    message: str,
    subject_field: str = "",
    user: User | None = None,
) -> PrivacyRequest:
    """Register a request. Without a login it is acted on only after e-mail verification."""

    if kind not in PrivacyRequest.Kind.values:
        raise ValidationError(_("Ukjent type henvendelse."))
    message = clean_message(message)
    if not message:
        raise ValidationError(_("Skriv hva henvendelsen gjelder."))
    now = timezone.now()
    logged_in = user is not None
    if user is None and (
        PrivacyRequest.objects.filter(
            email__iexact=email.strip(),
            status=PrivacyRequest.Status.AWAITING_VERIFICATION,
            received_at__gt=now - datetime.timedelta(days=1),
        ).count()
        >= MAX_UNVERIFIED_PER_DAY
    ):
        # Nobody can use the form to flood someone else's inbox with our e-mails.
        raise ValidationError(
            _(
                "Vi har allerede sendt flere bekreftelseslenker til denne adressen i dag. "
                "Åpne en av dem, eller prøv igjen i morgen."
            )
        )
    token = "" if logged_in else secrets.token_urlsafe(32)
    for _attempt in range(5):
        try:
            with transaction.atomic():
                request = PrivacyRequest.objects.create(
                    reference=_new_reference(),
                    kind=kind,
                    user=user,
                    name=name.strip(),
                    email=(email if user is None else user.email).strip(),
                    subject_field=subject_field,
                    message=message,
                    status=(
                        PrivacyRequest.Status.OPEN
                        if logged_in
                        else PrivacyRequest.Status.AWAITING_VERIFICATION
                    ),
                    received_at=now,
                    deadline=add_months(timezone.localdate(now), 1),
                    verified_at=now if logged_in else None,
                    verification_token_hash=_hash_token(token) if token else "",
                )
            break
        except IntegrityError:
            continue
    else:
        raise RuntimeError("Could not allocate a privacy request reference.")
    audit_log(
        action="privacy.request.received",
        actor=_actor_for(user, "privacy-contact-form"),
        target=request,
        data={"reference": request.reference, "kind": kind, "verified": logged_in},
    )
    outbox_enqueue(task="privacy.tasks.privacy_request_email_task", args=[request.pk, token])
    return request


@transaction.atomic
def privacy_request_verify(*, token: str) -> PrivacyRequest:

    request = (
        PrivacyRequest.objects.select_for_update()
        .filter(
            verification_token_hash=_hash_token(token),
            status=PrivacyRequest.Status.AWAITING_VERIFICATION,
        )
        .first()
    )
    if request is None or request.received_at < timezone.now() - datetime.timedelta(
        days=VERIFICATION_VALID_DAYS
    ):
        raise ValidationError(_("Lenken er ugyldig eller utløpt."))
    request.status = PrivacyRequest.Status.OPEN
    request.verified_at = timezone.now()
    request.verification_token_hash = ""
    request.save(update_fields=["status", "verified_at", "verification_token_hash"])
    audit_log(
        action="privacy.request.verified",
        actor=Actor.system("privacy-contact-form"),
        target=request,
        data={"reference": request.reference},
    )
    outbox_enqueue(task="privacy.tasks.privacy_request_email_task", args=[request.pk, ""])
    return request


MAX_EXTENSION_MONTHS = 2


def _deadline_for(request: PrivacyRequest, extension_months: int) -> datetime.date:
    """One month from receipt (art. 12(3)), plus any extension (at most two months)."""
    return add_months(timezone.localdate(request.received_at), 1 + extension_months)


def _subject_user(request: PrivacyRequest) -> User | None:
    """The account a request is about: its own link, else the verified address's account."""
    from accounts.models import User

    if request.user_id:
        return request.user
    if request.verified_at or request.verification_method:
        return User.objects.filter(email__iexact=request.email).first()
    return None


def _require_open(request: PrivacyRequest) -> None:
    if request.status == PrivacyRequest.Status.CLOSED:
        raise ValidationError(_("Henvendelsen er avsluttet."))
    if request.status == PrivacyRequest.Status.AWAITING_VERIFICATION:
        raise ValidationError(_("Identiteten er ikke bekreftet ennå."))


@transaction.atomic
def privacy_request_register(
    *,
    staff: User,
    kind: str,
    name: str,
    email: str,
    message: str,
    channel: str,
    verification_method: str,
    received_on: datetime.date | None = None,
) -> PrivacyRequest:
    """A request received by phone, letter or in person, with how identity was verified."""
    from accounts.models import User

    errors: dict[str, str] = {}
    if kind not in PrivacyRequest.Kind.values:
        errors["kind"] = _("Ukjent type henvendelse.")
    if channel not in PrivacyRequest.Channel.values or channel == "self_service":
        errors["channel"] = _("Velg hvordan henvendelsen kom inn.")
    if verification_method not in PrivacyRequest.Verification.values:
        errors["verification_method"] = _("Oppgi hvordan identiteten ble bekreftet.")
    elif verification_method == PrivacyRequest.Verification.LOGGED_IN:
        errors["verification_method"] = _(
            "En henvendelse registrert av oss er ikke gjort fra en innlogget konto."
        )
    if not name.strip():
        errors["name"] = _("Skriv navnet til personen.")
    today = timezone.localdate()
    received_on = received_on or today
    if received_on > today:
        errors["received_on"] = _("Datoen kan ikke være i fremtiden.")
    try:
        message = clean_message(message)
    except ValidationError as error:
        errors["message"] = error.messages[0]
    if not errors.get("message") and not message:
        errors["message"] = _("Skriv hva henvendelsen gjelder.")
    if errors:
        raise ValidationError(errors)
    received_at = timezone.make_aware(datetime.datetime.combine(received_on, datetime.time(12)))
    if received_on == today:
        received_at = timezone.now()
    for _attempt in range(5):
        try:
            with transaction.atomic():
                request = PrivacyRequest.objects.create(
                    reference=_new_reference(),
                    kind=kind,
                    user=User.objects.filter(email__iexact=email.strip()).first(),
                    name=name.strip(),
                    email=email.strip(),
                    message=message,
                    status=PrivacyRequest.Status.OPEN,
                    received_at=received_at,
                    deadline=add_months(received_on, 1),
                    verified_at=timezone.now(),
                    channel=channel,
                    verification_method=verification_method,
                    registered_by=staff,
                )
            break
        except IntegrityError:
            continue
    else:
        raise RuntimeError("Could not allocate a privacy request reference.")
    audit_log(
        action="privacy.request.registered",
        actor=Actor.user(staff),
        target=request,
        data={
            "reference": request.reference,
            "kind": kind,
            "channel": channel,
            "verification": verification_method,
        },
    )
    return request


@transaction.atomic
def privacy_request_assign(
    *, request: PrivacyRequest, staff: User, assignee: User | None
) -> PrivacyRequest:
    request = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == PrivacyRequest.Status.CLOSED:
        raise ValidationError(_("Henvendelsen er avsluttet."))
    request.assigned_to = assignee
    request.save(update_fields=["assigned_to"])
    audit_log(
        action="privacy.request.assigned",
        actor=Actor.user(staff),
        target=request,
        data={"reference": request.reference, "assignee": assignee.pk if assignee else None},
    )
    return request


@transaction.atomic
def privacy_request_extend(
    *, request: PrivacyRequest, staff: User, months: int, reason: str
) -> PrivacyRequest:
    """Extend the deadline (art. 12(3)): by at most two months in all, with a reason that
    the person is told, and only before the current deadline has passed."""

    request = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    _require_open(request)
    errors: dict[str, str] = {}
    reason = reason.strip()
    if not reason:
        errors["reason"] = _(
            "Skriv hvorfor fristen må forlenges; begrunnelsen sendes til personen."
        )
    elif len(reason) > 2000:
        errors["reason"] = _("Begrunnelsen er for lang (høyst 2000 tegn).")
    if not isinstance(months, int) or months < 1:
        errors["months"] = _("Velg en eller to måneder.")
    elif request.extension_months + months > MAX_EXTENSION_MONTHS:
        errors["months"] = _("Fristen kan forlenges med høyst to måneder til sammen.")
    if errors:
        raise ValidationError(errors)
    if request.deadline < timezone.localdate():
        raise ValidationError(_("Fristen er allerede passert; den kan ikke forlenges nå."))
    request.extension_months += months
    request.extension_reason = "\n".join(filter(None, [request.extension_reason, reason]))
    request.deadline = _deadline_for(request, request.extension_months)
    request.status = PrivacyRequest.Status.EXTENDED
    request.save(update_fields=["extension_months", "extension_reason", "deadline", "status"])
    audit_log(
        action="privacy.request.extended",
        actor=Actor.user(staff),
        target=request,
        data={"reference": request.reference, "months": months, "deadline": str(request.deadline)},
    )
    outbox_enqueue(
        task="privacy.tasks.privacy_request_extended_email_task", args=[request.pk, reason]
    )
    return request


@transaction.atomic
def privacy_request_export(*, request: PrivacyRequest, staff: User) -> DataExport:
    """Access or portability: the same export the person can make on the privacy pages."""

    request = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    _require_open(request)
    if request.kind not in (PrivacyRequest.Kind.ACCESS, PrivacyRequest.Kind.PORTABILITY):
        raise ValidationError(_("Eksport gjelder bare krav om innsyn og dataportabilitet."))
    subject = _subject_user(request)
    if subject is None:
        raise ValidationError(
            _("Ingen konto har denne e-postadressen; svar personen med det vi har av opplysninger.")
        )
    export = DataExport.objects.create(
        user=subject, expires_at=timezone.now() + datetime.timedelta(days=EXPORT_VALID_DAYS)
    )
    audit_log(
        action="privacy.export.requested",
        actor=Actor.user(staff),
        target=export,
        data={"reference": request.reference},
    )
    outbox_enqueue(task="privacy.tasks.export_build_task", args=[str(export.pk)])
    return export


@transaction.atomic
def privacy_request_erase(
    *, request: PrivacyRequest, staff: User, close_companies: bool = False
) -> None:
    """Erasure: the same erasure as self-service, unless a legal hold keeps the data."""
    from backoffice.selectors import has_legal_hold

    request = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    _require_open(request)
    if request.kind != PrivacyRequest.Kind.ERASURE:
        raise ValidationError(_("Sletting gjelder bare krav om sletting."))
    subject = _subject_user(request)
    if subject is None or not subject.is_active:
        raise ValidationError(_("Ingen aktiv konto har denne e-postadressen."))
    if has_legal_hold(person=subject):
        raise ValidationError(
            _(
                "En åpen tvist holder på opplysningene (personvernforordningen art. 17 nr. 3 e). "
                "Svar personen at de slettes når saken er avsluttet."
            )
        )
    audit_log(
        action="privacy.request.erasure_run",
        actor=Actor.user(staff),
        target=request,
        data={"reference": request.reference, "close_companies": close_companies},
    )
    user_erase(user=subject, close_companies=close_companies, actor=Actor.user(staff))


@transaction.atomic
def privacy_request_close(*, request: PrivacyRequest, staff: User, response: str) -> PrivacyRequest:
    """Answer and close; the answer is e-mailed to the person."""

    request = PrivacyRequest.objects.select_for_update().get(pk=request.pk)
    _require_open(request)
    response = clean_message(response)
    if not response:
        raise ValidationError({"response": _("Skriv svaret til personen.")})
    request.outcome = response
    request.status = PrivacyRequest.Status.CLOSED
    request.closed_at = timezone.now()
    request.save(update_fields=["outcome", "status", "closed_at"])
    audit_log(
        action="privacy.request.closed",
        actor=Actor.user(staff),
        target=request,
        data={"reference": request.reference},
    )
    outbox_enqueue(task="privacy.tasks.privacy_request_closed_email_task", args=[request.pk])
    return request
