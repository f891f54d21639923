"""Warehouse lag benchmark (issue 24): the time from a change in the CRM to its row in the
warehouse, under a steady 100 changes a second, with the export running on the beat's
interval. Target: p95 <= 5 minutes.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_lag \
        .venv/bin/python bench/warehouse_lag.py [--rate 100] [--seconds 180] [--interval 60]

A writer thread records `--rate` touch points a second through `interaction_record` (each a
change with its own `seq`, in its own transaction), alternating with a contact update through
`contact_update` every tenth change, for `--seconds`. An exporter thread runs
`export_workspace` every `--interval` seconds (WAREHOUSE_EXPORT_INTERVAL, the beat's period)
into a Parquet directory, and remembers when each run finished and up to which `seq` it
exported. A change's lag is the end of the first run whose window covered its `seq` minus the
time it was written. Prints p50/p95/max and the runs' durations; writes
bench/results/<date>-warehouse-lag.md.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench_lag")

from bench.common import ROOT, database_url, setup_django  # noqa: E402

SLUG = "warehouse-lag"


def _prepare():
    from django.core.management import call_command

    from contacts.services.contacts import contact_create
    from tests.factories import MembershipFactory, UserFactory
    from workspaces.models import Membership, Workspace
    from workspaces.scoping import workspace_scope

    call_command("migrate", verbosity=0)
    workspace, _ = Workspace.objects.get_or_create(slug=SLUG, defaults={"name": "Lag bench"})
    with workspace_scope(workspace):
        membership = Membership.objects.filter(workspace=workspace).first()
        if membership is None:
            membership = MembershipFactory(workspace=workspace, user=UserFactory(), role="owner")
        contacts = [
            contact_create(
                workspace=workspace, actor=membership.user, last_name=f"Lag {n}", city="Ulm"
            )
            for n in range(50)
        ]
    return workspace, membership.user, contacts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rate", type=float, default=100.0, help="changes a second")
    parser.add_argument("--seconds", type=float, default=180.0, help="how long the writer runs")
    parser.add_argument("--interval", type=float, default=60.0, help="seconds between exports")
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.db import connection

    from contacts.services.contacts import contact_update
    from touchpoints.services import interaction_record
    from warehouse.services.export import export_workspace
    from workspaces.scoping import workspace_scope

    print(f"database {database_url()}")
    workspace, actor, contacts = _prepare()
    target = Path(tempfile.mkdtemp(prefix="warehouse-lag-"))
    settings.WAREHOUSE_URL = f"parquet://{target}"
    export_workspace(workspace)  # the first, full export: the lag counts from here on

    written: list[tuple[int, float]] = []  # (seq, unix time the change was committed)
    runs: list[tuple[float, int, float]] = []  # (end time, upto seq, seconds)
    stop = threading.Event()

    def writer():
        period = 1.0 / args.rate
        start = time.monotonic()
        n = 0
        try:
            with workspace_scope(workspace):
                while time.monotonic() - start < args.seconds:
                    contact = contacts[n % len(contacts)]
                    if n % 10 == 9:
                        contact_update(
                            workspace=workspace, actor=actor, contact=contact, city=f"Ulm {n}"
                        )
                        from workspaces.models import ChangeSequence

                        seq = ChangeSequence.objects.get(workspace=workspace).last
                    else:
                        seq = interaction_record(
                            workspace=workspace,
                            kind="note.added",
                            channel="note",
                            contact=contact,
                            subject="lag",
                        ).seq
                    written.append((seq, time.time()))
                    n += 1
                    time.sleep(max(0.0, start + n * period - time.monotonic()))
        finally:
            connection.close()
            stop.set()

    def exporter():
        try:
            while True:
                finished = stop.wait(args.interval)
                began = time.monotonic()
                result = export_workspace(workspace)
                runs.append((time.time(), result.upto_seq, time.monotonic() - began))
                if finished:
                    return
        finally:
            connection.close()

    threads = [threading.Thread(target=writer), threading.Thread(target=exporter)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    lags = []
    for seq, at in written:
        end = next((end for end, upto, _s in runs if upto >= seq), None)
        if end is not None:
            lags.append(end - at)
    lags.sort()
    p = lambda q: lags[min(len(lags) - 1, int(q * len(lags)))]  # noqa: E731
    achieved = len(written) / args.seconds
    lines = [
        f"# Warehouse lag, {datetime.date.today()}",
        "",
        f"{len(written):,} changes in {args.seconds:.0f} s ({achieved:.0f}/s; target rate "
        f"{args.rate:.0f}/s), export every {args.interval:.0f} s into Parquet, "
        f"load average {os.getloadavg()[0]:.1f}.",
        "",
        "| lag | seconds |",
        "|---|---|",
        f"| p50 | {statistics.median(lags):.1f} |",
        f"| p95 | {p(0.95):.1f} |",
        f"| max | {lags[-1]:.1f} |",
        "",
        "Export runs (seconds): " + ", ".join(f"{s:.2f}" for _e, _u, s in runs),
    ]
    print("\n".join(lines))
    out = ROOT / "bench" / "results" / f"{datetime.date.today()}-warehouse-lag.md"
    out.write_text("\n".join(lines) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
