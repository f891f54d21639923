"""Activity durations in seconds, like every duration in code (Interaction.duration_seconds):
the column is renamed and its values multiplied by 60 (reversible)."""

from django.db import migrations, models
from django.db.models import F


def minutes_to_seconds(apps, schema_editor):
    Activity = apps.get_model("sales", "Activity")
    Activity._base_manager.filter(duration_seconds__isnull=False).update(
        duration_seconds=F("duration_seconds") * 60
    )


def seconds_to_minutes(apps, schema_editor):
    Activity = apps.get_model("sales", "Activity")
    for pk, seconds in Activity._base_manager.filter(duration_seconds__isnull=False).values_list(
        "pk", "duration_seconds"
    ):
        Activity._base_manager.filter(pk=pk).update(duration_seconds=round(seconds / 60))


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0007_workspace_fk_without_own_index"),
    ]

    operations = [
        migrations.RenameField(
            model_name="activity", old_name="duration_minutes", new_name="duration_seconds"
        ),
        migrations.AlterField(
            model_name="activity",
            name="duration_seconds",
            field=models.PositiveIntegerField(
                blank=True, null=True, verbose_name="duration (seconds)"
            ),
        ),
        migrations.RunPython(minutes_to_seconds, seconds_to_minutes),
    ]
