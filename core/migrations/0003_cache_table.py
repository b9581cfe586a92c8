"""The table of the database cache (settings.CACHES without REDIS_URL).

API rate limits are counted in the default cache, shared by every web process; without Redis
that is a database table, created here so that ``migrate`` is all an installation needs.
With Redis configured, ``createcachetable`` does nothing.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_auditentry_append_only_trigger")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
