"""The access log's append-only trigger stands aside only where
``fakturanett.retention_run`` holds the writing transaction's own id
(``core.guards.retention_guards_lifted``), no longer for the value ``on``: a value left in
a session lets no later transaction through."""

from django.db import migrations

from core.migration_operations import guard_triggers_bound_to_the_transaction


class Migration(migrations.Migration):
    dependencies = [("backoffice", "0006_accesslog_guard_lifted_by_retention")]

    operations = [
        guard_triggers_bound_to_the_transaction(
            [
                (
                    "backoffice_accesslogentry_append_only",
                    "backoffice_accesslogentry",
                    "backoffice_accesslogentry_append_only()",
                )
            ]
        ),
    ]
