"""The data inventory: every field of every model, declared personal or non-personal.

Each app declares its models in a ``privacy.py`` module (found by autodiscovery when the
``privacy`` app is ready)::

    # customers/privacy.py
    from core.personal_data.inventory import Category, Erasure, PersonalField, register

    register(
        "customers.Client",
        personal={
            "name": PersonalField(Category.NAME, purpose="invoicing", source="staff",
                                  retention="bookkeeping"),
        },
        non_personal=["company", "created_at"],
        subject=None,                   # rows are not about a FakturaNett user
        erasure=Erasure.KEEP,
    )

Access reports, exports, erasure and the generated privacy statement are all driven by
this registry, and ``privacy/tests/test_inventory.py`` fails while any concrete field of a
project model is undeclared.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """The statement's list of categories (clause 2, R2). No special-category data."""

    NAME = "name", _("Navn")
    ADDRESS = "address", _("Adresse")
    CONTACT = "contact", _("Telefonnummer og annen kontaktinfo")
    ROLE = "role", _("Stilling og rolle")
    EMPLOYER = "employer", _("Arbeidsgiver")
    CUSTOMER_HISTORY = "customer_history", _("Historikk i kundeforholdet")
    PREFERENCES = "preferences", _("Handlemønster og preferanser")
    CORRESPONDENCE = "correspondence", _("Kontakt, møter og korrespondanse")
    WEB_ACTIVITY = "web_activity", _("Innlogging og aktivitet på nettsidene")
    COMPLAINTS = "complaints", _("Reklamasjoner og tvister")
    PAYMENT_HISTORY = "payment_history", _("Betalingshistorikk")
    CREDIT_CHECK = "credit_check", _("Kredittsjekk")
    FINANCING = "financing", _("Bruk av finansieringspartnere")


class LegalBasis(models.TextChoices):
    CONTRACT = "contract", _("Avtale med deg (personvernforordningen art. 6 nr. 1 b)")
    PRE_CONTRACT = (
        "pre_contract",
        _("Tiltak på din anmodning før avtale inngås (personvernforordningen art. 6 nr. 1 b)"),
    )
    CONSENT = "consent", _("Samtykke (personvernforordningen art. 6 nr. 1 a)")
    LEGAL_OBLIGATION = (
        "legal_obligation",
        _("Rettslig forpliktelse (personvernforordningen art. 6 nr. 1 c)"),
    )


class Source(models.TextChoices):
    SELF = "self", _("Registrert av deg selv")
    STAFF = "staff", _("Registrert av våre ansatte etter kontakt med deg")
    SYSTEM = "system", _("Registrert automatisk av tjenesten")


class DataSubject(models.TextChoices):
    """Whom the rows are about (the Art. 30 record's "categories of data subjects")."""

    USERS = "users", _("Brukere av FakturaNett (eiere, ansatte og rådgivere i kundefirmaene)")
    VISITORS = "visitors", _("Besøkende på nettsidene, også de uten konto")
    STAFF = "staff", _("Våre egne ansatte og rådgivere")
    CLIENTS = (
        "clients",
        _("Kundenes egne kunder og kontaktpersoner (vi er databehandler for kunden)"),
    )


class Erasure(models.TextChoices):
    DELETE = "delete", _("Slettes")
    ANONYMISE = "anonymise", _("Anonymiseres")
    KEEP = "keep", _("Beholdes så lenge loven krever det, og brukes ikke til noe annet")


@dataclass(frozen=True)
class Purpose:
    key: str
    label: Promise
    legal_basis: str


@dataclass(frozen=True)
class Retention:
    key: str
    label: Promise
    days: int | None = None


PURPOSES: dict[str, Purpose] = {
    p.key: p
    for p in [
        Purpose(
            "customer_relationship",
            _("Administrere kundeforholdet: kommunisere med og følge deg opp, levere tjenesten"),
            LegalBasis.CONTRACT,
        ),
        Purpose(
            "registration",
            _("Registrering og oppstart av kundeforholdet"),
            LegalBasis.PRE_CONTRACT,
        ),
        Purpose(
            "account_security",
            _("Innlogging, tilgangsstyring og sikkerhet"),
            LegalBasis.CONTRACT,
        ),
        Purpose(
            "invoicing",
            _("Fakturere kunden og oppfylle bokføringsplikten"),
            LegalBasis.LEGAL_OBLIGATION,
        ),
        Purpose(
            "complaints",
            _("Håndtere reklamasjoner, tvister og henvendelser om personvern"),
            LegalBasis.LEGAL_OBLIGATION,
        ),
        Purpose(
            "marketing",
            _("Sende tilbud og markedsføring, og vurdere hva som er relevant for deg"),
            LegalBasis.CONSENT,
        ),
        Purpose(
            "product_improvement",
            _("Produktforbedring, tjenesteforbedring og statistikk"),
            LegalBasis.CONSENT,
        ),
        Purpose(
            "consent_records",
            _("Dokumentere hvilke samtykker du har gitt og trukket tilbake"),
            LegalBasis.LEGAL_OBLIGATION,
        ),
    ]
}

RETENTION: dict[str, Retention] = {
    r.key: r
    for r in [
        Retention(
            "account",
            _(
                "Så lenge du har en konto; slettes eller anonymiseres når du sletter kontoen, "
                "eller når den ikke er brukt på 3 år og ingen av firmaene dine lenger er kunde "
                "hos oss"
            ),
        ),
        Retention(
            "relationship",
            _(
                "Til kundeforholdet er avsluttet (3 år etter siste leveranse, med mindre "
                "senere kontakt viser at det fortsatt består), deretter slettet"
            ),
        ),
        Retention(
            "bookkeeping",
            _(
                "5 år etter utgangen av regnskapsåret (bokføringsloven § 13, "
                "primærdokumentasjon), deretter anonymisert eller slettet"
            ),
        ),
        Retention(
            "bookkeeping_secondary",
            _(
                "3 år og 6 måneder etter utgangen av regnskapsåret (bokføringsloven § 13, "
                "sekundærdokumentasjon), deretter anonymisert"
            ),
        ),
        Retention(
            "company_records",
            _(
                "Firmaets egne kunderegister, tilbud, gjentakende fakturaer og inndrivelse "
                "(vi behandler dem på firmaets vegne): så lenge firmaet er kunde; når firmaet "
                "har sluttet og fristen i bokføringsloven § 13 for den siste fakturaen er ute, "
                "anonymiseres de"
            ),
        ),
        Retention(
            "customer_left",
            _(
                "Til firmaet har sluttet som kunde (ikke lenger aktivt kundeforhold, ingen "
                "innlogging på 3 år) og fristen i bokføringsloven § 13 for den siste fakturaen "
                "er ute; deretter anonymisert"
            ),
        ),
        Retention(
            "login_records",
            _("Innloggingsforsøk og innlogginger (IP-adresse og nettleser): 90 dager"),
            days=90,
        ),
        Retention(
            "consent_record",
            _(
                "Så lenge kontoen finnes, som dokumentasjon på samtykket; anonymiseres når "
                "kontoen slettes. Valg av informasjonskapsler uten konto: besøkskoden fjernes "
                "etter 2 år"
            ),
        ),
        Retention(
            "analytics_raw",
            _("30 dager, deretter bare som anonyme dagstall"),
            days=30,
        ),
        Retention("export", _("7 dager"), days=7),
        Retention(
            "privacy_request",
            _(
                "3 år etter at henvendelsen er avsluttet, som dokumentasjon på at vi svarte; "
                "ubekreftede henvendelser etter 30 dager"
            ),
            days=3 * 365,
        ),
        Retention(
            "marketing_profile",
            _(
                "Til kundeforholdet er avsluttet (3 år etter siste leveranse), eller straks du "
                "reserverer deg mot markedsføring eller trekker samtykket"
            ),
        ),
        Retention(
            "invitation",
            _("30 dager etter at invitasjonen er brukt, trukket tilbake eller utløpt"),
        ),
        Retention(
            "audit",
            _(
                "Aktivitetsloggen: navn og detaljer sladdes etter 3 år, for regnskapsmateriale "
                "5 år etter utgangen av regnskapsåret (bokføringsloven § 13, kontrollspor), og "
                "straks når du sletter kontoen"
            ),
        ),
    ]
}

DEFAULT_RECIPIENTS = _(
    "Ansatte i Invoice Club AS med tjenstlig behov, og våre underleverandører "
    "(se listen i personvernerklæringen)"
)

ANONYMOUS = object()  # marker: the field has no value to show (e.g. a password hash)


@dataclass(frozen=True)
class PersonalField:
    """A personal-data field: what it is, why we hold it and for how long."""

    category: str
    purpose: str
    source: str
    retention: str
    recipients: Promise | str = DEFAULT_RECIPIENTS
    # Value written by erasure when the model is anonymised; a callable gets the row.
    erase_to: Any = None
    # False for values that must never be shown or exported (hashes).
    exportable: bool = True
    # What the person sees (access report, export, statement); else the verbose name.
    label: Promise | str | None = None

    def __post_init__(self) -> None:
        if self.category not in Category.values:
            raise ValueError(f"Unknown privacy category {self.category!r}.")
        if self.purpose not in PURPOSES:
            raise ValueError(f"Unknown purpose {self.purpose!r}; add it to PURPOSES.")
        if self.source not in Source.values:
            raise ValueError(f"Unknown source {self.source!r}.")
        if self.retention not in RETENTION:
            raise ValueError(f"Unknown retention rule {self.retention!r}; add it to RETENTION.")

    @property
    def legal_basis(self) -> str:
        return PURPOSES[self.purpose].legal_basis


# Labels of column names that many models share and that have no verbose name of their own
# (the access report and the export show these words, never the column's name).
COMMON_LABELS: dict[str, Promise] = {
    "created_at": _("Registrert"),
    "created_by": _("Registrert av"),
    "source": _("Hvordan opplysningen kom inn"),
    "status": _("Status"),
    "reason": _("Begrunnelse"),
    "invoice": _("Faktura"),
    "content": _("Innhold"),
    "sent_at": _("Sendt"),
    "expires_at": _("Gjelder til"),
    "answered_at": _("Besvart"),
    "started_at": _("Startet"),
    "ended_at": _("Avsluttet"),
    "requested_at": _("Bedt om"),
    "decided_at": _("Avgjort"),
    "placed_at": _("Innført"),
    "released_at": _("Opphevet"),
    "issued_by": _("Utstedt av"),
    "opened_by": _("Åpnet av"),
    "resolved_by": _("Avgjort av"),
    "waived_by": _("Frafalt av"),
    "delivery_error": _("Feil ved sending"),
    "seller_snapshot": _("Selgerens navn og adresse slik de sto på dokumentet"),
    "buyer_snapshot": _("Kjøperens navn og adresse slik de sto på dokumentet"),
}


Subject = str | Callable[[Any], models.QuerySet[Any]] | None


@dataclass
class ModelDeclaration:
    label: str
    personal: dict[str, PersonalField]
    non_personal: frozenset[str]
    subject: Subject = None
    erasure: str = Erasure.DELETE
    # For Erasure.KEEP: why, and until when (a callable receiving the user).
    keep_reason: Promise | str = ""
    keep_until: Callable[[Any], datetime.date | None] | None = None
    # Replaces the generic eraser: called with (queryset, user).
    eraser: Callable[[models.QuerySet[Any], Any], None] | None = None
    # Order in which erasure runs; the user row itself goes last.
    erasure_order: int = 50
    # Whom the rows are about (DataSubject values); by default the users when the rows
    # have a subject, else the customers' own clients.
    data_subjects: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.label)

    def rows_for(self, user: AbstractBaseUser) -> models.QuerySet[Any] | None:
        """The rows that are about ``user``, across tenants (caller disables scopes)."""
        if self.subject is None:
            return None
        if callable(self.subject):
            return self.subject(user)
        return self.model._default_manager.filter(**{self.subject: user.pk})

    def fields_in(self, category: str) -> list[str]:
        return [name for name, spec in self.personal.items() if spec.category == category]

    def field_label(self, name: str) -> str:
        """What the person reads for a field: the declaration's label, else the model
        field's own verbose name, else the shared label of a common column name; never the
        field's name (``privacy/tests/test_access_report.py`` checks every field)."""
        spec = self.personal.get(name)
        if spec is not None and spec.label:
            return str(spec.label)
        model_field = self.model._meta.get_field(name)
        if getattr(model_field, "_verbose_name", None) is None and name in COMMON_LABELS:
            return str(COMMON_LABELS[name])
        return str(getattr(model_field, "verbose_name", name))

    def has_label(self, name: str) -> bool:
        """True when ``field_label`` gives words chosen for people, not a field name."""
        spec = self.personal.get(name)
        model_field = self.model._meta.get_field(name)
        return bool(
            (spec is not None and spec.label)
            or getattr(model_field, "_verbose_name", None) is not None
            or name in COMMON_LABELS
        )


class InventoryError(Exception):
    pass


_registry: dict[str, ModelDeclaration] = {}


def register(
    model: str | type[models.Model],
    *,
    personal: dict[str, PersonalField],
    non_personal: Iterable[str] = (),
    subject: Subject = None,
    erasure: str = Erasure.DELETE,
    keep_reason: Promise | str = "",
    keep_until: Callable[[Any], datetime.date | None] | None = None,
    eraser: Callable[[models.QuerySet[Any], Any], None] | None = None,
    erasure_order: int = 50,
    data_subjects: Iterable[str] | None = None,
) -> ModelDeclaration:
    """Declare the fields of one model. Call it from your app's ``privacy.py``."""
    label = model if isinstance(model, str) else model._meta.label
    label = apps.get_model(label)._meta.label  # normalise the spelling, fail early
    if label in _registry:
        raise InventoryError(f"{label} is already declared in the privacy inventory.")
    overlap = set(personal) & set(non_personal)
    if overlap:
        raise InventoryError(f"{label}: {sorted(overlap)} declared both personal and not.")
    known = {f.name for f in declarable_fields(apps.get_model(label))}
    unknown = (set(personal) | set(non_personal)) - known
    if unknown:
        raise InventoryError(f"{label}: no such field(s) {sorted(unknown)}.")
    if erasure == Erasure.KEEP and not keep_reason:
        raise InventoryError(f"{label}: Erasure.KEEP needs a keep_reason.")
    if data_subjects is None:
        data_subjects = (DataSubject.USERS,) if subject else (DataSubject.CLIENTS,)
    data_subjects = tuple(data_subjects)
    if not data_subjects or set(data_subjects) - set(DataSubject.values):
        raise InventoryError(f"{label}: unknown data subjects {data_subjects!r}.")
    declaration = ModelDeclaration(
        label=label,
        personal=dict(personal),
        non_personal=frozenset(non_personal),
        subject=subject,
        erasure=erasure,
        keep_reason=keep_reason,
        keep_until=keep_until,
        eraser=eraser,
        erasure_order=erasure_order,
        data_subjects=data_subjects,
    )
    _registry[label] = declaration
    return declaration


def declarations() -> list[ModelDeclaration]:
    return sorted(_registry.values(), key=lambda d: (d.erasure_order, d.label))


def declaration_for(model: str | type[models.Model]) -> ModelDeclaration | None:
    label = model if isinstance(model, str) else model._meta.label
    return _registry.get(label)


def declarable_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    """Concrete fields (and many-to-many) a model stores, except the automatic primary key
    and generated columns: the database writes those from other fields of the row, which
    are declared, and writes them again whenever those are blanked or changed
    (``invoicing.Invoice.references_text`` is its references, for the lists' search)."""
    result: list[models.Field[Any, Any]] = []
    for f in model._meta.get_fields(include_parents=False):
        # Relations seen from the other side (ForeignObjectRel) are never concrete.
        if not isinstance(f, models.Field) or f.auto_created or not getattr(f, "concrete", False):
            continue
        if f.generated:
            continue
        result.append(f)
    return result


def project_models() -> list[type[models.Model]]:
    """Concrete models of this project's own apps (not django.contrib or third-party)."""
    return list(_project_models())


@functools.cache
def _project_models() -> tuple[type[models.Model], ...]:
    """``project_models``, found once per process: the apps and their models do not change
    once loaded, and finding them resolves every app's path on disk (~5,500 ``lstat``
    calls; the privacy page asks once per record shown, ~60 ms of its ~80)."""
    base = Path(settings.BASE_DIR).resolve()
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if base not in path.parents or "site-packages" in path.parts or ".venv" in path.parts:
            continue
        for model in config.get_models():
            if model._meta.proxy or not model._meta.managed:
                continue
            found.append(model)
    return tuple(found)


def undeclared_fields() -> list[tuple[str, str]]:
    """(model label, field name) for every field that is neither personal nor non-personal."""
    missing = []
    for model in project_models():
        declaration = _registry.get(model._meta.label)
        declared = set(declaration.personal) | declaration.non_personal if declaration else set()
        for f in declarable_fields(model):
            if f.name not in declared:
                missing.append((model._meta.label, f.name))
    return missing


def personal_fields_by_category() -> dict[str, list[tuple[ModelDeclaration, str, PersonalField]]]:
    """Every declared personal field, grouped by category, in the statement's order."""
    grouped: dict[str, list[tuple[ModelDeclaration, str, PersonalField]]] = {
        c: [] for c in Category.values
    }
    for declaration in declarations():
        for name, spec in declaration.personal.items():
            grouped[spec.category].append((declaration, name, spec))
    return grouped


def purposes_in_use() -> list[Purpose]:
    used = {spec.purpose for d in _registry.values() for spec in d.personal.values()}
    return [p for key, p in PURPOSES.items() if key in used]


def retention_rules_in_use() -> list[Retention]:
    used = {spec.retention for d in _registry.values() for spec in d.personal.values()}
    return [r for key, r in RETENTION.items() if key in used]


def register_purpose(purpose: Purpose) -> Purpose:
    """Add a processing purpose (it then appears in the statement with its legal basis)."""
    if purpose.key in PURPOSES and PURPOSES[purpose.key] != purpose:
        raise InventoryError(f"Purpose {purpose.key!r} is already defined differently.")
    if purpose.legal_basis not in LegalBasis.values:
        raise InventoryError(f"Unknown legal basis {purpose.legal_basis!r}.")
    PURPOSES[purpose.key] = purpose
    return purpose


def register_retention(rule: Retention) -> Retention:
    """Add a retention rule (shown in the statement and on the person's access page)."""
    if rule.key in RETENTION and RETENTION[rule.key] != rule:
        raise InventoryError(f"Retention rule {rule.key!r} is already defined differently.")
    RETENTION[rule.key] = rule
    return rule


def end_of_bookkeeping_period(today: datetime.date | None = None) -> datetime.date:
    """Accounting material from this fiscal year is kept until 31.12 five years on."""
    today = today or datetime.date.today()
    return datetime.date(today.year + 5, 12, 31)
