"""The dashboard's open receivables per company, currency and due date (issue 15), filled
from the invoices already stored with the set-based SQL of ``invoicing.summary_sql`` (the
statements ``month_summary_rebuild`` and ``bench.seed_scale`` run too)."""

import django.db.models.deletion
from decimal import Decimal
from django.db import migrations, models

from invoicing import summary_sql


def backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        summary_sql.open_rebuild(cursor, schema_editor.connection.vendor)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_company_closed_at"),
        ("invoicing", "0031_ledger_month_index_holds_the_sums"),
    ]

    operations = [
        migrations.CreateModel(
            name="OpenReceivable",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("currency", models.CharField(max_length=3, verbose_name="valuta")),
                ("due_date", models.DateField(verbose_name="forfallsdato")),
                ("count", models.IntegerField(default=0, verbose_name="antall åpne")),
                (
                    "amount",
                    models.DecimalField(
                        decimal_places=2,
                        default=Decimal("0.00"),
                        max_digits=24,
                        verbose_name="åpent beløp",
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
                "verbose_name": "åpne fordringer per forfallsdato",
                "verbose_name_plural": "åpne fordringer per forfallsdato",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("company", "currency", "due_date"),
                        name="openreceivable_one_per_due_date",
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
