"""The change log's consumable sequence: `ChangeEvent.seq` per workspace, drawn from one
`ChangeSequence` row per workspace. Existing events are numbered in id order (they were
all committed when this runs) and each workspace's counter starts after its last event."""

import django.db.models.deletion
import django.db.models.manager
from django.db import migrations, models

NUMBER_EVENTS = """
UPDATE workspaces_changeevent SET seq = numbered.rn
FROM (
    SELECT id, ROW_NUMBER() OVER (PARTITION BY workspace_id ORDER BY id) AS rn
    FROM workspaces_changeevent
) AS numbered
WHERE workspaces_changeevent.id = numbered.id
"""

START_COUNTERS = """
INSERT INTO workspaces_changesequence (workspace_id, "last")
SELECT workspace_id, MAX(seq) FROM workspaces_changeevent GROUP BY workspace_id
"""


def number_events(apps, schema_editor):
    schema_editor.execute(NUMBER_EVENTS)
    schema_editor.execute(START_COUNTERS)


class Migration(migrations.Migration):
    dependencies = [
        ("workspaces", "0003_member_and_invitation_list_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="ChangeSequence",
            fields=[
                (
                    "workspace",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="workspaces.workspace",
                    ),
                ),
                ("last", models.BigIntegerField(default=0)),
            ],
            options={"base_manager_name": "all_workspaces"},
            managers=[
                ("objects", django.db.models.manager.Manager()),
                ("all_workspaces", django.db.models.manager.Manager()),
            ],
        ),
        migrations.AddField(
            model_name="changeevent",
            name="seq",
            field=models.BigIntegerField(null=True),
        ),
        migrations.RunPython(number_events, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="changeevent",
            name="seq",
            field=models.BigIntegerField(),
        ),
        migrations.RemoveIndex(
            model_name="changeevent",
            name="changeevent_ws_seq_idx",
        ),
        migrations.AddConstraint(
            model_name="changeevent",
            constraint=models.UniqueConstraint(
                fields=("workspace", "seq"), name="changeevent_ws_seq_uniq"
            ),
        ),
    ]
