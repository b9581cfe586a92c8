"""Writing many rows at once, faster than ``bulk_create``/``bulk_update`` for thousands.

``bulk_create`` compiles every value through the SQL compiler (placeholder, pre-save,
preparation: about ten Python calls per value), and on SQLite it sends at most 999
parameters per statement. For the reminder run's 350,000 rows that compiling was most of
the time (``bench/RESULTS.md``). ``bulk_insert`` does what it does, once per column:

- each value goes through the field's own ``pre_save(obj, add=True)`` (``auto_now_add``)
  and ``get_db_prep_save`` (dates, decimals and JSON exactly as the ORM stores them),
  except plain ints, strings, booleans and None, which that call returns unchanged;
- related objects assigned before they were saved give their primary key, as in
  ``bulk_create``;
- one multi-row ``INSERT ... RETURNING id`` per batch (as many rows as the database takes
  parameters: SQLite's own limit, not Django's 999), and each object gets its primary key.

No signals, no ``save()``: the same contract as ``bulk_create``, so model guards that
live in ``save()`` must be checked by the caller, as there.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import connections, models, router

_POSTGRES_MAX_PARAMS = 65535

_ModelT = TypeVar("_ModelT", bound=models.Model)


def _max_params(connection: Any) -> int:
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        return int(connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER))
    return int(connection.features.max_query_params or _POSTGRES_MAX_PARAMS)


def _plain_types(field: models.Field[Any, Any]) -> tuple[type, ...]:
    """Python types the field would store unchanged: ``get_db_prep_save`` is an identity
    for them on every backend, so the call (most of the cost per value) is skipped.
    Anything else (a str enum member, a Decimal, a date, JSON) takes the field's own way."""
    if isinstance(field, models.JSONField):
        return ()
    if isinstance(field, models.CharField | models.TextField):
        return (str, type(None))
    if isinstance(field, models.BooleanField):
        return (bool, type(None))
    if isinstance(field, models.IntegerField | models.ForeignKey):
        return (int, type(None))
    return (type(None),)


def _column(field: models.Field[Any, Any]) -> str:
    if field.column is None:  # only fields without a column of their own (never concrete)
        raise TypeError(f"{field.name} has no column")
    return field.column


def bulk_insert(objs: Sequence[_ModelT], *, batch_size: int = 2000) -> list[_ModelT]:
    """INSERT unsaved instances of one model (auto-increment primary key) and set their
    primary keys. Returns ``objs``."""
    if not objs:
        return list(objs)
    model = type(objs[0])
    opts = model._meta
    if not isinstance(opts.pk, models.AutoField):
        raise TypeError(f"{model.__name__}: bulk_insert needs an auto-increment primary key")
    alias = router.db_for_write(model)
    connection = connections[alias]
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    if any(hasattr(f, "get_placeholder") for f in fields):
        raise TypeError(f"{model.__name__}: a field needs its own placeholder; use bulk_create")
    plain_types = [_plain_types(f) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(_column(f)) for f in fields)
    row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per_statement = max(1, min(batch_size, _max_params(connection) // len(fields)))
    # Only the model's own table and column names go into the SQL; values are parameters.
    head = f"INSERT INTO {quote(opts.db_table)} ({columns}) VALUES "  # noqa: S608
    tail = f" RETURNING {quote(_column(opts.pk))}"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            batch = objs[start : start + per_statement]
            params: list[Any] = []
            for obj in batch:
                if type(obj) is not model or obj.pk is not None:
                    raise ValueError("bulk_insert takes unsaved instances of one model")
                # Django's own (private) check, as in bulk_create; django-stubs omits it.
                obj._prepare_related_fields_for_save(  # type: ignore[attr-defined]
                    operation_name="bulk_insert"
                )
                for f, plain in zip(fields, plain_types, strict=True):
                    value = f.pre_save(obj, True)
                    params.append(
                        value if type(value) in plain else f.get_db_prep_save(value, connection)
                    )
            cursor.execute(head + ", ".join([row_sql] * len(batch)) + tail, params)
            ids = [row[0] for row in cursor.fetchall()]
            for obj, pk in zip(batch, ids, strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = alias
    return list(objs)


def bulk_set(objs: Sequence[models.Model], fields: Sequence[str], *, batch_size: int = 5000) -> int:
    """UPDATE ``fields`` of saved instances to their current attribute values: what
    ``QuerySet.bulk_update`` does, in one ``CASE`` statement per batch built without the
    expression machinery (which costs about a millisecond per row). Values are prepared by
    the fields (``get_db_prep_save``); on PostgreSQL each ``CASE`` is cast to the column's
    type, as Django does. Bypasses ``QuerySet.update`` (and any guard there): callers check
    what they may change. Returns the number of rows updated."""
    if not objs:
        return 0
    model = type(objs[0])
    opts = model._meta
    alias = router.db_for_write(model)
    connection = connections[alias]
    targets: list[models.Field[Any, Any]] = []
    for name in fields:
        target = opts.get_field(name)
        if (
            not isinstance(target, models.Field)
            or not target.concrete
            or target.primary_key
            or target.many_to_many
        ):
            raise TypeError("bulk_set updates concrete, non-key columns only")
        targets.append(target)
    quote = connection.ops.quote_name
    pk_column = quote(_column(opts.pk))
    cast = connection.features.requires_casted_case_in_updates
    per_row = 2 * len(targets) + 1
    per_statement = max(1, min(batch_size, _max_params(connection) // per_row))
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objs), per_statement):
            batch = objs[start : start + per_statement]
            if any(type(obj) is not model or obj.pk is None for obj in batch):
                raise ValueError("bulk_set takes saved instances of one model")
            assignments, params = [], []
            for field in targets:
                case = "CASE " + pk_column + " " + " ".join(["WHEN %s THEN %s"] * len(batch))
                case += " END"
                if cast:
                    case = f"CAST({case} AS {field.cast_db_type(connection)})"
                assignments.append(f"{quote(_column(field))} = {case}")
                for obj in batch:
                    params.append(obj.pk)
                    params.append(field.get_db_prep_save(getattr(obj, field.attname), connection))
            params.extend(obj.pk for obj in batch)
            placeholders = ", ".join(["%s"] * len(batch))
            cursor.execute(
                # Only the model's own table and column names go into the SQL.
                f"UPDATE {quote(opts.db_table)} SET {', '.join(assignments)} "  # noqa: S608
                f"WHERE {pk_column} IN ({placeholders})",
                params,
            )
            updated += cursor.rowcount
    return updated
