"""The one way past the PostgreSQL guard triggers: the retention run's transaction.

Issued invoices, payments, the audit log and the access log are frozen by triggers
(``invoicing`` migration 0002, ``core`` 0002, ``backoffice`` 0002/0004). After the
bookkeeping deadline the retention run must anonymise or delete some of those rows. The
guarded triggers carry a ``WHEN`` condition (``core`` 0006, ``backoffice`` 0007,
``invoicing`` 0019): they stand aside only where the setting ``fakturanett.retention_run``
holds the id of the transaction that writes (``txid_current()``), and
``retention_guards_lifted`` sets it with ``set_config(..., true)``, the function form of
``SET LOCAL``: it holds for the current transaction only and is reset when it commits or
rolls back. Other sessions never see it, so every other transaction keeps writing (no
``ALTER TABLE ... DISABLE TRIGGER``, which would lock the whole table for every tenant)
and stays guarded. Because the value is the transaction's own id, a value left in a
session by mistake (a plain ``SET`` on a connection that Django's ``CONN_MAX_AGE`` or a
pooler keeps for later requests) lets no later transaction through.

This guards against mistakes, not against an attacker who runs SQL as the application's
role: that role can set the value too (and owns the tables). ``docs/retention.md``
("Threat model of the trigger bypass") says what would. SQLite has no such triggers (the
ORM guards apply, and the retention run bypasses them with plain querysets).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

RETENTION_SETTING = "fakturanett.retention_run"


@contextmanager
def retention_guards_lifted() -> Iterator[None]:
    """Inside the current transaction (``transaction.atomic``), let the guarded triggers
    through until the block ends; nowhere else, and for no other session."""
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("retention_guards_lifted needs a transaction (transaction.atomic)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, txid_current()::text, true)", [RETENTION_SETTING])
    yield
    # Only on success: after an error the transaction is rolled back, the setting with it.
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, '', true)", [RETENTION_SETTING])
