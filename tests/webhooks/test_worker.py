"""A real Celery worker delivers one event end to end: the beat's fan-out finds the workspace
behind its cursor, the dispatch stores the delivery, the deliver task posts it to a receiver
on loopback, signed. Runs only with CELERY_BROKER_URL (tests/conftest.py deselects it
otherwise)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from standardwebhooks.webhooks import Webhook

from contacts.services.contacts import contact_create
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.webhooks.receiver import Receiver
from tests.workspaces.test_worker import database_url, wait_for
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.tasks import webhooks_dispatch_task
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

from .helpers import endpoint_make

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def webhooks_worker(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
        "SITE_URL": "http://testserver",
        "WEBHOOKS_ALLOW_PRIVATE": "true",
    }
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "crm_site", "worker",
                "-Q", "default,email,export", "--pool=solo", "--without-gossip",
                "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
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


def test_the_worker_delivers_a_new_contact_to_the_receiver(webhooks_worker, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    receiver = Receiver()
    try:
        workspace = WorkspaceFactory(name="Hook Worker", slug="hook-worker")
        owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
        endpoint = endpoint_make(workspace, url=receiver.url, types=["contact.created"])
        with workspace_scope(workspace):
            contact = contact_create(workspace=workspace, actor=owner, first_name="Wanda")

        webhooks_dispatch_task.delay()

        assert wait_for(lambda: receiver.requests, webhooks_worker), Path(
            webhooks_worker.log
        ).read_text()[-3000:]
        headers, body = receiver.requests[0]
        payload = Webhook(endpoint.secret).verify(body, headers)
        assert payload["type"] == "contact.created"
        assert payload["data"]["id"] == contact.pk
        assert wait_for(
            lambda: WebhookDelivery.all_workspaces.filter(
                endpoint=endpoint, status=DeliveryStatus.SUCCEEDED
            ).exists(),
            webhooks_worker,
        )
        assert len(receiver.requests) == 1
    finally:
        receiver.stop()
