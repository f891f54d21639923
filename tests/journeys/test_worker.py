"""A real Celery worker runs the journeys beat task on PostgreSQL + Redis: it fans out to the
workspace, reads the new contact from the change log by cursor, enrols it and runs the
steps to the end. Runs only with CELERY_BROKER_URL (tests/conftest.py deselects it
otherwise)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from journeys.models import Enrolment, EnrolmentStatus
from journeys.tasks import journeys_tick_task
from tests.factories import WorkspaceFactory
from tests.workspaces.test_worker import database_url, wait_for
from touchpoints.models import Interaction
from workspaces.scoping import workspace_scope

from .helpers import chain, live_journey, new_contact

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def journeys_worker(tmp_path):
    """A worker that also imports the test step types (--include)."""
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
        "SITE_URL": "http://testserver",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "crm_site", "worker",
                "-Q", "default,email,export", "--pool=solo", "--without-gossip",
                "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
                "--include", "tests.journeys.worker_steps",
                f"--hostname=test-{uuid.uuid4().hex[:8]}@%h",
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


def test_the_worker_enrols_a_new_contact_and_runs_its_journey(journeys_worker):
    workspace = WorkspaceFactory(name="Journey Worker", slug="journey-worker")
    with workspace_scope(workspace):
        journey = live_journey(
            workspace, steps=chain("test.noop", "test.noop"), trigger="contact.created"
        )
        contact = new_contact(workspace)

    journeys_tick_task.delay()

    def finished():
        row = Enrolment.all_workspaces.filter(journey_id=journey.pk, contact_id=contact.pk).first()
        return row is not None and row.status == EnrolmentStatus.COMPLETED

    assert wait_for(finished, journeys_worker), Path(journeys_worker.log).read_text()[-3000:]
    kinds = list(
        Interaction.all_workspaces.filter(contact_id=contact.pk, app="journeys")
        .order_by("seq")
        .values_list("kind", flat=True)
    )
    assert kinds == ["journey.entered", "journey.step", "journey.step", "journey.exited"]
