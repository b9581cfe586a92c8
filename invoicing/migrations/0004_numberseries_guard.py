"""On PostgreSQL a number series moves only by choosing its first number while unused,
or by taking the next number (+1). Nothing can skip, reuse or renumber, and a used
series cannot be deleted. Mirrors ``NumberSeries.save`` in invoicing/models.py.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION invoicing_numberseries_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.next_number > OLD.first_number THEN
            RAISE EXCEPTION 'invoicing_numberseries %: a used number series cannot be deleted',
                OLD.id;
        END IF;
        RETURN OLD;
    END IF;
    IF NEW.company_id = OLD.company_id AND NEW.kind = OLD.kind AND (
        (OLD.next_number = OLD.first_number AND NEW.next_number = NEW.first_number)
        OR (NEW.first_number = OLD.first_number AND NEW.next_number = OLD.next_number + 1)
        OR (NEW.first_number = OLD.first_number AND NEW.next_number = OLD.next_number)
    ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'invoicing_numberseries %: only the next number can be taken', OLD.id;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER invoicing_numberseries_guard
    BEFORE UPDATE OR DELETE ON invoicing_numberseries
    FOR EACH ROW EXECUTE FUNCTION invoicing_numberseries_guard();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS invoicing_numberseries_guard ON invoicing_numberseries;
DROP FUNCTION IF EXISTS invoicing_numberseries_guard();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0003_payment_parts_checked_in_python")]

    operations = [migrations.RunPython(forward, backward)]
