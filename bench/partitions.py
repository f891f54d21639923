"""Partitioning the interaction table (docs/SCALING.md §3): conversion time, and a timeline
page and time-window counts before and after, on PostgreSQL.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_parts \
        .venv/bin/python bench/partitions.py [--interactions 3000000] [--contacts 20000] [--runs 20]

It makes (once) a workspace "bench-parts" with --contacts contacts and --interactions touch
points spread evenly over the last two years (INSERT … SELECT generate_series), 10,000 of
them on one contact (the timeline), then VACUUM ANALYZE. It measures, --runs times each after
a warm-up, inside the workspace scope: the first timeline page of that contact (the
selector the contact page uses), the count of the last 30 days, and the count of one month a
year ago; then converts the table with `partition_table` (timed; the database's owner, which
the benchmark connects as), VACUUM ANALYZE, and measures again. Medians and p95 in ms,
EXPLAIN (ANALYZE, BUFFERS) of each query before and after, and the load average are written to
bench/results/<date>-partitions.md. The conversion is one-way: run it on a database of its own.
"""

import argparse
import datetime
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, database_url, setup_django  # noqa: E402

SLUG = "bench-parts"
TIMELINE = 10_000


def build(contacts: int, interactions: int):
    from django.db import connection

    from contacts.models import Contact
    from touchpoints.models import Interaction
    from workspaces.models import Workspace
    from workspaces.scoping import workspace_scope

    workspace, _ = Workspace.objects.get_or_create(slug=SLUG, defaults={"name": SLUG})
    with workspace_scope(workspace):
        if Contact.objects.filter(workspace=workspace).count() < contacts:
            print(f"creating {contacts:,} contacts ...", flush=True)
            Contact.objects.bulk_create(
                [
                    Contact(workspace=workspace, first_name=f"F{i}", last_name=f"L{i}")
                    for i in range(contacts)
                ],
                batch_size=5000,
            )
        ids = list(
            Contact.objects.filter(workspace=workspace).order_by("id").values_list("id", flat=True)
        )
        timeline_contact = Contact.objects.get(pk=ids[0])
        have = Interaction.objects.filter(workspace=workspace).count()
    if have < interactions:
        print(f"creating {interactions - have:,} interactions ...", flush=True)
        started = time.monotonic()
        with connection.cursor() as cursor:
            # even over two years back from now; the first TIMELINE on the timeline contact,
            # the rest spread over every contact
            cursor.execute(
                """
                INSERT INTO touchpoints_interaction (created_at, updated_at, occurred_at, channel,
                    kind, direction, app, subject, body, outcome, source_type, data,
                    contact_id, workspace_id, seq, source_system, source_event_id)
                SELECT now(), now(),
                       now() - (g::double precision / %(n)s) * interval '730 days',
                       'phone', 'call.logged', 'out', 'contacts', 'Call ' || g, '', '', '',
                       '{}'::jsonb,
                       CASE WHEN g <= %(timeline)s THEN %(first)s
                            ELSE %(first)s + (g::bigint * 7919) %% %(span)s END,
                       %(ws)s, g, '', ''
                FROM generate_series(%(start)s, %(n)s) AS g
                """,
                {
                    "n": interactions,
                    "timeline": TIMELINE,
                    "first": ids[0],
                    "span": len(ids),
                    "ws": workspace.pk,
                    "start": have + 1,
                },
            )
            cursor.execute(
                "INSERT INTO workspaces_changesequence (workspace_id, last) VALUES (%s, %s)"
                " ON CONFLICT (workspace_id) DO UPDATE SET last = GREATEST("
                "workspaces_changesequence.last, EXCLUDED.last)",
                [workspace.pk, interactions],
            )
        print(f"  {time.monotonic() - started:.1f} s", flush=True)
    vacuum()
    return workspace, timeline_contact


def vacuum():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE touchpoints_interaction")


def measure(workspace, contact, runs: int) -> dict:
    from django.db import connection

    from touchpoints.models import Interaction
    from touchpoints.selectors import interaction_timeline, timeline_page
    from workspaces.scoping import workspace_scope

    now = datetime.datetime.now(datetime.UTC)
    year_ago = (now - datetime.timedelta(days=365)).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    month_after = (year_ago + datetime.timedelta(days=32)).replace(day=1)
    scenarios = {
        "timeline page 1 (10,000 on the contact)": lambda: (
            timeline_page(interaction_timeline(workspace=workspace, contact=contact)).items
        ),
        "count, last 30 days": lambda: Interaction.objects.filter(
            workspace=workspace, occurred_at__gte=now - datetime.timedelta(days=30)
        ).count(),
        "count, one month a year ago": lambda: Interaction.objects.filter(
            workspace=workspace, occurred_at__gte=year_ago, occurred_at__lt=month_after
        ).count(),
    }
    results = {}
    with workspace_scope(workspace):
        for label, run in scenarios.items():
            run()  # warm-up
            times = []
            for _ in range(runs):
                started = time.perf_counter()
                list(run()) if label.startswith("timeline") else run()
                times.append((time.perf_counter() - started) * 1000)
            times.sort()
            connection.force_debug_cursor = True
            connection.queries_log.clear()
            run()
            sql = connection.queries_log[-1]["sql"]
            connection.force_debug_cursor = False
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            results[label] = {
                "median": statistics.median(times),
                "p95": times[int(0.95 * (len(times) - 1))],
                "plan": plan,
                "load": os.getloadavg()[0],
            }
            print(f"  {label}: median {results[label]['median']:.2f} ms", flush=True)
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--interactions", type=int, default=3_000_000)
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--months-ahead", type=int, default=3)
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command
    from django.db import connection

    from touchpoints.partitions import is_partitioned, partition_table

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        if is_partitioned(cursor):
            sys.exit("The interaction table is partitioned already: use a fresh database.")
    workspace, contact = build(args.contacts, args.interactions)
    print("before:", flush=True)
    before = measure(workspace, contact, args.runs)
    load_before = os.getloadavg()
    started = time.monotonic()
    cpu_started = time.process_time()
    result = partition_table(months_ahead=args.months_ahead, log=lambda line: print(line))
    convert_seconds = time.monotonic() - started
    load_convert = os.getloadavg()
    started = time.monotonic()
    vacuum()
    vacuum_seconds = time.monotonic() - started
    print(
        f"converted {result['rows']:,} rows into {result['partitions']} partitions in "
        f"{convert_seconds:.1f} s (VACUUM ANALYZE after: {vacuum_seconds:.1f} s)",
        flush=True,
    )
    print("after:", flush=True)
    after = measure(workspace, contact, args.runs)
    lines = [
        f"# Partitioned interactions, {datetime.date.today()}",
        "",
        f"- database {database_url().rsplit('/', 1)[1]} (PostgreSQL, as the owner: the policies"
        f" do not apply to this superuser), {args.interactions:,} interactions over two years,"
        f" {TIMELINE:,} on the timeline contact, {args.contacts:,} contacts; {os.cpu_count()} cores",
        f"- conversion (`partition_table`, one transaction): **{convert_seconds:.1f} s** for "
        f"{result['rows']:,} rows into {result['partitions']} partitions (client CPU "
        f"{time.process_time() - cpu_started:.1f} s); VACUUM ANALYZE after {vacuum_seconds:.1f} s;"
        f" load average before {load_before[0]:.1f}, after {load_convert[0]:.1f}",
        "",
        f"| query ({args.runs} runs) | before median ms | before p95 | after median ms | after p95 | load before / after |",
        "|---|---|---|---|---|---|",
    ]
    for label in before:
        b, a = before[label], after[label]
        lines.append(
            f"| {label} | {b['median']:.2f} | {b['p95']:.2f} | {a['median']:.2f} | {a['p95']:.2f}"
            f" | {b['load']:.1f} / {a['load']:.1f} |"
        )
    for label in before:
        lines += ["", f"## {label}", "", "Before:", "", "```", before[label]["plan"], "```"]
        lines += ["", "After:", "", "```", after[label]["plan"], "```"]
    report = "\n".join(lines) + "\n"
    out = ROOT / "bench" / "results" / f"{datetime.date.today()}-partitions.md"
    out.write_text(report)
    print("\n".join(lines[:12]))
    print(f"written to {out}")


if __name__ == "__main__":
    main()
