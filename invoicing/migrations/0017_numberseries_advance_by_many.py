"""On PostgreSQL a number series may also advance by N in one update (the set-based issue,
``invoice_issue_many``), but only when documents with all N numbers are in the series
already: it writes its invoices first, then advances. Going backwards, skipping or
renumbering is still refused, +1 stays as before. Mirrors ``NumberSeries.save``."""

from django.db import migrations

FUNCTION = """
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
        {many}
    ) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'invoicing_numberseries %: only the next number can be taken', OLD.id;
END;
$$ LANGUAGE plpgsql;
"""

# Numbers are unique per series (invoice_number_unique_in_series): N rows in the range
# are exactly the N numbers.
MANY = """
        OR (NEW.first_number = OLD.first_number AND NEW.next_number > OLD.next_number + 1
            AND (SELECT count(*) FROM invoicing_invoice
                 WHERE series_id = OLD.id
                   AND number >= OLD.next_number AND number < NEW.next_number)
                = NEW.next_number - OLD.next_number)
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION.replace("{many}", MANY), params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION.replace("{many}", ""), params=None)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0016_payment_note")]

    operations = [migrations.RunPython(forward, backward)]
