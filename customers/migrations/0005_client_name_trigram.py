"""Trigram index for the client-name search (the type-ahead picker, the client list, the
invoice list's text search), scoped to the company. PostgreSQL only: the extension
operations do nothing on other databases and the index is created only on PostgreSQL;
SQLite keeps the (company, name) index (since 0006 (company, name, id)) and a bounded
scan (issue 15).

``icontains`` compiles to ``UPPER(name::text) LIKE UPPER(%s)``, so the index is on that
expression; ``btree_gin`` lets the company id sit in the same GIN index. Built
``CONCURRENTLY`` (non-atomic migration) so existing tenants can keep writing.
"""

from django.contrib.postgres.operations import BtreeGinExtension, TrigramExtension
from django.db import migrations

from core.migration_operations import company_trigram_indexes

INDEXES = {
    "customers_client_name_trgm": ("customers_client", "name"),
}


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("customers", "0004_client_vat_number")]

    operations = [
        TrigramExtension(),
        BtreeGinExtension(),
        company_trigram_indexes(INDEXES),
    ]
