"""Drop the single-column ``company_id`` indexes that a composite index (or unique
constraint) starting with ``company_id`` already serves: on invoices, lines, VAT lines,
payments and client balance entries (see ``core.models.company_key_indexed_by_composite``).
Every index costs each insert and each non-HOT update; the retention run's anonymising
updates of ``invoicing_invoice`` wrote an entry in every one (issue 15).

Only the indexes are dropped: Django's ``AlterField`` would also drop and re-add each
foreign-key constraint, which re-checks every row of these tables under a lock.
"""

import django.db.models.deletion
from django.db import migrations, models

# (table, column, index name as Django named it; the same on PostgreSQL and SQLite)
INDEXES = [
    (
        "invoicing_clientbalanceentry",
        "company_id",
        "invoicing_clientbalanceentry_company_id_0437a14e",
    ),
    ("invoicing_invoice", "company_id", "invoicing_invoice_company_id_fc84c447"),
    ("invoicing_invoiceline", "company_id", "invoicing_invoiceline_company_id_add3279d"),
    ("invoicing_invoicevatline", "company_id", "invoicing_invoicevatline_company_id_f773cb1c"),
    ("invoicing_payment", "company_id", "invoicing_payment_company_id_a0ddcf93"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_company_closed_at"),
        ("invoicing", "0020_month_summary"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunSQL(
                    f'DROP INDEX IF EXISTS "{name}"',
                    reverse_sql=f'CREATE INDEX "{name}" ON "{table}" ("{column}")',
                )
                for table, column, name in INDEXES
            ],
            state_operations=[
                migrations.AlterField(
                    model_name="clientbalanceentry",
                    name="company",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.company",
                    ),
                ),
                migrations.AlterField(
                    model_name="invoice",
                    name="company",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.company",
                    ),
                ),
                migrations.AlterField(
                    model_name="invoiceline",
                    name="company",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.company",
                    ),
                ),
                migrations.AlterField(
                    model_name="invoicevatline",
                    name="company",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.company",
                    ),
                ),
                migrations.AlterField(
                    model_name="payment",
                    name="company",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.company",
                    ),
                ),
            ],
        ),
    ]
