"""A trigram index on the contact's email for the "Merge with…" search (an address typed
from its start: `email__istartswith`, which PostgreSQL runs as UPPER(email::text) LIKE
UPPER('q%')), led by workspace_id (btree_gin) like the name indexes of 0004. SQLite has no
such index: the operations do nothing there."""

from django.db import migrations

NAME = "contact_ws_email_trgm"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NAME} ON contacts_contact "
        'USING gin (workspace_id, (UPPER("email"::text)) gin_trgm_ops)'
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("contacts", "0010_contact_merge_redirect")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
