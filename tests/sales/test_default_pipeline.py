"""The default pipeline is made with the workspace (a lifecycle hook) or by the data
migration for older workspaces, never by opening a page: GET pages write nothing, whoever
opens them."""

import threading
import time

import pytest
from django.db import close_old_connections, connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from sales.models import LeadStatus, LostReason, Pipeline, Stage
from sales.services.pipelines import pipeline_ensure_default
from tests.factories import WorkspaceFactory
from tests.sales.factories import LeadFactory
from workspaces.models import ChangeEvent
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db

GET_PAGES = [
    ("sales:board", {}),
    ("sales:deals", {}),
    ("sales:deal_create", {}),
    ("sales:leads", {}),
    ("sales:my_day", {}),
    ("sales:calendar", {}),
    ("sales:calendar_feed", {}),
    ("sales:settings", {}),
]


def _writes(workspace) -> tuple:
    return (
        ChangeEvent.all_workspaces.filter(workspace=workspace).count(),
        Pipeline.all_workspaces.filter(workspace=workspace).count(),
        Stage.all_workspaces.filter(workspace=workspace).count(),
        LostReason.all_workspaces.filter(workspace=workspace).count(),
    )


@pytest.mark.parametrize("role", [Role.READONLY, Role.SALES, Role.OWNER])
def test_get_pages_write_nothing_even_without_a_pipeline(workspace, client_for, role):
    client = client_for(role)
    lead = LeadFactory(workspace=workspace, status=LeadStatus.QUALIFIED)
    pages = [*GET_PAGES, ("sales:lead_convert", {"pk": lead.pk})]
    before = _writes(workspace)
    for name, kwargs in pages:
        response = client.get(reverse(name, kwargs={"ws": workspace.slug, **kwargs}))
        assert response.status_code in (200, 403), name
    assert _writes(workspace) == before


def test_the_board_of_a_workspace_without_pipeline_says_so(workspace, owner_client):
    response = owner_client.get(reverse("sales:board", kwargs={"ws": workspace.slug}))
    assert response.status_code == 200
    assert b'data-testid="no-pipeline"' in response.content


def test_the_data_migration_gives_older_workspaces_their_pipeline(workspace, other_workspace):
    with workspace_scope(other_workspace):
        pipeline_ensure_default(workspace=other_workspace)  # this one has one already
    mine = Pipeline.all_workspaces.filter(workspace=other_workspace).values_list("pk", flat=True)
    before_theirs = set(mine)
    migration = MigrationLoader(connection).get_migration(
        "sales", "0004_default_pipeline_for_existing_workspaces"
    )
    state = MigrationLoader(connection).project_state(migration.dependencies)
    migration.operations[0].code(state.apps, None)

    pipeline = Pipeline.all_workspaces.get(workspace=workspace)
    kinds = sorted(Stage.all_workspaces.filter(pipeline=pipeline).values_list("kind", flat=True))
    assert pipeline.is_default and kinds == ["lost", "open", "open", "open", "open", "won"]
    assert LostReason.all_workspaces.filter(workspace=workspace).count() == 5
    assert ChangeEvent.all_workspaces.filter(
        workspace=workspace, model="sales.pipeline", object_id=pipeline.pk, action="created"
    ).exists()
    assert set(mine) == before_theirs  # untouched


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_first_calls_at_once_make_one_pipeline():
    """The first caller is inside its transaction (pipeline written, not committed) when the
    second looks: the second waits for the workspace lock and returns the same pipeline."""
    workspace = WorkspaceFactory()
    result = {}

    def second():
        try:
            with workspace_scope(workspace):  # a thread starts without the caller's scope
                result["pipeline"] = pipeline_ensure_default(workspace=workspace)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            result["error"] = exc
        finally:
            close_old_connections()
            connection.close()

    with transaction.atomic(), workspace_scope(workspace):
        first = pipeline_ensure_default(workspace=workspace)
        thread = threading.Thread(target=second)
        thread.start()
        _wait_until_another_backend_waits_for_a_lock()
    thread.join()
    assert "error" not in result, result.get("error")
    assert result["pipeline"].pk == first.pk
    assert Pipeline.all_workspaces.filter(workspace=workspace).count() == 1


def _wait_until_another_backend_waits_for_a_lock(limit: int = 2000):

    with connection.cursor() as cursor:
        for _ in range(limit):
            # pg_stat_activity is a snapshot per transaction unless cleared
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
    raise AssertionError("the second caller never waited for the first one")
