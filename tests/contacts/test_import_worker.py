"""A real Celery worker runs the import: the job row moves queued -> running -> done and the
contacts appear. Runs only when CELERY_BROKER_URL is set (tests/conftest.py deselects it
otherwise); the worker is a subprocess sharing the test database, media folder and broker."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import transaction

from contacts.imports.jobs import import_job_configure, import_job_create, import_job_queue
from contacts.models import Contact, ImportJob
from tests.contacts.fixtures.importing import sample, upload
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.workspaces.test_worker import database_url, wait_for
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def import_worker(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
    }
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "crm_site", "worker", "-Q", "default",
                "--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat",
                "--loglevel=INFO", f"--hostname=import-{uuid.uuid4().hex[:8]}@%h",
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


def test_worker_runs_the_queued_import_to_done(import_worker):
    workspace = WorkspaceFactory(slug="import-worker")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    with workspace_scope(workspace), transaction.atomic():
        job = import_job_create(
            workspace=workspace, actor=owner, upload=upload(sample("outlook.csv"))
        )
        import_job_configure(job=job, actor=owner, mapping=job.mapping, dedupe_mode="update")
        import_job_queue(job=job, actor=owner)  # enqueued on commit
    done = wait_for(lambda: ImportJob.all_workspaces.get(pk=job.pk).status == "done", import_worker)
    assert done, Path(import_worker.log).read_text()[-3000:]
    assert Contact.all_workspaces.filter(workspace=workspace).count() == 2


def test_worker_sweeper_resends_an_import_whose_message_was_lost(import_worker):
    import datetime

    from django.utils import timezone

    from contacts.imports.runner import STALE_AFTER
    from contacts.tasks import jobs_sweep_task

    workspace = WorkspaceFactory(slug="import-sweep")
    with workspace_scope(workspace), transaction.atomic():
        job = import_job_create(
            workspace=workspace, actor=None, upload=upload(sample("outlook.csv"))
        )
        import_job_configure(job=job, actor=None, mapping=job.mapping, dedupe_mode="update")
        import_job_queue(job=job, actor=None, enqueue=False)  # the broker message is lost
    ImportJob.all_workspaces.filter(pk=job.pk).update(
        heartbeat_at=timezone.now() - STALE_AFTER - datetime.timedelta(minutes=1)
    )
    jobs_sweep_task.delay()  # what the beat sends
    done = wait_for(lambda: ImportJob.all_workspaces.get(pk=job.pk).status == "done", import_worker)
    assert done, Path(import_worker.log).read_text()[-3000:]
    assert Contact.all_workspaces.filter(workspace=workspace).count() == 2
