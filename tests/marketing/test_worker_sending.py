"""Real Celery workers send a campaign to a real SMTP server: a worker killed mid-batch, a
replayed task message, lost messages and the sweeper still give each address exactly one
message.

Runs only with CELERY_BROKER_URL (tests/conftest.py deselects it otherwise). The workers are
subprocesses sharing the test database and the broker.
"""

import os
import signal
import subprocess
import sys
import time
import uuid

import pytest
from django.conf import settings

from crm_site.celery import app
from marketing.models import Campaign, CampaignStatus, Delivery, DeliveryStatus
from marketing.services.campaigns import campaign_create, campaign_launch
from marketing.tasks import send_batch_task, sweep_workspace
from tests.contacts.factories import ContactFactory
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.marketing.factories import SegmentFactory, SegmentMemberFactory, SenderIdentityFactory
from tests.marketing.smtp_server import SmtpServer
from tests.workspaces.test_worker import database_url
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 120  # an upper bound for cold worker starts, not a performance assertion


@pytest.fixture
def smtp_server():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def workers(smtp_server, tmp_path):
    started = []

    def start(batch_size=5, concurrency=1):
        env = {
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
            "CELERY_BROKER_URL": os.environ["CELERY_BROKER_URL"],
            "SITE_URL": "http://testserver",
            "MARKETING_BATCH_SIZE": str(batch_size),
            "MARKETING_SEND_CONCURRENCY": str(concurrency),
        }
        log = tmp_path / f"worker-{len(started)}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "crm_site", "worker",
                    "-Q", "default,email", "--pool=solo", "--without-gossip",
                    "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
                    f"--hostname=mkt-{uuid.uuid4().hex[:8]}@%h",
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


def wait_for(condition, process=None, seconds=WAIT_SECONDS):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.2)
    return condition()


def _campaign(n=8, settings_override=None):
    workspace = WorkspaceFactory(name="Mailer GmbH", slug=f"mailer-{uuid.uuid4().hex[:6]}")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    segment = SegmentFactory(workspace=workspace, kind="static")
    for i in range(n):
        contact = ContactFactory(
            workspace=workspace,
            first_name=f"Eve{i}",
            email=f"eve{i}@example.org",
            email_opt_in=True,
        )
        SegmentMemberFactory(workspace=workspace, segment=segment, contact=contact)
    sender = SenderIdentityFactory(workspace=workspace)
    with workspace_scope(workspace):
        campaign = campaign_create(
            workspace=workspace,
            actor=owner,
            segments=[segment],
            name="Worker campaign",
            subject="Hi {{ first_name }}",
            text_body="Hello {{ first_name }}",
            sender=sender,
        )
    return workspace, owner, campaign


def _status(campaign):
    return Campaign.all_workspaces.get(pk=campaign.pk).status


def _log(process):
    return process.log.read_text()[-3000:]


def test_a_killed_worker_a_replayed_message_and_the_sweeper_send_each_address_once(
    smtp_server, workers
):
    inbox = smtp_server.inbox
    inbox.hold_at = 3  # the third message waits in DATA: the worker dies while sending it
    workspace, owner, campaign = _campaign(n=8)
    first = workers(batch_size=5)
    with workspace_scope(workspace):
        campaign_launch(workspace=workspace, actor=owner, campaign=campaign)  # queued on commit
    assert wait_for(inbox.held.is_set, first), _log(first)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    inbox.release()  # the client is gone: the held message is not accepted
    assert wait_for(lambda: inbox.seen >= 3 and len(inbox.messages) == 2, seconds=10)
    rows = Delivery.all_workspaces.filter(campaign=campaign)
    assert rows.filter(status=DeliveryStatus.SENT).count() == 2
    assert rows.filter(status=DeliveryStatus.SENDING).count() == 3  # the dead worker's claims
    # the broker message is replayed (twice), the sweeper gives the dead claims back
    send_batch_task.delay(workspace.pk, campaign.pk)
    send_batch_task.delay(workspace.pk, campaign.pk)
    assert sweep_workspace(workspace.pk, stale_after=0)["requeued"] == 3
    second = workers(batch_size=5)
    assert wait_for(lambda: _status(campaign) == CampaignStatus.SENT, second), _log(second)
    addresses = inbox.addresses()
    assert sorted(addresses) == sorted(f"eve{i}@example.org" for i in range(8))
    assert len(addresses) == len(set(addresses)) == 8


def test_lost_messages_are_woken_by_the_sweeper(smtp_server, workers):
    inbox = smtp_server.inbox
    workspace, owner, campaign = _campaign(n=6)
    with workspace_scope(workspace):
        campaign_launch(workspace=workspace, actor=owner, campaign=campaign)
    app.control.purge()  # Redis lost every message: the start and the sends
    assert _status(campaign) == CampaignStatus.SCHEDULED
    swept = sweep_workspace(workspace.pk)  # starts the due campaign, queues its sends
    assert swept["started"] == [campaign.pk]
    app.control.purge()  # and loses those too
    assert sweep_workspace(workspace.pk)["woken"] == [campaign.pk]  # no claim: woken again
    worker = workers(batch_size=4, concurrency=2)
    assert wait_for(lambda: _status(campaign) == CampaignStatus.SENT, worker), _log(worker)
    assert sorted(inbox.addresses()) == sorted(f"eve{i}@example.org" for i in range(6))
