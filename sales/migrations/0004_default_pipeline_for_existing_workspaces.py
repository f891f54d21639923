"""Every workspace has a default pipeline from its creation on (a workspace-created hook);
this gives one to the workspaces made before, which used to get it on a page view."""

from django.db import migrations
from django.utils import timezone

# Frozen copies of sales.services.pipelines.DEFAULT_PIPELINE / DEFAULT_LOST_REASONS.
STAGES = [
    ("Qualification", 10, "open"),
    ("Needs analysis", 25, "open"),
    ("Proposal", 50, "open"),
    ("Negotiation", 75, "open"),
    ("Won", 100, "won"),
    ("Lost", 0, "lost"),
]
LOST_REASONS = ["Price", "Competitor", "No budget", "Timing", "No decision"]


def create_default_pipelines(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    Pipeline = apps.get_model("sales", "Pipeline")
    Stage = apps.get_model("sales", "Stage")
    LostReason = apps.get_model("sales", "LostReason")
    ChangeEvent = apps.get_model("workspaces", "ChangeEvent")
    ChangeSequence = apps.get_model("workspaces", "ChangeSequence")
    with_pipeline = Pipeline.objects.values("workspace_id")
    now = timezone.now()
    for workspace in Workspace.objects.exclude(pk__in=with_pipeline).iterator():
        events = []
        pipeline = Pipeline.objects.create(
            workspace=workspace, name="Sales", is_default=True, position=1, created_at=now
        )
        events.append(("sales.pipeline", pipeline.pk, ["is_default", "name", "position"]))
        for position, (name, probability, kind) in enumerate(STAGES):
            stage = Stage.objects.create(
                workspace=workspace,
                pipeline=pipeline,
                name=name,
                probability=probability,
                kind=kind,
                position=position,
                created_at=now,
            )
            events.append(("sales.stage", stage.pk, ["kind", "name", "position", "probability"]))
        if not LostReason.objects.filter(workspace=workspace).exists():
            for position, name in enumerate(LOST_REASONS):
                reason = LostReason.objects.create(
                    workspace=workspace, name=name, position=position, created_at=now
                )
                events.append(("sales.lostreason", reason.pk, ["name", "position"]))
        # the events take the next numbers of the workspace's change sequence
        counter, _created = ChangeSequence.objects.select_for_update().get_or_create(
            workspace=workspace, defaults={"last": 0}
        )
        first = counter.last + 1
        counter.last += len(events)
        counter.save(update_fields=["last"])
        ChangeEvent.objects.bulk_create(
            ChangeEvent(
                workspace=workspace,
                seq=first + offset,
                model=model,
                object_id=object_id,
                action="created",
                fields=fields,
                data={"by": "migration"},
                created_at=now,
            )
            for offset, (model, object_id, fields) in enumerate(events)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("sales", "0003_activity_reminder_failures"),
        ("workspaces", "0004_change_sequence"),
    ]

    operations = [
        migrations.RunPython(create_default_pipelines, migrations.RunPython.noop),
    ]
