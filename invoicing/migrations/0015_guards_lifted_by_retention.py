"""The guards of issued invoices and of payments stand aside inside a retention run's
transaction only (``core.guards.retention_guards_lifted``: ``fakturanett.retention_run``
set with ``set_config(..., true)``, i.e. SET LOCAL). Replaces ``ALTER TABLE ... DISABLE
TRIGGER``, which locked the invoice table for every tenant while the run anonymised."""

from django.db import migrations

from core.migration_operations import guard_triggers_lifted_by_retention


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0014_open_invoices_cover_index")]

    # Applied already: the operation runs exactly the SQL this file ran before.
    operations = [
        guard_triggers_lifted_by_retention(
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
