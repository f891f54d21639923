"""Models and migrations never disagree unnoticed: a model change without its migration fails."""

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_models_need_no_new_migrations():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=StringIO())
    except SystemExit:  # --check exits with 1 when a migration is missing
        pytest.fail(f"Models have changes without a migration:\n{out.getvalue()}")


@pytest.mark.django_db(transaction=True)
def test_the_sequence_migrations_number_existing_events_and_touch_points(db_owner):
    """Existing change events are numbered per workspace in id order, touch points after
    them, and each workspace's counter continues after both: a consumer starting at 0
    reads everything that was stored before the sequence existed."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [
        ("workspaces", "0003_member_and_invitation_list_indexes"),
        ("touchpoints", "0002_initial"),
    ]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old = executor.loader.project_state(before).apps
        Workspace = old.get_model("workspaces", "Workspace")
        Event = old.get_model("workspaces", "ChangeEvent")
        Interaction = old.get_model("touchpoints", "Interaction")
        a = Workspace.objects.create(name="A", slug="a")
        b = Workspace.objects.create(name="B", slug="b")
        for ws in (a, b, a, a, b):
            Event.objects.create(workspace=ws, model="x.y", object_id=1, action="created")
        for ws in (b, a):
            Interaction.objects.create(workspace=ws, channel="phone", kind="call.logged")

        executor = MigrationExecutor(connection)
        executor.migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)

    from touchpoints.models import Interaction as NewInteraction
    from workspaces.models import ChangeEvent, ChangeSequence

    def numbered(rows, ws, **filters):
        return list(
            rows.all_workspaces.filter(workspace_id=ws.pk, **filters)
            .order_by("id")
            .values_list("seq", flat=True)
        )

    # later data migrations (default pipelines) append their events after these
    assert numbered(ChangeEvent, a, model="x.y") == [1, 2, 3]
    assert numbered(ChangeEvent, b, model="x.y") == [1, 2]
    assert numbered(NewInteraction, a)[0] > 3 and numbered(NewInteraction, b)[0] > 2
    for ws in (a, b):
        seqs = numbered(ChangeEvent, ws) + numbered(NewInteraction, ws)
        assert sorted(seqs) == list(range(1, len(seqs) + 1))  # no gap, no double
        assert ChangeSequence.all_workspaces.get(workspace_id=ws.pk).last == len(seqs)
