"""Inventory declarations for accounts, core and privacy (other apps have their own)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Manager, Q, QuerySet
from django.utils.translation import gettext_lazy as _

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
from privacy import erasers

if TYPE_CHECKING:
    from accounts.models import User


def _model(label: str) -> Manager[Any]:
    return apps.get_model(label)._default_manager


def _invitations_for(user: User) -> QuerySet[Any]:
    return _model("accounts.Invitation").filter(email__iexact=user.email)


def _audit_entries_for(user: User) -> QuerySet[Any]:
    return _model("core.AuditEntry").filter(
        Q(actor_kind="user", actor_id=user.pk)
        | Q(object_type="accounts.user", object_id=str(user.pk))
    )


def _suppressions_for(user: User) -> QuerySet[Any]:
    return _model("privacy.MarketingSuppression").filter(email__iexact=user.email)


def _requests_for(user: User) -> QuerySet[Any]:
    return _model("privacy.PrivacyRequest").filter(Q(user=user) | Q(email__iexact=user.email))


def _f(category: str, purpose: str, source: str, retention: str, **kw: Any) -> PersonalField:
    return PersonalField(category, purpose=purpose, source=source, retention=retention, **kw)


# --- accounts --------------------------------------------------------------------------
register(
    "accounts.User",
    personal={
        "email": _f(C.CONTACT, "customer_relationship", "self", "account"),
        "full_name": _f(C.NAME, "customer_relationship", "self", "account"),
        "phone": _f(C.CONTACT, "customer_relationship", "self", "account"),
        "language": _f(C.PREFERENCES, "customer_relationship", "self", "account"),
        "email_verified_at": _f(C.WEB_ACTIVITY, "account_security", "system", "account"),
        "password": _f(C.WEB_ACTIVITY, "account_security", "self", "account", exportable=False),
        "last_login": _f(C.WEB_ACTIVITY, "account_security", "system", "account"),
        "date_joined": _f(
            C.CUSTOMER_HISTORY, "registration", "system", "account", label=_("Registrert")
        ),
        "is_active": _f(C.ROLE, "account_security", "system", "account", label=_("Aktiv konto")),
        "is_staff": _f(
            C.ROLE, "account_security", "system", "account", label=_("Tilgang som ansatt hos oss")
        ),
        "is_superuser": _f(C.ROLE, "account_security", "system", "account"),
        "groups": _f(C.ROLE, "account_security", "system", "account"),
        "user_permissions": _f(C.ROLE, "account_security", "system", "account"),
    },
    subject="pk",
    erasure=Erasure.ANONYMISE,
    eraser=erasers.erase_user,
    erasure_order=100,
)
register(
    "accounts.Membership",
    personal={
        "company": _f(
            C.EMPLOYER, "customer_relationship", "self", "account", label=_("Firma du er medlem av")
        ),
        "role": _f(C.ROLE, "account_security", "staff", "account"),
        "created_at": _f(
            C.CUSTOMER_HISTORY,
            "customer_relationship",
            "system",
            "account",
            label=_("Medlem siden"),
        ),
    },
    # The link to the person: the row itself is what is declared.
    non_personal=["user"],
    subject="user",
    erasure=Erasure.DELETE,
)
register(
    "accounts.Invitation",
    personal={
        "email": _f(
            C.CONTACT, "registration", "staff", "invitation", label=_("Invitert e-postadresse")
        ),
        "company": _f(
            C.EMPLOYER, "registration", "staff", "invitation", label=_("Firma du er invitert til")
        ),
        "role": _f(C.ROLE, "registration", "staff", "invitation"),
        "invited_by": _f(
            C.CUSTOMER_HISTORY, "registration", "system", "invitation", label=_("Invitert av")
        ),
        "created_at": _f(
            C.CUSTOMER_HISTORY, "registration", "system", "invitation", label=_("Invitasjon sendt")
        ),
        "accepted_at": _f(
            C.CUSTOMER_HISTORY,
            "registration",
            "system",
            "invitation",
            label=_("Invitasjon godtatt"),
        ),
        "revoked_at": _f(
            C.CUSTOMER_HISTORY,
            "registration",
            "system",
            "invitation",
            label=_("Invitasjon trukket tilbake"),
        ),
    },
    non_personal=["token_hash", "expires_at"],
    subject=_invitations_for,
    erasure=Erasure.DELETE,
)
register(
    "accounts.TermsAcceptance",
    personal={
        "terms_version": _f(
            C.CUSTOMER_HISTORY,
            "registration",
            "self",
            "account",
            label=_("Versjon av vilkårene du godtok"),
        ),
        "accepted_at": _f(
            C.CUSTOMER_HISTORY, "registration", "system", "account", label=_("Vilkår godtatt")
        ),
    },
    non_personal=["user"],
    subject="user",
    erasure=Erasure.DELETE,
)
register(
    "accounts.Company",
    # A sole trader's company data is personal data; it belongs to the company's
    # accounting and is kept with it (closing the company is a separate process).
    personal={
        "name": _f(C.EMPLOYER, "invoicing", "self", "customer_left"),
        "organization_number": _f(C.EMPLOYER, "invoicing", "self", "customer_left"),
        "address_line": _f(C.ADDRESS, "invoicing", "self", "customer_left"),
        "postcode": _f(C.ADDRESS, "invoicing", "self", "customer_left"),
        "city": _f(C.ADDRESS, "invoicing", "self", "customer_left"),
        "country": _f(C.ADDRESS, "invoicing", "self", "customer_left"),
        "bank_account": _f(C.PAYMENT_HISTORY, "invoicing", "self", "customer_left"),
        "iban": _f(C.PAYMENT_HISTORY, "invoicing", "self", "customer_left"),
        "bic": _f(C.PAYMENT_HISTORY, "invoicing", "self", "customer_left"),
        "email": _f(C.CONTACT, "customer_relationship", "self", "customer_left"),
        "phone": _f(C.CONTACT, "customer_relationship", "self", "customer_left"),
        "website": _f(C.CONTACT, "customer_relationship", "self", "customer_left"),
    },
    non_personal=[
        "vat_registered",
        "in_foretaksregisteret",
        "require_two_factor",
        "created_at",
        "closed_at",
    ],
    # The owner's access report shows the company's address, org.nr and bank account.
    subject=lambda user: _model("accounts.Company").filter(
        memberships__user=user, memberships__role="owner"
    ),
    erasure=Erasure.KEEP,
    keep_reason=_("Firmaets opplysninger hører til firmaets regnskap (bokføringsloven § 13)"),
    keep_until=lambda user: end_of_bookkeeping_period(),
)

# --- core ------------------------------------------------------------------------------
register_retention(
    Retention(
        "outbox",
        _(
            "Til e-posten er sendt (vanligvis sekunder, etter driftsstans noen timer): "
            "innholdet slettes da; en e-post som ikke kunne sendes, slettes etter 30 dager"
        ),
        days=30,
    )
)
register(
    "core.OutboxMessage",
    personal={
        # Most tasks get ids only; account e-mails wait here rendered (address, name,
        # link), privacy e-mails with the request's verification code or reason.
        "args": _f(
            C.CONTACT,
            "customer_relationship",
            "system",
            "outbox",
            label=_("E-post som venter på å bli sendt"),
            exportable=False,
        ),
        "kwargs": _f(
            C.CONTACT,
            "customer_relationship",
            "system",
            "outbox",
            label=_("E-post som venter på å bli sendt"),
            exportable=False,
        ),
        # An SMTP refusal may quote the address.
        "last_error": _f(
            C.CONTACT,
            "customer_relationship",
            "system",
            "outbox",
            label=_("Feilmelding for e-post som ikke kunne sendes"),
            exportable=False,
        ),
    },
    non_personal=[
        "created_at",
        "task",
        "eta",
        "attempts",
        "claimed_at",
        "claim_token",
        "done_at",
        "failed_at",
    ],
    subject=None,
    data_subjects=(DataSubject.USERS, DataSubject.CLIENTS),
)
register(
    "core.AuditEntry",
    personal={
        "actor_label": _f(
            C.WEB_ACTIVITY,
            "account_security",
            "system",
            "audit",
            label=_("Navn eller e-post i aktivitetsloggen"),
        ),
        "data": _f(
            C.WEB_ACTIVITY,
            "account_security",
            "system",
            "audit",
            label=_("Detaljer i aktivitetsloggen"),
        ),
    },
    non_personal=[
        "created_at",
        "company",
        "action",
        "actor_kind",
        "actor_id",
        "object_type",
        "object_id",
        "request_id",
        "redacted_at",
    ],
    subject=_audit_entries_for,
    erasure=Erasure.ANONYMISE,
    eraser=erasers.erase_audit_entries,
    erasure_order=10,
)

# --- privacy ---------------------------------------------------------------------------
register(
    "privacy.ConsentRecord",
    personal={
        "visitor_id": _f(
            C.WEB_ACTIVITY,
            "consent_records",
            "system",
            "consent_record",
            label=_("Besøksnummer i nettleseren"),
        ),
        "purpose": _f(
            C.PREFERENCES, "consent_records", "self", "consent_record", label=_("Samtykket gjelder")
        ),
        "given": _f(
            C.PREFERENCES, "consent_records", "self", "consent_record", label=_("Samtykke gitt")
        ),
        "text_version": _f(
            C.PREFERENCES,
            "consent_records",
            "system",
            "consent_record",
            label=_("Versjon av samtykketeksten"),
        ),
        "channel": _f(
            C.PREFERENCES,
            "consent_records",
            "system",
            "consent_record",
            label=_("Hvor samtykket ble gitt"),
        ),
        "created_at": _f(
            C.PREFERENCES,
            "consent_records",
            "system",
            "consent_record",
            label=_("Tidspunkt for samtykket"),
        ),
    },
    non_personal=["user", "redacted_at"],
    subject="user",
    erasure=Erasure.ANONYMISE,
    data_subjects=(DataSubject.USERS, DataSubject.VISITORS),
    eraser=erasers.erase_consent_records,
)
register(
    "privacy.MarketingSuppression",
    personal={
        "email": _f(
            C.PREFERENCES, "marketing", "self", "account", label=_("Reservasjon mot markedsføring")
        ),
    },
    non_personal=["created_at"],
    subject=_suppressions_for,
    erasure=Erasure.DELETE,
)
register(
    "privacy.PageView",
    # Pseudonymous: the hash changes every day and cannot be tied to a person.
    personal={
        "visitor_hash": _f(
            C.WEB_ACTIVITY,
            "product_improvement",
            "system",
            "analytics_raw",
            label=_("Daglig skiftende besøkskode"),
        ),
        "path": _f(
            C.WEB_ACTIVITY, "product_improvement", "system", "analytics_raw", label=_("Side besøkt")
        ),
        "day": _f(
            C.WEB_ACTIVITY,
            "product_improvement",
            "system",
            "analytics_raw",
            label=_("Dato for besøket"),
        ),
    },
    non_personal=["created_at"],
    subject=None,
    erasure=Erasure.DELETE,
    data_subjects=(DataSubject.VISITORS,),
)
register("privacy.AnalyticsSalt", personal={}, non_personal=["day", "salt"])
register(
    "privacy.DailyPageStat",
    personal={},
    non_personal=["day", "path", "page_views", "unique_visitors"],
)
register(
    "privacy.SubProcessor",
    personal={},
    non_personal=[
        "name",
        "service",
        "country",
        "transfer_basis",
        "agreement_date",
        "active",
        "service_en",
        "country_en",
        "transfer_basis_en",
    ],
)
register(
    "privacy.StatementAcknowledgement",
    personal={
        "version": _f(
            C.CUSTOMER_HISTORY,
            "customer_relationship",
            "self",
            "account",
            label=_("Versjon av personvernerklæringen du har lest"),
        ),
        "acknowledged_at": _f(
            C.CUSTOMER_HISTORY,
            "customer_relationship",
            "system",
            "account",
            label=_("Personvernerklæringen lest"),
        ),
    },
    non_personal=["user"],
    subject="user",
)
register(
    "privacy.ConsentText",
    personal={},
    non_personal=["purpose", "version", "text_nb", "text_en", "first_used_at"],
)
register(
    "privacy.DataExport",
    personal={
        "file": _f(
            C.WEB_ACTIVITY, "customer_relationship", "system", "export", label=_("Eksportfil")
        ),
        "created_at": _f(
            C.WEB_ACTIVITY, "customer_relationship", "system", "export", label=_("Eksport laget")
        ),
    },
    non_personal=["id", "user", "status", "expires_at"],
    subject="user",
    erasure=Erasure.DELETE,
    eraser=erasers.erase_exports,
)
register(
    "privacy.PrivacyRequest",
    personal={
        "name": _f(C.NAME, "complaints", "self", "privacy_request"),
        "email": _f(C.CONTACT, "complaints", "self", "privacy_request"),
        "kind": _f(C.CORRESPONDENCE, "complaints", "self", "privacy_request"),
        "subject_field": _f(C.CORRESPONDENCE, "complaints", "self", "privacy_request"),
        "message": _f(C.CORRESPONDENCE, "complaints", "self", "privacy_request"),
        "status": _f(
            C.CORRESPONDENCE,
            "complaints",
            "staff",
            "privacy_request",
            label=_("Status for henvendelsen"),
        ),
        "received_at": _f(
            C.CORRESPONDENCE,
            "complaints",
            "system",
            "privacy_request",
            label=_("Henvendelse mottatt"),
        ),
        "deadline": _f(
            C.CORRESPONDENCE, "complaints", "system", "privacy_request", label=_("Svarfrist")
        ),
        "verified_at": _f(
            C.CORRESPONDENCE,
            "complaints",
            "system",
            "privacy_request",
            label=_("E-post bekreftet for henvendelsen"),
        ),
        "closed_at": _f(
            C.CORRESPONDENCE,
            "complaints",
            "staff",
            "privacy_request",
            label=_("Henvendelse avsluttet"),
        ),
        "outcome": _f(
            C.CORRESPONDENCE,
            "complaints",
            "staff",
            "privacy_request",
            label=_("Svar på henvendelsen"),
        ),
    },
    non_personal=[
        "reference",
        "user",
        "verification_token_hash",
        "channel",
        "verification_method",
        "registered_by",
        "assigned_to",
        "extension_months",
        "extension_reason",
    ],
    subject=_requests_for,
    erasure=Erasure.KEEP,
    keep_reason=_(
        "Dokumentasjon på at vi har behandlet henvendelsen din (personvernforordningen "
        "art. 5 nr. 2), i 3 år etter at den er avsluttet"
    ),
    keep_until=lambda user: None,
)
register(
    "privacy.ControllerReferral",
    personal={
        "client_numbers": _f(
            C.CORRESPONDENCE,
            "complaints",
            "staff",
            "privacy_request",
            label=_("Kundenumre hos firmaet henvendelsen ble sendt til"),
        ),
        "deadline": _f(C.CORRESPONDENCE, "complaints", "staff", "privacy_request"),
        "status": _f(C.CORRESPONDENCE, "complaints", "staff", "privacy_request"),
        "created_at": _f(C.CORRESPONDENCE, "complaints", "system", "privacy_request"),
        "answered_at": _f(C.CORRESPONDENCE, "complaints", "system", "privacy_request"),
        "answer": _f(C.CORRESPONDENCE, "complaints", "staff", "privacy_request"),
    },
    non_personal=["request", "company", "created_by", "answered_by"],
    subject=lambda user: _model("privacy.ControllerReferral").filter(
        request__in=_requests_for(user)
    ),
    data_subjects=(DataSubject.USERS, DataSubject.CLIENTS),
    erasure=Erasure.KEEP,
    keep_reason=_(
        "Dokumentasjon på at henvendelsen din ble sendt videre til firmaet som er "
        "behandlingsansvarlig, i 3 år etter at henvendelsen er avsluttet"
    ),
    keep_until=lambda user: None,
)
register(
    "privacy.RiskAssessment",
    # About the operator's processing, not about a person (the owner is a staff member).
    personal={},
    non_personal=[
        "title",
        "description",
        "likelihood",
        "consequence",
        "measures",
        "owner",
        "last_reviewed",
        "next_review",
        "reminded_on",
        "created_at",
        "updated_at",
    ],
)


# --- Data-category handlers (core.personal_data.handlers): what export, erasure, retention use
def _register_handlers() -> None:
    from core.personal_data.handlers import Action, Handler, register_handler
    from core.personal_data.retention import chain
    from privacy import retention

    register_handler(
        Handler(
            key="analytics_raw",
            title=_("Rå besøksdata på nettsidene"),
            data=_("Sidevisninger med daglig skiftende, pseudonym besøkskode"),
            models=("privacy.PageView",),
            categories=(C.WEB_ACTIVITY,),
            retention="analytics_raw",
            action=Action.DELETE,
            legal_basis=_("Samtykke (analytiske informasjonskapsler)"),
            targets=retention.analytics_targets,
            order=10,
        )
    )
    register_handler(
        Handler(
            key="data_exports",
            title=_("Eksportfiler (dataportabilitet og innsyn)"),
            data=_("ZIP-filer med alle opplysninger om en person"),
            models=("privacy.DataExport",),
            categories=(C.WEB_ACTIVITY,),
            retention="export",
            action=Action.DELETE,
            legal_basis=_("Personvernforordningen art. 15 og 20"),
            targets=retention.export_targets,
            order=20,
        )
    )
    register_handler(
        Handler(
            key="privacy_requests",
            title=_("Henvendelser om personvern"),
            data=_("Navn, e-post, melding og svar i henvendelser om personvern"),
            # A referral to a customer company goes with its request (cascade).
            models=("privacy.PrivacyRequest", "privacy.ControllerReferral"),
            categories=(C.NAME, C.CONTACT, C.CORRESPONDENCE),
            retention="privacy_request",
            action=Action.DELETE,
            legal_basis=_("Dokumentasjonsplikt (personvernforordningen art. 5 nr. 2)"),
            targets=retention.request_targets,
            order=30,
        )
    )
    register_handler(
        Handler(
            key="invitations",
            title=_("Invitasjoner til firmaer"),
            data=_("Invitert e-postadresse, rolle og hvem som inviterte"),
            models=("accounts.Invitation",),
            categories=(C.CONTACT, C.ROLE),
            retention="invitation",
            action=Action.DELETE,
            legal_basis=_("Tiltak før avtale inngås"),
            targets=retention.invitation_targets,
            order=40,
        )
    )
    register_handler(
        Handler(
            key="audit_log",
            title=_("Aktivitetslogg og kontrollspor"),
            data=_("Navn og detaljer i aktivitetsloggen (hvem som gjorde hva, og med hva)"),
            models=("core.AuditEntry",),
            categories=(C.WEB_ACTIVITY,),
            retention="audit",
            action=Action.ANONYMISE,
            legal_basis=_("Rettslig forpliktelse (bokføringsloven § 13)"),
            targets=chain(retention.audit_targets, retention.identified_audit_targets),
            order=120,
        )
    )
    register_handler(
        Handler(
            key="outbox",
            title=_("Oppgaver som venter på køen (utgående e-post)"),
            data=_("Mottakeradresse og innhold i e-post som ennå ikke er sendt"),
            models=("core.OutboxMessage",),
            categories=(C.CONTACT,),
            retention="outbox",
            action=Action.DELETE,
            legal_basis=_("Avtale (levere tjenesten)"),
            targets=retention.outbox_targets,
            order=125,
        )
    )
    register_handler(
        Handler(
            key="user_account",
            title=_("Brukerkontoen"),
            data=_("Navn, e-post, telefon, språk, innlogging, firmaer og roller"),
            models=(
                "accounts.User",
                "accounts.Membership",
                "accounts.TermsAcceptance",
                "privacy.StatementAcknowledgement",
                "privacy.MarketingSuppression",
            ),
            categories=(C.NAME, C.CONTACT, C.ROLE, C.EMPLOYER, C.WEB_ACTIVITY),
            retention="account",
            action=Action.ANONYMISE,
            legal_basis=_("Avtale med deg (personvernforordningen art. 6 nr. 1 b)"),
            targets=retention.inactive_account_targets,
            # Last: erasure of an account touches rows earlier rules count.
            order=200,
        )
    )
    register_handler(
        Handler(
            key="consent_ledger",
            title=_("Samtykker"),
            data=_("Hvilke samtykker som er gitt og trukket tilbake, når og med hvilken tekst"),
            models=("privacy.ConsentRecord",),
            categories=(C.PREFERENCES,),
            retention="consent_record",
            action=Action.ANONYMISE,
            legal_basis=_("Dokumentasjonsplikt (personvernforordningen art. 7 nr. 1)"),
            targets=retention.anonymous_consent_targets,
            order=45,
        )
    )
    register_handler(
        Handler(
            key="companies",
            title=_("Firmaer som bruker tjenesten"),
            data=_("Firmaets navn, adresse, organisasjonsnummer, kontaktinformasjon og konto"),
            models=("accounts.Company",),
            categories=(C.EMPLOYER, C.ADDRESS, C.CONTACT),
            retention="customer_left",
            action=Action.ANONYMISE,
            legal_basis=_("Rettslig forpliktelse (bokføringsloven § 13)"),
            targets=retention.left_company_targets,
            order=160,
        )
    )


_register_handlers()
