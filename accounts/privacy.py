"""Privacy inventory for log-in records kept by django-axes (autodiscovered by ``privacy``).

The account's own models are declared in ``privacy/privacy.py``. django-axes stores, for
failed and successful log-ins, the e-mail address typed, the IP address and the browser:
personal data about the person logging in, kept 90 days and erased with the account.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.personal_data.inventory import Category as C
from core.personal_data.inventory import DataSubject, Erasure, PersonalField, register

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import User


def _f(label: StrOrPromise) -> PersonalField:
    return PersonalField(
        C.WEB_ACTIVITY,
        purpose="account_security",
        source="system",
        retention="login_records",
        label=label,
    )


def _by_username(label: str) -> Callable[[User], QuerySet[Any]]:
    def rows(user: User) -> QuerySet[Any]:
        return apps.get_model(label)._default_manager.filter(username__iexact=user.email)

    return rows


COMMON = {
    "username": _f(_("E-postadresse brukt ved innlogging")),
    "ip_address": _f(_("IP-adresse")),
    "user_agent": _f(_("Nettleser")),
    "attempt_time": _f(_("Tidspunkt")),
}
NON_PERSONAL = ["http_accept", "path_info"]

register(
    "axes.AccessAttempt",
    personal={
        **COMMON,
        "failures_since_start": _f(_("Mislykkede innlogginger på rad")),
        # Axes may store the form's fields; passwords are masked by axes itself.
        "get_data": _f(_("Data i forespørselen")),
        "post_data": _f(_("Data i skjemaet")),
    },
    non_personal=NON_PERSONAL,
    subject=_by_username("axes.AccessAttempt"),
    data_subjects=(DataSubject.USERS, DataSubject.VISITORS),
    erasure=Erasure.DELETE,
)
register(
    "axes.AccessFailureLog",
    personal={**COMMON, "locked_out": _f(_("Utestengt"))},
    non_personal=NON_PERSONAL,
    subject=_by_username("axes.AccessFailureLog"),
    data_subjects=(DataSubject.USERS, DataSubject.VISITORS),
    erasure=Erasure.DELETE,
)
register(
    "axes.AccessLog",
    personal={**COMMON, "logout_time": _f(_("Logget ut"))},
    non_personal=[*NON_PERSONAL, "session_hash"],
    subject=_by_username("axes.AccessLog"),
    data_subjects=(DataSubject.USERS, DataSubject.VISITORS),
    erasure=Erasure.DELETE,
)
register(
    "axes.AccessAttemptExpiration",
    personal={},
    non_personal=["access_attempt", "expires_at"],
)


def _register_handlers() -> None:
    from accounts import retention
    from core.personal_data.handlers import Action, Handler, register_handler

    register_handler(
        Handler(
            key="login_records",
            title=_("Innloggingsforsøk og innlogginger"),
            data=_("E-postadressen som ble brukt, IP-adresse, nettleser og tidspunkt"),
            models=retention.AXES_MODELS,
            categories=(C.WEB_ACTIVITY,),
            retention="login_records",
            action=Action.DELETE,
            legal_basis=_("Sikkerhet (personvernforordningen art. 32)"),
            targets=retention.login_record_targets,
            order=15,
        )
    )


_register_handlers()
