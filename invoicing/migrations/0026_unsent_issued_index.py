"""An index of each company's issued documents that were never sent (issue 15).

The send batch form (``delivery.selectors.unsent_issued_invoices``) lists the first 500
issued invoices and credit notes without a send time, by number. PostgreSQL found them by
reading every client's invoices of every company (1.9 s at 4.5 M invoices); this partial
index holds only the unsent ones, in the form's order (2.7 ms; 1.9 MB at 4.5 M invoices).

Built ``CONCURRENTLY`` on PostgreSQL.
"""

from django.db import migrations, models

TABLE = "invoicing_invoice"
NAME = "invoice_unsent"


def _concurrently(schema_editor) -> str:
    return " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""


def forward(apps, schema_editor):
    schema_editor.execute(
        f"CREATE INDEX{_concurrently(schema_editor)} IF NOT EXISTS {NAME} ON {TABLE} "
        "(company_id, number, id) WHERE sent_at IS NULL AND NOT (status = 'draft')"
    )


def backward(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX{_concurrently(schema_editor)} IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("invoicing", "0025_issued_currency_index")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward, elidable=False)],
            state_operations=[
                migrations.AddIndex(
                    model_name="invoice",
                    index=models.Index(
                        fields=["company", "number", "id"],
                        condition=models.Q(sent_at__isnull=True) & ~models.Q(status="draft"),
                        name=NAME,
                    ),
                ),
            ],
        )
    ]
