"""Erasers for models whose rows cannot simply be deleted or blanked field by field.

Each is called by ``services.user_erase`` inside its transaction, with the rows the
inventory found for the person and the person (a ``User``).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from django.contrib.auth.hashers import make_password
from django.db.models import Q, QuerySet
from django.utils import timezone

from core.models import AppendOnlyQuerySet

if TYPE_CHECKING:
    from accounts.models import User

REDACTED_LABEL = "[slettet]"


def anonymised_email(user: User) -> str:
    return f"slettet-{user.pk}@slettet.invalid"


def erase_user(rows: QuerySet, user: User) -> None:
    """Anonymise the account; the row stays so that history keeps a (nameless) author."""
    from django_otp import devices_for_user

    for device in devices_for_user(user, confirmed=None):
        device.delete()
    rows.model._default_manager.filter(pk=user.pk).update(
        email=anonymised_email(user),
        full_name="",
        phone="",
        password=make_password(None),
        email_verified_at=None,
        last_login=None,
        is_active=False,
        is_staff=False,
        is_superuser=False,
    )
    user.groups.clear()
    user.user_permissions.clear()


def erase_audit_entries(rows: QuerySet, user: User) -> None:
    """Redact the person from the audit log: the only change audit rows ever get.

    Rows the person made, rows about the person, and rows in the person's companies whose
    details mention the person's e-mail address lose their label and details; the action,
    the time and the (now anonymous) ids stay, so the control trail is intact.
    """
    from accounts.models import Membership
    from core.models import AuditEntry

    email = user.email.lower()
    company_ids = list(Membership.objects.filter(user=user).values_list("company_id", flat=True))
    direct = list(rows.values_list("pk", flat=True))
    mentioning = [
        pk
        for pk, data, label in AuditEntry.objects.filter(
            Q(company_id__in=company_ids) | Q(company__isnull=True), redacted_at__isnull=True
        ).values_list("pk", "data", "actor_label")
        if email and (email in json.dumps(data).lower() or label.lower() == email)
    ]
    AuditEntry.objects.filter(pk__in=set(direct) | set(mentioning)).filter(
        redacted_at__isnull=True
    )._redact(actor_label=REDACTED_LABEL, data={}, redacted_at=timezone.now())


def erase_consent_records(rows: QuerySet[Any], user: User) -> None:
    """Consent rows stay as (now anonymous) proof; the browser ids in them are removed."""
    if not isinstance(rows, AppendOnlyQuerySet):
        raise TypeError("Consent records are append-only; only _redact() may change them.")
    rows.filter(redacted_at__isnull=True)._redact(visitor_id="", redacted_at=timezone.now())


def erase_exports(rows: QuerySet, user: User) -> None:
    for export in rows:
        if export.file:
            export.file.delete(save=False)
    rows.delete()
