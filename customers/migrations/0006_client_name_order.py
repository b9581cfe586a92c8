"""The clients' (company, name) index gets the id as its last column, so the invoice list
sorted by client reads the clients in (name, id) order from any client on, without a
sort (``invoicing.pagination._after``; issue 15). Added before the old one is dropped:
a company's clients are never without an index in name order."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_company_closed_at"),
        ("customers", "0005_client_name_trigram"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="client",
            index=models.Index(fields=["company", "name", "id"], name="client_name_order"),
        ),
        migrations.RemoveIndex(
            model_name="client",
            name="customers_c_company_4d7772_idx",
        ),
    ]
