"""The audit log: one service writes it, inside the caller's transaction."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models

from core.models import AuditEntry
from core.request_context import current_request_id

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

_SECRET_KEY = re.compile(r"pass|secret|token|key|otp|code|signature|iban|kontonr", re.I)
MASK = "***"


@dataclass(frozen=True)
class Actor:
    """Who did something: a user, an API token, or the system itself."""

    kind: str
    id: int | None = None
    label: str = ""

    @classmethod
    def user(cls, user: AbstractBaseUser | AnonymousUser) -> Actor:
        """A person: takes ``request.user`` behind a login gate (an anonymous visitor
        never acts). The label is the user's login name, the e-mail address."""
        if not isinstance(user, AbstractBaseUser):
            raise TypeError("An anonymous visitor cannot be an audit actor.")
        return cls(kind=AuditEntry.ActorKind.USER, id=user.pk, label=user.get_username())

    @classmethod
    def api_token(cls, token: Any) -> Actor:
        return cls(kind=AuditEntry.ActorKind.API_TOKEN, id=token.pk, label=token.label)

    @classmethod
    def system(cls, label: str = "system") -> Actor:
        return cls(kind=AuditEntry.ActorKind.SYSTEM, label=label)


def mask_tail(value: str, *, keep: int = 4) -> str:
    """Show only the last ``keep`` characters: ``86011117947`` -> ``•••••••7947``.

    E-mail addresses keep their first letter and domain: ``k•••@nordlys.no``. Used where an
    audit entry or a notification names old and new payment details.
    """
    value = (value or "").strip()
    if not value:
        return ""
    if "@" in value:
        local, _, domain = value.rpartition("@")
        return f"{local[:1]}•••@{domain}"
    if len(value) <= keep:
        return "•" * len(value)
    return "•" * (len(value) - keep) + value[-keep:]


def mask_secrets(value: Any) -> Any:
    """Replace the values of secret-looking keys, at any depth."""
    if isinstance(value, dict):
        return {
            key: (MASK if _SECRET_KEY.search(str(key)) else mask_secrets(item))
            for key, item in value.items()
        }
    if isinstance(value, list | tuple):
        return [mask_secrets(item) for item in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return str(value)


def audit_log(
    *,
    action: str,
    actor: Actor,
    company: Any = None,
    target: models.Model | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Record ``action`` (a dotted code such as ``invoicing.invoice.issued``).

    Call it inside the transaction that makes the change, so both commit or neither.
    """
    return AuditEntry.objects.create(
        company=company,
        action=action,
        actor_kind=actor.kind,
        actor_id=actor.id,
        actor_label=actor.label,
        object_type=target._meta.label_lower if target is not None else "",
        object_id=str(target.pk) if target is not None else "",
        request_id=current_request_id(),
        data=mask_secrets(data or {}),
    )


@dataclass(frozen=True)
class AuditRecord:
    """One entry of ``audit_log_many``: the same fields as ``audit_log``'s."""

    action: str
    target: models.Model | None = None
    data: dict[str, Any] | None = None


def audit_log_many(
    *, actor: Actor, company: Any = None, records: list[AuditRecord], batch_size: int = 2000
) -> int:
    """Record many actions of one actor in bulk (a bulk service's entries: the same rows
    ``audit_log`` would write one by one, as plain rows: no model instance each). Targets
    must be saved already. Returns the number of entries written."""
    from core.bulk import insert_rows

    request_id = current_request_id()
    company_id = company.pk if company is not None else None
    kind, label = str(actor.kind), actor.label
    rows = [
        (
            company_id,
            record.action,
            kind,
            actor.id,
            label,
            record.target._meta.label_lower if record.target is not None else "",
            str(record.target.pk) if record.target is not None else "",
            request_id,
            mask_secrets(record.data or {}),
        )
        for record in records
    ]
    insert_rows(AuditEntry, _MANY_COLUMNS, rows, batch_size=batch_size)
    return len(rows)


_MANY_COLUMNS = (
    "company_id",
    "action",
    "actor_kind",
    "actor_id",
    "actor_label",
    "object_type",
    "object_id",
    "request_id",
    "data",
)
