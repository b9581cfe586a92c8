"""The access log's append-only trigger stands aside inside a retention run's transaction
only (``core.guards.retention_guards_lifted``: ``fakturanett.retention_run`` set with
``set_config(..., true)``, i.e. SET LOCAL). Replaces ``ALTER TABLE ... DISABLE TRIGGER``,
which locked the table for everyone."""

from django.db import migrations

from core.migration_operations import guard_triggers_lifted_by_retention


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0005_staffgrantrequest")]

    # Applied already: the operation runs exactly the SQL this file ran before.
    operations = [
        guard_triggers_lifted_by_retention(
            [
                (
                    "backoffice_accesslogentry_append_only",
                    "backoffice_accesslogentry",
                    "backoffice_accesslogentry_append_only()",
                )
            ]
        ),
    ]
