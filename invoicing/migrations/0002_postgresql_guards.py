"""On PostgreSQL the database itself guards issued documents and the payment ledgers.

- invoicing_invoice: an issued row (status <> 'draft') is never deleted, never becomes a
  draft again, and only its mutable columns (status, paid_amount, credited_amount,
  sent_at, updated_at; issued_by_id may only be cleared, by the user's deletion) change.
  Every other column, including ones added later, is frozen.
- invoicing_invoiceline, invoicing_invoicevatline: no insert, update or delete for an
  invoice that is not a draft.
- invoicing_payment, invoicing_clientbalanceentry: append-only (a payment's created_by_id
  may only be cleared, by the user's deletion).

TRUNCATE (test database flushes only) is not a row event. Mirrors the ORM guards in
invoicing/models.py.
"""

from django.db import migrations

MUTABLE = "ARRAY['status', 'paid_amount', 'credited_amount', 'sent_at', 'updated_at', 'issued_by_id']"

FORWARD = f"""
CREATE OR REPLACE FUNCTION invoicing_invoice_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.status <> 'draft' THEN
            RAISE EXCEPTION 'invoicing_invoice %: an issued document cannot be deleted', OLD.id;
        END IF;
        RETURN OLD;
    END IF;
    IF OLD.status = 'draft' THEN
        RETURN NEW;
    END IF;
    IF NEW.status = 'draft' THEN
        RAISE EXCEPTION 'invoicing_invoice %: an issued document cannot become a draft', OLD.id;
    END IF;
    IF NEW.issued_by_id IS NOT NULL AND NEW.issued_by_id IS DISTINCT FROM OLD.issued_by_id THEN
        RAISE EXCEPTION 'invoicing_invoice %: issued_by cannot be changed', OLD.id;
    END IF;
    IF (to_jsonb(NEW) - {MUTABLE}) IS DISTINCT FROM (to_jsonb(OLD) - {MUTABLE}) THEN
        RAISE EXCEPTION 'invoicing_invoice %: the content of an issued document cannot be changed',
            OLD.id;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER invoicing_invoice_guard
    BEFORE UPDATE OR DELETE ON invoicing_invoice
    FOR EACH ROW EXECUTE FUNCTION invoicing_invoice_guard();

CREATE OR REPLACE FUNCTION invoicing_invoice_child_guard() RETURNS trigger AS $$
DECLARE
    parent_status text;
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        SELECT status INTO parent_status FROM invoicing_invoice WHERE id = OLD.invoice_id;
        IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
            RAISE EXCEPTION '%: rows of issued invoice % are frozen', TG_TABLE_NAME, OLD.invoice_id;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        SELECT status INTO parent_status FROM invoicing_invoice WHERE id = NEW.invoice_id;
        IF parent_status IS NOT NULL AND parent_status <> 'draft' THEN
            RAISE EXCEPTION '%: rows of issued invoice % are frozen', TG_TABLE_NAME, NEW.invoice_id;
        END IF;
        RETURN NEW;
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER invoicing_invoiceline_guard
    BEFORE INSERT OR UPDATE OR DELETE ON invoicing_invoiceline
    FOR EACH ROW EXECUTE FUNCTION invoicing_invoice_child_guard();
CREATE TRIGGER invoicing_invoicevatline_guard
    BEFORE INSERT OR UPDATE OR DELETE ON invoicing_invoicevatline
    FOR EACH ROW EXECUTE FUNCTION invoicing_invoice_child_guard();

CREATE OR REPLACE FUNCTION invoicing_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND TG_ARGV[0] IS NOT NULL
       AND (to_jsonb(NEW) ->> TG_ARGV[0]) IS NULL
       AND (to_jsonb(NEW) - TG_ARGV[0]) = (to_jsonb(OLD) - TG_ARGV[0]) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '% is append-only (% refused)', TG_TABLE_NAME, TG_OP;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER invoicing_payment_append_only
    BEFORE UPDATE OR DELETE ON invoicing_payment
    FOR EACH ROW EXECUTE FUNCTION invoicing_append_only('created_by_id');
CREATE TRIGGER invoicing_clientbalanceentry_append_only
    BEFORE UPDATE OR DELETE ON invoicing_clientbalanceentry
    FOR EACH ROW EXECUTE FUNCTION invoicing_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS invoicing_clientbalanceentry_append_only ON invoicing_clientbalanceentry;
DROP TRIGGER IF EXISTS invoicing_payment_append_only ON invoicing_payment;
DROP FUNCTION IF EXISTS invoicing_append_only();
DROP TRIGGER IF EXISTS invoicing_invoicevatline_guard ON invoicing_invoicevatline;
DROP TRIGGER IF EXISTS invoicing_invoiceline_guard ON invoicing_invoiceline;
DROP FUNCTION IF EXISTS invoicing_invoice_child_guard();
DROP TRIGGER IF EXISTS invoicing_invoice_guard ON invoicing_invoice;
DROP FUNCTION IF EXISTS invoicing_invoice_guard();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
