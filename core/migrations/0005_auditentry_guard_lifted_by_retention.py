"""The audit log's append-only trigger stands aside inside a retention run's transaction
only (``core.guards.retention_guards_lifted``: ``fakturanett.retention_run`` set with
``set_config(..., true)``, i.e. SET LOCAL). Replaces ``ALTER TABLE ... DISABLE TRIGGER``,
which locked the table for everyone."""

from django.db import migrations

from core.migration_operations import guard_triggers_lifted_by_retention


class Migration(migrations.Migration):
    dependencies = [("core", "0004_outboxmessage")]

    # Applied already: the operation runs exactly the SQL this file ran before.
    operations = [
        guard_triggers_lifted_by_retention(
            [("core_auditentry_append_only", "core_auditentry", "core_auditentry_append_only()")]
        ),
    ]
