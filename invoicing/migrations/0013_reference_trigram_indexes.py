"""Trigram indexes for the invoice list's text search on references (our/their/buyer
reference, order number), scoped to the company. PostgreSQL only; the extensions come
from ``customers/0005``; SQLite keeps a bounded scan of the company's rows (issue 15).

``icontains`` compiles to ``UPPER(col::text) LIKE UPPER(%s)``, so each index is on that
expression, with the company id in the same GIN index (``btree_gin``); PostgreSQL ORs
the four bitmaps. Built ``CONCURRENTLY`` (non-atomic) so tenants can keep writing.
"""

from django.db import migrations

from core.migration_operations import company_trigram_indexes

INDEXES = {
    "invoice_our_reference_trgm": ("invoicing_invoice", "our_reference"),
    "invoice_their_reference_trgm": ("invoicing_invoice", "their_reference"),
    "invoice_buyer_reference_trgm": ("invoicing_invoice", "buyer_reference"),
    "invoice_order_number_trgm": ("invoicing_invoice", "order_number"),
}


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("customers", "0005_client_name_trigram"),
        ("invoicing", "0012_list_index_with_id"),
    ]

    operations = [
        company_trigram_indexes(INDEXES),
    ]
