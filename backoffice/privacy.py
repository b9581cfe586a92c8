"""Privacy inventory declarations for the back office (R2): every field of every model."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from backoffice.retention import CORRESPONDENCE_DAYS_AFTER_END
from core.personal_data.handlers import ReportLine
from core.personal_data.inventory import Category as C
from core.personal_data.inventory import (
    DataSubject,
    Erasure,
    PersonalField,
    Retention,
    end_of_bookkeeping_period,
    register,
    register_retention,
)

if TYPE_CHECKING:
    from accounts.models import User

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

register_retention(
    Retention(
        "correspondence",
        format_lazy(
            _("{days} dager etter at kundeforholdet er avsluttet, så lenge ingen tvist er åpen"),
            days=CORRESPONDENCE_DAYS_AFTER_END,
        ),
        days=CORRESPONDENCE_DAYS_AFTER_END,
    )
)

REDACTED = "[slettet]"


def _f(category: str, purpose: str, source: str, retention: str, **kw: Any) -> PersonalField:
    return PersonalField(category, purpose=purpose, source=source, retention=retention, **kw)


def _rows(label: str, **filters: Any) -> QuerySet[Any]:
    return apps.get_model(label)._default_manager.filter(**filters)


def _owned_companies(user: User) -> QuerySet[Any]:
    """The companies ``user`` owns: what we hold about those companies is part of the
    owner's access report (the statement's customer is the company and its people)."""
    return _rows("accounts.Membership", user_id=user.pk, role="owner").values("company_id")


def _about_owned_companies(label: str) -> Callable[[User], QuerySet[Any]]:
    def rows(user: User) -> QuerySet[Any]:
        return _rows(label, customer_id__in=_owned_companies(user))

    return rows


def _access_log_for(user: User) -> QuerySet[Any]:
    """Access-log rows about the person, or about a company the person owns."""
    from django.db.models import Q

    return apps.get_model("backoffice.AccessLogEntry")._default_manager.filter(
        Q(person_id=user.pk) | Q(customer_id__in=_owned_companies(user))
    )


def _orders_for(user: User) -> QuerySet[Any]:
    """Orders the person placed, and every order of a company the person owns (the
    company's purchase history is part of its owner's access report)."""
    from django.db.models import Q

    return apps.get_model("backoffice.Order")._default_manager.filter(
        Q(ordered_by_id=user.pk) | Q(customer_id__in=_owned_companies(user))
    )


def _purchase_history(user: User) -> Iterator[ReportLine]:
    """The operator's invoices and credit notes to the companies the person owns, and the
    payments on them: the purchase history the statement lists (clause 2)."""
    from accounts.models import Company
    from backoffice.selectors import operator_invoices_for
    from core.languages import is_english
    from core.money import format_money

    # A document for the person, in the person's language (the export sets it).
    language = "en" if is_english() else "nb"

    def amount(value: Decimal, currency: str) -> str:
        return f"{format_money(value, language=language)} {currency}"

    spec = _f(C.PAYMENT_HISTORY, "invoicing", "system", "bookkeeping")
    for company in Company.objects.filter(pk__in=_owned_companies(user)).order_by("pk"):
        for invoice in operator_invoices_for(company):
            record = f"{invoice.get_kind_display()} {invoice.number}"
            lines = [
                (_("Til firma"), company.name),
                (_("Fakturadato"), invoice.invoice_date.isoformat()),
                (_("Forfallsdato"), invoice.due_date.isoformat() if invoice.due_date else ""),
                (_("Beløp med mva."), amount(invoice.total_incl_vat, invoice.currency)),
                (_("Betalt"), amount(invoice.paid_amount, invoice.currency)),
                (_("Status"), invoice.get_status_display()),
            ]
            for label, value in lines:
                if value:
                    yield ReportLine(record=record, field=str(label), value=value, spec=spec)
            for payment in invoice.payments.all():
                yield ReportLine(
                    record=str(_("Innbetaling til %(record)s") % {"record": record}),
                    field=str(_("Betalt %(date)s (%(method)s)"))
                    % {"date": payment.date.isoformat(), "method": payment.get_method_display()},
                    value=amount(payment.amount, invoice.currency),
                    spec=spec,
                )


def _held(user: User) -> bool:
    from backoffice.selectors import has_legal_hold

    return has_legal_hold(person=user)


def _erase_interactions(rows: QuerySet[Any], user: User) -> None:
    """Contacts with the person go, unless a legal hold keeps them (a dispute is open)."""
    if not _held(user):
        rows.delete()


def _erase_complaints(rows: QuerySet[Any], user: User) -> None:
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
    data_subjects=(DataSubject.STAFF,),
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
    data_subjects=(DataSubject.STAFF,),
)
register(
    "backoffice.StaffGrantRequest",
    personal={
        "roles": _f(
            C.ROLE, "account_security", "staff", "access_log", label=_("Roller det ble bedt om")
        ),
        "granted_categories": _f(C.ROLE, "account_security", "staff", "access_log"),
        "valid_until": _f(C.ROLE, "account_security", "staff", "access_log"),
        "opens": _f(
            C.ROLE,
            "account_security",
            "system",
            "access_log",
            label=_("Kategorier tilgangen åpnet"),
        ),
        "before": _f(C.ROLE, "account_security", "system", "access_log", label=_("Tilgangen før")),
        "reason": _f(C.WEB_ACTIVITY, "account_security", "staff", "access_log"),
        "requested_at": _f(C.WEB_ACTIVITY, "account_security", "system", "access_log"),
        "status": _f(C.WEB_ACTIVITY, "account_security", "system", "access_log"),
        "decided_at": _f(C.WEB_ACTIVITY, "account_security", "system", "access_log"),
    },
    non_personal=["profile", "requested_by", "decided_by"],
    subject=lambda user: apps.get_model("backoffice.StaffGrantRequest")._default_manager.filter(
        profile__user=user
    ),
    # Goes with the staff profile (the audit log keeps who asked and who approved).
    erasure=Erasure.DELETE,
    data_subjects=(DataSubject.STAFF,),
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
    subject=_access_log_for,
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
            "customer_left",
            label=_("Kundekort hos oss for fakturering"),
        ),
        "created_at": _f(C.CUSTOMER_HISTORY, "invoicing", "system", "customer_left"),
    },
    non_personal=["customer"],
    subject=None,
    erasure=Erasure.KEEP,
    keep_reason=_("Kundekortet hører til regnskapet vårt (bokføringsloven § 13)"),
    keep_until=lambda user: end_of_bookkeeping_period(),
    data_subjects=(DataSubject.USERS,),
)
register(
    "backoffice.Order",
    personal={
        "plan": _f(C.CUSTOMER_HISTORY, "invoicing", "self", "customer_left", label=_("Abonnement")),
        "ordered_at": _f(
            C.CUSTOMER_HISTORY, "invoicing", "self", "customer_left", label=_("Bestilt")
        ),
        "status": _f(C.CUSTOMER_HISTORY, "invoicing", "system", "customer_left"),
        "source": _f(C.CUSTOMER_HISTORY, "invoicing", "system", "customer_left"),
        "invoice": _f(C.PAYMENT_HISTORY, "invoicing", "system", "customer_left"),
    },
    non_personal=["customer", "ordered_by"],
    subject=_orders_for,
    erasure=Erasure.KEEP,
    keep_reason=_("Bestillinger er regnskapsdokumentasjon (bokføringsloven § 13)"),
    keep_until=lambda user: end_of_bookkeeping_period(),
)
register(
    "backoffice.ServiceDelivery",
    personal={
        "description": _f(C.CUSTOMER_HISTORY, RELATIONSHIP, "system", "customer_left"),
        "delivered_on": _f(C.CUSTOMER_HISTORY, RELATIONSHIP, "system", "customer_left"),
        "period_end": _f(C.CUSTOMER_HISTORY, RELATIONSHIP, "system", "customer_left"),
        "source": _f(C.CUSTOMER_HISTORY, RELATIONSHIP, "system", "customer_left"),
        "created_at": _f(C.CUSTOMER_HISTORY, RELATIONSHIP, "system", "customer_left"),
    },
    non_personal=["customer", "order"],
    subject=_about_owned_companies("backoffice.ServiceDelivery"),
    erasure=Erasure.KEEP,
    keep_reason=_("Leveransehistorikken hører til kundeforholdet med firmaet"),
)

# --- Relationship records ----------------------------------------------------------------------
register(
    "backoffice.Interaction",
    personal={
        "kind": _f(C.CORRESPONDENCE, RELATIONSHIP, "staff", "correspondence"),
        "occurred_on": _f(C.CORRESPONDENCE, RELATIONSHIP, "staff", "correspondence"),
        "summary": _f(C.CORRESPONDENCE, RELATIONSHIP, "staff", "correspondence"),
        "source": _f(C.CORRESPONDENCE, RELATIONSHIP, "system", "correspondence"),
        "created_at": _f(C.CORRESPONDENCE, RELATIONSHIP, "system", "correspondence"),
    },
    non_personal=["customer", "person", "staff"],
    subject="person",
    erasure=Erasure.DELETE,
    eraser=_erase_interactions,
)
register(
    "backoffice.Complaint",
    personal={
        "kind": _f(C.COMPLAINTS, "complaints", "self", "correspondence"),
        "subject": _f(C.COMPLAINTS, "complaints", "self", "correspondence"),
        "description": _f(C.COMPLAINTS, "complaints", "self", "correspondence"),
        "status": _f(C.COMPLAINTS, "complaints", "staff", "correspondence"),
        "resolution": _f(C.COMPLAINTS, "complaints", "staff", "correspondence"),
        "opened_on": _f(C.COMPLAINTS, "complaints", "self", "correspondence"),
        "closed_on": _f(C.COMPLAINTS, "complaints", "staff", "correspondence"),
        "source": _f(C.COMPLAINTS, "complaints", "system", "correspondence"),
        "created_at": _f(C.COMPLAINTS, "complaints", "system", "correspondence"),
    },
    non_personal=["customer", "person", "staff"],
    subject="person",
    erasure=Erasure.ANONYMISE,
    eraser=_erase_complaints,
)
register(
    "backoffice.LegalHold",
    personal={
        "reason": _f(C.COMPLAINTS, "complaints", "staff", "correspondence"),
        "placed_at": _f(C.COMPLAINTS, "complaints", "system", "correspondence"),
        "released_at": _f(C.COMPLAINTS, "complaints", "system", "correspondence"),
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
        "provider": _f(C.CREDIT_CHECK, RELATIONSHIP, "system", "correspondence"),
        "checked_on": _f(C.CREDIT_CHECK, RELATIONSHIP, "system", "correspondence"),
        "result": _f(C.CREDIT_CHECK, RELATIONSHIP, "system", "correspondence"),
        "score": _f(C.CREDIT_CHECK, RELATIONSHIP, "system", "correspondence"),
        "reference": _f(C.CREDIT_CHECK, RELATIONSHIP, "system", "correspondence"),
        "source": _f(C.CREDIT_CHECK, RELATIONSHIP, "system", "correspondence"),
        "created_at": _f(C.CREDIT_CHECK, RELATIONSHIP, "system", "correspondence"),
    },
    non_personal=["customer", "staff"],
    subject=_about_owned_companies("backoffice.CreditCheck"),
    erasure=Erasure.KEEP,
    keep_reason=_("Kredittsjekken gjelder firmaet og følger kundeforholdet med det"),
)
register(
    "backoffice.FinancingUse",
    personal={
        "partner": _f(C.FINANCING, RELATIONSHIP, "staff", "correspondence"),
        "arrangement": _f(C.FINANCING, RELATIONSHIP, "staff", "correspondence"),
        "started_on": _f(C.FINANCING, RELATIONSHIP, "staff", "correspondence"),
        "ended_on": _f(C.FINANCING, RELATIONSHIP, "staff", "correspondence"),
        "source": _f(C.FINANCING, RELATIONSHIP, "system", "correspondence"),
        "created_at": _f(C.FINANCING, RELATIONSHIP, "system", "correspondence"),
    },
    non_personal=["customer", "staff"],
    subject=_about_owned_companies("backoffice.FinancingUse"),
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


# --- Data-category handlers (core.personal_data.handlers) ------------------------------------
def _register_handlers() -> None:
    from backoffice import retention
    from core.personal_data.handlers import Action, Handler, register_handler
    from core.personal_data.retention import blank_personal_fields, chain
    from customers.retention import operator_client_targets

    register_handler(
        Handler(
            key="surveys",
            title=_("Kundeundersøkelser"),
            data=_("Invitasjoner til og svar på kundeundersøkelser"),
            models=("backoffice.SurveyInvitation",),
            categories=(C.CORRESPONDENCE,),
            retention="survey",
            action=Action.DELETE,
            legal_basis=_("Avtale med kunden (oppfølging av kundeforholdet)"),
            targets=retention.survey_targets,
            order=60,
        )
    )
    register_handler(
        Handler(
            key="access_log",
            title=_("Tilgangslogg"),
            data=_("Hvilke ansatte som har sett hvilke opplysninger, og utvidede tilganger"),
            models=(
                "backoffice.AccessLogEntry",
                "backoffice.ElevatedSession",
                "backoffice.StaffGrantRequest",
            ),
            categories=(C.WEB_ACTIVITY,),
            retention="access_log",
            action=Action.DELETE,
            legal_basis=_("Sikkerhet og dokumentasjon (personvernforordningen art. 5 nr. 2 og 32)"),
            targets=chain(retention.access_log_targets, retention.staff_grant_targets),
            order=70,
        )
    )
    register_handler(
        Handler(
            key="correspondence",
            title=_("Kontakt, møter og korrespondanse"),
            data=_(
                "Logg over kontakt med kunden, møtenotater, avsluttede reklamasjoner og "
                "tvister, kredittsjekker og bruk av finansieringspartnere"
            ),
            models=(
                "backoffice.Interaction",
                "backoffice.LegalHold",
                "backoffice.Complaint",
                "backoffice.CreditCheck",
                "backoffice.FinancingUse",
            ),
            categories=(C.CORRESPONDENCE, C.COMPLAINTS, C.CREDIT_CHECK, C.FINANCING),
            retention="correspondence",
            action=Action.DELETE,
            legal_basis=_("Avtale med kunden; rettskrav (personvernforordningen art. 17 nr. 3 e)"),
            targets=retention.correspondence_targets,
            order=80,
        )
    )
    register_handler(
        Handler(
            key="staff_profiles",
            title=_("Ansattprofiler hos oss"),
            data=_("Roller, tildelte datakategorier og hvor lenge tilgangen gjelder"),
            models=("backoffice.StaffProfile",),
            categories=(C.ROLE,),
            retention="account",
            action=Action.DELETE,
            legal_basis=_("Avtale med deg (personvernforordningen art. 6 nr. 1 b)"),
        )
    )
    register_handler(
        Handler(
            key="operator_client_records",
            title=_("Kundekort i vårt eget regnskap"),
            data=_("Kobling mellom kundefirmaet og kunden i vårt eget kunderegister"),
            models=("backoffice.CustomerAccount",),
            categories=(C.CUSTOMER_HISTORY, C.PAYMENT_HISTORY),
            retention="customer_left",
            action=Action.ANONYMISE,
            legal_basis=_("Rettslig forpliktelse (bokføringsloven § 13)"),
            targets=operator_client_targets,
            order=150,
            report=_purchase_history,
        )
    )
    register_handler(
        Handler(
            key="orders",
            title=_("Bestillinger av abonnement"),
            data=_("Hvilket abonnement som ble bestilt, når og av hvem"),
            models=("backoffice.Order",),
            categories=(C.CUSTOMER_HISTORY,),
            retention="customer_left",
            action=Action.ANONYMISE,
            legal_basis=_("Rettslig forpliktelse (bokføringsloven § 13)"),
            targets=retention.left_order_targets,
            order=150,
        )
    )
    register_handler(
        Handler(
            key="service_deliveries",
            title=_("Leveranser av tjenesten"),
            data=_("Hva som ble levert til kundefirmaet og når"),
            models=("backoffice.ServiceDelivery",),
            categories=(C.CUSTOMER_HISTORY,),
            retention="customer_left",
            action=Action.ANONYMISE,
            legal_basis=_("Avtale med kunden (personvernforordningen art. 6 nr. 1 b)"),
            targets=blank_personal_fields("backoffice.ServiceDelivery", "customer"),
            order=150,
        )
    )


_register_handlers()
