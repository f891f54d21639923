"""GDPR export benchmark: how long does the ZIP of one contact with a long history take, and
how much memory does it take? Target: 10,000 touch points within one minute.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_h_priv_bench \
        .venv/bin/python bench/gdpr_export.py [--touchpoints 10000] [--runs 3]

Makes (once) a workspace "gdpr-bench" with one contact and `--touchpoints` touch points on
its timeline (through `interactions_record_many`, so sequence numbers and the contact's last
touch are right), then times `contact_data_export` `--runs` times, checks the archive holds
every touch point (JSON and CSV), and prints the time, the archive's size and the peak of
Python memory (tracemalloc, in one extra run) during the export; writes bench/results/<date>-gdpr-export-<touchpoints>.md.
"""

import argparse
import datetime
import io
import json
import os
import statistics
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, database_url, setup_django  # noqa: E402

SLUG = "gdpr-bench"
BATCH = 5000


def _prepare(touchpoints: int):
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from contacts.models import Contact
    from touchpoints.models import Interaction
    from touchpoints.services import interactions_record_many
    from workspaces.models import Workspace
    from workspaces.scoping import workspace_scope

    call_command("migrate", verbosity=0)
    workspace, _created = Workspace.objects.get_or_create(
        slug=SLUG, defaults={"name": "GDPR bench"}
    )
    with workspace_scope(workspace):
        contact = Contact.objects.filter(workspace=workspace).first()
        if contact is None:
            contact = Contact.objects.create(
                workspace=workspace, first_name="Long", last_name="History"
            )
        have = Interaction.objects.filter(workspace=workspace, contact=contact).count()
        now = timezone.now()
        for start in range(have, touchpoints, BATCH):
            with transaction.atomic():
                interactions_record_many(
                    workspace=workspace,
                    interactions=[
                        Interaction(
                            workspace=workspace,
                            contact=contact,
                            kind="call.logged",
                            channel="phone",
                            occurred_at=now - datetime.timedelta(minutes=i),
                            subject=f"Call {i}",
                            body=f"Talked about order {i}; wants a callback next week.",
                            data={"n": i},
                        )
                        for i in range(start, min(start + BATCH, touchpoints))
                    ],
                )
    return workspace, contact


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--touchpoints", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    setup_django()

    from contacts.services.privacy import contact_data_export
    from workspaces.scoping import workspace_scope

    workspace, contact = _prepare(args.touchpoints)
    times, peaks, sizes = [], [], []
    with workspace_scope(workspace):
        # the timed runs without tracemalloc (it slows Python down several times), then
        # one more run traced for the memory peak
        for run in range(args.runs + 1):
            traced = run == args.runs
            if traced:
                tracemalloc.start()
            t = time.perf_counter()
            archive = contact_data_export(workspace=workspace, actor=None, contact=contact)
            if traced:
                peaks.append(tracemalloc.get_traced_memory()[1] / 1e6)
                tracemalloc.stop()
            else:
                times.append(time.perf_counter() - t)
            data = archive.read()
            archive.close()
            sizes.append(len(data) / 1e6)
            with zipfile.ZipFile(io.BytesIO(data)) as zipped:
                rows = json.loads(zipped.read("timeline.json"))
                lines = zipped.read("timeline.csv").decode().count("\n")
            assert len(rows) == args.touchpoints, len(rows)
            assert lines == args.touchpoints + 1, lines
    median = statistics.median(times)
    load = os.getloadavg()[0]
    text = "\n".join(
        [
            f"# GDPR export of one contact with {args.touchpoints:,} touch points "
            f"({datetime.date.today()})",
            "",
            f"PostgreSQL, `contact_data_export` (every app's sections, ZIP of JSON and CSV), "
            f"{args.runs} runs: median {median:.2f} s, max {max(times):.2f} s "
            "(target <= 60 s); archive "
            f"{statistics.median(sizes):.2f} MB; peak Python memory during the export "
            f"{max(peaks):.1f} MB (tracemalloc, one extra run). Load average at the start: "
            f"{load:.1f} (the machine is shared). Every touch point is in timeline.json and "
            "timeline.csv.",
        ]
    )
    print(text)
    out = ROOT / "bench" / "results" / f"{datetime.date.today()}-gdpr-export-{args.touchpoints}.md"
    out.write_text(text + "\n")
    print(f"wrote {out.relative_to(ROOT)}; database {database_url().rsplit('/', 1)[-1]}")


if __name__ == "__main__":
    main()
