"""Campaign send benchmark (issue 20): a campaign to N recipients (default 100,000) sent by two
real Celery workers (solo pool, the "email" queue) to a local SMTP sink (aiosmtpd in its own
process, accepting everything), on PostgreSQL.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_mail \
    BENCH_BROKER_URL=redis://127.0.0.1:6379/8 \
        .venv/bin/python bench/marketing_send.py [--recipients 100000] [--workers 2] [--batch 500] \
        [--json PATH]

It makes (once per size) a workspace "bench-mail-<N>" with N opted-in contacts in a static
segment, then for each run a new campaign (HTML and text parts, personalised, two links),
launched through the services: the freeze (N Delivery rows) is timed in-process, then the
workers send. Printed and written to bench/results/<date>-marketing-send.md: freeze time,
send time from the first to the last message, messages per second, peak memory (VmHWM) of
each worker and of the freezing process, and the sink's count. Target: >= 2,000 messages
per second with two workers on 2 cores, memory flat in N (compare two sizes). With
``--json PATH`` the same figures are also written to PATH as one flat JSON object of named
numbers (messages_per_s, recipients, sink_count, freeze_s, worker_peak_mib_max, load_1m ...).
"""

import argparse
import datetime
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, database_url, setup_django  # noqa: E402

# The SMTP sink stands for the relay a production installation sends to (on another host):
# it accepts everything and counts. Two implementations: "lean" (default), a small asyncio
# protocol that speaks the commands smtplib uses (EHLO/HELO, MAIL, RCPT, DATA with the
# dot-terminated body, RSET, NOOP, QUIT) at a fraction of the CPU, so the two cores measure
# the CRM rather than the sink; and "aiosmtpd", the full server the tests use.
LEAN_SINK = r"""
import asyncio, sys, threading, time
count = 0
class Sink(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.buffer, self.in_data = transport, b"", False
        transport.write(b"220 sink ESMTP\r\n")
    def data_received(self, data):
        global count
        self.buffer += data
        write = self.transport.write
        while True:
            if self.in_data:
                end = self.buffer.find(b"\r\n.\r\n")
                if end < 0:
                    return
                self.buffer, self.in_data = self.buffer[end + 5:], False
                count += 1
                write(b"250 2.0.0 OK\r\n")
                continue
            end = self.buffer.find(b"\r\n")
            if end < 0:
                return
            line, self.buffer = self.buffer[:end], self.buffer[end + 2:]
            verb = line[:4].upper()
            if verb == b"EHLO":
                write(b"250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800\r\n")
            elif verb == b"DATA":
                self.in_data, self.buffer = True, b"\r\n" + self.buffer
                write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                write(b"221 bye\r\n")
                self.transport.close()
                return
            else:
                write(b"250 OK\r\n")
def report(path):
    while True:
        time.sleep(0.5)
        with open(path, "w") as f:
            f.write(str(count))
async def main(port, path):
    threading.Thread(target=report, args=(path,), daemon=True).start()
    server = await asyncio.get_running_loop().create_server(Sink, "127.0.0.1", port)
    async with server:
        await server.serve_forever()
try:
    asyncio.run(main(int(sys.argv[1]), sys.argv[2]))
except KeyboardInterrupt:
    pass
"""

SINK = """
import asyncio, sys, time
from aiosmtpd.controller import Controller
count = 0
class Sink:
    async def handle_DATA(self, server, session, envelope):
        global count
        count += 1
        return "250 OK"
controller = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
path = sys.argv[2]
try:
    while True:
        time.sleep(0.5)
        with open(path, "w") as f:
            f.write(str(count))
except KeyboardInterrupt:
    controller.stop()
"""

HTML = (
    '<html><body><h1>Hello {{ first_name|default:"friend" }}</h1>'
    '<p>Our autumn offer for {{ company|default:"you" }}: '
    '<a href="https://shop.example/autumn">see it</a>, or read '
    '<a href="https://shop.example/faq">the questions</a>.</p>'
    '<p>Best regards, {{ owner_name|default:"the team" }}</p></body></html>'
)
TEXT = "Hello {{ first_name }}, our autumn offer: https://shop.example/autumn"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def vm_hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return 0
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat, clock ticks)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_cpu_seconds() -> float:
    """CPU time of all postgres processes (this machine's server), for the share the
    database takes per message."""
    total = 0.0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    total += cpu_seconds(int(entry.name))
            except OSError:
                continue
    return total


def audience(n: int):
    """The workspace, its owner and a static segment with n opted-in contacts (made once)."""
    from django.contrib.auth import get_user_model

    from contacts.models import Contact
    from marketing.models import Segment, SegmentMember, SenderIdentity
    from workspaces.models import Membership, Workspace
    from workspaces.roles import Role
    from workspaces.scoping import workspace_scope

    slug = f"bench-mail-{n}"
    workspace, created = Workspace.objects.get_or_create(slug=slug, defaults={"name": slug})
    user, _ = get_user_model().objects.get_or_create(email=f"owner@{slug}.example")
    Membership.all_workspaces.get_or_create(
        workspace=workspace, user=user, defaults={"role": Role.OWNER}
    )
    with workspace_scope(workspace):
        segment = Segment.objects.filter(workspace=workspace, name="Everyone").first()
        sender = SenderIdentity.objects.filter(
            workspace=workspace
        ).first() or SenderIdentity.objects.create(
            workspace=workspace,
            name="News",
            from_name="Bench News",
            from_email="news@bench.example",
        )
        if segment is None:
            segment = Segment.objects.create(workspace=workspace, name="Everyone", kind="static")
            print(f"creating {n:,} contacts ...", flush=True)
            started = time.monotonic()
            chunk = 5000
            for start in range(0, n, chunk):
                contacts = Contact.all_workspaces.bulk_create(
                    [
                        Contact(
                            workspace=workspace,
                            first_name=f"First{i}",
                            last_name=f"Last{i}",
                            email=f"person{i}@example{i % 97}.test",
                            email_key=f"person{i}@example{i % 97}.test",
                            email_opt_in=True,
                        )
                        for i in range(start, min(n, start + chunk))
                    ]
                )
                SegmentMember.all_workspaces.bulk_create(
                    [
                        SegmentMember(
                            workspace=workspace, segment=segment, contact=c, source="import"
                        )
                        for c in contacts
                    ]
                )
            print(f"  {time.monotonic() - started:.1f} s", flush=True)
    from django.db import connection

    # What autovacuum does between runs on a production server (this machine's PostgreSQL runs
    # with autovacuum off): dead rows of earlier runs removed, fresh statistics for the planner.
    with connection.cursor() as cursor:
        for table in (
            "contacts_contact",
            "marketing_segmentmember",
            "marketing_delivery",
            "marketing_deliveryevent",
            "touchpoints_interaction",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    return workspace, user, segment, sender


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--sink", choices=["lean", "aiosmtpd"], default="lean")
    parser.add_argument(
        "--json",
        metavar="PATH",
        help="also write the figures as one flat JSON object of named numbers to PATH",
    )
    args = parser.parse_args()

    broker = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/8")
    os.environ["CELERY_BROKER_URL"] = broker
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from crm_site.celery import app
    from marketing.models import Campaign, Delivery, DeliveryStatus
    from marketing.services.campaigns import campaign_create, campaign_launch, campaign_start
    from marketing.tasks import send_workers_start
    from workspaces.scoping import workspace_scope

    workspace, user, segment, sender = audience(args.recipients)
    tmp = Path(tempfile.mkdtemp(prefix="mailbench-"))
    port = free_port()
    sink_file = tmp / "count"
    sink_code = LEAN_SINK if args.sink == "lean" else SINK
    sink = subprocess.Popen([sys.executable, "-c", sink_code, str(port), str(sink_file)])
    app.control.purge()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        # the workers run as in production: DEBUG off (no query log), the shared parts they
        # do not use here (cache, file storage) embedded
        "DEBUG": "false",
        "EMBEDDED": "true",
        "SECRET_KEY": "bench-only-secret-key-0123456789-0123456789-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "CELERY_BROKER_URL": broker,
        "SITE_URL": "https://crm.bench.example",
        "MARKETING_BATCH_SIZE": str(args.batch),
        "MARKETING_SEND_CONCURRENCY": str(args.workers),
    }
    workers = []
    for index in range(args.workers):
        log = (tmp / f"worker{index}.log").open("w")
        workers.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "crm_site",
                    "worker",
                    "-Q",
                    "email",
                    "--pool=solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=WARNING",
                    f"--hostname=bench{index}-{uuid.uuid4().hex[:6]}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        )
    try:
        time.sleep(6)  # the workers start
        with workspace_scope(workspace):
            campaign = campaign_create(
                workspace=workspace,
                actor=user,
                segments=[segment],
                name=f"Bench {datetime.datetime.now():%H:%M:%S}",
                subject="Hello {{ first_name }}",
                html_body=HTML,
                text_body=TEXT,
                sender=sender,
            )
            campaign_launch(
                workspace=workspace, actor=user, campaign=campaign, enqueue=lambda *a: None
            )
            started = time.monotonic()
            queued = campaign_start(
                workspace_id=workspace.pk, campaign_id=campaign.pk, enqueue=lambda *a: None
            )
            freeze_seconds = time.monotonic() - started
        freeze_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(f"froze {queued:,} deliveries in {freeze_seconds:.1f} s", flush=True)
        load_at_freeze = os.getloadavg()
        cpu_before = [cpu_seconds(w.pid) for w in workers] + [cpu_seconds(sink.pid)]
        pg_before = postgres_cpu_seconds()
        send_workers_start(workspace.pk, campaign.pk)
        started = time.monotonic()
        first_at = None
        rows = Delivery.all_workspaces.filter(campaign=campaign)
        while True:
            time.sleep(1)
            sent = rows.filter(status=DeliveryStatus.SENT).count()
            if first_at is None and sent:
                first_at = time.monotonic() - 1
            status = Campaign.all_workspaces.get(pk=campaign.pk).status
            if int(time.monotonic() - started) % 10 == 0:
                print(f"  {time.monotonic() - started:6.1f} s  sent {sent:,}", flush=True)
            if status != "sending" or any(w.poll() is not None for w in workers):
                break
        elapsed = time.monotonic() - (first_at or started)
        peaks = [vm_hwm_kib(w.pid) for w in workers]
        cpu_used = [
            after - before
            for after, before in zip(
                [cpu_seconds(w.pid) for w in workers] + [cpu_seconds(sink.pid)],
                cpu_before,
                strict=True,
            )
        ]
        pg_used = postgres_cpu_seconds() - pg_before
        load = os.getloadavg()
        freeze_load = load_at_freeze
        time.sleep(1)
        sent = rows.filter(status=DeliveryStatus.SENT).count()
        sunk = int(sink_file.read_text() or 0) if sink_file.exists() else 0
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(timeout=30)
            except subprocess.TimeoutExpired:
                w.kill()
        sink.send_signal(signal.SIGINT)
        try:
            sink.wait(timeout=10)
        except subprocess.TimeoutExpired:  # a busy machine: the figures matter more
            sink.kill()
            sink.wait()
    rate = sent / elapsed if elapsed else 0
    report = "\n".join(
        [
            f"# Campaign send benchmark, {datetime.date.today()}",
            "",
            f"- recipients: {args.recipients:,}, workers: {args.workers} (solo pool), batch: {args.batch}, SMTP sink: {args.sink}",
            f"- database: PostgreSQL ({database_url().rsplit('/', 1)[1]}), broker {broker}",
            f"- freeze ({queued:,} deliveries): {freeze_seconds:.1f} s, peak RSS of that process {freeze_kib / 1024:.0f} MiB",
            f"- sent: {sent:,} (the sink received {sunk:,}) in {elapsed:.1f} s: **{rate:,.0f} messages/s**",
            f"- peak RSS per worker (VmHWM): {', '.join(f'{p / 1024:.0f} MiB' for p in peaks)}",
            f"- CPU seconds while sending: workers {', '.join(f'{c:.1f}' for c in cpu_used[:-1])}, "
            f"SMTP sink {cpu_used[-1]:.1f}, PostgreSQL (all its processes) {pg_used:.1f}",
            f"- worker CPU per message: {sum(cpu_used[:-1]) / max(sent, 1) * 1000:.2f} ms; with the "
            f"database: {(sum(cpu_used[:-1]) + pg_used) / max(sent, 1) * 1000:.2f} ms "
            f"(2 idle cores would give about {2 * max(sent, 1) / max(sum(cpu_used[:-1]) + pg_used + cpu_used[-1], 0.001):,.0f} messages/s, sink included)",
            f"- machine load average at the end (1, 5, 15 min): {load[0]:.1f}, {load[1]:.1f}, {load[2]:.1f} on {os.cpu_count()} cores",
            f"- campaign status: {Campaign.all_workspaces.get(pk=campaign.pk).status}",
            "",
        ]
    )
    print(report)
    out = (
        ROOT / "bench" / "results" / f"{datetime.date.today()}-marketing-send-{args.recipients}.md"
    )
    out.write_text(report)
    print(f"written to {out}")
    if args.json:
        figures = send_figures(
            args=args,
            queued=queued,
            freeze_seconds=freeze_seconds,
            freeze_kib=freeze_kib,
            sent=sent,
            sunk=sunk,
            elapsed=elapsed,
            peaks=peaks,
            cpu_used=cpu_used,
            pg_used=pg_used,
            load_start=freeze_load,
            load_end=load,
        )
        Path(args.json).write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
        print(f"figures written to {args.json}")


def send_figures(
    *,
    args,
    queued: int,
    freeze_seconds: float,
    freeze_kib: int,
    sent: int,
    sunk: int,
    elapsed: float,
    peaks: list[int],
    cpu_used: list[float],
    pg_used: float,
    load_start: tuple[float, float, float],
    load_end: tuple[float, float, float],
) -> dict[str, float]:
    """The run's figures as a flat dict of named numbers (for ``--json``).

    Units are in the names: seconds (``_s``), mebibytes (``_mib``), milliseconds (``_ms``).
    ``peaks`` are VmHWM in KiB per worker, ``cpu_used`` the CPU seconds of each worker then of
    the sink (last) while sending, ``pg_used`` the CPU seconds of all PostgreSQL processes.
    The CPU per message divides by the messages sent (at least 1).
    """
    per_message = max(sent, 1) / 1000  # ms per message from seconds
    worker_cpu = sum(cpu_used[:-1])
    figures = {
        "recipients": args.recipients,
        "workers": args.workers,
        "batch": args.batch,
        "queued": queued,
        "sent": sent,
        "sink_count": sunk,
        "freeze_s": round(freeze_seconds, 3),
        "freeze_peak_mib": round(freeze_kib / 1024, 1),
        "send_s": round(elapsed, 3),
        "messages_per_s": round(sent / elapsed, 1) if elapsed else 0.0,
        "worker_peak_mib_max": round(max(peaks, default=0) / 1024, 1),
        "worker_peak_mib_min": round(min(peaks, default=0) / 1024, 1),
        "worker_cpu_s": round(worker_cpu, 2),
        "sink_cpu_s": round(cpu_used[-1], 2),
        "postgres_cpu_s": round(pg_used, 2),
        "worker_cpu_per_message_ms": round(worker_cpu / per_message, 3),
        "sink_cpu_per_message_ms": round(cpu_used[-1] / per_message, 3),
        "postgres_cpu_per_message_ms": round(pg_used / per_message, 3),
        "load_1m_start": load_start[0],
        "load_5m_start": load_start[1],
        "load_15m_start": load_start[2],
        "load_1m": load_end[0],
        "load_5m": load_end[1],
        "load_15m": load_end[2],
        "cpu_count": os.cpu_count() or 0,
    }
    for index, peak in enumerate(peaks):
        figures[f"worker{index}_peak_mib"] = round(peak / 1024, 1)
    return figures


if __name__ == "__main__":
    main()
