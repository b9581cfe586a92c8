"""Operations for migrations that several apps need (import them in the migration file).

``company_trigram_indexes`` builds the GIN trigram indexes behind the text searches of the
lists and the client picker: PostgreSQL only (SQLite keeps a bounded scan), built
``CONCURRENTLY`` so tenants keep writing, so the migration must say ``atomic = False``.
The extensions (``pg_trgm``, ``btree_gin``) come from ``customers/0005``.
"""

from __future__ import annotations

from collections.abc import Mapping
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
