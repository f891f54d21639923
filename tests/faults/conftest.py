"""Services the fault tests start, stop and kill themselves: a Redis server of their own (so
restarting it disturbs no other test), Celery workers bound to it, and the SMTP sink.

Tests marked `redis_server` need the `redis-server` binary and are deselected (not skipped)
without it; they are `worker` tests too, so they also need CELERY_BROKER_URL (CI stage 2).
The workers inherit DATABASE_URL from the test database, as the other worker tests do.
"""

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings

from crm_site.celery import app
from tests.marketing.smtp_server import FaultyInbox, SmtpServer
from tests.workspaces.test_worker import database_url

REDIS_PORTS = range(6391, 6400)  # the ports these tests may take
WAIT_SECONDS = 120  # an upper bound for cold worker starts, not a performance assertion
FAULTS_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    """Deselect `redis_server` tests where no `redis-server` binary is installed."""
    if shutil.which("redis-server"):
        return
    kept = [i for i in items if i.get_closest_marker("redis_server") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


class RedisServer:
    """A redis-server on a free port of REDIS_PORTS without persistence: `restart()` kills it
    (SIGKILL) and starts it again empty, as a crashed broker without AOF comes back."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.port = next((p for p in REDIS_PORTS if _port_free(p)), None)
        if self.port is None:
            raise RuntimeError(f"no free port in {REDIS_PORTS}")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None
        self.restarts = 0

    def start(self):
        log = (self.workdir / f"redis-{self.restarts}.log").open("w")
        self.process = subprocess.Popen(
            [
                "redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.workdir),
            ],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    return self
            time.sleep(0.05)
        raise RuntimeError(f"redis-server on {self.port} did not start")

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart(self):
        self.kill()
        self.restarts += 1
        return self.start()

    def queued(self) -> int:
        """Messages waiting in the broker (all queues)."""
        client = redis.Redis.from_url(self.url)
        return sum(client.llen(q) for q in ("default", "email", "export"))


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path).start()
    yield server
    server.kill()


@contextlib.contextmanager
def app_broker(url: str):
    """Send this process's task messages to `url` while inside (the app's connection and
    producer pools are built anew, and again on the way out)."""

    def reset():  # kombu keeps the pools per URL: they are left open, only forgotten here
        app._pool = None
        app.amqp._producer_pool = None

    reset()
    app.conf.broker_write_url = url  # (broker_url itself is shadowed by CELERY_BROKER_URL)
    try:
        yield
    finally:
        reset()
        app.conf.broker_write_url = None  # back to broker_url


class AcceptingInbox(FaultyInbox):
    """FaultyInbox plus `hold_accepted_at=n`: the n-th message is accepted (stored) but the
    250 reply waits until `release()`: a sender killed meanwhile cannot know it arrived."""

    hold_accepted_at = 0

    async def handle_DATA(self, server, session, envelope):
        reply = await super().handle_DATA(server, session, envelope)
        if self.hold_accepted_at and self.seen == self.hold_accepted_at:
            self.held.set()
            while not self._release.is_set():
                await asyncio.sleep(0.05)
        return reply


class FaultsSmtpServer(SmtpServer):
    def __init__(self):
        super().__init__()
        self.inbox = AcceptingInbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)


@pytest.fixture
def smtp_server():
    server = FaultsSmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def fault_workers(smtp_server, redis_server, tmp_path):
    """fault_workers(**env) -> a started Celery worker (a subprocess, solo pool) on the
    spawned Redis, the test database and the SMTP sink; extra settings as environment
    variables. Every worker still alive is stopped at the end."""
    started = []

    def start(**extra):
        env = {
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": database_url(),
            "EMAIL_URL": f"smtp://127.0.0.1:{smtp_server.port}",
            "CELERY_BROKER_URL": redis_server.url,
            "SITE_URL": "http://testserver",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **{k: str(v) for k, v in extra.items()},
        }
        log = tmp_path / f"worker-{len(started)}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [
                    sys.executable, "-m", "celery", "-A", "crm_site", "worker",
                    "-Q", "default,email,export", "--pool=solo", "--without-gossip",
                    "--without-mingle", "--without-heartbeat", "--loglevel=INFO",
                    f"--hostname=faults-{uuid.uuid4().hex[:8]}@%h",
                ],
                cwd=settings.BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip
        process.log = log
        started.append(process)
        return process

    with app_broker(redis_server.url):
        yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)  # a worker that saw its broker restart may not stop
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(condition, process=None, seconds=WAIT_SECONDS) -> bool:
    """Poll `condition` every 0.2 s until true, `seconds` pass or `process` exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.2)
    return condition()


def log_tail(process) -> str:
    return process.log.read_text()[-3000:]
