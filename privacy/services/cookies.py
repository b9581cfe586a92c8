"""A browser's cookie choice, recorded in the consent ledger."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction

from privacy.models import (
    ConsentPurpose,
)
from privacy.services.consents import _consent_record

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def cookie_choice_save(
    *, visitor_id: str, functional: bool, analytics: bool, user: User | None = None, channel: str
) -> None:
    """A browser's cookie choice, keyed by its visitor id and linked to a logged-in user."""
    from privacy.cookies import COOKIE_POLICY_VERSION

    for purpose, given in (
        (ConsentPurpose.COOKIE_FUNCTIONAL, functional),
        (ConsentPurpose.COOKIE_ANALYTICS, analytics),
    ):
        _consent_record(
            purpose=purpose,
            given=given,
            channel=channel,
            user=user,
            visitor_id=visitor_id,
            text_version=COOKIE_POLICY_VERSION,
        )
