"""Privacy inventory declarations for the back office (R2): every field of every model."""

from __future__ import annotations

from django.apps import apps
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from privacy.inventory import Category as C
from privacy.inventory import (
    Erasure,
    PersonalField,
    Retention,
    end_of_bookkeeping_period,
    register,
    register_retention,
)

register_retention(
    Retention(
        "access_log",
        _(
            "Tilgangsloggen bevares i 3 år som dokumentasjon på hvem som har sett "
            "opplysningene dine, deretter slettet"
        ),
        days=3 * 365,
    )
)
register_retention(
    Retention(
        "survey",
        _("Svaret ditt på kundeundersøkelsen: til kundeforholdet er avsluttet"),
    )
)

REDACTED = "[slettet]"


def _f(category: str, purpose: str, source: str, retention: str, **kw) -> PersonalField:
    return PersonalField(category, purpose=purpose, source=source, retention=retention, **kw)


def _rows(label: str, **filters) -> QuerySet:
    return apps.get_model(label)._default_manager.filter(**filters)


def _held(user) -> bool:
    from backoffice.selectors import has_legal_hold

    return has_legal_hold(person=user)


def _erase_interactions(rows: QuerySet, user) -> None:
    """Contacts with the person go, unless a legal hold keeps them (a dispute is open)."""
    if not _held(user):
        rows.delete()


def _erase_complaints(rows: QuerySet, user) -> None:
    """Complaints stay with the customer company, without the person, unless held."""
    if not _held(user):
        rows.update(person=None, description=REDACTED, resolution=REDACTED)


RELATIONSHIP = "customer_relationship"

# --- Staff (the operator's employees and advisers) ------------------------------------------
register(
    "backoffice.StaffProfile",
    personal={
        "roles": _f(C.ROLE, "account_security", "staff", "account", label=_("Roller hos oss")),
        "granted_categories": _f(
            C.ROLE, "account_security", "staff", "account", label=_("Tildelte datakategorier")
        ),
        "valid_until": _f(
            C.ROLE, "account_security", "staff", "account", label=_("Tilgang til og med")
        ),
        "is_active": _f(C.ROLE, "account_security", "staff", "account"),
    },
    non_personal=["user", "created_at", "updated_at"],
    subject="user",
    erasure=Erasure.DELETE,
)
register(
    "backoffice.ElevatedSession",
    personal={
        "reason": _f(
            C.WEB_ACTIVITY, "account_security", "self", "access_log", label=_("Begrunnelse")
        ),
        "started_at": _f(C.WEB_ACTIVITY, "account_security", "system", "access_log"),
        "expires_at": _f(C.WEB_ACTIVITY, "account_security", "system", "access_log"),
        "ended_at": _f(C.WEB_ACTIVITY, "account_security", "system", "access_log"),
    },
    non_personal=["user"],
    subject="user",
    erasure=Erasure.KEEP,
    keep_reason=_("Dokumentasjon på utvidet tilgang til personopplysninger, i 3 år"),
    keep_until=lambda user: None,
)
register(
    "backoffice.AccessLogEntry",
    personal={
        "customer": _f(
            C.EMPLOYER, "account_security", "system", "access_log", label=_("Firma som ble sett")
        ),
        "categories": _f(
            C.WEB_ACTIVITY,
            "account_security",
            "system",
            "access_log",
            label=_("Kategorier ansatte har sett"),
        ),
        "created_at": _f(
            C.WEB_ACTIVITY,
            "account_security",
            "system",
            "access_log",
            label=_("Tidspunkt ansatte så opplysningene"),
        ),
        "purpose": _f(
            C.WEB_ACTIVITY, "account_security", "system", "access_log", label=_("Formål")
        ),
        "reason": _f(
            C.WEB_ACTIVITY, "account_security", "staff", "access_log", label=_("Begrunnelse")
        ),
    },
    non_personal=["staff", "person", "view", "path", "elevated_session", "request_id"],
    subject="person",
    erasure=Erasure.KEEP,
    keep_reason=_(
        "Loggen dokumenterer hvem hos oss som har sett opplysningene dine "
        "(personvernforordningen art. 5 nr. 2 og art. 32), i 3 år"
    ),
    keep_until=lambda user: None,
)

# --- The operator, plans, orders, deliveries -------------------------------------------------
register("backoffice.OperatorCompany", personal={}, non_personal=["company", "singleton"])
register(
    "backoffice.Plan",
    personal={},
    non_personal=[
        "code",
        "name",
        "description",
        "product",
        "period_months",
        "is_active",
        "sort_order",
    ],
)
register(
    "backoffice.CustomerAccount",
    personal={
        "client": _f(
            C.CUSTOMER_HISTORY,
            "invoicing",
            "system",
            "bookkeeping",
            label=_("Kundekort hos oss for fakturering"),
        ),
        "created_at": _f(C.CUSTOMER_HISTORY, "invoicing", "system", "bookkeeping"),
    },
    non_personal=["customer"],
    subject=None,
    erasure=Erasure.KEEP,
    keep_reason=_("Kundekortet hører til regnskapet vårt (bokføringsloven § 13)"),
    keep_until=lambda user: end_of_bookkeeping_period(),
)
register(
    "backoffice.Order",
    personal={
        "plan": _f(C.CUSTOMER_HISTORY, "invoicing", "self", "bookkeeping", label=_("Abonnement")),
        "ordered_at": _f(
            C.CUSTOMER_HISTORY, "invoicing", "self", "bookkeeping", label=_("Bestilt")
        ),
        "status": _f(C.CUSTOMER_HISTORY, "invoicing", "system", "bookkeeping"),
        "source": _f(C.CUSTOMER_HISTORY, "invoicing", "system", "bookkeeping"),
        "invoice": _f(C.PAYMENT_HISTORY, "invoicing", "system", "bookkeeping"),
    },
    non_personal=["customer", "ordered_by"],
    subject="ordered_by",
    erasure=Erasure.KEEP,
    keep_reason=_("Bestillinger er regnskapsdokumentasjon (bokføringsloven § 13)"),
    keep_until=lambda user: end_of_bookkeeping_period(),
)
register(
    "backoffice.ServiceDelivery",
    personal={
        "description": _f(C.CUSTOMER_HISTORY, RELATIONSHIP, "system", "relationship"),
        "delivered_on": _f(C.CUSTOMER_HISTORY, RELATIONSHIP, "system", "relationship"),
        "period_end": _f(C.CUSTOMER_HISTORY, RELATIONSHIP, "system", "relationship"),
        "source": _f(C.CUSTOMER_HISTORY, RELATIONSHIP, "system", "relationship"),
        "created_at": _f(C.CUSTOMER_HISTORY, RELATIONSHIP, "system", "relationship"),
    },
    non_personal=["customer", "order"],
    subject=None,
    erasure=Erasure.KEEP,
    keep_reason=_("Leveransehistorikken hører til kundeforholdet med firmaet"),
)

# --- Relationship records ----------------------------------------------------------------------
register(
    "backoffice.Interaction",
    personal={
        "kind": _f(C.CORRESPONDENCE, RELATIONSHIP, "staff", "relationship"),
        "occurred_on": _f(C.CORRESPONDENCE, RELATIONSHIP, "staff", "relationship"),
        "summary": _f(C.CORRESPONDENCE, RELATIONSHIP, "staff", "relationship"),
        "source": _f(C.CORRESPONDENCE, RELATIONSHIP, "system", "relationship"),
        "created_at": _f(C.CORRESPONDENCE, RELATIONSHIP, "system", "relationship"),
    },
    non_personal=["customer", "person", "staff"],
    subject="person",
    erasure=Erasure.DELETE,
    eraser=_erase_interactions,
)
register(
    "backoffice.Complaint",
    personal={
        "kind": _f(C.COMPLAINTS, "complaints", "self", "relationship"),
        "subject": _f(C.COMPLAINTS, "complaints", "self", "relationship"),
        "description": _f(C.COMPLAINTS, "complaints", "self", "relationship"),
        "status": _f(C.COMPLAINTS, "complaints", "staff", "relationship"),
        "resolution": _f(C.COMPLAINTS, "complaints", "staff", "relationship"),
        "opened_on": _f(C.COMPLAINTS, "complaints", "self", "relationship"),
        "closed_on": _f(C.COMPLAINTS, "complaints", "staff", "relationship"),
        "source": _f(C.COMPLAINTS, "complaints", "system", "relationship"),
        "created_at": _f(C.COMPLAINTS, "complaints", "system", "relationship"),
    },
    non_personal=["customer", "person", "staff"],
    subject="person",
    erasure=Erasure.ANONYMISE,
    eraser=_erase_complaints,
)
register(
    "backoffice.LegalHold",
    personal={
        "reason": _f(C.COMPLAINTS, "complaints", "staff", "relationship"),
        "placed_at": _f(C.COMPLAINTS, "complaints", "system", "relationship"),
        "released_at": _f(C.COMPLAINTS, "complaints", "system", "relationship"),
    },
    non_personal=["customer", "person", "complaint"],
    subject="person",
    erasure=Erasure.KEEP,
    keep_reason=_("Opplysninger som trengs for et rettskrav bevares til saken er avsluttet"),
    keep_until=lambda user: None,
)
register(
    "backoffice.CreditCheck",
    personal={
        "provider": _f(C.CREDIT_CHECK, RELATIONSHIP, "system", "relationship"),
        "checked_on": _f(C.CREDIT_CHECK, RELATIONSHIP, "system", "relationship"),
        "result": _f(C.CREDIT_CHECK, RELATIONSHIP, "system", "relationship"),
        "score": _f(C.CREDIT_CHECK, RELATIONSHIP, "system", "relationship"),
        "reference": _f(C.CREDIT_CHECK, RELATIONSHIP, "system", "relationship"),
        "source": _f(C.CREDIT_CHECK, RELATIONSHIP, "system", "relationship"),
        "created_at": _f(C.CREDIT_CHECK, RELATIONSHIP, "system", "relationship"),
    },
    non_personal=["customer", "staff"],
    subject=None,
    erasure=Erasure.KEEP,
    keep_reason=_("Kredittsjekken gjelder firmaet og følger kundeforholdet med det"),
)
register(
    "backoffice.FinancingUse",
    personal={
        "partner": _f(C.FINANCING, RELATIONSHIP, "staff", "relationship"),
        "arrangement": _f(C.FINANCING, RELATIONSHIP, "staff", "relationship"),
        "started_on": _f(C.FINANCING, RELATIONSHIP, "staff", "relationship"),
        "ended_on": _f(C.FINANCING, RELATIONSHIP, "staff", "relationship"),
        "source": _f(C.FINANCING, RELATIONSHIP, "system", "relationship"),
        "created_at": _f(C.FINANCING, RELATIONSHIP, "system", "relationship"),
    },
    non_personal=["customer", "staff"],
    subject=None,
    erasure=Erasure.KEEP,
    keep_reason=_("Bruken av finansieringspartnere gjelder firmaet og følger kundeforholdet"),
)
register(
    "backoffice.SurveyInvitation",
    personal={
        "period": _f(C.PREFERENCES, RELATIONSHIP, "system", "survey", label=_("Undersøkelse")),
        "sent_at": _f(C.CORRESPONDENCE, RELATIONSHIP, "system", "survey"),
        "expires_at": _f(C.CORRESPONDENCE, RELATIONSHIP, "system", "survey"),
        "answered_at": _f(C.PREFERENCES, RELATIONSHIP, "self", "survey"),
        "score": _f(C.PREFERENCES, RELATIONSHIP, "self", "survey", label=_("Svar (0–10)")),
        "comment": _f(C.PREFERENCES, RELATIONSHIP, "self", "survey", label=_("Kommentar")),
    },
    non_personal=["customer", "person", "nonce"],
    subject="person",
    erasure=Erasure.DELETE,
)
register("backoffice.UsageStat", personal={}, non_personal=["day", "feature", "count", "companies"])
