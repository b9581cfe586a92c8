"""The access log is kept 3 years (inventory rule ``access_log``), then deleted.

The PostgreSQL guard from 0002 now also lets through the DELETE of rows older than three
years (``services.access_log_purge``); every other change or delete is still refused.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION backoffice_accesslogentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.created_at < now() - interval '3 years' THEN
        RETURN OLD;
    END IF;
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
"""

BACKWARD = """
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
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0003_servicedelivery_source")]

    operations = [migrations.RunPython(forward, backward)]
