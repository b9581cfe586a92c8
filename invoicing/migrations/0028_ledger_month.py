"""The customer ledger's monthly totals per client and currency (issue 15), filled from
the documents and payments already stored with the set-based SQL of
``invoicing.summary_sql`` (the statements ``month_summary_rebuild`` and
``bench.seed_scale`` run too)."""

import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models

from invoicing import summary_sql


def backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        summary_sql.ledger_rebuild(cursor, schema_editor.connection.vendor)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_company_closed_at"),
        ("customers", "0005_client_name_trigram"),
        ("invoicing", "0027_open_due_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="LedgerMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("currency", models.CharField(max_length=3, verbose_name="valuta")),
                ("month", models.DateField(verbose_name="måned")),
                (
                    "documents_debit",
                    models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=24),
                ),
                (
                    "documents_credit",
                    models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=24),
                ),
                (
                    "payments_debit",
                    models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=24),
                ),
                (
                    "payments_credit",
                    models.DecimalField(decimal_places=2, default=Decimal("0.00"), max_digits=24),
                ),
                (
                    "client",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="customers.client",
                    ),
                ),
                (
                    "company",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.company",
                    ),
                ),
            ],
            options={
                "verbose_name": "reskontromåned",
                "verbose_name_plural": "reskontromåneder",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("company", "currency", "month", "client"),
                        name="ledgermonth_one_per_client_month",
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
