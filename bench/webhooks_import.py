"""Webhooks outbox benchmark (issue 25): does an import cost more with webhooks on?

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_webhooks \
        .venv/bin/python bench/webhooks_import.py [--rows 100000] [--runs 1] [--dispatch]

Imports the generated CSV of bench/run.py (Outlook-style headers, 2 % invalid emails, 1 %
repeats) through the real import path (`import_job_create` → `import_job_configure` →
`import_run`, the code the Celery task runs) into a fresh workspace without webhooks and
into one with an enabled endpoint subscribed to contact.created, `--runs` times each
(every other run starts with the "on" workspace). The change log is the outbox, so both imports write the same rows; the
dispatch is not part of the import. With `--dispatch` it also times the dispatcher turning
the "on" workspace's change events into webhook events and deliveries afterwards (the
sending is left out: the endpoint is a closed loopback port). Writes
bench/results/<date>-webhooks-import.md and deletes the workspaces again.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench_webhooks")

from bench.common import ROOT, database_url, setup_django  # noqa: E402

TABLES = (  # emptied with plain DELETEs first: the deletion collector is slow at 100,000 rows
    "webhooks_webhookdelivery",
    "webhooks_webhookevent",
    "webhooks_webhookcursor",
    "webhooks_webhookendpoint",
    "contacts_importrowerror",
    "contacts_importpossibleduplicate",
    "contacts_importedrecord",
    "contacts_importjob",
    "contacts_contact",
    "contacts_account",
    "workspaces_changeevent",
)


def _import(workspace, path: Path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from contacts.imports.jobs import import_job_configure, import_job_create, import_job_queue
    from contacts.imports.runner import import_run
    from workspaces.scoping import workspace_scope

    with workspace_scope(workspace):
        start = time.perf_counter()
        job = import_job_create(
            workspace=workspace,
            actor=None,
            upload=SimpleUploadedFile(path.name, path.read_bytes()),
        )
        import_job_configure(job=job, actor=None, mapping=job.mapping, dedupe_mode="update")
        import_job_queue(job=job, actor=None, enqueue=False)
        job = import_run(job_id=job.pk)
        return time.perf_counter() - start, job


def _workspace(slug: str, *, webhooks: bool):
    from django.conf import settings

    from webhooks.services.endpoints import endpoint_create
    from workspaces.models import Workspace
    from workspaces.scoping import workspace_scope

    workspace = Workspace.objects.create(slug=slug, name=slug, country="DE")
    if webhooks:
        settings.WEBHOOKS_ALLOW_PRIVATE = True  # a loopback URL: nothing is sent here
        with workspace_scope(workspace):
            endpoint_create(
                workspace=workspace,
                actor=None,
                url="http://127.0.0.1:9/bench",
                event_types=["contact.created"],
            )
    return workspace


def _drop(workspace) -> None:
    from django.db import connection

    from workspaces.services import workspace_delete

    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"DELETE FROM {table} WHERE workspace_id = %s", [workspace.pk])  # noqa: S608
    workspace_delete(workspace=workspace, actor=None)  # its audit entries go with it
    # the next import must not pay for this one's dead rows (autovacuum may be off or late)
    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")


def _dispatch(workspace) -> tuple[float, dict]:
    """Time the dispatcher over the workspace's change log (queuing the sends left out)."""
    from webhooks.services import dispatch
    from workspaces.scoping import workspace_scope

    dispatch._enqueue = lambda *args: None  # the sends are not part of this measurement
    totals = {"events": 0, "deliveries": 0}
    start = time.perf_counter()
    with workspace_scope(workspace):
        while True:
            made = dispatch.events_dispatch(workspace=workspace)
            totals = {k: totals[k] + made[k] for k in totals}
            if not made["events"]:
                break
    return time.perf_counter() - start, totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--dispatch", action="store_true")
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command

    from bench.run import write_import_file

    call_command("migrate", verbosity=0)
    times: dict[str, list[float]] = {"off": [], "on": []}
    notes = []
    dispatch_line = ""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"contacts-{args.rows}.csv"
        write_import_file(path, args.rows)
        stamp = int(time.time())
        for run in range(args.runs):
            # alternate which goes first: the second import of a pair runs while
            # autovacuum cleans up after the first one's deletion
            for mode in ("off", "on") if run % 2 == 0 else ("on", "off"):
                workspace = _workspace(f"wh-bench-{mode}-{stamp}-{run}", webhooks=mode == "on")
                try:
                    seconds, job = _import(workspace, path)
                    times[mode].append(seconds)
                    line = (
                        f"run {run + 1}, webhooks {mode}: {seconds:.1f} s "
                        f"({args.rows / seconds:,.0f} rows/s), created {job.created_count:,}, "
                        f"status {job.status}"
                    )
                    print(line)
                    notes.append(line)
                    if mode == "on" and args.dispatch and run == 0:
                        took, made = _dispatch(workspace)
                        dispatch_line = (
                            f"Dispatch afterwards (not part of the import): {made['events']:,} "
                            f"events and {made['deliveries']:,} deliveries in {took:.1f} s "
                            f"({made['events'] / took:,.0f} events/s)."
                        )
                        print(dispatch_line)
                finally:
                    _drop(workspace)
    off, on = statistics.median(times["off"]), statistics.median(times["on"])
    load = os.getloadavg()
    lines = [
        f"# Webhooks: a {args.rows:,}-contact import with and without webhooks "
        f"({datetime.date.today()})",
        "",
        f"PostgreSQL, the real import path, {args.runs} run(s) each, alternating; load average "
        f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}.",
        "",
        "| webhooks | median s | rows/s |",
        "|---|---|---|",
        f"| off | {off:.1f} | {args.rows / off:,.0f} |",
        f"| on (an endpoint subscribed to contact.created) | {on:.1f} | {args.rows / on:,.0f} |",
        "",
        f"Difference: {(on - off) / off * 100:+.1f} % (target: within 10 %).",
        "",
        *(f"- {n}" for n in notes),
    ]
    if dispatch_line:
        lines += ["", dispatch_line]
    text = "\n".join(lines)
    print(text)
    out = ROOT / "bench" / "results" / f"{datetime.date.today()}-webhooks-import.md"
    out.write_text(text + "\n")
    print(f"wrote {out.relative_to(ROOT)}; database {database_url().rsplit('/', 1)[-1]}")


if __name__ == "__main__":
    main()
