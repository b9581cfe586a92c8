"""Reads for the storage and deletion routines document and the back office."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from core.personal_data import inventory
from core.personal_data.inventory import Category, DataSubject, Erasure
from retention.models import DeletionLogEntry, RetentionRun
from retention.rules import Action, rules


@dataclass
class RoutineRow:
    title: str
    data: str
    categories: list[str]
    period: str
    action: str
    legal_basis: str


@dataclass
class InventoryRow:
    label: str
    fields: list[str]
    erasure: str


ACTION_LABELS = {Action.DELETE: Erasure.DELETE.label, Action.ANONYMISE: Erasure.ANONYMISE.label}


def routines() -> dict[str, Any]:
    """The storage and deletion routines, generated from the retention rules and inventory."""
    rows = [
        RoutineRow(
            title=str(rule.title),
            data=str(rule.data),
            categories=[str(Category(c).label) for c in rule.categories],
            period=str(rule.period),
            action=str(ACTION_LABELS[rule.action]),
            legal_basis=str(rule.legal_basis),
        )
        for rule in rules()
    ]
    by_retention: dict[str, list[str]] = {}
    for declaration in inventory.declarations():
        for name, spec in declaration.personal.items():
            label = f"{str(declaration.model._meta.verbose_name).capitalize()}: "
            label += declaration.field_label(name)
            by_retention.setdefault(spec.retention, []).append(label)
    inventory_rows = [
        InventoryRow(
            label=str(rule.label), fields=sorted(set(by_retention.get(key, []))), erasure=""
        )
        for key, rule in inventory.RETENTION.items()
        if key in by_retention
    ]
    return {"rules": rows, "inventory_rows": inventory_rows}


def latest_runs(limit: int = 10) -> QuerySet[RetentionRun]:
    return RetentionRun.objects.prefetch_related("entries")[:limit]


def deletion_log(*, run: RetentionRun) -> QuerySet[DeletionLogEntry]:
    return run.entries.all()


# --- Record of processing activities (GDPR art. 30) --------------------------------------
SECURITY_MEASURES = (
    gettext_lazy(
        "Tilgang etter tjenstlig behov (rollematrise), tofaktorinnlogging for ansatte, "
        "tilgangslogg over alle oppslag i kundedata"
    ),
    gettext_lazy(
        "Kryptert overføring (HTTPS), passord lagret som hash, låsing etter gjentatte feil"
    ),
    gettext_lazy("Revisjonslogg som ikke kan endres, daglig sletting etter lagringsreglene"),
    gettext_lazy("Jevnlige risikovurderinger med fast dato for ny gjennomgang"),
)


def processing_record() -> dict[str, Any]:
    """One row per purpose: legal basis, categories, data subjects, recipients, transfers,
    retention; generated from the inventory, so it matches what the system stores."""
    from core.personal_data.inventory import PURPOSES, RETENTION, LegalBasis
    from privacy.models import SubProcessor

    by_purpose: dict[str, dict[str, set[str]]] = {}
    for declaration in inventory.declarations():
        for _name, spec in declaration.personal.items():
            entry = by_purpose.setdefault(
                spec.purpose,
                {
                    "categories": set(),
                    "retention": set(),
                    "recipients": set(),
                    "models": set(),
                    "subjects": set(),
                },
            )
            entry["categories"].add(str(Category(spec.category).label))
            entry["retention"].add(str(RETENTION[spec.retention].label))
            entry["recipients"].add(str(spec.recipients))
            entry["models"].add(str(declaration.model._meta.verbose_name_plural))
            entry["subjects"].update(
                str(DataSubject(subject).label) for subject in declaration.data_subjects
            )
    subprocessors = [
        f"{s.name} ({s.country}; {s.transfer_basis})"
        for s in SubProcessor.objects.filter(active=True)
    ]
    activities = [
        {
            "purpose": str(PURPOSES[key].label),
            "legal_basis": str(LegalBasis(PURPOSES[key].legal_basis).label),
            "categories": sorted(entry["categories"]),
            "subjects": sorted(entry["subjects"]),
            "recipients": sorted(entry["recipients"]),
            "retention": sorted(entry["retention"]),
            "records": sorted(entry["models"]),
        }
        for key, entry in by_purpose.items()
        if key in PURPOSES
    ]
    return {
        "controller": OPERATOR,
        "activities": activities,
        "subprocessors": subprocessors,
        "measures": SECURITY_MEASURES,
        "processor": processor_record(),
    }


OPERATOR = "Invoice Club AS, Trondheim"
# What we do for a customer with its own clients' data (Art. 30(2)(b)): the service itself.
PROCESSOR_ACTIVITIES = (
    gettext_lazy("Kunderegister: lagre og vise kundenes egne kunder"),
    gettext_lazy("Fakturering: lage, utstede og arkivere fakturaer og kreditnotaer (PDF og EHF)"),
    gettext_lazy("Utsending av fakturaer og purringer på e-post og via Peppol"),
    gettext_lazy("Innbetalinger, bankfiler, purringer, renter og inkassovarsel"),
    gettext_lazy("Rapporter og regnskapsuttrekk (SAF-T) til kunden"),
    gettext_lazy(
        "Svar på kundenes egne henvendelser fra de registrerte (finn en person, innsyn, "
        "retting, anonymisering)"
    ),
)


def processor_record() -> dict[str, Any]:
    """The record we keep as processor (GDPR art. 30(2)): for each customer company (the
    controller), what we process on its behalf about its own clients. Generated from the
    inventory's declarations about those clients, like the controller record."""
    from backoffice.selectors import customers
    from core.personal_data.inventory import RETENTION

    categories: set[str] = set()
    records: set[str] = set()
    retention: set[str] = set()
    for declaration in inventory.declarations():
        if DataSubject.CLIENTS not in declaration.data_subjects or not declaration.personal:
            continue
        records.add(str(declaration.model._meta.verbose_name_plural))
        for spec in declaration.personal.values():
            categories.add(str(Category(spec.category).label))
            retention.add(str(RETENTION[spec.retention].label))
    # Every customer, also a closed one whose records we still store until their deadline.
    controllers = list(
        customers()
        .order_by("name", "pk")
        .values("name", "organization_number", "email", "closed_at")
    )
    return {
        "processor": OPERATOR,
        "controllers": controllers,
        "subjects": [str(DataSubject.CLIENTS.label)],
        "activities": [str(a) for a in PROCESSOR_ACTIVITIES],
        "categories": sorted(categories),
        "records": sorted(records),
        "retention": sorted(retention),
    }
