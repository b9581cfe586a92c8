"""The list indexes carry each invoice's status and references (issue 15).

A text search whose trigrams most invoices hold ("avd 1": "avd" in a third of them, a word
starting with "1" in most) made PostgreSQL's trigram index answer ~1 M candidates, every
one read from the table to check it: 236 ms for "avd 1" among the open invoices of a
company with 1 M, 164 ms sorted by client. With the references in the
list indexes (``INCLUDE``), the list is walked in its order index-only and each entry
checked there: 13-20 ms for the open ones, 34 ms sorted by client; the open invoices'
index carries the amount too, so sorted by amount their matches are found index-only and
sorted (233 → 37 ms).

The list's indexes (its order; the open invoices'; a client's; a client's open ones; by
number, due date and amount) are built again with the references included: a search
sorted by number read ~1 M candidates the same way (0.9 s for "avd 1"). Each new one is built before the old
one goes (``CONCURRENTLY`` on PostgreSQL, under a temporary name where it keeps its
name), so tenants keep writing and the list never goes without its index. SQLite has no
``INCLUDE``: there the indexes are made again as they were, under the new names.
"""

from django.db import migrations, models

OPEN = models.Q(status__in=["issued", "sent", "partially_paid"])
REFERENCES = ("our_reference", "their_reference", "buyer_reference", "order_number")
LIST = ["company", "kind", "-invoice_date", "-number", "-id"]
NUMBER = ["company", "kind", "-number"]
DUE = ["company", "kind", "due_date"]
AMOUNT = ["company", "kind", "-total_incl_vat", "-number"]
CLIENT_LIST = ["company", "client", "kind", "-invoice_date", "-number", "-id"]

# (index before, index after)
REPLACED = [
    (
        models.Index(fields=NUMBER, name="invoicing_i_company_6b7500_idx"),
        models.Index(
            fields=NUMBER, include=["id", "status", *REFERENCES], name="invoice_number_list"
        ),
    ),
    (
        models.Index(fields=DUE, name="invoicing_i_company_5c2834_idx"),
        models.Index(
            fields=DUE, include=["number", "id", "status", *REFERENCES], name="invoice_due_list"
        ),
    ),
    (
        models.Index(fields=AMOUNT, name="invoicing_i_company_2ef262_idx"),
        models.Index(
            fields=AMOUNT, include=["id", "status", *REFERENCES], name="invoice_amount_list"
        ),
    ),
    (
        models.Index(fields=LIST, name="invoicing_i_company_08c37a_idx"),
        models.Index(fields=LIST, include=["status", *REFERENCES], name="invoice_list"),
    ),
    (
        models.Index(fields=[*LIST, "due_date"], condition=OPEN, name="invoice_open_list"),
        models.Index(
            fields=[*LIST, "due_date"],
            include=["status", "total_incl_vat", *REFERENCES],
            condition=OPEN,
            name="invoice_open_list",
        ),
    ),
    (
        models.Index(fields=[*CLIENT_LIST, "status"], name="invoice_client_list"),
        models.Index(
            fields=[*CLIENT_LIST, "status"],
            include=["due_date", "total_incl_vat", *REFERENCES],
            name="invoice_client_list",
        ),
    ),
    (
        models.Index(
            fields=[*CLIENT_LIST, "due_date", "status"],
            condition=OPEN,
            name="invoice_client_open",
        ),
        models.Index(
            fields=[*CLIENT_LIST, "due_date", "status"],
            include=["total_incl_vat", *REFERENCES],
            condition=OPEN,
            name="invoice_client_open",
        ),
    ),
]


def _replace(apps, schema_editor, pairs):
    invoice = apps.get_model("invoicing", "Invoice")
    if schema_editor.connection.vendor != "postgresql":
        for old, new in pairs:
            schema_editor.remove_index(invoice, old)
            schema_editor.add_index(invoice, new)
        return
    for old, new in pairs:
        building = new.clone()
        building.name = f"{new.name[:21]}_building"
        # A failed run's leftover, then the new index beside the old one.
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {building.name}")
        schema_editor.add_index(invoice, building, concurrently=True)
        schema_editor.remove_index(invoice, old, concurrently=True)
        schema_editor.rename_index(invoice, building, new)
    schema_editor.execute("ANALYZE invoicing_invoice")


def forward(apps, schema_editor):
    _replace(apps, schema_editor, REPLACED)


def backward(apps, schema_editor):
    _replace(apps, schema_editor, [(new, old) for old, new in REPLACED])


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("invoicing", "0034_sales_months")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward, elidable=False)],
            state_operations=[
                *(
                    migrations.RemoveIndex(model_name="invoice", name=old.name)
                    for old, _ in REPLACED
                ),
                *(migrations.AddIndex(model_name="invoice", index=new) for _, new in REPLACED),
            ],
        )
    ]
