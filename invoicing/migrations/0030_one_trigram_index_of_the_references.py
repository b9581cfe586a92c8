"""One trigram index of an invoice's references instead of four (issue 15).

The text search looked for its words in our, their and buyer reference and order number
through one trigram index each (0013, partial since 0022, with the statistics of 0023).
A searched page asked each of the four twice, for its keys and for its count, as parts of
a union; PostgreSQL took longer to plan those five-part statements (~0.8 ms each, with 24
indexes on the table to weigh for every part) than to run them.

Now the search reads one text, the four references separated by the ASCII unit separator
(``selectors._References``; the expression below must stay the one it compiles to), from
one index. It has no condition, so ``ANALYZE`` keeps the statistics of its expression and
the four extended statistics of 0023 go. Built ``CONCURRENTLY`` before the old ones go, so
the search never goes without an index. SQLite has none of these (a bounded scan).
"""

from django.db import migrations

TABLE = "invoicing_invoice"
NAME = "invoice_references_trgm"
REFERENCES = (
    "our_reference || chr(31) || their_reference || chr(31) || buyer_reference || chr(31) "
    "|| order_number"
)
OLD = {
    "invoice_our_reference_trgm": "our_reference",
    "invoice_their_reference_trgm": "their_reference",
    "invoice_buyer_reference_trgm": "buyer_reference",
    "invoice_order_number_trgm": "order_number",
}


def _statistics(column: str) -> str:
    return f"invoice_{column}_upper_stats"  # 0023's


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {NAME} ON {TABLE} "
        f"USING gin (company_id, (UPPER(({REFERENCES})::text)) gin_trgm_ops)"
    )
    for name, column in OLD.items():
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        schema_editor.execute(f"DROP STATISTICS IF EXISTS {_statistics(column)}")
    schema_editor.execute(f"ANALYZE {TABLE}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, column in OLD.items():
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {TABLE} "
            f"USING gin (company_id, (UPPER({column}::text)) gin_trgm_ops) "
            f"WHERE {column} <> ''"
        )
        schema_editor.execute(
            f"CREATE STATISTICS IF NOT EXISTS {_statistics(column)} "
            f"ON (UPPER({column}::text)) FROM {TABLE}"
        )
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {NAME}")
    schema_editor.execute(f"ANALYZE {TABLE}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("invoicing", "0029_open_cover_with_client_and_date")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
