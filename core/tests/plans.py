"""Which indexes a query reads, on either database: a partial index made for one query
(the list's overdue count, the send batch form) is part of the schema, and a test can ask
both SQLite's and PostgreSQL's planner whether it fits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, transaction


def refresh_statistics(table: str) -> None:
    """The planner's statistics of ``table`` as in production (PostgreSQL: ``VACUUM
    ANALYZE``, which also sets the visibility map for index-only scans; it runs outside a
    transaction, so the test must be ``transaction=True``)."""
    with connection.cursor() as cursor:
        quoted = connection.ops.quote_name(table)
        vacuum = "VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE"
        cursor.execute(f"{vacuum} {quoted}")


def query_plan(sql: str, params: Sequence[Any] = (), *, in_order: bool = False) -> str:
    """The plan of ``sql`` as text. PostgreSQL: ``EXPLAIN`` with sequential and bitmap
    scans off (a test table is tiny; the question is whether an index fits the query, not
    whether it beats reading a few pages). ``in_order``: sorting off too, for a query whose
    index must give its rows in the query's order (on a few rows, whatever other tests left
    in the tables, PostgreSQL may as well sort what another index finds). SQLite:
    ``EXPLAIN QUERY PLAN``."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
            cursor.execute("SET LOCAL enable_bitmapscan = off")
            if in_order:
                cursor.execute("SET LOCAL enable_sort = off")
            cursor.execute("EXPLAIN " + sql, params)
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def sorts(plan: str) -> bool:
    """The plan sorts rows itself instead of reading them in an index's order."""
    return "Sort" in plan or "TEMP B-TREE FOR ORDER BY" in plan
