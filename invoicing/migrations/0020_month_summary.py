"""The dashboard's per-company monthly summary (issue 15), filled from the documents and
payments already stored with the set-based SQL of ``invoicing.summary_sql`` (the same
statements ``month_summary_rebuild`` and ``bench.seed_scale`` run)."""

from decimal import Decimal

import django.db.models.deletion
from django.db import migrations, models

from invoicing import summary_sql


def backfill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        # The columns of this migration's table (0033 added the one excluding VAT).
        summary_sql.rebuild(cursor, schema_editor.connection.vendor, excl_vat=False)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_company_closed_at"),
        ("invoicing", "0019_guards_bound_to_the_transaction"),
    ]

    operations = [
        migrations.CreateModel(
            name="MonthSummary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField(verbose_name="måned")),
                (
                    "invoiced",
                    models.DecimalField(
                        decimal_places=8,
                        default=Decimal("0.00"),
                        max_digits=30,
                        verbose_name="fakturert (NOK)",
                    ),
                ),
                (
                    "paid",
                    models.DecimalField(
                        decimal_places=8,
                        default=Decimal("0.00"),
                        max_digits=30,
                        verbose_name="innbetalt (NOK)",
                    ),
                ),
                (
                    "company",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.company",
                    ),
                ),
            ],
            options={
                "verbose_name": "månedsoppsummering",
                "verbose_name_plural": "månedsoppsummeringer",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("company", "month"), name="monthsummary_one_per_month"
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True),
    ]
