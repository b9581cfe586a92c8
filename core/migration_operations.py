"""Operations for migrations that several apps need (import them in the migration file).

``guard_triggers_lifted_by_retention`` re-creates guard triggers (append-only logs, issued
invoices, payments) so that they stand aside inside a retention run's transaction only.
``guard_triggers_bound_to_the_transaction`` re-creates them with the condition that binds
that to the run's own transaction id (``core.guards``).

``company_trigram_indexes`` builds the GIN trigram indexes behind the text searches of the
lists and the client picker: PostgreSQL only (SQLite keeps a bounded scan), built
``CONCURRENTLY`` so tenants keep writing, so the migration must say ``atomic = False``.
The extensions (``pg_trgm``, ``btree_gin``) come from ``customers/0005``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor


def company_trigram_indexes(indexes: Mapping[str, tuple[str, str]]) -> migrations.RunPython:
    """One index per ``name: (table, column)`` on ``(company_id, UPPER(column::text))``.

    ``icontains`` compiles to ``UPPER(col::text) LIKE UPPER(%s)``, so the index is on that
    expression, with the company id in the same GIN index (``btree_gin``). Reversed, the
    indexes are dropped. On other databases both directions do nothing.
    """
    indexes = dict(indexes)

    def create(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for name, (table, column) in indexes.items():
            schema_editor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {table} "
                f"USING gin (company_id, (UPPER({column}::text)) gin_trgm_ops)"
            )

    def drop(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for name in indexes:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")

    return migrations.RunPython(create, drop, elidable=False)


# The guard triggers stand aside inside a retention run's transaction only
# (``core.guards.retention_guards_lifted`` sets ``fakturanett.retention_run`` with SET LOCAL).
# The first form (core 0005, backoffice 0006, invoicing 0015) took the value ``on``.
RETENTION_RUN_NOT_ON = (
    "WHEN (current_setting('fakturanett.retention_run', true) IS DISTINCT FROM 'on')"
)
# Since core 0006, backoffice 0007, invoicing 0019 the value must be the id of the
# transaction that writes: a value left in the session (``SET`` without ``LOCAL``, on a
# connection Django or a pooler keeps open) lets no later transaction through.
RETENTION_RUN_NOT_THIS_TRANSACTION = (
    "WHEN (current_setting('fakturanett.retention_run', true)"
    " IS DISTINCT FROM txid_current()::text)"
)


def guard_triggers_lifted_by_retention(
    triggers: Sequence[tuple[str, str, str]],
    *,
    when: str = RETENTION_RUN_NOT_ON,
    previous_when: str = "",
) -> migrations.RunPython:
    """Re-create each ``(trigger, table, function call)`` guard (``BEFORE UPDATE OR DELETE``,
    per row) with a ``WHEN`` that lets a retention run's own transaction through; reversed,
    with ``previous_when`` (none at first). PostgreSQL only (SQLite has no such triggers);
    both directions run one statement batch: drop and create per trigger, in the order
    given."""
    triggers = tuple(triggers)

    def sql(when: str) -> str:
        return "\n" + "".join(
            f"DROP TRIGGER IF EXISTS {name} ON {table};\n"
            f"CREATE TRIGGER {name}\n"
            f"    BEFORE UPDATE OR DELETE ON {table}\n"
            f"    FOR EACH ROW {when} EXECUTE FUNCTION {function};\n"
            for name, table, function in triggers
        )

    def forward(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql(when), params=None)

    def backward(apps: Any, schema_editor: BaseDatabaseSchemaEditor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql(previous_when), params=None)

    return migrations.RunPython(forward, backward)


def guard_triggers_bound_to_the_transaction(
    triggers: Sequence[tuple[str, str, str]],
) -> migrations.RunPython:
    """The guards of ``guard_triggers_lifted_by_retention`` again, now standing aside only
    where ``fakturanett.retention_run`` holds the writing transaction's own id; reversed,
    the ``on`` form."""
    return guard_triggers_lifted_by_retention(
        triggers, when=RETENTION_RUN_NOT_THIS_TRANSACTION, previous_when=RETENTION_RUN_NOT_ON
    )
