"""Writing many rows at once, faster than ``bulk_create``/``bulk_update`` for thousands.

``bulk_create`` compiles every value through the SQL compiler (placeholder, pre-save,
preparation: about ten Python calls per value), and on SQLite it sends at most 999
parameters per statement. For the reminder run's 350,000 rows that compiling was most of
the time (``bench/RESULTS.md``). ``bulk_insert`` does what it does, once per column:

- each value goes through the field's own ``pre_save(obj, add=True)`` (``auto_now_add``)
  and ``get_db_prep_save`` (dates, decimals and JSON exactly as the ORM stores them),
  except where that call is an identity: plain ints, strings, booleans and None, finite
  Decimals of a decimal field, and (PostgreSQL) dates of a date field;
- related objects assigned before they were saved give their primary key, as in
  ``bulk_create``;
- SQLite: one multi-row ``INSERT ... RETURNING id`` per batch (as many rows as the
  database takes parameters: SQLite's own limit, not Django's 999);
- PostgreSQL: the ids are taken from the table's sequence in one query and the rows sent
  with ``COPY ... FROM STDIN`` (psycopg's ``cursor.copy``). A multi-row INSERT there is
  bound on the client: psycopg parses the statement's tens of thousands of ``%s`` in
  Python and quotes every value into the SQL text, which was most of the reminder run's
  time (``bench/RESULTS.md``); COPY streams the values in C, in one round trip.

Each object gets its primary key. ``insert_rows`` writes the same way from plain tuples
(no model instance per row: for 50,000 rows building the instances cost more than the
writing), and ``InIds`` (``filter(pk__in_ids=ids)``) filters by thousands of ids with one
array parameter on PostgreSQL instead of one ``%s`` per id.

No signals, no ``save()``: the same contract as ``bulk_create``, so model guards that
live in ``save()`` must be checked by the caller, as there.
"""

from __future__ import annotations

import array
import datetime
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
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


def _plain_types(field: models.Field[Any, Any], connection: Any) -> tuple[type, ...]:
    """Python types the field would store unchanged: ``get_db_prep_save`` is an identity
    for them on this connection, so the call (most of the cost per value) is skipped.
    Anything else (a str enum member, a float for a decimal, a date on SQLite, which stores
    it as text, a datetime, JSON) takes the field's own way. ``_prepare`` adds the one
    condition a type cannot say: a Decimal must be finite (the field refuses NaN)."""
    if isinstance(field, models.JSONField):
        return ()
    if isinstance(field, models.CharField | models.TextField):
        return (str, type(None))
    if isinstance(field, models.BooleanField):
        return (bool, type(None))
    if isinstance(field, models.IntegerField | models.ForeignKey):
        return (int, type(None))
    if isinstance(field, models.DecimalField):
        # to_python(Decimal) is a copy; adapt_decimalfield_value returns it as it is.
        return (Decimal, type(None))
    if (
        isinstance(field, models.DateField)
        and not isinstance(field, models.DateTimeField)
        and connection.vendor == "postgresql"
    ):
        return (datetime.date, type(None))  # adapt_datefield_value: identity on PostgreSQL
    return (type(None),)


def _prepare(
    fields: Sequence[models.Field[Any, Any]],
    plain_types: Sequence[tuple[type, ...]],
    values: Iterable[Any],
    connection: Any,
) -> list[Any]:
    """``[f.get_db_prep_save(v) for f, v in ...]`` without the calls that change nothing."""
    return [
        value
        if type(value) in plain and (type(value) is not Decimal or value.is_finite())
        else f.get_db_prep_save(value, connection)
        for f, plain, value in zip(fields, plain_types, values, strict=True)
    ]


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
    if any(type(obj) is not model or obj.pk is not None for obj in objs):
        raise ValueError("bulk_insert takes unsaved instances of one model")
    connection, fields = _target(model)
    plain_types = [_plain_types(f, connection) for f in fields]

    def prepared(obj: _ModelT) -> list[Any]:
        # Django's own (private) check, as in bulk_create; django-stubs omits it.
        obj._prepare_related_fields_for_save(  # type: ignore[attr-defined]
            operation_name="bulk_insert"
        )
        return _prepare(fields, plain_types, (f.pre_save(obj, True) for f in fields), connection)

    ids = _write(connection, model, fields, map(prepared, objs), len(objs), batch_size, True)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias
    return list(objs)


def insert_rows(
    model: type[models.Model],
    field_names: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning: bool = False,
    batch_size: int = 2000,
) -> list[int]:
    """INSERT plain rows of ``model`` without building an instance per row: each row holds
    the values of ``field_names`` (names or attnames such as ``invoice_id``) as the model
    takes them (Decimal, date, dict for JSON ...), prepared by the fields as ``bulk_insert``
    does. Every other field gets its default (``auto_now_add``: now), the same for all rows.
    Returns the new primary keys in order when ``returning``, else ``[]``. For tens of
    thousands of rows: a model instance costs more than writing its row."""
    if not rows:
        return []
    connection, all_fields = _target(model)
    by_name = {name: field for field in all_fields for name in (field.name, field.attname)}
    named = [by_name[name] for name in field_names if name in by_name]
    if len(named) != len(field_names) or len(set(named)) != len(named):
        raise ValueError(f"{model.__name__}: insert_rows takes distinct concrete fields")
    blank = model()
    others = [f for f in all_fields if f not in named]
    constants = [f.get_db_prep_save(f.pre_save(blank, True), connection) for f in others]
    plain_types = [_plain_types(f, connection) for f in named]

    def prepared(row: Sequence[Any]) -> list[Any]:
        values = _prepare(named, plain_types, row, connection)
        values.extend(constants)
        return values

    fields = [*named, *others]
    return _write(connection, model, fields, map(prepared, rows), len(rows), batch_size, returning)


def _target(model: type[models.Model]) -> tuple[Any, list[models.Field[Any, Any]]]:
    """The connection that writes ``model`` and its columns other than the primary key."""
    opts = model._meta
    if not isinstance(opts.pk, models.AutoField):
        raise TypeError(f"{model.__name__}: bulk writes need an auto-increment primary key")
    connection = connections[router.db_for_write(model)]
    # A generated column is the database's to write.
    fields = [f for f in opts.concrete_fields if not f.primary_key and not f.generated]
    if any(hasattr(f, "get_placeholder") for f in fields):
        raise TypeError(f"{model.__name__}: a field needs its own placeholder; use bulk_create")
    return connection, fields


def _write(
    connection: Any,
    model: type[models.Model],
    fields: Sequence[models.Field[Any, Any]],
    rows: Iterator[list[Any]],
    count: int,
    batch_size: int,
    returning: bool,
) -> list[int]:
    """Send ``count`` prepared rows: COPY on PostgreSQL (ids from the sequence first when
    ``returning``), multi-row INSERTs elsewhere. Returns the ids when ``returning``."""
    opts = model._meta
    quote = connection.ops.quote_name
    table, pk = quote(opts.db_table), quote(_column(opts.pk))
    columns = ", ".join(quote(_column(f)) for f in fields)
    ids: list[int] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            if returning:
                ids = _next_ids(cursor, opts.db_table, _column(opts.pk), count)
            # psycopg's own cursor: its errors are wrapped into Django's (IntegrityError on
            # a unique key, which callers retry on), as CursorWrapper.execute does.
            with connection.wrap_database_errors:
                if returning:
                    copy_sql = f"COPY {table} ({pk}, {columns}) FROM STDIN"
                    with cursor.cursor.copy(copy_sql) as copy:
                        for pk_value, row in zip(ids, rows, strict=True):
                            copy.write_row([pk_value, *row])
                else:
                    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
            return ids
        row_sql = "(" + ", ".join(["%s"] * len(fields)) + ")"
        per_statement = max(1, min(batch_size, _max_params(connection) // len(fields)))
        # Only the model's own table and column names go into the SQL; values are parameters.
        head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
        tail = f" RETURNING {pk}" if returning else ""
        while batch := list(islice(rows, per_statement)):
            params = [value for row in batch for value in row]
            cursor.execute(head + ", ".join([row_sql] * len(batch)) + tail, params)
            if returning:
                ids.extend(row[0] for row in cursor.fetchall())
    return ids


def _next_ids(cursor: Any, table: str, column: str, count: int) -> list[int]:
    """``count`` fresh values of the table's id sequence (PostgreSQL), in one query."""
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
        [table, column, count],
    )
    return [row[0] for row in cursor.fetchall()]


def bulk_set(objs: Sequence[models.Model], fields: Sequence[str], *, batch_size: int = 5000) -> int:
    """UPDATE ``fields`` of saved instances to their current attribute values: what
    ``QuerySet.bulk_update`` does, built without the expression machinery (which costs
    about a millisecond per row): on PostgreSQL one array per column (``_set_from_arrays``,
    JSON columns too), elsewhere one ``CASE`` statement per batch. Values are prepared by
    the fields (``get_db_prep_save``). Bypasses ``QuerySet.update`` (and any guard there):
    callers check what they may change. Returns the number of rows updated."""
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
    if connection.vendor == "postgresql":
        return _set_from_arrays(connection, opts, objs, targets, batch_size)
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


def _set_from_arrays(
    connection: Any,
    opts: Any,
    objs: Sequence[models.Model],
    targets: Sequence[models.Field[Any, Any]],
    batch_size: int,
) -> int:
    """``bulk_set`` on PostgreSQL: ``UPDATE ... FROM unnest(ids, values...)`` with one
    array parameter per column, joined on the key. A ``CASE id WHEN ... THEN ...`` of n
    rows costs the server n comparisons for each of the n rows (9,000 payments of a bank
    file: seconds per statement) and psycopg a parsed placeholder per value."""
    quote = connection.ops.quote_name
    table, pk_column = quote(opts.db_table), quote(_column(opts.pk))
    names = ["id", *(f"v{n}" for n in range(len(targets)))]
    arrays = ", ".join(f"%s::{field.cast_db_type(connection)}[]" for field in [opts.pk, *targets])
    assignments = ", ".join(
        f"{quote(_column(field))} = v.{name}"
        for field, name in zip(targets, names[1:], strict=True)
    )
    # Only the model's own table and column names and types go into the SQL.
    sql = (
        f"UPDATE {table} SET {assignments} FROM unnest({arrays}) AS v({', '.join(names)}) "  # noqa: S608
        f"WHERE {table}.{pk_column} = v.id"
    )
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            batch = objs[start : start + batch_size]
            if any(type(obj) is not type(objs[0]) or obj.pk is None for obj in batch):
                raise ValueError("bulk_set takes saved instances of one model")
            params: list[list[Any]] = [[obj.pk for obj in batch]]
            for field in targets:
                params.append(
                    [
                        field.get_db_prep_save(getattr(obj, field.attname), connection)
                        for obj in batch
                    ]
                )
            cursor.execute(sql, params)
            updated += cursor.rowcount
    return updated


class InIds(models.Lookup):
    """``field__in_ids=ids``: ``field IN (ids)`` for thousands of integer ids. On
    PostgreSQL ``field = ANY(%s)`` with one array parameter: an ``IN`` list costs Django a
    prepared lookup value and psycopg a parsed placeholder per id (client-side binding),
    ~1 ms per 100 ids, on every query of a chunk. Elsewhere the plain ``IN`` list."""

    lookup_name = "in_ids"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[int]:
        return [int(value) for value in self.rhs]  # a list, or ``id_array``

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        from django.core.exceptions import EmptyResultSet

        lhs, params = self.process_lhs(compiler, connection)
        ids = self.rhs
        if not ids:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            # The array as one text literal: psycopg dumps a list of ints element by
            # element in Python (~1 µs each, 5,000 per query of a chunk).
            return f"{lhs} = ANY(%s::bigint[])", [*params, "{" + ",".join(map(str, ids)) + "}"]
        return f"{lhs} IN ({', '.join(['%s'] * len(ids))})", [*params, *ids]


def id_array(ids: Iterable[int]) -> array.array[int]:
    """``ids`` for ``field__in_ids=``, as an ``array('q')``: the same ids, but not a list,
    which Django's filter building walks element by element looking for expressions
    (~1 µs per id: 5,000 per query, several queries per chunk of a bulk service)."""
    return array.array("q", ids)


def register_lookups() -> None:
    """Called by ``core.apps.CoreConfig.ready``: ``in_ids`` on integer keys."""
    for field_class in (models.AutoField, models.BigAutoField, models.ForeignKey):
        field_class.register_lookup(InIds)
