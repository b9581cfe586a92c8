"""The open invoices of one status in number order (issue 15).

Issued invoices are the newest, so the list of them sorted by number from the first
walked ``invoice_number_list`` from the oldest invoice and found a page of them only at its
end: 0.4-0.6 s at 1 M invoices, with or without a search. This index holds the open ones
by status and number, so the page is the first entries of its status. Built
``CONCURRENTLY`` on PostgreSQL, so tenants keep writing while it is built.
"""

from django.db import migrations, models

INDEX = models.Index(
    fields=["company", "kind", "status", "-number"],
    include=["id", "our_reference", "their_reference", "buyer_reference", "order_number"],
    condition=models.Q(status__in=["issued", "sent", "partially_paid"]),
    name="invoice_open_number",
)


def forward(apps, schema_editor):
    invoice = apps.get_model("invoicing", "Invoice")
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.add_index(invoice, INDEX)
        return
    # A failed run's leftover (an invalid index), then the index.
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {INDEX.name}")
    schema_editor.add_index(invoice, INDEX, concurrently=True)
    schema_editor.execute("ANALYZE invoicing_invoice")


def backward(apps, schema_editor):
    invoice = apps.get_model("invoicing", "Invoice")
    postgresql = schema_editor.connection.vendor == "postgresql"
    schema_editor.remove_index(invoice, INDEX, **({"concurrently": True} if postgresql else {}))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("invoicing", "0035_list_indexes_carry_the_references")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward, elidable=False)],
            state_operations=[migrations.AddIndex(model_name="invoice", index=INDEX)],
        )
    ]
