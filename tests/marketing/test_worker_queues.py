"""Two real Celery workers on separate queues (README "Scaling out"): one consumes `email`
(campaign sending, CELERY_TASK_ROUTES "*.email.*"), the other `default` (everything else).
While a campaign of a thousand messages floods the email queue and its worker is stuck in
the middle of it (the SMTP sink holds a message), a task on the default queue (another
campaign's start: it freezes its deliveries) still runs, and each worker only ever ran its
own queue's tasks.

Runs only with CELERY_BROKER_URL (tests/conftest.py deselects it otherwise); PostgreSQL or the
SQLite file the workers share. bench/queues.py measures the default queue's latency with
and without such a flood.
"""

import os
import re
import subprocess
import sys
import uuid

import pytest
from django.conf import settings

from contacts.models import Contact
from crm_site.celery import app
from marketing.models import Campaign, CampaignStatus, Delivery, DeliveryStatus, SegmentMember
from marketing.services.campaigns import campaign_create, campaign_launch
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.marketing.factories import SegmentFactory, SenderIdentityFactory
from tests.marketing.smtp_server import SmtpServer
from tests.marketing.test_worker_sending import wait_for
from tests.workspaces.test_worker import database_url
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
FLOOD = 1000
RECEIVED = re.compile(r"Task ([\w.]+)\[[0-9a-f-]+\] received")


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def queue_workers(smtp_server, tmp_path):
    """queue_workers(queues) -> a started worker process consuming only `queues`."""
    started = []

    def start(queues: str):
        env = {
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
            "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
            "SITE_URL": "http://testserver",
            "MARKETING_BATCH_SIZE": "50",
            "MARKETING_SEND_CONCURRENCY": "1",
        }
        log = tmp_path / f"worker-{queues}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "crm_site", "worker",
                    "-Q", queues, "--pool=solo", "--without-gossip",
                    "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
                    f"--hostname={queues}-{uuid.uuid4().hex[:8]}@%h",
                ],
                cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        process.log = log
        started.append(process)
        return process

    app.control.purge()
    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    app.control.purge()


def _campaign(workspace, owner, n: int, name: str):
    segment = SegmentFactory(workspace=workspace, kind="static", name=f"{name} audience")
    contacts = Contact.all_workspaces.bulk_create(
        [
            Contact(
                workspace=workspace,
                first_name=f"{name}{i}",
                email=f"{name.lower()}{i}@example.org",
                email_key=f"{name.lower()}{i}@example.org",
                email_opt_in=True,
            )
            for i in range(n)
        ]
    )
    SegmentMember.all_workspaces.bulk_create(
        [SegmentMember(workspace=workspace, segment=segment, contact=c) for c in contacts]
    )
    with workspace_scope(workspace):
        return campaign_create(
            workspace=workspace,
            actor=owner,
            segments=[segment],
            name=name,
            subject="Hi {{ first_name }}",
            text_body="Hello {{ first_name }}",
            sender=SenderIdentityFactory(workspace=workspace),
        )


def _log(*processes) -> str:
    return "\n".join(p.log.read_text()[-2000:] for p in processes)


def test_the_default_queue_runs_while_the_email_queue_is_flooded(smtp_server, queue_workers):
    inbox = smtp_server.inbox
    inbox.hold_at = 3  # the email worker gets stuck on the flood's third message
    workspace = WorkspaceFactory(name="Flood AG", slug=f"flood-{uuid.uuid4().hex[:6]}")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    flood = _campaign(workspace, owner, FLOOD, "Flood")
    small = _campaign(workspace, owner, 3, "Small")
    email_worker = queue_workers("email")
    default_worker = queue_workers("default")
    with workspace_scope(workspace):
        campaign_launch(workspace=workspace, actor=owner, campaign=flood)
    assert wait_for(inbox.held.is_set, email_worker), _log(email_worker, default_worker)

    with workspace_scope(workspace):
        campaign_launch(workspace=workspace, actor=owner, campaign=small)
    small_rows = Delivery.all_workspaces.filter(campaign=small)
    assert wait_for(lambda: small_rows.count() == 3, default_worker), _log(default_worker)
    # the default queue's task ran while the flood waited, unsent, behind the stuck worker
    flood_rows = Delivery.all_workspaces.filter(campaign=flood)
    assert flood_rows.filter(status=DeliveryStatus.SENT).count() <= 2
    assert flood_rows.count() == FLOOD
    assert not small_rows.filter(status=DeliveryStatus.SENT).exists()  # its sends queue too

    inbox.release()
    for campaign in (flood, small):
        assert wait_for(
            lambda c=campaign: Campaign.all_workspaces.get(pk=c.pk).status == CampaignStatus.SENT,
            email_worker,
            seconds=300,
        ), _log(email_worker)
    assert len(set(inbox.addresses())) == FLOOD + 3
    ran = {p: set(RECEIVED.findall(p.log.read_text())) for p in (email_worker, default_worker)}
    assert ran[email_worker] == {"marketing.email.send_batch"}
    assert ran[default_worker] == {"marketing.campaign_start"}
