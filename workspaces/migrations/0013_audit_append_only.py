"""The audit log is append-only in the database too (PostgreSQL): a trigger refuses UPDATE
and DELETE of `workspaces_auditentry` rows except

- DELETE of a workspace's entries while the transaction-local setting `crm.audit_allow` is
  `delete:<that workspace's id>` (set only by `workspaces.audit.audit_workspace_delete_allow`,
  used by the workspace deletion service);
- UPDATE of `changes`, `details` and `object_repr` alone while it is `redact:<workspace id>`
  (set only by `workspaces.audit.audit_redact`, the GDPR erasure);
- UPDATE that only clears `actor_id` (a user's deletion: ON DELETE SET NULL keeps the entry,
  its `actor_label` still names them).

SQLite has no such trigger; there the model and its queryset refuse the same."""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION workspaces_auditentry_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    allowed text := coalesce(current_setting('crm.audit_allow', true), '');
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF allowed = 'delete:' || OLD.workspace_id THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'audit entries are append-only: DELETE refused'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') AND NEW.actor_id IS NULL THEN
        RETURN NEW;
    END IF;
    IF allowed = 'redact:' || OLD.workspace_id
       AND (to_jsonb(NEW) - 'changes' - 'details' - 'object_repr')
           = (to_jsonb(OLD) - 'changes' - 'details' - 'object_repr') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only: UPDATE refused'
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
DROP TRIGGER IF EXISTS workspaces_auditentry_append_only ON workspaces_auditentry;
CREATE TRIGGER workspaces_auditentry_append_only
    BEFORE UPDATE OR DELETE ON workspaces_auditentry
    FOR EACH ROW EXECUTE FUNCTION workspaces_auditentry_append_only();
"""

REVERSE = r"""
DROP TRIGGER IF EXISTS workspaces_auditentry_append_only ON workspaces_auditentry;
DROP FUNCTION IF EXISTS workspaces_auditentry_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE)


class Migration(migrations.Migration):
    dependencies = [("workspaces", "0010_audit_entry")]

    operations = [
        migrations.AlterModelOptions(
            name="auditentry",
            options={
                "base_manager_name": "all_workspaces",
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit log",
            },
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
