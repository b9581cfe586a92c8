"""On PostgreSQL the database itself refuses to change or delete access-log rows.

The one allowed UPDATE is the ``SET NULL`` of a deleted customer company or person (the
row stays, without the link). TRUNCATE (test database flushes) is not a row event.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION backoffice_accesslogentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND (NEW.customer_id IS NULL OR NEW.customer_id = OLD.customer_id)
       AND (NEW.person_id IS NULL OR NEW.person_id = OLD.person_id)
       AND NEW.staff_id = OLD.staff_id AND NEW.created_at = OLD.created_at
       AND NEW.categories::text = OLD.categories::text AND NEW.purpose = OLD.purpose
       AND NEW.reason = OLD.reason AND NEW.view = OLD.view AND NEW.path = OLD.path THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'backoffice_accesslogentry is append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER backoffice_accesslogentry_append_only
    BEFORE UPDATE OR DELETE ON backoffice_accesslogentry
    FOR EACH ROW EXECUTE FUNCTION backoffice_accesslogentry_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS backoffice_accesslogentry_append_only ON backoffice_accesslogentry;
DROP FUNCTION IF EXISTS backoffice_accesslogentry_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
