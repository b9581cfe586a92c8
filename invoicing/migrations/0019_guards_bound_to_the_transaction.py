"""The issued-invoice and payment guards stand aside only where
``fakturanett.retention_run`` holds the writing transaction's own id
(``core.guards.retention_guards_lifted``), no longer for the value ``on``: a value left in
a session lets no later transaction through."""

from django.db import migrations

from core.migration_operations import guard_triggers_bound_to_the_transaction


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0018_list_indexes_for_search_and_overdue")]

    operations = [
        guard_triggers_bound_to_the_transaction(
            [
                ("invoicing_invoice_guard", "invoicing_invoice", "invoicing_invoice_guard()"),
                (
                    "invoicing_payment_append_only",
                    "invoicing_payment",
                    "invoicing_append_only('created_by_id')",
                ),
            ]
        ),
    ]
