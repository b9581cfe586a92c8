"""The open invoices' covering index holds each invoice's client and date too (issue 15).

The ageing as of today sums the open invoices' amounts per client, dated up to the day.
``invoice_open_cover`` held the amounts but not the client or the date, so PostgreSQL
read the report index of every invoice instead and filtered the open ones (1 M entries,
128 ms at 1 M invoices); with both columns the sums are one index-only range of the open
invoices' entries (74,000; 36 ms).

The new index is built under a temporary name, then takes the old one's place, so the
dashboards never go without it; ``CONCURRENTLY`` on PostgreSQL.
"""

from django.db import migrations, models

TABLE = "invoicing_invoice"
NAME = "invoice_open_cover"
BUILDING = "invoice_open_cover_building"
OPEN = "status IN ('issued', 'sent', 'partially_paid')"
BEFORE = (
    "company_id, kind, status, currency, due_date, total_incl_vat, paid_amount, "
    "credited_amount, exchange_rate"
)
AFTER = f"{BEFORE}, client_id, invoice_date"


def _replace(schema_editor, columns: str) -> None:
    postgresql = schema_editor.connection.vendor == "postgresql"
    concurrently = " CONCURRENTLY" if postgresql else ""
    if not postgresql:
        # SQLite cannot rename an index; a migration there locks the database anyway.
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")
        schema_editor.execute(f"CREATE INDEX {NAME} ON {TABLE} ({columns}) WHERE {OPEN}")
        return
    schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {BUILDING}")  # a failed run's
    schema_editor.execute(
        f"CREATE INDEX{concurrently} {BUILDING} ON {TABLE} ({columns}) WHERE {OPEN}"
    )
    schema_editor.execute(f"DROP INDEX{concurrently} IF EXISTS {NAME}")
    schema_editor.execute(f"ALTER INDEX {BUILDING} RENAME TO {NAME}")


def forward(apps, schema_editor):
    _replace(schema_editor, AFTER)


def backward(apps, schema_editor):
    _replace(schema_editor, BEFORE)


def _index(fields: list[str]) -> models.Index:
    return models.Index(
        fields=fields,
        condition=models.Q(status__in=["issued", "sent", "partially_paid"]),
        name=NAME,
    )


FIELDS = [
    "company",
    "kind",
    "status",
    "currency",
    "due_date",
    "total_incl_vat",
    "paid_amount",
    "credited_amount",
    "exchange_rate",
]


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("invoicing", "0028_ledger_month")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward, elidable=False)],
            state_operations=[
                migrations.RemoveIndex(model_name="invoice", name=NAME),
                migrations.AddIndex(
                    model_name="invoice", index=_index([*FIELDS, "client", "invoice_date"])
                ),
            ],
        )
    ]
