"""The audit log's append-only trigger stands aside inside a retention run's transaction
only (``core.guards.retention_guards_lifted``: ``fakturanett.retention_run`` set with
``set_config(..., true)``, i.e. SET LOCAL). Replaces ``ALTER TABLE ... DISABLE TRIGGER``,
which locked the table for everyone."""

from django.db import migrations

WHEN = "WHEN (current_setting('fakturanett.retention_run', true) IS DISTINCT FROM 'on')"
CREATE = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
CREATE TRIGGER core_auditentry_append_only
    BEFORE UPDATE OR DELETE ON core_auditentry
    FOR EACH ROW {when} EXECUTE FUNCTION core_auditentry_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE.format(when=WHEN), params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE.format(when=""), params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_outboxmessage")]

    operations = [migrations.RunPython(forward, backward)]
