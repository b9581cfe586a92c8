"""Indexes of the invoice table that leave out the rows without a value, and no index of
its own on ``series_id`` (issue 15, the retention run).

An UPDATE that cannot stay on the row's page (an anonymised invoice; the pages are full)
adds an entry to every index the new row version belongs to: 21 on this table. A partial
index takes only the rows its condition holds for, and a lookup by a value never needs
the rows without one:

- ``credited_invoice_id``, ``issued_by_id`` and the payment's ``created_by_id``: where set
  (a credit note's invoice; the user who issued or registered, cleared by the retention
  run); ``credited_invoice_id = X`` and the foreign-key look-ups imply ``IS NOT NULL``, so
  the same queries use them;
- ``(company_id, order_number)`` and the text search's trigram indexes on our, their and
  buyer reference and order number (0013): where not empty. The retention run empties
  the references; the search asks for a non-empty column (``invoicing.selectors``);
- ``series_id``: the number series' look-ups (``NumberSeries._numbers_taken``, the issue's
  last number, the 0017 trigger, which this migration makes say the company too) name the
  company, so the unique index (company, series, number) answers them.

On PostgreSQL the new indexes are built ``CONCURRENTLY`` before the old ones are dropped
(tenants keep writing, and the search keeps an index); the trigram indexes keep their names.
Only the indexes change: ``AlterField`` would drop and re-add the foreign-key constraints.
"""

import importlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

numberseries = importlib.import_module("invoicing.migrations.0017_numberseries_advance_by_many")

TABLE = "invoicing_invoice"
# (new index, columns, condition, the index it replaces)
BTREE = [
    (
        "invoice_order_number",
        "company_id, order_number",
        "NOT (order_number = '')",
        "invoicing_i_company_6cdd33_idx",
    ),
    (
        "invoice_credited_invoice",
        "credited_invoice_id",
        "credited_invoice_id IS NOT NULL",
        "invoicing_invoice_credited_invoice_id_6dcd97df",
    ),
    (
        "invoice_issued_by",
        "issued_by_id",
        "issued_by_id IS NOT NULL",
        "invoicing_invoice_issued_by_id_be237ce6",
    ),
]
# The payment's registering user, cleared by the retention run like ``issued_by_id``.
PAYMENT = ("payment_created_by", "invoicing_payment_created_by_id_24dcdbca")
OLD_BTREE = {
    "invoicing_i_company_6cdd33_idx": "company_id, order_number",
    "invoicing_invoice_credited_invoice_id_6dcd97df": "credited_invoice_id",
    "invoicing_invoice_issued_by_id_be237ce6": "issued_by_id",
    "invoicing_invoice_series_id_c401e3d0": "series_id",
}
TRIGRAM = {
    "invoice_our_reference_trgm": "our_reference",
    "invoice_their_reference_trgm": "their_reference",
    "invoice_buyer_reference_trgm": "buyer_reference",
    "invoice_order_number_trgm": "order_number",
}
MANY_BY_COMPANY = numberseries.MANY.replace(
    "WHERE series_id = OLD.id", "WHERE company_id = OLD.company_id AND series_id = OLD.id"
)


def _trigram(name: str, column: str, *, partial: bool) -> str:
    where = f" WHERE {column} <> ''" if partial else ""
    return (
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {name} ON {TABLE} "
        f"USING gin (company_id, (UPPER({column}::text)) gin_trgm_ops){where}"
    )


def forward(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    concurrently = " CONCURRENTLY" if postgresql else ""
    for name, columns, condition, _old in BTREE:
        schema_editor.execute(
            f"CREATE INDEX{concurrently} IF NOT EXISTS {name} ON {TABLE} ({columns})"
            f" WHERE {condition}"
        )
    for old in OLD_BTREE:
        schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {old}")
    schema_editor.execute(
        f"CREATE INDEX{concurrently} IF NOT EXISTS {PAYMENT[0]} ON invoicing_payment"
        " (created_by_id) WHERE created_by_id IS NOT NULL"
    )
    schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {PAYMENT[1]}")
    if not postgresql:
        return
    for name, column in TRIGRAM.items():
        schema_editor.execute(_trigram(f"{name}_partial", column, partial=True))
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        schema_editor.execute(f"ALTER INDEX {name}_partial RENAME TO {name}")
    schema_editor.execute(numberseries.FUNCTION.replace("{many}", MANY_BY_COMPANY), params=None)


def backward(apps, schema_editor):
    postgresql = schema_editor.connection.vendor == "postgresql"
    concurrently = " CONCURRENTLY" if postgresql else ""
    for old, columns in OLD_BTREE.items():
        schema_editor.execute(
            f"CREATE INDEX{concurrently} IF NOT EXISTS {old} ON {TABLE} ({columns})"
        )
    for name, _columns, _condition, _old in BTREE:
        schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {name}")
    schema_editor.execute(
        f"CREATE INDEX{concurrently} IF NOT EXISTS {PAYMENT[1]} ON invoicing_payment"
        " (created_by_id)"
    )
    schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {PAYMENT[0]}")
    if not postgresql:
        return
    for name, column in TRIGRAM.items():
        schema_editor.execute(_trigram(f"{name}_full", column, partial=False))
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        schema_editor.execute(f"ALTER INDEX {name}_full RENAME TO {name}")
    schema_editor.execute(numberseries.FUNCTION.replace("{many}", numberseries.MANY), params=None)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0003_company_closed_at"),
        ("invoicing", "0021_single_column_indexes_covered_by_composites"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward, elidable=False)],
            state_operations=[
                migrations.RemoveIndex(model_name="invoice", name="invoicing_i_company_6cdd33_idx"),
                migrations.AlterField(
                    model_name="invoice",
                    name="credited_invoice",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="credit_notes",
                        to="invoicing.invoice",
                        verbose_name="kreditert faktura",
                    ),
                ),
                migrations.AlterField(
                    model_name="invoice",
                    name="issued_by",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="invoice",
                    name="series",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="invoicing.numberseries",
                    ),
                ),
                migrations.AddIndex(
                    model_name="invoice",
                    index=models.Index(
                        condition=~models.Q(order_number=""),
                        fields=["company", "order_number"],
                        name="invoice_order_number",
                    ),
                ),
                migrations.AddIndex(
                    model_name="invoice",
                    index=models.Index(
                        condition=models.Q(credited_invoice__isnull=False),
                        fields=["credited_invoice"],
                        name="invoice_credited_invoice",
                    ),
                ),
                migrations.AddIndex(
                    model_name="invoice",
                    index=models.Index(
                        condition=models.Q(issued_by__isnull=False),
                        fields=["issued_by"],
                        name="invoice_issued_by",
                    ),
                ),
                migrations.AlterField(
                    model_name="payment",
                    name="created_by",
                    field=models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AddIndex(
                    model_name="payment",
                    index=models.Index(
                        condition=models.Q(created_by__isnull=False),
                        fields=["created_by"],
                        name="payment_created_by",
                    ),
                ),
            ],
        ),
    ]
