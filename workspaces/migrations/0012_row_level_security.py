"""Row-level security on every table with a workspace_id column (workspaces.db.policies).

Tables that later migrations create get the same from the post_migrate handler
(workspaces.apps); on databases other than PostgreSQL this does nothing."""

from django.db import migrations


def forwards(apps, schema_editor):
    from workspaces.db.policies import rls_apply

    rls_apply(schema_editor.connection)


def backwards(apps, schema_editor):
    from workspaces.db.policies import rls_remove

    rls_remove(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("workspaces", "0010_audit_entry")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
