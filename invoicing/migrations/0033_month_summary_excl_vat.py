"""The monthly summary's invoiced total excluding VAT (issue 15), for the sales report's
months: every company's months recounted from the documents and payments stored, with
the set-based SQL of ``invoicing.summary_sql`` (``month_summary_rebuild``'s statements)."""

from decimal import Decimal
from django.db import migrations, models

from invoicing import summary_sql


def recount(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        summary_sql.rebuild(cursor, schema_editor.connection.vendor)


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0032_open_receivables"),
    ]

    operations = [
        migrations.AddField(
            model_name="monthsummary",
            name="invoiced_excl_vat",
            field=models.DecimalField(
                decimal_places=8,
                default=Decimal("0.00"),
                max_digits=30,
                verbose_name="fakturert eks. mva. (NOK)",
            ),
        ),
        migrations.RunPython(recount, migrations.RunPython.noop),
    ]
