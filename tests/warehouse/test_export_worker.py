"""A real Celery worker that listens only to the "export" queue runs the export task: the task
is routed there, runs in the workspace's scope and records its state. Runs only when
CELERY_BROKER_URL is set (tests/conftest.py deselects it otherwise)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import MembershipFactory, WorkspaceFactory
from tests.workspaces.test_worker import database_url, wait_for
from warehouse import registry
from warehouse.models import TableState, WarehouseSettings
from warehouse.tasks import export_workspace_task
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

from .seeding import seed

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def export_worker(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
        "WAREHOUSE_URL": f"duckdb://{tmp_path / 'worker.duckdb'}",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "crm_site", "worker", "-Q", "export",
                "--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat",
                "--loglevel=INFO", f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    process.log = log
    yield process
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def test_the_export_queue_worker_runs_the_export(export_worker):
    workspace = WorkspaceFactory(name="Export GmbH", slug="export-gmbh")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    seed(workspace, owner, contacts=2, touches_each=1)
    export_workspace_task.delay(workspace.pk)

    def done():
        with workspace_scope(workspace):
            row = WarehouseSettings.objects.filter(workspace=workspace).first()
            states = set(TableState.objects.values_list("table", flat=True))
        return (
            row is not None
            and row.run_token == ""
            and states == {t.name for t in registry.tables()}
        )

    assert wait_for(done, export_worker), Path(export_worker.log).read_text()[-3000:]
    assert "Task warehouse.export.workspace[" in Path(export_worker.log).read_text()  # ran there
