"""The only code that changes users, companies and memberships."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import emails
from accounts.emails import absolute_url, queue_email
from accounts.models import Company, Invitation, Membership, Role, TermsAcceptance, User
from accounts.tokens import hash_invitation_token, new_invitation_token
from core.audit import Actor, audit_log, mask_tail

INVITATION_VALID_DAYS = 7
RECOVERY_CODE_COUNT = 10

# Company fields a manager may edit in the company settings.
# Where customers pay and whom invoices come from: changing them needs sudo mode, is
# e-mailed to every owner and audited with masked old and new values.
PAYMENT_DETAIL_FIELDS = ("bank_account", "iban", "bic", "email")

COMPANY_EDITABLE_FIELDS = (
    "name",
    "organization_number",
    "vat_registered",
    "in_foretaksregisteret",
    "address_line",
    "postcode",
    "city",
    "bank_account",
    "iban",
    "bic",
    "email",
    "phone",
    "website",
)


def _orgnr_taken_error() -> ValidationError:
    return ValidationError(
        {
            "organization_number": _(
                "Dette organisasjonsnummeret er allerede registrert hos oss. Be firmaets eier "
                "om en invitasjon i stedet for å registrere firmaet på nytt."
            )
        },
        code="orgnr_taken",
    )


def _email_taken_error(field: str = "email") -> ValidationError:
    return ValidationError(
        {field: _("Det finnes allerede en bruker med denne e-postadressen.")},
        code="email_taken",
    )


def email_in_use(*, email: str, exclude_user: User | None = None) -> bool:
    users = User.objects.filter(email__iexact=email.strip())
    if exclude_user is not None:
        users = users.exclude(pk=exclude_user.pk)
    return users.exists()


def orgnr_in_use(*, organization_number: str, exclude_company: Company | None = None) -> bool:
    companies = Company.objects.filter(organization_number=organization_number)
    if exclude_company is not None:
        companies = companies.exclude(pk=exclude_company.pk)
    return companies.exists()


# --- Users ------------------------------------------------------------------------


def user_set_language(*, user: User, language: str) -> User:
    user.language = language
    user.save(update_fields=["language"])
    return user


def _user_create(
    *, email: str, full_name: str, password: str, language: str, verified: bool
) -> User:
    if email_in_use(email=email):
        raise _email_taken_error()
    user = User(
        email=User.objects.normalize_email(email.strip()).lower(),
        full_name=full_name,
        language=language,
        email_verified_at=timezone.now() if verified else None,
    )
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    TermsAcceptance.objects.create(user=user, terms_version=settings.TERMS_VERSION)
    return user


def user_register(
    *,
    email: str,
    full_name: str,
    password: str,
    language: str,
    company_name: str,
    organization_number: str,
    vat_registered: bool,
    in_foretaksregisteret: bool,
    address_line: str,
    postcode: str,
    city: str,
    bank_account: str,
) -> User | None:
    """Sign-up: the person, their acceptance of the terms, and their company, or nothing.

    The verification e-mail is queued to go out after the commit. An address that already
    has an account is not revealed: nothing is created, the account's owner gets an e-mail
    instead (log in or reset the password), and the caller answers as for a new sign-up
    (``None`` is returned). A password is hashed either way, so both take about as long.
    """
    if orgnr_in_use(organization_number=organization_number):
        raise _orgnr_taken_error()
    existing = User.objects.filter(email__iexact=email.strip()).first()
    if existing is not None:
        make_password(password)  # the same work as a real sign-up
        _notify_signup_attempt(user=existing)
        return None
    try:
        with transaction.atomic():
            user = _user_create(
                email=email,
                full_name=full_name,
                password=password,
                language=language,
                verified=False,
            )
            audit_log(
                action="accounts.user.registered",
                actor=Actor.user(user),
                target=user,
                data={"terms_version": settings.TERMS_VERSION},
            )
            company_create(
                owner=user,
                name=company_name,
                organization_number=organization_number,
                vat_registered=vat_registered,
                in_foretaksregisteret=in_foretaksregisteret,
                address_line=address_line,
                postcode=postcode,
                city=city,
                bank_account=bank_account,
            )
            emails.queue_verification_email(user=user)
    except IntegrityError as exc:
        # Lost a race with a simultaneous sign-up for the same address or company.
        if orgnr_in_use(organization_number=organization_number):
            raise _orgnr_taken_error() from exc
        existing = User.objects.filter(email__iexact=email.strip()).first()
        if existing is None:
            raise
        _notify_signup_attempt(user=existing)
        return None
    return user


def _notify_signup_attempt(*, user: User) -> None:
    """Tell an account's owner that someone tried to sign up with their address."""
    if not user.is_active:
        return
    emails.queue_email(
        to=user.email,
        template="signup_existing",
        language=user.language or settings.LANGUAGE_CODE,
        context={
            "user": user,
            "login_url": emails.absolute_url(reverse("accounts:login")),
            "reset_url": emails.absolute_url(reverse("accounts:password_reset")),
        },
    )


@transaction.atomic
def user_verify_email(*, user: User) -> User:
    if user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        user.save(update_fields=["email_verified_at"])
        audit_log(action="accounts.user.email_verified", actor=Actor.user(user), target=user)
    return user


def user_send_verification(*, user: User) -> None:
    """Queue a fresh verification link, if the address still needs verifying."""
    if user.email_verified_at is None:
        emails.queue_verification_email(user=user)


def user_update_profile(*, user: User, full_name: str, phone: str, language: str) -> User:
    user.full_name = full_name
    user.phone = phone
    user.language = language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "phone", "language"])
    return user


@transaction.atomic
def user_change_email(*, user: User, email: str) -> User:
    """Change the login address; the new one must be verified again."""
    email = User.objects.normalize_email(email.strip()).lower()
    if email_in_use(email=email, exclude_user=user):
        raise _email_taken_error()
    old = user.email
    user.email = email
    user.email_verified_at = None
    user.full_clean(exclude=["password"])
    user.save(update_fields=["email", "email_verified_at"])
    audit_log(
        action="accounts.user.email_changed",
        actor=Actor.user(user),
        target=user,
        data={"old": old, "new": email},
    )
    emails.queue_verification_email(user=user)
    return user


@transaction.atomic
def user_change_password(*, user: User, password: str, via: str = "change") -> User:
    """Set a new password (``via`` is "change" or "reset").

    A reset proves the person reads the address, so it also counts as verification.
    """
    user.set_password(password)
    fields = ["password"]
    if via == "reset" and user.email_verified_at is None:
        user.email_verified_at = timezone.now()
        fields.append("email_verified_at")
    user.save(update_fields=fields)
    if via == "reset":
        # Whoever was locked out by failed logins has now proved who they are.
        axes_reset(username=user.email)
    audit_log(
        action="accounts.user.password_changed",
        actor=Actor.user(user),
        target=user,
        data={"via": via},
    )
    return user


def user_lockout_notify(*, username: str, ip_address: str | None = None) -> bool:
    """E-mail the owner of a locked account, once per cool-off, with an unlock link.

    Called when django-axes locks a log-in (``accounts.receivers``). Nothing happens for an
    address without an account (the log-in page says the same either way).
    """
    from django.core.cache import cache

    user = User.objects.filter(email__iexact=username.strip(), is_active=True).first()
    if user is None:
        return False
    window = int(settings.AXES_COOLOFF_TIME * 3600)
    if not cache.add(f"accounts:lockout-mail:{user.pk}", 1, timeout=window):
        return False
    emails.queue_lockout_email(user=user)
    audit_log(
        action="accounts.user.locked_out",
        actor=Actor.system("axes"),
        target=user,
        data={"ip_address": ip_address or ""},
    )
    return True


@transaction.atomic
def user_unlock(*, user: User) -> User:
    """Lift every log-in lock on the account (all addresses): the unlock link was used."""
    axes_reset(username=user.email)
    audit_log(action="accounts.user.unlocked", actor=Actor.user(user), target=user)
    return user


def user_request_password_reset(*, email: str) -> None:
    """Queue the reset work for ``email`` whether or not it has an account.

    The request does the same work either way (no look-up, no rendering), so neither the
    answer nor its timing tells whether the address is registered; the task looks it up.
    """
    from core.outbox import outbox_enqueue

    outbox_enqueue(task="accounts.tasks.password_reset_email", kwargs={"email": email.strip()})


def user_send_password_reset(*, email: str) -> bool:
    """Send a reset link if an active user has this address (in the task). A user without
    a password yet (a back-office administrator made by ``backoffice_setup``, a staff
    member) sets their first one this way."""
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        return False
    emails.queue_password_reset_email(user=user)
    return True


# --- Two-factor authentication ------------------------------------------------------


def two_factor_pending_device(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled, created on first use."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Autentiseringsapp", confirmed=False)
    return device


def _new_recovery_codes(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Gjenopprettingskoder", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def two_factor_enable(*, user: User, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the enrolled device with a code from the app; return the recovery codes."""
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
    if device.confirmed:
        raise ValidationError(_("Tofaktorautentisering er allerede slått på."))
    if not device.verify_token(code.strip().replace(" ", "")):
        raise ValidationError(
            {"code": _("Koden stemmer ikke. Sjekk klokken på telefonen og prøv en ny kode.")}
        )
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user=user)
    audit_log(action="accounts.two_factor.enabled", actor=Actor.user(user), target=user)
    return codes


@transaction.atomic
def two_factor_regenerate_recovery_codes(*, user: User) -> list[str]:
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        raise ValidationError(_("Tofaktorautentisering er ikke slått på."))
    codes = _new_recovery_codes(user=user)
    audit_log(
        action="accounts.two_factor.recovery_codes_regenerated",
        actor=Actor.user(user),
        target=user,
    )
    return codes


@transaction.atomic
def two_factor_disable(*, user: User) -> None:
    blocking = [
        m.company.name
        for m in Membership.objects.filter(user=user, company__require_two_factor=True)
        .select_related("company")
        .order_by("company__name")
    ]
    if blocking:
        raise ValidationError(
            _(
                "Tofaktorautentisering kan ikke slås av fordi disse firmaene krever det: "
                "%(companies)s."
            ),
            params={"companies": ", ".join(blocking)},
        )
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    audit_log(action="accounts.two_factor.disabled", actor=Actor.user(user), target=user)


# --- Companies ----------------------------------------------------------------------


@transaction.atomic
def company_create(
    *,
    owner: User,
    name: str,
    organization_number: str,
    vat_registered: bool,
    in_foretaksregisteret: bool,
    address_line: str,
    postcode: str,
    city: str,
    bank_account: str,
    country: str = "NO",
    actor: Actor | None = None,
) -> Company:
    company = Company(
        name=name,
        organization_number=organization_number,
        vat_registered=vat_registered,
        in_foretaksregisteret=in_foretaksregisteret,
        address_line=address_line,
        postcode=postcode,
        city=city,
        country=country,
        bank_account=bank_account,
    )
    company.full_clean()
    company.save()
    Membership.objects.create(user=owner, company=company, role=Role.OWNER)
    audit_log(
        action="accounts.company.created",
        actor=actor or Actor.user(owner),
        company=company,
        target=company,
        data={"name": name, "organization_number": organization_number},
    )
    return company


@transaction.atomic
def company_update(
    *,
    company: Company,
    actor_membership: Membership,
    require_two_factor: bool | None = None,
    **values: Any,
) -> Company:
    """Change the company's data; only an owner may change ``require_two_factor``."""
    unknown = set(values) - set(COMPANY_EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"company_update got unknown fields: {sorted(unknown)}")
    if actor_membership.company_id != company.pk or not actor_membership.can_manage:
        raise ValidationError(_("Du kan ikke endre dette firmaet."))
    if "organization_number" in values and orgnr_in_use(
        organization_number=values["organization_number"], exclude_company=company
    ):
        raise ValidationError(
            {"organization_number": _("Et annet firma er allerede registrert med dette nummeret.")}
        )
    # The stored row: a bound ModelForm has already written the new values on ``company``.
    stored = Company.objects.select_for_update().get(pk=company.pk)
    before = {field: getattr(stored, field) for field in COMPANY_EDITABLE_FIELDS}
    changes: dict[str, Any] = {}
    for field, value in values.items():
        if before[field] != value:
            changes[field] = value
            setattr(company, field, value)
    if require_two_factor is not None and require_two_factor != company.require_two_factor:
        if not actor_membership.is_owner:
            raise ValidationError(_("Bare en eier kan kreve tofaktorautentisering."))
        changes["require_two_factor"] = require_two_factor
        company.require_two_factor = require_two_factor
    if not changes:
        return company
    company.full_clean()
    company.save()
    actor = Actor.user(actor_membership.user)
    payment = {f: (before[f], changes[f]) for f in PAYMENT_DETAIL_FIELDS if f in changes}
    data: dict[str, Any] = {"changed": sorted(changes)}
    if payment:
        data["payment_details"] = payment_details_notify(
            company=company, actor=actor, changes=payment
        )
    audit_log(
        action="accounts.company.updated",
        actor=actor,
        company=company,
        target=company,
        data=data,
    )
    return company


def payment_details_changing(*, company: Company, values: dict[str, Any]) -> bool:
    """True if ``values`` would change where customers pay or whom invoices come from.

    Compared with the stored row (a bound ModelForm has already written its values onto
    the instance it was given).
    """
    fields = [f for f in PAYMENT_DETAIL_FIELDS if f in values]
    if not fields or company.pk is None:
        return False
    stored = Company.objects.filter(pk=company.pk).values(*fields).get()
    return any((values[f] or "") != (stored[f] or "") for f in fields)


def payment_details_notify(
    *, company: Company, actor: Actor, changes: dict[str, tuple[Any, Any]]
) -> dict[str, dict[str, str]]:
    """E-mail every owner that payment details changed; the masked old/new values.

    Account numbers, IBAN and BIC show only their last four characters, the e-mail only its
    first letter and domain; KID settings (method, length) are not secret and are shown as
    they are. The caller puts the returned dict in its audit entry.
    """
    masked = {
        field: (
            {"before": mask_tail(str(old or "")), "after": mask_tail(str(new or ""))}
            if field in PAYMENT_DETAIL_FIELDS
            else {"before": str(old), "after": str(new)}
        )
        for field, (old, new) in changes.items()
    }
    labels = {
        "bank_account": _("Kontonummer"),
        "iban": "IBAN",
        "bic": "BIC",
        "email": _("E-post for faktura"),
        "kid_method": _("KID-metode"),
        "kid_length": _("KID-lengde"),
    }
    owners = (
        Membership.objects.filter(company=company, role=Role.OWNER, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    )
    for membership in owners:
        user = membership.user
        with translation.override(user.language or settings.LANGUAGE_CODE):
            rows = [
                {"label": str(labels.get(f, f)), **values} for f, values in sorted(masked.items())
            ]
        queue_email(
            to=user.email,
            template="payment_details_changed",
            language=user.language or settings.LANGUAGE_CODE,
            context={
                "user": user,
                "company": company.name,
                "actor": actor.label,
                "rows": rows,
                "url": absolute_url(reverse("company:settings")),
            },
        )
    return masked


# --- Members and invitations ----------------------------------------------------------


def _require_manager(actor_membership: Membership, company: Company) -> None:
    if actor_membership.company_id != company.pk or not actor_membership.can_manage:
        raise ValidationError(_("Bare eiere og administratorer kan administrere medlemmer."))


def _lock_owners(*, company: Company) -> list[Membership]:
    """Lock the company's owner rows, always first and in one order, so that two owners
    demoting each other at the same moment queue instead of deadlocking, and the
    last-owner check cannot be raced."""
    owners = Membership.objects.select_for_update().filter(company=company, role=Role.OWNER)
    return list(owners.order_by("pk"))


def _has_other_owner(owners: list[Membership], membership: Membership) -> bool:
    return any(owner.pk != membership.pk for owner in owners)


@transaction.atomic
def membership_change_role(
    *, actor_membership: Membership, membership: Membership, role: str
) -> Membership:
    """Owners may do anything but leave the company without an owner; admins can
    change admins, accountants and members, but neither make nor touch an owner."""
    company = membership.company
    _require_manager(actor_membership, company)
    if role not in Role.values:
        raise ValidationError({"role": _("Ukjent rolle.")})
    owners = _lock_owners(company=company)
    membership = Membership.objects.select_for_update().get(pk=membership.pk, company=company)
    if (role == Role.OWNER or membership.role == Role.OWNER) and not actor_membership.is_owner:
        raise ValidationError(_("Bare en eier kan gjøre noen til eier eller endre en eier."))
    if membership.role == role:
        return membership
    if membership.role == Role.OWNER and not _has_other_owner(owners, membership):
        raise ValidationError(
            _("Firmaet må ha minst én eier. Gjør en annen til eier før du endrer denne rollen.")
        )
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_log(
        action="accounts.member.role_changed",
        actor=Actor.user(actor_membership.user),
        company=company,
        target=membership,
        data={"user": membership.user.email, "old_role": old, "new_role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor_membership: Membership, membership: Membership) -> None:
    company = membership.company
    _require_manager(actor_membership, company)
    owners = _lock_owners(company=company)
    membership = Membership.objects.select_for_update().get(pk=membership.pk, company=company)
    if membership.role == Role.OWNER:
        if not actor_membership.is_owner:
            raise ValidationError(_("Bare en eier kan fjerne en eier."))
        if not _has_other_owner(owners, membership):
            raise ValidationError(_("Den siste eieren kan ikke fjernes fra firmaet."))
    audit_log(
        action="accounts.member.removed",
        actor=Actor.user(actor_membership.user),
        company=company,
        target=membership,
        data={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def invitation_create(
    *, actor_membership: Membership, email: str, role: str, language: str
) -> Invitation:
    """Invite someone by e-mail; the link's token is stored only as its SHA-256."""
    company = actor_membership.company
    _require_manager(actor_membership, company)
    email = User.objects.normalize_email(email.strip()).lower()
    if role not in Role.values:
        raise ValidationError({"role": _("Ukjent rolle.")})
    if role == Role.OWNER and not actor_membership.is_owner:
        raise ValidationError({"role": _("Bare en eier kan invitere en ny eier.")})
    if Membership.objects.filter(company=company, user__email__iexact=email).exists():
        raise ValidationError({"email": _("Denne personen er allerede medlem av firmaet.")})
    now = timezone.now()
    if Invitation.objects.filter(
        company=company,
        email__iexact=email,
        accepted_at=None,
        revoked_at=None,
        expires_at__gt=now,
    ).exists():
        raise ValidationError(
            {
                "email": _(
                    "Denne adressen har allerede en åpen invitasjon. Trekk den tilbake "
                    "først hvis du vil sende en ny."
                )
            }
        )
    token = new_invitation_token()
    invitation = Invitation(
        company=company,
        email=email,
        role=role,
        token_hash=hash_invitation_token(token),
        invited_by=actor_membership.user,
        expires_at=now + timedelta(days=INVITATION_VALID_DAYS),
    )
    invitation.full_clean()
    invitation.save()
    audit_log(
        action="accounts.invitation.sent",
        actor=Actor.user(actor_membership.user),
        company=company,
        target=invitation,
        data={"email": email, "role": role},
    )
    existing = User.objects.filter(email__iexact=email).first()
    emails.queue_invitation_email(
        invitation=invitation,
        token=token,
        language=existing.language if existing else language,
    )
    return invitation


@transaction.atomic
def invitation_revoke(*, actor_membership: Membership, invitation: Invitation) -> Invitation:
    company = invitation.company
    _require_manager(actor_membership, company)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk, company=company)
    if invitation.role == Role.OWNER and not actor_membership.is_owner:
        raise ValidationError(_("Bare en eier kan trekke tilbake en invitasjon som eier."))
    if not invitation.is_open:
        raise ValidationError(_("Invitasjonen er allerede brukt, trukket tilbake eller utløpt."))
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit_log(
        action="accounts.invitation.revoked",
        actor=Actor.user(actor_membership.user),
        company=company,
        target=invitation,
        data={"email": invitation.email},
    )
    return invitation


def invitation_find_open(*, token: str) -> Invitation | None:
    """The open invitation this link token belongs to, if any."""
    invitation = (
        Invitation.objects.filter(token_hash=hash_invitation_token(token))
        .select_related("company")
        .first()
    )
    if invitation is None or not invitation.is_open:
        return None
    return invitation


@transaction.atomic
def invitation_accept(
    *,
    token: str,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
    language: str = "nb",
) -> Membership:
    """Join the company: as ``user`` (who must own the invited address), or as a new
    person whose account is created here with the invited address, counted verified."""
    invitation = (
        Invitation.objects.select_for_update()
        .filter(token_hash=hash_invitation_token(token))
        .select_related("company")
        .first()
    )
    if invitation is None or not invitation.is_open:
        raise ValidationError(
            _("Invitasjonen er ugyldig, allerede brukt, trukket tilbake eller utløpt.")
        )
    if user is None:
        user = _user_create(
            email=invitation.email,
            full_name=full_name,
            password=password,
            language=language,
            verified=True,
        )
    else:
        if user.email.lower() != invitation.email.lower():
            raise ValidationError(_("Invitasjonen ble sendt til en annen e-postadresse."))
        if user.email_verified_at is None:
            # The link arrived at this address: that verifies it.
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at"])
    if Membership.objects.filter(company=invitation.company, user=user).exists():
        raise ValidationError(_("Du er allerede medlem av dette firmaet."))
    membership = Membership.objects.create(
        user=user, company=invitation.company, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    actor = Actor.user(user)
    audit_log(
        action="accounts.invitation.accepted",
        actor=actor,
        company=invitation.company,
        target=invitation,
        data={"email": invitation.email},
    )
    audit_log(
        action="accounts.member.added",
        actor=actor,
        company=invitation.company,
        target=membership,
        data={"user": user.email, "role": membership.role},
    )
    return membership


# --- Closing a company ---------------------------------------------------------------------
def company_require_open(*, company: Company) -> None:
    """Refuse new documents for a closed company (one rule, called by every document service).

    Read from the database: the caller's object may predate the closing."""
    if Company.objects.filter(pk=company.pk, closed_at__isnull=False).exists():
        raise ValidationError(
            _("%(company)s er avsluttet: det kan ikke lages nye fakturaer eller tilbud.")
            % {"company": company.name}
        )


@transaction.atomic
def company_close(*, company: Company, actor: Actor) -> Company:
    """Close a company: nobody can create documents for it any more, open invitations end.

    Its accounting records are kept until the bookkeeping deadline of the latest one
    (bokføringsloven § 13) and then anonymised by the retention engine, which treats a
    closed company as one that has left."""
    company = Company.objects.select_for_update().get(pk=company.pk)
    if company.closed_at is not None:
        return company
    company.closed_at = timezone.now()
    company.save(update_fields=["closed_at"])
    Invitation.objects.filter(
        company=company, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=company.closed_at)
    audit_log(action="accounts.company.closed", actor=actor, company=company, target=company)
    return company
