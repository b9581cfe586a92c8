"""The audit log without the indexes no query needs (issue 15, the retention run).

Every index costs each insert and each non-HOT update, and the retention run redacts
every audit row past its deadline (one new row version, one entry per index):

- ``company_id`` alone: the (company, -created_at) index starts with it and serves every
  ``company_id = …`` look-up, the foreign-key check when a company row is deleted too;
- ``action``'s second index (``varchar_pattern_ops``, PostgreSQL's automatic companion of a
  ``db_index`` on a text column, for ``LIKE 'prefix%'``): no query of the application asks
  for an action by prefix (``action__in`` and ``=`` use the plain index, kept and renamed
  ``auditentry_action``).

Only the indexes change (``AlterField`` would drop and re-add the foreign key, which
re-checks every row). On PostgreSQL without blocking writers (``CONCURRENTLY``, a rename).
"""

import django.db.models.deletion
from django.db import migrations, models

TABLE = "core_auditentry"
COMPANY = "core_auditentry_company_id_fafe75a3"
ACTION = "core_auditentry_action_6ad0fad5"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {ACTION}_like")
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {COMPANY}")
        schema_editor.execute(f"ALTER INDEX IF EXISTS {ACTION} RENAME TO auditentry_action")
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS auditentry_action ON {TABLE} (action)")
    schema_editor.execute(f"DROP INDEX IF EXISTS {ACTION}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {COMPANY}")


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {COMPANY} ON {TABLE} (company_id)"
        )
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {ACTION}_like"
            f" ON {TABLE} (action varchar_pattern_ops)"
        )
        schema_editor.execute(f"ALTER INDEX IF EXISTS auditentry_action RENAME TO {ACTION}")
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {COMPANY} ON {TABLE} (company_id)")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {ACTION} ON {TABLE} (action)")
    schema_editor.execute("DROP INDEX IF EXISTS auditentry_action")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("accounts", "0003_company_closed_at"),
        ("core", "0006_auditentry_guard_bound_to_the_transaction"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forward, backward, elidable=False)],
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="action",
                    field=models.CharField(max_length=100),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="company",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="audit_entries",
                        to="accounts.company",
                    ),
                ),
                migrations.AddIndex(
                    model_name="auditentry",
                    index=models.Index(fields=["action"], name="auditentry_action"),
                ),
            ],
        ),
    ]
