"""The guards of issued invoices and of payments stand aside inside a retention run's
transaction only (``core.guards.retention_guards_lifted``: ``fakturanett.retention_run``
set with ``set_config(..., true)``, i.e. SET LOCAL). Replaces ``ALTER TABLE ... DISABLE
TRIGGER``, which locked the invoice table for every tenant while the run anonymised."""

from django.db import migrations

WHEN = "WHEN (current_setting('fakturanett.retention_run', true) IS DISTINCT FROM 'on')"
CREATE = """
DROP TRIGGER IF EXISTS invoicing_invoice_guard ON invoicing_invoice;
CREATE TRIGGER invoicing_invoice_guard
    BEFORE UPDATE OR DELETE ON invoicing_invoice
    FOR EACH ROW {when} EXECUTE FUNCTION invoicing_invoice_guard();
DROP TRIGGER IF EXISTS invoicing_payment_append_only ON invoicing_payment;
CREATE TRIGGER invoicing_payment_append_only
    BEFORE UPDATE OR DELETE ON invoicing_payment
    FOR EACH ROW {when} EXECUTE FUNCTION invoicing_append_only('created_by_id');
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE.format(when=WHEN), params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE.format(when=""), params=None)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0014_open_invoices_cover_index")]

    operations = [migrations.RunPython(forward, backward)]
