"""Privacy inventory for the api app (autodiscovered by ``privacy``).

- ``ApiToken.created_by`` says which person made a company's key. On erasure of that
  person the link is cleared; the token itself belongs to the company and stays.
- ``IdempotencyRecord`` keeps, for 24 hours, who sent a request (``caller`` is
  ``user:<id>`` for the web session, ``token:<id>`` for a key) and the response, which may
  hold a copy of a client's data. A person's records are deleted on erasure; all records
  are purged hourly once their key has expired (``api.tasks``). The retention rule
  "account" is the upper bound the inventory offers; in practice it is 24 hours.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.personal_data.inventory import Category as C
from core.personal_data.inventory import Erasure, PersonalField, register

if TYPE_CHECKING:
    from accounts.models import User


def _idempotency_records_for(user: User) -> QuerySet[Any]:
    model = apps.get_model("api.IdempotencyRecord")
    return model._default_manager.filter(caller=f"user:{user.pk}")


register(
    "api.ApiToken",
    personal={
        "created_by": PersonalField(
            C.CUSTOMER_HISTORY,
            purpose="account_security",
            source="system",
            retention="account",
            erase_to=None,
            label=_("API-nøkler du har laget"),
        ),
    },
    non_personal=[
        "company",
        "label",
        "key_prefix",
        "key_hash",
        "created_at",
        "last_used_at",
        "revoked_at",
    ],
    subject="created_by",
    erasure=Erasure.ANONYMISE,
)
register(
    "api.IdempotencyRecord",
    personal={
        "caller": PersonalField(
            C.WEB_ACTIVITY,
            purpose="customer_relationship",
            source="system",
            retention="account",
            label=_("Forespørsler til API-et (lagres i 24 timer)"),
        ),
        "response_body": PersonalField(
            C.WEB_ACTIVITY,
            purpose="customer_relationship",
            source="system",
            retention="account",
            label=_("Svar på forespørsler til API-et (lagres i 24 timer)"),
        ),
    },
    non_personal=[
        "company",
        "key",
        "method",
        "path",
        "request_hash",
        "response_status",
        "response_location",
        "created_at",
    ],
    subject=_idempotency_records_for,
    erasure=Erasure.DELETE,
)


def _register_handlers() -> None:
    from core.personal_data.handlers import Action, Handler, register_handler

    register_handler(
        Handler(
            key="api_access",
            title=_("API-nøkler og gjentatte API-kall"),
            data=_("Hvem som laget en API-nøkkel, og svar på API-kall som kan gjentas"),
            models=(
                "api.ApiToken",
                "api.IdempotencyRecord",
            ),
            categories=(C.WEB_ACTIVITY,),
            retention="account",
            action=Action.DELETE,
            legal_basis=_("Avtale med deg (personvernforordningen art. 6 nr. 1 b)"),
        )
    )


_register_handlers()
