"""The references in one stored, upper-case text that the list indexes carry (issue 15).

A text search whose words most invoices hold is checked in a walk of a list index, which
carried the four references (0035): each entry walked joined them and upper-cased the
result before looking for the search in it, half the time of the walk ("avd 1" sorted by
client, 26,000 entries at 4.5 M invoices: 45 → 22 ms for the statement). The database now
writes that text with every row (``Invoice.references_text``, a stored generated column),
and the list indexes carry it instead of the four references. The trigram index reads it
too, its words joined by ``REPLACE`` (0037 used ``TRANSLATE`` and upper-cased the result,
which took 1.65 µs an entry where a list index is walked and each entry checked; 0.47).

Adding a stored column rewrites the table and its indexes under an exclusive lock: ~4
minutes at 4.5 M invoices on a 2-core machine; the indexes are then built again beside
the old ones (``CONCURRENTLY``, as in 0035 and 0037), so tenants keep writing after the
rewrite and the lists never go without an index, and the table is vacuumed (the rewrite
cleared the marks that let a list index be read without the table). 352 s in all at
4.5 M invoices.

The guard of issued invoices (0002) compares a row before and after an update; a generated
column is not yet computed in a ``BEFORE`` trigger, so it is left out of that comparison
(the four references it is made of are in it).
"""

import importlib

import django.db.models.functions.text
from django.db import migrations, models

import invoicing.models

OPEN = models.Q(status__in=["issued", "sent", "partially_paid"])
REFERENCES = ("our_reference", "their_reference", "buyer_reference", "order_number")
TEXT = ("references_text",)
LIST = ["company", "kind", "-invoice_date", "-number", "-id"]
CLIENT_LIST = ["company", "client", "kind", "-invoice_date", "-number", "-id"]
# name: (fields, include before the references, condition)
LIST_INDEXES = {
    "invoice_list": (LIST, ["status"], None),
    "invoice_number_list": (["company", "kind", "-number"], ["id", "status"], None),
    "invoice_due_list": (["company", "kind", "due_date"], ["number", "id", "status"], None),
    "invoice_amount_list": (
        ["company", "kind", "-total_incl_vat", "-number"],
        ["id", "status"],
        None,
    ),
    "invoice_open_list": ([*LIST, "due_date"], ["status", "total_incl_vat"], OPEN),
    "invoice_open_number": (["company", "kind", "status", "-number"], ["id"], OPEN),
    "invoice_client_list": ([*CLIENT_LIST, "status"], ["due_date", "total_incl_vat"], None),
    "invoice_client_open": ([*CLIENT_LIST, "due_date", "status"], ["total_incl_vat"], OPEN),
}


def _index(name: str, references: tuple[str, ...]) -> models.Index:
    fields, include, condition = LIST_INDEXES[name]
    options = {"condition": condition} if condition is not None else {}
    return models.Index(fields=fields, include=[*include, *references], name=name, **options)


TABLE = "invoicing_invoice"
TRIGRAM = "invoice_references_joined_trgm"
# The trigram index's expression: 0037's, and since this migration the stored text with
# each joining character replaced (already in upper case; ``REPLACE`` is cheaper to check
# entry by entry than ``TRANSLATE``: ``selectors._joined_references``).
INDEXED_BEFORE = (
    "(UPPER((TRANSLATE((our_reference || chr(31) || their_reference || chr(31)"
    " || buyer_reference || chr(31) || order_number), ' -./,', 'qqqqq'))::text))"
)
INDEXED_AFTER = "references_text"
for _character in " -./,":
    INDEXED_AFTER = f"REPLACE({INDEXED_AFTER}, '{_character}', 'Q')"
INDEXED_AFTER = f"({INDEXED_AFTER})"
STATISTICS = 1000

# 0002's guard function (its trigger stays as 0019 made it), with the stored text of the
# references among the columns its comparison leaves out.
_GUARDS = importlib.import_module("invoicing.migrations.0002_postgresql_guards")
GUARD_BEFORE = _GUARDS.FORWARD.split("CREATE TRIGGER invoicing_invoice_guard")[0]
GUARD_AFTER = GUARD_BEFORE.replace(
    _GUARDS.MUTABLE, _GUARDS.MUTABLE.replace("'issued_by_id'", "'issued_by_id', 'references_text'")
)


def _guard(apps, schema_editor, *, function: str) -> None:
    if schema_editor.connection.vendor == "postgresql":
        # No parameters: the function's own "%" are its messages' placeholders.
        schema_editor.execute(function, params=None)


def guard_forward(apps, schema_editor):
    _guard(apps, schema_editor, function=GUARD_AFTER)


def guard_backward(apps, schema_editor):
    _guard(apps, schema_editor, function=GUARD_BEFORE)


def _swap_indexes(apps, schema_editor, *, references, indexed) -> None:
    """The list indexes with ``references`` included, and the trigram index on ``indexed``:
    each built beside the one it replaces and renamed to its name (PostgreSQL,
    ``CONCURRENTLY``); on SQLite (no ``INCLUDE``, no trigram index) dropped and made
    again."""
    invoice = apps.get_model("invoicing", "Invoice")
    if schema_editor.connection.vendor != "postgresql":
        for name in LIST_INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
            schema_editor.add_index(invoice, _index(name, references))
        return
    for name in LIST_INDEXES:
        building = _index(name, references)
        building.name = f"{name[:21]}_building"
        # A failed run's leftover, then the new index beside the old one.
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {building.name}")
        schema_editor.add_index(invoice, building, concurrently=True)
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")
        schema_editor.execute(f"ALTER INDEX {building.name} RENAME TO {name}")
    building = f"{TRIGRAM[:21]}_building"
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {building}")
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY {building} ON {TABLE} USING gin ({indexed} gin_trgm_ops)"
    )
    schema_editor.execute(f"ALTER INDEX {building} ALTER COLUMN 1 SET STATISTICS {STATISTICS}")
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {TRIGRAM}")
    schema_editor.execute(f"ALTER INDEX {building} RENAME TO {TRIGRAM}")
    # The rewrite left no page marked all-visible: until a vacuum, every index-only walk
    # read each row from the table ("avd 1" sorted by client: 26,500 heap fetches, 107 ms),
    # and a table with no dead rows may wait long for autovacuum. 7 s at 4.5 M invoices.
    schema_editor.execute(f"VACUUM (ANALYZE) {TABLE}")


def indexes_forward(apps, schema_editor):
    _swap_indexes(apps, schema_editor, references=TEXT, indexed=INDEXED_AFTER)


def indexes_backward(apps, schema_editor):
    _swap_indexes(apps, schema_editor, references=REFERENCES, indexed=INDEXED_BEFORE)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("invoicing", "0037_references_index_reads_joined_words")]

    operations = [
        # Before the column exists: a key that is not there yet is left out of nothing.
        migrations.RunPython(guard_forward, guard_backward, elidable=False),
        migrations.AddField(
            model_name="invoice",
            name="references_text",
            field=models.GeneratedField(
                db_persist=True,
                expression=django.db.models.functions.text.Upper(invoicing.models.References()),
                output_field=models.TextField(),
            ),
        ),
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.RunPython(indexes_forward, indexes_backward, elidable=False)
            ],
            state_operations=[
                *(migrations.RemoveIndex(model_name="invoice", name=name) for name in LIST_INDEXES),
                *(
                    migrations.AddIndex(model_name="invoice", index=_index(name, TEXT))
                    for name in LIST_INDEXES
                ),
            ],
        ),
    ]
