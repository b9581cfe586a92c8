"""Statistics of the upper-cased references the text search asks for (issue 15).

Since 0022 the trigram indexes of our, their and buyer reference and order number are
partial (rows with a value only), and PostgreSQL keeps statistics of an index expression
only for indexes without a condition: the planner lost the statistics of
``UPPER(column)``, guessed that ``UPPER(order_number) LIKE '%4242%'`` matches ~36,000 rows
instead of ~360, and ANDed the trigram index with the company's whole list index (1 M
entries): the order-number search went from ~2 ms to ~50–70 ms of database time at 4.5 M
invoices. Extended statistics on each expression give the planner those figures back
without an index. ``ANALYZE`` fills them at once (autovacuum would only after a tenth of the
table changed). SQLite has neither the indexes nor the statistics.
"""

from django.db import migrations

TABLE = "invoicing_invoice"
COLUMNS = ("our_reference", "their_reference", "buyer_reference", "order_number")


def _name(column: str) -> str:
    return f"invoice_{column}_upper_stats"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {_name(column)} "
            f"ON (UPPER({column}::text)) FROM {TABLE}"
        )
    schema_editor.execute(f"ANALYZE {TABLE}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {_name(column)}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("invoicing", "0022_partial_indexes_without_empty_values")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
