"""Trigram indexes for lead and deal search on PostgreSQL (DESIGN.md §11).

Lead and deal searches use `icontains`, which PostgreSQL runs as
UPPER(col::text) LIKE UPPER('%q%'); GIN trigram indexes on exactly those expressions, led by
workspace_id (btree_gin), serve it inside the tenant, as contacts 0004 does for contact and
account names. The account-name branch of the deal search uses contacts' account index.
SQLite has no such indexes: the operations do nothing there.
"""

from django.db import migrations

INDEXES = [
    ("lead_ws_first_trgm", "sales_lead", "first_name"),
    ("lead_ws_last_trgm", "sales_lead", "last_name"),
    ("lead_ws_company_trgm", "sales_lead", "company"),
    ("deal_ws_name_trgm", "sales_deal", "name"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
            f'USING gin (workspace_id, (UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("sales", "0003_workspace_fk_without_own_index_lead_phone")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
