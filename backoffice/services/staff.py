"""Staff: create and change profiles, four-eyes grants on personal data, elevated sessions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from backoffice import permissions
from backoffice.models import (
    ADVISER_ROLES,
    ElevatedSession,
    StaffGrantRequest,
    StaffProfile,
    StaffRole,
)
from backoffice.services.common import _max_length, _require
from core.audit import Actor, audit_log


def _clean_staff(
    roles: Iterable[str],
    valid_until: datetime.date | None,
    granted_categories: Iterable[str],
    *,
    active: bool = True,
) -> tuple[list[str], datetime.date | None, list[str]]:
    roles = sorted(set(roles))
    granted = sorted(set(granted_categories))
    errors: dict[str, str] = {}
    if not roles:
        errors["roles"] = _("Velg minst én rolle.")
    unknown = [r for r in roles if r not in StaffRole.values]
    if unknown:
        errors["roles"] = _("Ukjent rolle.")
    advisers = [r for r in roles if r in ADVISER_ROLES]
    if advisers and len(advisers) != len(roles):
        errors["roles"] = _("En ekstern rådgiver kan ikke også ha en intern rolle.")
    if advisers and not errors:
        if valid_until is None:
            errors["valid_until"] = _("En ekstern rådgiver må ha en sluttdato for tilgangen.")
        elif active and valid_until < timezone.localdate():
            errors["valid_until"] = _("Sluttdatoen kan ikke være passert.")
        ceiling = {c for r in advisers for c in permissions.grantable_categories(r)}
        outside = [c for c in granted if c not in ceiling]
        if not granted:
            errors["granted_categories"] = _("Velg hvilke kategorier rådgiveren skal se.")
        elif outside:
            errors["granted_categories"] = _("Rollen kan ikke få tilgang til: %(categories)s.") % {
                "categories": ", ".join(permissions.category_label(c) for c in outside)
            }
    elif not advisers and granted:
        errors["granted_categories"] = _(
            "Bare eksterne rådgivere får tildelt kategorier; interne roller følger matrisen."
        )
    if errors:
        raise ValidationError(errors)
    return roles, valid_until, granted


def _self_grant_error() -> ValidationError:
    return ValidationError(
        {"roles": _("Du kan ikke endre dine egne roller; be en annen administrator.")},
        code="self",
    )


def _grant_elevation(actor: Actor, elevation: ElevatedSession | None) -> ElevatedSession:
    """The granting administrator's running elevated session, or a ``ValidationError``.

    Roles that open personal data are granted only inside an elevated session: the grant
    is then tied to a stated reason in the audit log and the other administrators are told.
    """
    if elevation is None or elevation.user_id != actor.id or not elevation.is_active():
        raise ValidationError(
            {
                "roles": _(
                    "Roller som gir tilgang til personopplysninger kan bare tildeles i en "
                    "utvidet økt med begrunnelse. Start utvidet tilgang først."
                )
            },
            code="elevation_required",
        )
    return elevation


def _administrators(*, excluding: Iterable[int]) -> list[StaffProfile]:
    # Staff is a handful of people; the role list is JSON, so filter the roles here.
    return [
        other
        for other in StaffProfile.objects.filter(is_active=True, user__is_active=True)
        .exclude(user_id__in=list(excluding))
        .select_related("user")
        if StaffRole.ADMINISTRATOR in other.roles
    ]


def _notify_administrators(*, actor: Actor, grant: StaffGrantRequest) -> None:
    """E-mail every other active administrator: a grant that opens personal data waits
    for one of them (not the requester, not the person) to approve it."""
    from accounts.emails import absolute_url, queue_email

    labels = [permissions.category_label(c) for c in sorted(grant.opens)]
    for other in _administrators(excluding=[grant.requested_by_id]):
        queue_email(
            to=other.user.email,
            template="staff_grant",
            language=other.user.language or settings.LANGUAGE_CODE,
            folder="backoffice/email",
            context={
                "recipient": other.user,
                "actor": actor.label,
                "person": grant.profile.user,
                "roles": grant.role_labels(),
                "categories": labels,
                "reason": grant.reason,
                "url": absolute_url(reverse("backoffice:staff_list")),
            },
        )


def _access(profile: StaffProfile) -> dict[str, Any]:
    return {
        "roles": sorted(profile.roles),
        "valid_until": str(profile.valid_until or ""),
        "granted_categories": sorted(profile.granted_categories or []),
        "is_active": profile.is_active,
    }


def _grant_request(
    *,
    actor: Actor,
    profile: StaffProfile,
    roles: list[str],
    valid_until: datetime.date | None,
    granted: list[str],
    opens: Iterable[str],
    elevation: ElevatedSession,
) -> StaffGrantRequest:
    """Record the change as pending (four-eyes); audit it and tell the other administrators."""
    if StaffGrantRequest.objects.filter(
        profile=profile, status=StaffGrantRequest.Status.PENDING
    ).exists():
        raise ValidationError(
            {
                "roles": _(
                    "En endring av tilgangen til denne personen venter allerede på godkjenning. "
                    "Få den godkjent eller avvist først."
                )
            },
            code="pending",
        )
    grant = StaffGrantRequest.objects.create(
        profile=profile,
        roles=roles,
        granted_categories=granted,
        valid_until=valid_until,
        opens=sorted(opens),
        before=_access(profile),
        reason=elevation.reason,
        # The actor's own elevated session (_grant_elevation): the actor is this user.
        requested_by_id=elevation.user_id,
    )
    audit_log(
        action="backoffice.staff.grant_requested",
        actor=actor,
        target=profile,
        data={
            "grant": grant.pk,
            "before": grant.before,
            "roles": roles,
            "valid_until": str(valid_until or ""),
            "granted_categories": granted,
            "opens_personal_data": grant.opens,
            "elevation": elevation.pk,
            "reason": elevation.reason,
        },
    )
    _notify_administrators(actor=actor, grant=grant)
    return grant


def staff_pending_grant(*, profile: StaffProfile) -> StaffGrantRequest | None:
    return StaffGrantRequest.objects.filter(
        profile=profile, status=StaffGrantRequest.Status.PENDING
    ).first()


def _decide_grant(*, actor: Actor, grant: StaffGrantRequest) -> StaffGrantRequest:
    grant = StaffGrantRequest.objects.select_for_update().select_related("profile").get(pk=grant.pk)
    if grant.status != StaffGrantRequest.Status.PENDING:
        raise ValidationError(_("Forespørselen er allerede avgjort."), code="decided")
    if actor.id in (grant.requested_by_id, grant.profile.user_id):
        raise ValidationError(
            _(
                "En annen administrator enn den som ba om tilgangen, og enn personen selv, "
                "må avgjøre forespørselen."
            ),
            code="four_eyes",
        )
    if not any(a.user_id == actor.id for a in _administrators(excluding=[])):
        raise ValidationError(_("Bare administratorer avgjør tilgang."), code="not_admin")
    return grant


def _notify_requester(*, actor: Actor, grant: StaffGrantRequest) -> None:
    from accounts.emails import absolute_url, queue_email

    requester = grant.requested_by
    queue_email(
        to=requester.email,
        template="staff_grant_decided",
        language=requester.language or settings.LANGUAGE_CODE,
        folder="backoffice/email",
        context={
            "recipient": requester,
            "actor": actor.label,
            "person": grant.profile.user,
            "approved": grant.status == StaffGrantRequest.Status.APPROVED,
            "url": absolute_url(reverse("backoffice:staff_list")),
        },
    )


@transaction.atomic
def staff_grant_approve(*, actor: Actor, grant: StaffGrantRequest) -> StaffProfile:
    """A second administrator approves a pending grant: the access changes now."""
    grant = _decide_grant(actor=actor, grant=grant)
    profile = (
        StaffProfile.objects.select_for_update().select_related("user").get(pk=grant.profile_id)
    )
    if _access(profile) != grant.before:
        raise ValidationError(
            _("Tilgangen er endret siden forespørselen ble laget. Avvis den og be om ny."),
            code="stale",
        )
    now = timezone.now()
    profile.roles = grant.roles
    profile.granted_categories = grant.granted_categories
    profile.valid_until = grant.valid_until
    profile.is_active = True
    profile.save()
    if not profile.user.is_staff:
        profile.user.is_staff = True
        profile.user.save(update_fields=["is_staff"])
    grant.status = StaffGrantRequest.Status.APPROVED
    grant.decided_by_id = actor.id
    grant.decided_at = now
    grant.save(update_fields=["status", "decided_by", "decided_at"])
    audit_log(
        action="backoffice.staff.grant_approved",
        actor=actor,
        target=profile,
        data={
            "grant": grant.pk,
            "requested_by": grant.requested_by_id,
            "before": grant.before,
            "after": _access(profile),
            "opens_personal_data": grant.opens,
            "reason": grant.reason,
        },
    )
    _notify_requester(actor=actor, grant=grant)
    return profile


@transaction.atomic
def staff_grant_reject(*, actor: Actor, grant: StaffGrantRequest) -> StaffGrantRequest:
    """A second administrator turns a pending grant down; the access stays as it was."""
    grant = _decide_grant(actor=actor, grant=grant)
    grant.status = StaffGrantRequest.Status.REJECTED
    grant.decided_by_id = actor.id
    grant.decided_at = timezone.now()
    grant.save(update_fields=["status", "decided_by", "decided_at"])
    audit_log(
        action="backoffice.staff.grant_rejected",
        actor=actor,
        target=grant.profile,
        data={"grant": grant.pk, "requested_by": grant.requested_by_id, "roles": grant.roles},
    )
    _notify_requester(actor=actor, grant=grant)
    return grant


@transaction.atomic
def staff_create(
    *,
    actor: Actor,
    email: str,
    full_name: str,
    roles: Iterable[str],
    valid_until: datetime.date | None = None,
    granted_categories: Iterable[str] = (),
    elevation: ElevatedSession | None = None,
) -> StaffProfile:
    """Make a person staff (a new account without password, or an existing account).

    Roles that open personal-data categories need ``elevation``, the actor's running
    elevated session (the reason), and then wait for a second administrator
    (``staff_grant_approve``): the profile is created without access meanwhile, and the
    other administrators are e-mailed.
    """
    email = _require(email, "email", _("Oppgi e-postadressen.")).lower()
    roles, valid_until, granted = _clean_staff(roles, valid_until, granted_categories)
    user = User.objects.filter(email__iexact=email).first()
    if user is not None and user.pk == actor.id:
        raise _self_grant_error()
    reach = permissions.personal_reach(roles, granted, valid_until)
    if reach:
        elevation = _grant_elevation(actor, elevation)
    if user is None:
        full_name = _require(full_name, "full_name", _("Oppgi navnet."))
        user = User.objects.create_user(email=email, password=None, full_name=full_name)
    elif StaffProfile.objects.filter(user=user).exists():
        raise ValidationError({"email": _("Personen er allerede registrert som ansatt.")})
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    # Access that opens personal data waits for a second administrator: until then the
    # profile exists without any access (inactive, no roles).
    profile = StaffProfile.objects.create(
        user=user,
        roles=[] if reach else roles,
        valid_until=None if reach else valid_until,
        granted_categories=[] if reach else granted,
        is_active=not reach,
    )
    audit_log(
        action="backoffice.staff.created",
        actor=actor,
        target=profile,
        data={
            "user": user.pk,
            "roles": profile.roles,
            "valid_until": str(profile.valid_until or ""),
            "granted_categories": profile.granted_categories,
            "awaiting_approval": bool(reach),
        },
    )
    if reach and elevation is not None:
        _grant_request(
            actor=actor,
            profile=profile,
            roles=roles,
            valid_until=valid_until,
            granted=granted,
            opens=reach,
            elevation=elevation,
        )
    return profile


@transaction.atomic
def staff_update(
    *,
    actor: Actor,
    profile: StaffProfile,
    roles: Iterable[str],
    valid_until: datetime.date | None = None,
    granted_categories: Iterable[str] = (),
    is_active: bool = True,
    elevation: ElevatedSession | None = None,
) -> StaffProfile:
    """Change a staff member's roles; nobody changes their own.

    Adding access to personal-data categories needs ``elevation`` and becomes a pending
    grant that a second administrator approves (see ``staff_create``); nothing changes now.
    """
    profile = StaffProfile.objects.select_for_update().get(pk=profile.pk)
    if actor.id == profile.user_id and (not is_active or StaffRole.ADMINISTRATOR not in set(roles)):
        raise ValidationError(
            {"roles": _("Du kan ikke fjerne din egen administratortilgang.")}, code="self"
        )
    roles, valid_until, granted = _clean_staff(
        roles, valid_until, granted_categories, active=is_active
    )
    if actor.id == profile.user_id and (
        roles != sorted(profile.roles)
        or granted != sorted(profile.granted_categories or [])
        or valid_until != profile.valid_until
    ):
        raise _self_grant_error()
    added = (
        permissions.personal_reach(roles, granted, valid_until)
        - permissions.personal_reach(
            profile.roles, profile.granted_categories or [], profile.valid_until
        )
        if is_active
        else frozenset()
    )
    if added:
        elevation = _grant_elevation(actor, elevation)
        # Four-eyes: nothing changes until another administrator approves.
        _grant_request(
            actor=actor,
            profile=profile,
            roles=roles,
            valid_until=valid_until,
            granted=granted,
            opens=added,
            elevation=elevation,
        )
        return profile
    before = {
        "roles": profile.roles,
        "valid_until": str(profile.valid_until or ""),
        "granted_categories": profile.granted_categories,
        "is_active": profile.is_active,
    }
    profile.roles = roles
    profile.valid_until = valid_until
    profile.granted_categories = granted
    profile.is_active = is_active
    profile.save()
    user = profile.user
    if user.is_staff != is_active:
        user.is_staff = is_active
        user.save(update_fields=["is_staff"])
    audit_log(
        action="backoffice.staff.updated",
        actor=actor,
        target=profile,
        data={
            "before": before,
            "after": {
                "roles": roles,
                "valid_until": str(valid_until or ""),
                "granted_categories": granted,
                "is_active": is_active,
            },
        },
    )
    return profile


@transaction.atomic
def elevation_start(*, user: User, reason: str) -> ElevatedSession:
    """An administrator's time-limited access to personal data, with a stated reason."""
    profile = StaffProfile.objects.filter(user=user, is_active=True).first()
    if profile is None or StaffRole.ADMINISTRATOR not in profile.roles:
        raise ValidationError(_("Bare administratorer kan be om utvidet tilgang."))
    reason = _require(reason, "reason", _("Skriv hvorfor du trenger tilgang."))
    if len(reason) < 10:
        raise ValidationError({"reason": _("Begrunnelsen må være minst 10 tegn.")})
    _max_length(reason, "reason", 500)
    now = timezone.now()
    ElevatedSession.objects.filter(user=user, ended_at__isnull=True, expires_at__gt=now).update(
        ended_at=now
    )
    elevation = ElevatedSession.objects.create(
        user=user, reason=reason, started_at=now, expires_at=permissions.elevation_expires(now)
    )
    audit_log(
        action="backoffice.elevation.started",
        actor=Actor.user(user),
        target=elevation,
        data={"reason": reason, "expires_at": elevation.expires_at.isoformat()},
    )
    return elevation


@transaction.atomic
def elevation_end(*, elevation: ElevatedSession) -> ElevatedSession:
    if elevation.ended_at is None:
        elevation.ended_at = timezone.now()
        elevation.save(update_fields=["ended_at"])
        audit_log(
            action="backoffice.elevation.ended",
            actor=Actor.user(elevation.user),
            target=elevation,
        )
    return elevation
