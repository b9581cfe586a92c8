"""The only code that changes API tokens and the idempotency store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from accounts.models import Company, User
from api.models import ApiToken, IdempotencyRecord
from api.tokens import display_prefix, hash_api_key, new_api_key
from core.audit import Actor, audit_log

LABEL_MAX_LENGTH: int = ApiToken._meta.get_field("label").max_length or 0
# last_used_at is written at most this often per token, not on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
IDEMPOTENCY_KEY_LIFETIME = timedelta(hours=24)


@dataclass(frozen=True)
class NewApiToken:
    token: ApiToken
    key: str  # the plain key: shown once, never stored


@transaction.atomic
def api_token_create(
    *, company: Company, label: str, actor: Actor, created_by: User | None = None
) -> NewApiToken:
    """Create a token for ``company``; the plain key is returned here and nowhere else."""
    label = (label or "").strip()
    if not label:
        raise ValidationError({"label": _("Gi nøkkelen et navn.")}, code="required")
    if len(label) > LABEL_MAX_LENGTH:
        raise ValidationError(
            {"label": _("Navnet kan ha høyst %(max)d tegn.") % {"max": LABEL_MAX_LENGTH}},
            code="max_length",
        )
    key = new_api_key()
    token = ApiToken.objects.create(
        company=company,
        label=label,
        key_prefix=display_prefix(key),
        key_hash=hash_api_key(key),
        created_by=created_by,
    )
    audit_log(
        action="api.token.created",
        actor=actor,
        company=company,
        target=token,
        data={"label": label, "prefix": token.key_prefix},
    )
    return NewApiToken(token=token, key=key)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Actor) -> ApiToken:
    """Revoke a token at once; revoking an already revoked token changes nothing."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked_at is not None:
        return token
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_log(
        action="api.token.revoked",
        actor=actor,
        company=token.company,
        target=token,
        data={"label": token.label, "prefix": token.key_prefix},
    )
    return token


def api_token_find_active(*, key: str) -> ApiToken | None:
    """The unrevoked token with this key, of any company (authentication looks it up)."""
    if not key or len(key) > 200:
        return None
    with scopes_disabled():
        return (
            ApiToken.objects.select_related("company")
            .filter(key_hash=hash_api_key(key), revoked_at=None)
            .first()
        )


def api_token_mark_used(*, token: ApiToken) -> None:
    """Record when the token was last used (coarsely: at most once a minute)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION:
        return
    with scopes_disabled():
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def idempotency_records_purge(*, now: datetime | None = None) -> int:
    """Delete stored responses older than the key lifetime, for every company."""
    cutoff = (now or timezone.now()) - IDEMPOTENCY_KEY_LIFETIME
    with scopes_disabled():
        deleted, _counts = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
