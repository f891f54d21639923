"""Where a send worker's CPU goes per message: one process sends batches of a campaign
in-process (the same `campaign_send_batch` a Celery worker runs) to the lean SMTP sink of
bench/marketing_send.py under cProfile, and prints the functions by their own and cumulative
time, with the CPU per message.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_mail \
        .venv/bin/python bench/marketing_send_profile.py [--recipients 10000] [--batches 10] \
        [--batch 500] [--top 40]

It reuses (or makes) the workspace "bench-mail-<N>" of bench/marketing_send.py, launches a
new campaign with the same content, freezes it, then profiles `--batches` batches. The
campaign is cancelled at the end (its unsent deliveries stay cancelled).
"""

import argparse
import cProfile
import datetime
import io
import os
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.marketing_send import HTML, LEAN_SINK, TEXT, audience, free_port  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--batches", type=int, default=10)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument(
        "--plain", action="store_true", help="no profiler: only the CPU per message"
    )
    args = parser.parse_args()

    port = free_port()
    tmp = Path(tempfile.mkdtemp(prefix="mailprofile-"))
    sink = subprocess.Popen([sys.executable, "-c", LEAN_SINK, str(port), str(tmp / "count")])
    os.environ.update(
        {
            "EMAIL_URL": f"smtp://127.0.0.1:{port}",
            "SITE_URL": "https://crm.bench.example",
            "MARKETING_BATCH_SIZE": str(args.batch),
        }
    )
    from bench.common import setup_django

    setup_django()
    from marketing.models import Campaign, CampaignStatus
    from marketing.services.campaigns import campaign_create, campaign_launch, campaign_start
    from marketing.services.sending import campaign_send_batch
    from workspaces.scoping import workspace_scope

    workspace, user, segment, sender = audience(args.recipients)
    try:
        with workspace_scope(workspace):
            campaign = campaign_create(
                workspace=workspace,
                actor=user,
                segments=[segment],
                name=f"Profile {datetime.datetime.now():%H:%M:%S}",
                subject="Hello {{ first_name }}",
                html_body=HTML,
                text_body=TEXT,
                sender=sender,
            )
            campaign_launch(
                workspace=workspace, actor=user, campaign=campaign, enqueue=lambda *a: None
            )
            campaign_start(
                workspace_id=workspace.pk, campaign_id=campaign.pk, enqueue=lambda *a: None
            )
            campaign_send_batch(workspace_id=workspace.pk, campaign_id=campaign.pk)  # warm-up
            profile = cProfile.Profile()
            sent = 0
            cpu, wall = time.process_time(), time.monotonic()
            if not args.plain:
                profile.enable()
            for _index in range(args.batches):
                sent += campaign_send_batch(workspace_id=workspace.pk, campaign_id=campaign.pk).sent
            profile.disable()
            cpu, wall = time.process_time() - cpu, time.monotonic() - wall
            Campaign.objects.filter(pk=campaign.pk).update(status=CampaignStatus.CANCELLED)
    finally:
        sink.terminate()
        sink.wait(timeout=10)
    under = "without the profiler" if args.plain else "under the profiler"
    out = io.StringIO()
    if args.plain:
        profile.enable()  # (empty statistics)
        profile.disable()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats("tottime").print_stats(args.top)
    stats.sort_stats("cumulative").print_stats(args.top)
    print(out.getvalue())
    print(
        f"sent {sent:,} in {wall:.2f} s; CPU {cpu:.2f} s {under}: "
        f"{cpu / max(sent, 1) * 1000:.3f} ms per message (load average {os.getloadavg()})"
    )


if __name__ == "__main__":
    main()
