"""Queue separation under load (docs/SCALING.md): the latency of a task on the `default` queue
with and without a campaign flooding the `email` queue, on PostgreSQL and Redis.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_queues \
    BENCH_BROKER_URL=redis://127.0.0.1:6379/8 \
        .venv/bin/python bench/queues.py [--flood 5000] [--probes 20] [--batch 500]

The probe is a real default-queue task: a one-recipient campaign's start (campaign_launch
queues `marketing.campaign_start` on commit; the task freezes its delivery). Its latency is
from the launch's commit until the delivery row exists (polled every 10 ms). Three phases,
each with two worker processes (solo pool) and the local SMTP sink of bench/marketing_send.py:

1. separate: one worker `-Q email`, one `-Q default`; no flood;
2. separate, while a campaign of --flood recipients is being sent;
3. shared: both workers `-Q default,email`, while the same flood is being sent.

Printed and written to bench/results/<date>-queues.md: median, p95 and max probe latency per
phase, how many flood messages were sent meanwhile, and the load average.
"""

import argparse
import datetime
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, database_url, setup_django  # noqa: E402
from bench.marketing_send import LEAN_SINK, TEXT, audience, free_port  # noqa: E402


def start_workers(queues: list[str], env: dict, tmp: Path) -> list[subprocess.Popen]:
    workers = []
    for index, queue in enumerate(queues):
        log = (tmp / f"worker-{index}-{queue.replace(',', '+')}.log").open("w")
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
                    queue,
                    "--pool=solo",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel=WARNING",
                    f"--hostname=q{index}-{uuid.uuid4().hex[:6]}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        )
    return workers


def stop(processes):
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--flood", type=int, default=5000)
    parser.add_argument("--probes", type=int, default=20)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()

    broker = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/8")
    os.environ["CELERY_BROKER_URL"] = broker
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from crm_site.celery import app
    from marketing.models import Campaign, Delivery, DeliveryStatus
    from marketing.services.campaigns import campaign_create, campaign_launch
    from workspaces.scoping import workspace_scope

    flood_ws, flood_user, flood_segment, flood_sender = audience(args.flood)
    probe_ws, probe_user, probe_segment, probe_sender = audience(1)
    tmp = Path(tempfile.mkdtemp(prefix="queuebench-"))
    port = free_port()
    sink = subprocess.Popen([sys.executable, "-c", LEAN_SINK, str(port), str(tmp / "count")])
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "DEBUG": "false",
        "EMBEDDED": "true",
        "SECRET_KEY": "bench-only-secret-key-0123456789-0123456789-0123456789",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_URL": f"smtp://127.0.0.1:{port}",
        "CELERY_BROKER_URL": broker,
        "SITE_URL": "https://crm.bench.example",
        "MARKETING_BATCH_SIZE": str(args.batch),
        "MARKETING_SEND_CONCURRENCY": "2",
    }

    def new_campaign(ws, user, segment, sender, name):
        with workspace_scope(ws):
            return campaign_create(
                workspace=ws,
                actor=user,
                segments=[segment],
                name=f"{name} {datetime.datetime.now():%H:%M:%S.%f}",
                subject="Hello {{ first_name }}",
                text_body=TEXT,
                sender=sender,
            )

    def probe() -> float:
        campaign = new_campaign(probe_ws, probe_user, probe_segment, probe_sender, "Probe")
        with workspace_scope(probe_ws):
            campaign_launch(workspace=probe_ws, actor=probe_user, campaign=campaign)
        started = time.monotonic()  # the task message left on commit (no atomic block here)

        def frozen() -> bool:
            with workspace_scope(probe_ws):
                return Delivery.objects.filter(campaign=campaign).exists()

        while not frozen():
            if time.monotonic() - started > 120:
                raise RuntimeError("a probe waited over 120 s")
            time.sleep(0.01)
        return time.monotonic() - started

    def flood_sent(campaign) -> int:
        with workspace_scope(flood_ws):
            return Delivery.objects.filter(campaign=campaign, status=DeliveryStatus.SENT).count()

    def flood_status(campaign) -> str:
        with workspace_scope(flood_ws):
            return Campaign.objects.get(pk=campaign.pk).status

    def phase(label, queues, flood: bool):
        app.control.purge()
        workers = start_workers(queues, env, tmp)
        try:
            time.sleep(8)  # the workers start
            probe()  # warm-up
            campaign = None
            if flood:
                campaign = new_campaign(flood_ws, flood_user, flood_segment, flood_sender, "Flood")
                with workspace_scope(flood_ws):
                    campaign_launch(workspace=flood_ws, actor=flood_user, campaign=campaign)
                deadline = time.monotonic() + 120
                while flood_sent(campaign) == 0 and time.monotonic() < deadline:
                    time.sleep(0.1)
            before = flood_sent(campaign) if campaign else 0
            latencies = [probe() for _ in range(args.probes)]
            during = (flood_sent(campaign) - before) if campaign else 0
            status = flood_status(campaign) if campaign else "-"
            if campaign:  # let the flood finish before the next phase
                deadline = time.monotonic() + 600
                while flood_status(campaign) == "sending":
                    if time.monotonic() > deadline:
                        break
                    time.sleep(1)
        finally:
            stop(workers)
        latencies.sort()
        row = {
            "label": label,
            "median": statistics.median(latencies) * 1000,
            "p95": latencies[int(0.95 * (len(latencies) - 1))] * 1000,
            "max": latencies[-1] * 1000,
            "flood_sent_during": during,
            "flood_status": status,
            "load": os.getloadavg(),
        }
        print(
            f"{label}: median {row['median']:.0f} ms, p95 {row['p95']:.0f} ms, "
            f"max {row['max']:.0f} ms; flood messages sent meanwhile {during:,} "
            f"(flood still {status}); load {row['load'][0]:.1f}",
            flush=True,
        )
        return row

    try:
        rows = [
            phase("separate queues, no flood", ["email", "default"], flood=False),
            phase("separate queues, email flooded", ["email", "default"], flood=True),
            phase("shared queues, email flooded", ["default,email", "default,email"], flood=True),
        ]
    finally:
        stop([sink])
    lines = [
        f"# Queue separation benchmark, {datetime.date.today()}",
        "",
        f"- probe: a one-recipient campaign's start on the default queue ({args.probes} per "
        f"phase, after one warm-up); flood: a {args.flood:,}-recipient campaign, batches of "
        f"{args.batch}, 2 send chains; two solo-pool workers per phase; lean SMTP sink",
        f"- database {database_url().rsplit('/', 1)[1]}, broker {broker}, {os.cpu_count()} cores",
        "",
        "| phase | median ms | p95 ms | max ms | flood sent meanwhile | load (1 min) |",
        "|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row['label']} | {row['median']:.0f} | {row['p95']:.0f} | {row['max']:.0f} "
            f"| {row['flood_sent_during']:,} | {row['load'][0]:.1f} |"
        )
    report = "\n".join(lines) + "\n"
    print(report)
    out = ROOT / "bench" / "results" / f"{datetime.date.today()}-queues.md"
    out.write_text(report)
    print(f"written to {out}")


if __name__ == "__main__":
    main()
