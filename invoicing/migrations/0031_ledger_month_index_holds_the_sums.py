"""The ledger months' unique index holds their four sums too (PostgreSQL; issue 15).

The customer ledger's totals read a company's ``LedgerMonth`` rows of one currency up to
a month: 48,000 rows for the 1 M-invoice company. Its rows are written a few at a time
as its invoices are issued and paid, among every other company's, so they lie on nearly
as many table pages as there are rows (25,539 pages for those 48,000): reading them took
~145 ms for each of the two totals. With the sums in the index (``INCLUDE``) they are one
index-only range of it: ~16 ms.

The index stays the unique constraint the upserts name (``ON CONFLICT (company_id,
currency, month, client_id)``; an index's included columns are no part of its key). It is
built ``CONCURRENTLY`` under a temporary name, then takes the constraint's place in one
statement. Django's state does not change: the constraint is still unique on those four
columns. SQLite has no included columns; there nothing changes.
"""

from django.db import migrations

TABLE = "invoicing_ledgermonth"
NAME = "ledgermonth_one_per_client_month"
BUILDING = "ledgermonth_one_per_client_month_building"
KEY = "company_id, currency, month, client_id"
SUMS = "documents_debit, documents_credit, payments_debit, payments_credit"


def _swap(schema_editor, include: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {BUILDING}")  # a failed run's
    schema_editor.execute(
        f"CREATE UNIQUE INDEX CONCURRENTLY {BUILDING} ON {TABLE} ({KEY}){include}"
    )
    schema_editor.execute(
        f"ALTER TABLE {TABLE} DROP CONSTRAINT {NAME}, "
        f"ADD CONSTRAINT {NAME} UNIQUE USING INDEX {BUILDING}"
    )


def forward(apps, schema_editor):
    _swap(schema_editor, f" INCLUDE ({SUMS})")


def backward(apps, schema_editor):
    _swap(schema_editor, "")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("invoicing", "0030_one_trigram_index_of_the_references")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
