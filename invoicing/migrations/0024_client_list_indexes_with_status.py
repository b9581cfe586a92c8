"""The indexes of a client's invoices in the list's order hold each invoice's status, and
the open invoices have one of their own (issue 15).

The list sorted by client name walks the company's clients in name order and each one's
invoices through ``invoice_client_list`` (company, client, kind, date, number, id), and so
do its deep pages (``pagination.Walk``, counting a few dozen clients' rows at a time).
Filtered by status, that read every one of those invoices' rows to check it: the first
page of the open invoices sorted by client read ~100,000 rows (590 ms at 1 M invoices),
and a page 200 of the paid ones ~10,000 (107 ms).

- ``invoice_client_list`` gets the status as its last column (the order is unchanged: the
  id is unique), so a status is checked in the index: 14 and 22 ms.
- ``invoice_client_open`` holds the open invoices only, in the same order, with due date
  and status: a big company's client has ~500 invoices and ~37 open ones, so the open or
  overdue list sorted by client, and a status among the open ones, read those: page 200 of
  the open invoices sorted by client ~200 → 25 ms. Its condition must match
  ``Invoice.OPEN_STATUSES``.

On PostgreSQL the indexes are built ``CONCURRENTLY`` (the new client list index under
another name, renamed once the old one is dropped), so tenants keep writing and the list
keeps an index. SQLite has neither; there the old index is dropped and the new one built.
"""

from django.db import migrations, models

TABLE = "invoicing_invoice"
LIST = "invoice_client_list"
OPEN = "invoice_client_open"
ORDER = "company_id, client_id, kind, invoice_date DESC, number DESC, id DESC"
OPEN_STATUSES = "('issued', 'sent', 'partially_paid')"


def _concurrently(schema_editor) -> str:
    return " CONCURRENTLY" if schema_editor.connection.vendor == "postgresql" else ""


def _replace_list(schema_editor, columns: str) -> None:
    if schema_editor.connection.vendor != "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {LIST}")
        schema_editor.execute(f"CREATE INDEX {LIST} ON {TABLE} ({columns})")
        return
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {LIST}_new ON {TABLE} ({columns})")
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {LIST}")
    schema_editor.execute(f"ALTER INDEX {LIST}_new RENAME TO {LIST}")


def forward(apps, schema_editor):
    _replace_list(schema_editor, f"{ORDER}, status")
    schema_editor.execute(
        f"CREATE INDEX{_concurrently(schema_editor)} IF NOT EXISTS {OPEN} ON {TABLE} "
        f"({ORDER}, due_date, status) WHERE status IN {OPEN_STATUSES}"
    )


def backward(apps, schema_editor):
    schema_editor.execute(f"DROP INDEX{_concurrently(schema_editor)} IF EXISTS {OPEN}")
    _replace_list(schema_editor, ORDER)


ORDER_FIELDS = ("company", "client", "kind", "-invoice_date", "-number", "-id")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("invoicing", "0023_statistics_of_searched_references")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward, elidable=False)],
            state_operations=[
                migrations.RemoveIndex(model_name="invoice", name=LIST),
                migrations.AddIndex(
                    model_name="invoice",
                    index=models.Index(fields=[*ORDER_FIELDS, "status"], name=LIST),
                ),
                migrations.AddIndex(
                    model_name="invoice",
                    index=models.Index(
                        fields=[*ORDER_FIELDS, "due_date", "status"],
                        condition=models.Q(status__in=["issued", "sent", "partially_paid"]),
                        name=OPEN,
                    ),
                ),
            ],
        )
    ]
