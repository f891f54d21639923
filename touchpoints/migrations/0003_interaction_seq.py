"""The customer history's consumable sequence: `Interaction.seq`, drawn from the workspace's
`ChangeSequence` (the same counter as the change log). Existing touch points are numbered in
id order after the workspace's last change event; the counter moves past them."""

from django.db import migrations, models

NUMBER_INTERACTIONS = """
UPDATE touchpoints_interaction SET seq = numbered.rn + COALESCE(
    (SELECT s."last" FROM workspaces_changesequence s WHERE s.workspace_id = numbered.workspace_id),
    0
)
FROM (
    SELECT id, workspace_id, ROW_NUMBER() OVER (PARTITION BY workspace_id ORDER BY id) AS rn
    FROM touchpoints_interaction
) AS numbered
WHERE touchpoints_interaction.id = numbered.id
"""

MOVE_COUNTERS = """
INSERT INTO workspaces_changesequence (workspace_id, "last")
SELECT workspace_id, MAX(seq) FROM touchpoints_interaction WHERE 1 = 1 GROUP BY workspace_id
ON CONFLICT (workspace_id) DO UPDATE SET "last" = excluded."last"
"""


def number_interactions(apps, schema_editor):
    schema_editor.execute(NUMBER_INTERACTIONS)
    schema_editor.execute(MOVE_COUNTERS)


class Migration(migrations.Migration):
    dependencies = [
        ("touchpoints", "0002_initial"),
        ("workspaces", "0004_change_sequence"),
    ]

    operations = [
        migrations.AddField(
            model_name="interaction",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.RunPython(number_interactions, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="interaction",
            name="seq",
            field=models.BigIntegerField(editable=False),
        ),
        migrations.AddConstraint(
            model_name="interaction",
            constraint=models.UniqueConstraint(
                fields=("workspace", "seq"), name="interaction_ws_seq_uniq"
            ),
        ),
    ]
