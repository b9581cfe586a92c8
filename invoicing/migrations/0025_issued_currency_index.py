"""An index of the currencies of each company's issued documents (issue 15).

Every report page asks which currencies the company has issued documents in
(``reports.ledger.ledger_currencies``, the currency choice). A ``DISTINCT`` read every
issued invoice's entry: ~0.2 s at 1 M invoices, on each request. With this index the
currencies are found one after the other, one index probe each (a skip scan written out:
the first currency, then the first one after it, ...).

Partial (issued documents only, as the question), built ``CONCURRENTLY`` on PostgreSQL.
"""

from django.db import migrations, models

TABLE = "invoicing_invoice"
NAME = "invoice_issued_currency"


def _concurrently(schema_editor) -> str:
    return " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""


def forward(apps, schema_editor):
    schema_editor.execute(
        f"CREATE INDEX{_concurrently(schema_editor)} IF NOT EXISTS {NAME} ON {TABLE} "
        "(company_id, currency) WHERE NOT (status = 'draft')"
    )


def backward(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX{_concurrently(schema_editor)} IF EXISTS {NAME}")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("invoicing", "0024_client_list_indexes_with_status")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward, elidable=False)],
            state_operations=[
                migrations.AddIndex(
                    model_name="invoice",
                    index=models.Index(
                        fields=["company", "currency"],
                        condition=~models.Q(status="draft"),
                        name=NAME,
                    ),
                ),
            ],
        )
    ]
