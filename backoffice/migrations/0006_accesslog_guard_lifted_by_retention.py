"""The access log's append-only trigger stands aside inside a retention run's transaction
only (``core.guards.retention_guards_lifted``: ``fakturanett.retention_run`` set with
``set_config(..., true)``, i.e. SET LOCAL). Replaces ``ALTER TABLE ... DISABLE TRIGGER``,
which locked the table for everyone."""

from django.db import migrations

WHEN = "WHEN (current_setting('fakturanett.retention_run', true) IS DISTINCT FROM 'on')"
CREATE = """
DROP TRIGGER IF EXISTS backoffice_accesslogentry_append_only ON backoffice_accesslogentry;
CREATE TRIGGER backoffice_accesslogentry_append_only
    BEFORE UPDATE OR DELETE ON backoffice_accesslogentry
    FOR EACH ROW {when} EXECUTE FUNCTION backoffice_accesslogentry_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE.format(when=WHEN), params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE.format(when=""), params=None)


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0005_staffgrantrequest")]

    operations = [migrations.RunPython(forward, backward)]
