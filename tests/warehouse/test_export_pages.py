"""The warehouse status page (roles, isolation, Run now), the settings tab, the
`export_warehouse` command, the beat fan-out and the export task."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from crm_site.celery import app
from tests.factories import MembershipFactory
from tests.warehouse.export_fixtures import *  # noqa: F403
from warehouse.models import TableState, WarehouseSettings
from warehouse.services.export import export_workspace
from warehouse.tasks import export_all_task, export_workspace_task
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

from .seeding import seed

pytestmark = pytest.mark.django_db

URL = "/w/acme/warehouse/"


def test_leads_see_every_table_with_its_state(workspace, owner, client_for, test_tables):
    with workspace_scope(workspace):
        TableState.objects.create(
            workspace=workspace,
            table="t_contacts",
            high_water=0,
            rows_last_run=0,
            last_error="DuckDB /srv/wh.duckdb could not commit: disk full",
        )
    for role in (Role.OWNER, Role.ADMIN):
        response = client_for(role).get(URL)
        assert response.status_code == 200
        page = response.content.decode()
        assert 'data-testid="table-t_contacts"' in page
        assert 'data-testid="table-t_touchpoints"' in page
        assert "could not commit: disk full" in page
        assert 'data-testid="run-now"' in page


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALES, Role.MARKETING, Role.READONLY])
def test_other_roles_may_not_see_or_run_it(client_for, role, test_tables):
    client = client_for(role)
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code in (403, 405)


def test_another_workspaces_member_gets_404(other_workspace, client_for, test_tables):
    client = client_for(Role.OWNER, other_workspace)
    assert client.get(URL).status_code == 404
    assert client.post(URL).status_code == 404


def test_run_now_exports_the_workspace(
    workspace, owner, owner_client, test_tables, duckdb_url, django_capture_on_commit_callbacks
):
    seed(workspace, owner, contacts=2, touches_each=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(URL, follow=True)
    assert response.status_code == 200
    assert "The export was started" in response.content.decode()
    with workspace_scope(workspace):
        state = TableState.objects.get(table="t_contacts")
    assert state.rows_last_run == 2 and state.high_water > 0
    page = owner_client.get(URL).content.decode()
    assert "t_contacts-0-" in page  # the batch is listed


def test_settings_tabs_link_the_page_for_leads(owner_client, client_for):
    page = owner_client.get("/w/acme/settings/").content.decode()
    assert URL in page
    manager = client_for(Role.MANAGER)
    response = manager.get("/w/acme/settings/legal/")
    assert URL not in response.content.decode()


def test_command_prints_rows_per_table(workspace, owner, test_tables, duckdb_url):
    seed(workspace, owner, contacts=3, touches_each=1)
    out = StringIO()
    call_command("export_warehouse", "--workspace", "acme", stdout=out)
    text = out.getvalue()
    assert "acme: up to sequence" in text
    assert "t_contacts" in text and " 3 rows" in text
    out = StringIO()
    call_command("export_warehouse", "--workspace", "acme", "--full", stdout=out)
    assert " 3 rows" in out.getvalue()
    with pytest.raises(CommandError, match="No workspace"):
        call_command("export_warehouse", "--workspace", "nope")
    with pytest.raises(CommandError, match="unknown warehouse tables"):
        call_command("export_warehouse", "--table", "nope", stdout=StringIO())


def test_command_reports_a_failing_sink(workspace, owner, test_tables, settings, tmp_path):
    seed(workspace, owner, contacts=1, touches_each=0)
    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings.WAREHOUSE_URL = f"parquet://{blocker}/dir"
    err = StringIO()
    with pytest.raises(CommandError, match="failed for: acme"):
        call_command("export_warehouse", stdout=StringIO(), stderr=err)
    assert "acme: failed: The Parquet directory" in err.getvalue()


def test_beat_fans_out_to_workspaces_with_something_new(
    workspace, owner, other_workspace, test_tables, duckdb_url, settings
):
    seed(workspace, owner, contacts=2, touches_each=1)
    seed(
        other_workspace,
        MembershipFactory(workspace=other_workspace).user,
        contacts=1,
        touches_each=0,
    )
    assert export_all_task() == 2  # both exported (tasks run eagerly here)
    assert export_all_task() == 0  # nothing new anywhere
    seed(workspace, owner, contacts=1, touches_each=0, start=5)
    assert export_all_task() == 1
    settings.WAREHOUSE_ENABLED = False
    seed(workspace, owner, contacts=1, touches_each=0, start=9)
    assert export_all_task() == 0


def test_task_is_scheduled_routed_to_the_export_queue_and_reports(
    workspace, owner, test_tables, duckdb_url, settings, tmp_path
):
    entry = settings.CELERY_BEAT_SCHEDULE["warehouse_export_all_task"]
    assert entry["task"] == "warehouse.export_all"
    assert entry["schedule"] == settings.WAREHOUSE_EXPORT_INTERVAL
    route = app.amqp.router.route({}, "warehouse.export.workspace", args=(workspace.pk,))
    assert route["queue"].name == "export"
    task = app.tasks["warehouse.export.workspace"]
    assert task.acks_late and task.time_limit

    seed(workspace, owner, contacts=1, touches_each=1)
    assert export_workspace_task(workspace.pk) == {"t_contacts": 1, "t_touchpoints": 1}
    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings.WAREHOUSE_URL = f"duckdb://{blocker}/wh.duckdb"
    seed(workspace, owner, contacts=1, touches_each=0, start=3)
    assert "cannot be created" in export_workspace_task(workspace.pk)["error"]
    assert export_workspace_task(999_999) == {}


def test_admin_lists_states_and_batches_read_only(
    workspace, owner, other_workspace, client_for, test_tables, duckdb_url
):
    seed(workspace, owner, contacts=1, touches_each=0)
    seed(
        other_workspace,
        MembershipFactory(workspace=other_workspace).user,
        contacts=1,
        touches_each=0,
    )
    export_workspace(workspace)
    export_workspace(other_workspace)
    client = client_for(Role.ADMIN)
    for model in ("tablestate", "exportbatch"):
        response = client.get(f"/admin/warehouse/{model}/")
        assert response.status_code == 200
        rows = response.context["cl"].result_list
        assert rows and {r.workspace_id for r in rows} == {workspace.pk}
        assert client.get(f"/admin/warehouse/{model}/add/").status_code == 403
    response = client.get("/admin/warehouse/warehousesettings/")
    assert response.status_code == 200
    with workspace_scope(workspace):
        secret = WarehouseSettings.objects.get().secret
    assert secret not in response.content.decode()
