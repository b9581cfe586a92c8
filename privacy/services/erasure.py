"""Erasure: the one walk over every handler, and erasing a person's account."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from core.audit import Actor, audit_log
from core.erasure_journal import journal_append
from core.personal_data import handlers, inventory
from core.personal_data.inventory import Erasure
from privacy import selectors
from privacy.models import (
    ConsentChannel,
)
from privacy.services.consents import consent_withdraw

if TYPE_CHECKING:
    from accounts.models import User


def _anonymise(rows: Any, declaration: inventory.ModelDeclaration) -> None:
    """Replace each personal field by its ``erase_to`` (a value, or a callable of the row)."""
    specs = declaration.personal
    per_row = any(callable(spec.erase_to) for spec in specs.values())
    redact = hasattr(rows, "_redact")  # append-only rows: the one sanctioned change
    if not per_row:
        values = {name: spec.erase_to for name, spec in specs.items()}
        if redact:
            rows._redact(**values)
        else:
            rows.update(**values)
        return
    for row in rows:
        values = {
            name: spec.erase_to(row) if callable(spec.erase_to) else spec.erase_to
            for name, spec in specs.items()
        }
        same_row = rows.model._default_manager.filter(pk=row.pk)
        if redact:
            same_row._redact(**values)
        else:
            same_row.update(**values)


def person_rows_erase(*, user: User) -> None:
    """Delete or anonymise the person's rows as every handler's declarations say.

    The one erasure walk: the person's own request (``user_erase``), the privacy officer's,
    and the retention engine's rule for unused accounts all come here."""
    with scopes_disabled():
        # Every data-category handler's models, each once, the account row last.
        for declaration in handlers.erasure_sequence():
            rows = declaration.rows_for(user)
            if rows is None or declaration.erasure == Erasure.KEEP:
                continue
            if declaration.eraser is not None:
                declaration.eraser(rows, user)
            elif declaration.erasure == Erasure.DELETE:
                rows.delete()
            else:
                _anonymise(rows, declaration)


@transaction.atomic
def user_erase(*, user: User, close_companies: bool = False, actor: Actor | None = None) -> None:
    """Erase a person: leave every company, delete or anonymise what the inventory says.

    Accounting material belongs to the companies and is not touched; audit rows are only
    redacted. The last owner of a company hands it over first, or — ``close_companies`` —
    closes it with the erasure (``accounts.services.company_close``: no new documents; its
    accounting records are kept until their deadline and then anonymised by the retention
    engine). ``actor``: who asked (the person, or the privacy officer on request).
    """
    from accounts.services import company_close

    actor = actor or Actor.user(user)
    blocking = selectors.companies_where_last_owner(user=user)
    if blocking and not close_companies:
        raise ValidationError(
            _(
                "Du er eneste eier av %(companies)s. Gi en annen eierrollen eller avslutt "
                "firmaet før du sletter kontoen."
            )
            % {"companies": ", ".join(c.name for c in blocking)}
        )
    for company in blocking:
        company_close(company=company, actor=actor)
    audit_log(action="privacy.erasure.started", actor=actor, target=user)
    state = selectors.consent_state(user=user)
    for purpose, record in state.items():
        if record is not None and record.given:
            consent_withdraw(purpose=purpose, channel=ConsentChannel.WEB, user=user)
    person_rows_erase(user=user)
    audit_log(
        action="privacy.erasure.completed",
        actor=Actor.system("privacy"),
        target=user,
        data={"user_id": user.pk},
    )
    # Outside the database, so that restoring an older backup erases the person again.
    user_id = user.pk
    transaction.on_commit(lambda: journal_append(kind="user", object_id=user_id))
