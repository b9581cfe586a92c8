"""What a retention run knows (``Context``), what a rule hands it (``Target``), and the
helpers every app's target functions share.

Each app keeps the target functions of its own data in its ``retention.py`` and names
them in the handlers its ``privacy.py`` registers (``core.personal_data.handlers``). The
retention engine (``retention``) builds one ``Context`` at the start of a run and collects
the targets only through that registry, so no app imports the engine.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone

# Rows per committed batch of a real run (``retention.services``).
BATCH_SIZE = 1000

ANONYMISED_NAME = "Anonymisert"
REDACTED_LABEL = "[slettet]"
# Unused accounts (``privacy``) and customers that left (the engine's context) both wait
# 3 years without a log-in.
INACTIVE_ACCOUNT_DAYS = 3 * 365


class Action:
    DELETE = "delete"
    ANONYMISE = "anonymise"


@dataclass
class Context:
    """The facts a run decides by, read once at its start."""

    today: datetime.date
    now: datetime.datetime
    # Customers (accounts.Company ids) whose relationship is active today.
    active_company_ids: frozenset[int]
    # Legal holds from open disputes: companies, clients and users whose data is kept.
    held_company_ids: frozenset[int] = frozenset()
    held_client_ids: frozenset[int] = frozenset()
    held_user_ids: frozenset[int] = frozenset()
    # Customers whose relationship ended, with the day it ended.
    ended_on: dict[int, datetime.date] = field(default_factory=dict)
    # Customers that left: not active, not held, nobody logged in for 3 years, and the
    # bookkeeping deadline of their latest document (and of ours to them) has passed.
    left_company_ids: frozenset[int] = frozenset()
    # The operator's client records (customers.Client) of those companies.
    left_client_ids: frozenset[int] = frozenset()


@dataclass
class Target:
    """Rows of one model that one rule handles in this run."""

    model: str
    action: str
    queryset: QuerySet[Any]
    # Called with the primary keys (and the context) in the real run only, once per batch
    # of ``batch_size`` keys, each batch in its own transaction (None: all in one).
    apply: Callable[[list[Any], Context], None]
    batch_size: int | None = BATCH_SIZE
    # The batches may be applied on several connections at once (``retention.services``,
    # ``RETENTION_WORKERS``): each batch writes only its own rows (no cascade, no row
    # another batch also locks), so batches neither wait for nor deadlock with each other.
    parallel: bool = False


Targets = Callable[[Context], Iterable[Target]]


# --- Periods -------------------------------------------------------------------------------
def primary_cutoff(today: datetime.date) -> datetime.date:
    """Primary documentation (bokføringsloven § 13): 5 years after the fiscal year's end.

    Material dated before the returned day has passed its deadline: a document from year
    Y is kept until 31.12.Y+5 (calendar fiscal year).
    """
    return datetime.date(today.year - 5, 1, 1)


def secondary_cutoff(today: datetime.date) -> datetime.date:
    """Secondary documentation: 3.5 years after the fiscal year's end (30.06.Y+4)."""
    if today > datetime.date(today.year, 6, 30):
        return datetime.date(today.year - 3, 1, 1)
    return datetime.date(today.year - 4, 1, 1)


def primary_deadline(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + 5, 12, 31)


def secondary_deadline(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + 4, 6, 30)


def start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of ``day``, in the current time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- Rows by model label (a target function names models, it does not import them) ---------
def model(label: str) -> type[models.Model]:
    return apps.get_model(label)


def manager(label: str) -> models.Manager[Any]:
    """Every row of the model, tenant scopes and soft filters aside."""
    return model(label)._base_manager


def plain(label: str) -> QuerySet[Any]:
    """A bare queryset: no custom manager or queryset methods (no guards in ``update``)."""
    return models.QuerySet(model=model(label))


def deleter(label: str) -> Callable[[list[Any], Context], None]:
    """An ``apply`` that deletes the rows.

    In chunks of 1,000 keys: a target's batch is ``BATCH_SIZE`` keys (one chunk), but the
    web-analytics target (``privacy.retention.analytics_targets``, ``batch_size=None``)
    hands it every expired page view at once."""

    def apply(pks: list[Any], ctx: Context) -> None:
        for start in range(0, len(pks), 1000):
            manager(label).filter(pk__in=pks[start : start + 1000]).delete()

    return apply


def updater(label: str, **values: Any) -> Callable[[list[Any], Context], None]:
    """An ``apply`` that sets ``values`` on the rows (``update``: ``updated_at`` stays), one
    statement per batch (a target's batch is already ``BATCH_SIZE`` keys)."""

    def apply(pks: list[Any], ctx: Context) -> None:
        plain(label).filter(pk__in=pks).update(**values)

    return apply


def not_held(
    rows: QuerySet[Any], ctx: Context, *, client: str | None = "client_id"
) -> QuerySet[Any]:
    """``rows`` without those of held companies (and of held clients, through ``client``)."""
    rows = rows.exclude(company_id__in=ctx.held_company_ids)
    if client:
        rows = rows.exclude(**{f"{client}__in": ctx.held_client_ids})
    return rows


def files_delete(files: list[FieldFile]) -> None:
    for file in files:
        if file.name:
            file.storage.delete(file.name)


# --- Composing target functions ------------------------------------------------------------
def chain(*functions: Targets) -> Targets:
    """One target function from several, run in order."""

    def targets(ctx: Context) -> Iterable[Target]:
        for function in functions:
            yield from function(ctx)

    return targets


def _blank_values(label: str, names: Iterable[str]) -> tuple[dict[str, Any], Q]:
    """Values that erase the identifying fields among ``names``, and a filter for rows that
    still have any. Text becomes empty, a nullable link to a person None, JSON empty;
    dates, amounts and choices stay (they say nothing about anyone once names are gone)."""
    values: dict[str, Any] = {}
    still = Q()
    for name in names:
        f = model(label)._meta.get_field(name)
        if isinstance(f, models.Field) and f.choices:
            continue
        if isinstance(f, models.ForeignKey) and f.null:
            values[f.attname] = None
            still |= Q(**{f"{f.attname}__isnull": False})
        elif isinstance(f, models.JSONField):
            empty = f.get_default()
            values[name] = empty
            still |= ~Q(**{name: empty})
        elif isinstance(f, models.CharField | models.TextField):
            values[name] = ""
            still |= ~Q(**{name: ""})
    return values, still


def blank_personal_fields(label: str, company_field: str = "company") -> Targets:
    """A targets function: the inventory's personal fields of ``label`` blanked in the rows
    of customers that left."""

    def targets(ctx: Context) -> Iterable[Target]:
        from core.personal_data.inventory import declaration_for

        declaration = declaration_for(label)
        values, still = _blank_values(label, declaration.personal if declaration else ())
        if not values:
            return
        rows = manager(label).filter(**{f"{company_field}__in": ctx.left_company_ids})
        yield Target(label, Action.ANONYMISE, rows.filter(still), updater(label, **values))

    return targets
