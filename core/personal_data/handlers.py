"""Data-category handlers: the one design that export, erasure and retention iterate.

The inventory (``core.personal_data.inventory``) says, field by field, what is personal and why. A
*handler* groups the models of one kind of data (one line of the storage and deletion
routines) and knows, for that data:

- whose it is and which rows are the person's (through the models' inventory declarations:
  ``subject``, or the handler's own ``rows_for``);
- how it is exported (the declarations' personal fields, shown with their labels);
- how it is erased for a person (the declarations' ``erasure`` / ``eraser``);
- how long it is kept: one retention key of ``inventory.RETENTION`` (so the statement,
  the access page and the routines document print the same period), the action at the end
  (delete / anonymise) and the legal basis; and ``targets(ctx)``, the rows the retention
  run applies that action to on a given day, legal holds and active relationships left
  out (``core.personal_data.retention.Context``).

Each app registers its handlers in its ``privacy.py`` next to its declarations::

    register_handler(Handler(
        key="delivery_log", title=_("..."), data=_("..."),
        models=("delivery.Delivery", "delivery.BatchItem"),
        categories=(Category.CONTACT,), retention="bookkeeping_secondary",
        action=Action.ANONYMISE, legal_basis=_("..."), targets=delivery_targets,
    ))

``privacy/tests/test_handlers.py`` fails while a model with personal fields has no
handler, or a personal field's retention key is not the key of a handler that covers its
model (the period the statement states would then not be the one the engine applies).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet
from django.utils.functional import Promise

from core.personal_data import inventory

# ``Action`` is the retention module's (the target functions name it); handlers re-export it.
from core.personal_data.retention import Action as Action
from core.personal_data.retention import Context, Target


@dataclass(frozen=True)
class ReportLine:
    """One line of the access report and export that is not a personal field of a declared
    row: facts about the person's relationship read from other rows (the operator's invoices
    to the person's companies, say). ``spec`` says category, purpose, source and period."""

    record: str
    field: str
    value: str
    spec: inventory.PersonalField


@dataclass(frozen=True)
class Handler:
    key: str
    title: Promise | str
    data: Promise | str
    # The models whose personal fields this handler answers for ("app.Model").
    models: tuple[str, ...]
    categories: tuple[str, ...]
    # A key of inventory.RETENTION: its label is the period everywhere it is shown.
    retention: str
    action: str
    legal_basis: Promise | str
    # The rows past their period on ctx.today; None when the data only ends with erasure
    # of the person (the routines document then does not list it as an engine rule).
    targets: Callable[[Context], Iterable[Target]] | None = None
    # Position in the retention run (some rules rely on an earlier one having run).
    order: int = 50
    # More lines for the person's access report and export (``ReportLine``), beyond the
    # declarations' personal fields; the caller disables tenant scopes.
    report: Callable[[Any], Iterable[ReportLine]] | None = None

    def __post_init__(self) -> None:
        if self.retention not in inventory.RETENTION:
            raise inventory.InventoryError(
                f"Handler {self.key!r}: unknown retention key {self.retention!r}."
            )
        if self.action not in (Action.DELETE, Action.ANONYMISE):
            raise inventory.InventoryError(f"Handler {self.key!r}: unknown action.")

    @property
    def period(self) -> Promise | str:
        """The period, exactly as the statement and the access page state it."""
        return inventory.RETENTION[self.retention].label

    def declarations(self) -> list[inventory.ModelDeclaration]:
        found = [inventory.declaration_for(label) for label in self.models]
        return [d for d in found if d is not None]

    def rows_for(self, user: AbstractBaseUser) -> dict[str, QuerySet[Any]]:
        """The person's rows, per model (the caller disables tenant scopes)."""
        result = {}
        for declaration in self.declarations():
            rows = declaration.rows_for(user)
            if rows is not None:
                result[declaration.label] = rows
        return result


_handlers: dict[str, Handler] = {}


def register_handler(handler: Handler) -> Handler:
    """Register one data-category handler. Call it from your app's ``privacy.py``."""
    if handler.key in _handlers:
        raise inventory.InventoryError(f"Handler {handler.key!r} is already registered.")
    for label in handler.models:
        apps.get_model(label)  # fail early on a misspelt model
    _handlers[handler.key] = handler
    return handler


def handlers() -> list[Handler]:
    return sorted(_handlers.values(), key=lambda h: (h.order, h.key))


def handler(key: str) -> Handler:
    return _handlers[key]


def retention_handlers() -> list[Handler]:
    """The handlers the retention engine runs, in run order."""
    return [h for h in handlers() if h.targets is not None]


def handlers_for_model(label: str) -> list[Handler]:
    return [h for h in handlers() if label in h.models]


def erasure_sequence() -> list[inventory.ModelDeclaration]:
    """The declarations erasure walks, each once, in erasure order (the user row last)."""
    seen: dict[str, inventory.ModelDeclaration] = {}
    for h in handlers():
        for declaration in h.declarations():
            seen.setdefault(declaration.label, declaration)
    return sorted(seen.values(), key=lambda d: (d.erasure_order, d.label))


def uncovered_models() -> list[str]:
    """Models with personal fields that no handler answers for."""
    covered = {label for h in _handlers.values() for label in h.models}
    return sorted(
        d.label for d in inventory.declarations() if d.personal and d.label not in covered
    )


def retention_mismatches() -> list[tuple[str, str, str]]:
    """(model, field, retention key) where the field's stated period is no handler's."""
    result = []
    for declaration in inventory.declarations():
        keys = {h.retention for h in handlers_for_model(declaration.label)}
        if not keys:
            continue
        for name, spec in declaration.personal.items():
            if spec.retention not in keys:
                result.append((declaration.label, name, spec.retention))
    return result
