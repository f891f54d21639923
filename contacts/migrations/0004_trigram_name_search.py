"""Trigram indexes for name search on PostgreSQL (DESIGN.md §11).

Search uses `icontains`, which PostgreSQL runs as UPPER(col::text) LIKE UPPER('%q%'); GIN
trigram indexes on exactly those expressions, led by workspace_id (btree_gin), serve it.
SQLite has no such indexes: the operations do nothing there.
"""

from django.db import migrations

INDEXES = [
    ("contact_ws_first_trgm", "contacts_contact", "first_name"),
    ("contact_ws_last_trgm", "contacts_contact", "last_name"),
    ("account_ws_name_trgm", "contacts_account", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} '
            f'USING gin (workspace_id, (UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0003_contact_last_touch_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
