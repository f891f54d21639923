"""A real Celery worker sends the invitation email to a real SMTP server (aiosmtpd).

Runs only when CELERY_BROKER_URL is set (tests/conftest.py deselects it otherwise). The worker
is a subprocess sharing the test database and the broker; mail goes to an SMTP server on
loopback started by the test.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from email import message_from_bytes
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection

from tests.factories import MembershipFactory, WorkspaceFactory
from workspaces.models import Invitation
from workspaces.roles import Role
from workspaces.scoping import workspace_scope
from workspaces.services import invitation_create

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 90  # an upper bound for a cold worker start, not a performance assertion


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker(smtp_server, tmp_path):
    _inbox, port = smtp_server
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
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


def wait_for(condition, process):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return True
        if process.poll() is not None:
            break
        time.sleep(0.2)
    return condition()


def test_worker_emails_the_invitation_and_marks_it_sent(smtp_server, worker):
    inbox, _port = smtp_server
    workspace = WorkspaceFactory(name="Worker GmbH", slug="worker-gmbh")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user

    with workspace_scope(workspace):  # the service runs in the scope, as a request would
        invitation = invitation_create(
            workspace=workspace, actor=owner, email="colleague@example.com", role=Role.SERVICE
        )  # committed (transactional test): the task is on the broker now

    delivered = wait_for(lambda: inbox.messages, worker)
    assert delivered, Path(worker.log).read_text()[-3000:]
    recipients, message = inbox.messages[0]
    assert recipients == ["colleague@example.com"]
    assert "Worker GmbH" in message["Subject"]
    assert "http://testserver/invite/" in message.get_payload(decode=True).decode()
    marked = wait_for(
        lambda: Invitation.all_workspaces.get(pk=invitation.pk).sent_at is not None, worker
    )
    assert marked
    assert len(inbox.messages) == 1
