"""Warehouse export benchmark (issue 24): stream 10,000,000 touch points from PostgreSQL to
Parquet (target <= 30 s, hard limit 120 s, memory flat), and an incremental run with nothing
new (target < 1 s).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_wh \
        .venv/bin/python bench/warehouse_export.py [--interactions 10000000] [--contacts 1000000]

Makes (once, topping up what is missing) a workspace "warehouse-bench" with `--contacts`
contacts and `--interactions` touch points spread over them (channels, kinds, directions,
actors and durations varied; a year of history), generated server side with
`INSERT … SELECT generate_series` in chunks of 1,000,000 (no rows through Python), each touch
point with its own `seq` from the workspace's sequence like `interaction_record` gives it;
then `VACUUM ANALYZE`.

Measures, in this process, with the table functions the export runner calls
(`warehouse.tables.touchpoints`): a full read of fact_interactions (`rows(ctx, None)`:
`COPY … TO STDOUT` as CSV into Arrow's CSV reader, contact/account/actor ids pseudonymised by
vectorised take) written to one Parquet file with `pyarrow.parquet.ParquetWriter`
(zstd); the peak resident memory of the process (`ru_maxrss`) before and after; then the
window of the last 10,000 touch points through `appended` (the incremental path) and a run of
every registered table's `changed_keys` + `appended` over an empty window (nothing new).
The runner itself (locks, marks, sinks) is measured by the engine's own benchmark; this one
isolates the read path the tables own. Writes bench/results/<date>-warehouse-export.md.
"""

import argparse
import datetime
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_bench_wh")

from bench.common import ROOT, database_url, setup_django  # noqa: E402

SLUG = "warehouse-bench"
CHUNK = 1_000_000
SECRET = b"bench-warehouse-secret"
CHANNELS = ("phone", "email", "email", "email", "sales_visit", "chat", "website", "note")
KINDS = ("call.logged", "campaign.sent", "campaign.opened", "campaign.clicked", "visit.logged")


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _count(cursor, table: str, workspace_id: int) -> int:
    cursor.execute(f"SELECT count(*) FROM {table} WHERE workspace_id = %s", [workspace_id])  # noqa: S608
    return cursor.fetchone()[0]


def _insert_contacts(cursor, workspace_id: int, have: int, want: int) -> None:
    """Contacts with every NOT NULL column filled as an empty form would leave it."""
    for start in range(have, want, CHUNK):
        stop = min(start + CHUNK, want)
        cursor.execute(
            """
            INSERT INTO contacts_contact (
                created_at, updated_at, workspace_id, street, postal_code, city, region, country,
                salutation, title, first_name, last_name, email, email2, email_key, email2_key,
                phone, phone_extension, mobile, job_title, lifecycle_stage, sex, education,
                preferred_channel, language, email_opt_in, email_opt_in_source, do_not_call,
                do_not_mail, custom, external_id)
            SELECT now(), now(), %(ws)s, '', '', 'Berlin', '', 'Germany', '', '', 'Bench',
                'Contact ' || g, '', '', '', '', '', '', '', '', 'lead', '', '', '', '',
                false, '', false, false, '{}', ''
            FROM generate_series(%(start)s::bigint, %(stop)s - 1) AS g
            """,
            {"ws": workspace_id, "start": start, "stop": stop},
        )
        print(f"  contacts {stop:,}", flush=True)


def _insert_interactions(cursor, workspace_id: int, have: int, want: int, users: list) -> None:
    cursor.execute(
        "SELECT min(id), count(*) FROM contacts_contact WHERE workspace_id = %s", [workspace_id]
    )
    first_contact, contacts = cursor.fetchone()
    for start in range(have, want, CHUNK):
        stop = min(start + CHUNK, want)
        count = stop - start
        cursor.execute(
            """
            INSERT INTO workspaces_changesequence (workspace_id, "last") VALUES (%s, %s)
            ON CONFLICT (workspace_id) DO UPDATE
            SET "last" = workspaces_changesequence."last" + excluded."last"
            RETURNING "last"
            """,
            [workspace_id, count],
        )
        first_seq = cursor.fetchone()[0] - count + 1
        cursor.execute(
            """
            INSERT INTO touchpoints_interaction (
                created_at, updated_at, workspace_id, contact_id, account_id, actor_id,
                occurred_at, channel, kind, direction, app, subject, body, duration_seconds,
                outcome, source_type, source_id, data, seq, source_system, source_event_id)
            SELECT now(), now(), %(ws)s,
                %(first_contact)s + (g * 7919) %% %(contacts)s,
                NULL,
                (%(users)s::bigint[])[1 + g %% cardinality(%(users)s::bigint[])],
                now() - make_interval(secs => (%(want)s - g) * 3.1536),
                (%(channels)s::text[])[1 + g %% cardinality(%(channels)s::text[])],
                (%(kinds)s::text[])[1 + g %% cardinality(%(kinds)s::text[])],
                CASE WHEN g %% 3 = 0 THEN 'in' ELSE 'out' END,
                'contacts', 'Bench subject', '',
                CASE WHEN g %% 4 = 0 THEN g %% 900 END,
                CASE WHEN g %% 5 = 0 THEN 'reached' ELSE '' END,
                '', NULL, '{}', %(first_seq)s + g - %(start)s, '', ''
            FROM generate_series(%(start)s::bigint, %(stop)s - 1) AS g
            """,
            {
                "ws": workspace_id,
                "first_contact": first_contact,
                "contacts": contacts,
                "users": users,
                "want": want,
                "channels": list(CHANNELS),
                "kinds": list(KINDS),
                "first_seq": first_seq,
                "start": start,
                "stop": stop,
            },
        )
        print(f"  interactions {stop:,}", flush=True)


def _prepare(contacts: int, interactions: int):
    from django.core.management import call_command
    from django.db import connection, transaction

    from tests.factories import MembershipFactory, UserFactory
    from workspaces.models import Membership, Workspace

    call_command("migrate", verbosity=0)
    workspace, _created = Workspace.objects.get_or_create(
        slug=SLUG, defaults={"name": "Warehouse bench"}
    )
    from workspaces.scoping import workspace_scope

    with workspace_scope(workspace):
        while Membership.objects.filter(workspace=workspace).count() < 5:
            MembershipFactory(workspace=workspace, user=UserFactory(), role="sales")
        users = list(
            Membership.objects.filter(workspace=workspace).values_list("user_id", flat=True)
        )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        have_contacts = _count(cursor, "contacts_contact", workspace.pk)
        have_interactions = _count(cursor, "touchpoints_interaction", workspace.pk)
    if have_contacts >= contacts and have_interactions >= interactions:
        return workspace, 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        _insert_contacts(cursor, workspace.pk, have_contacts, contacts)
    with connection.cursor() as cursor:
        for start in range(have_interactions, interactions, CHUNK):
            with transaction.atomic():
                _insert_interactions(
                    cursor, workspace.pk, start, min(start + CHUNK, interactions), users
                )
        cursor.execute("VACUUM ANALYZE contacts_contact")
        cursor.execute("VACUUM ANALYZE touchpoints_interaction")
    return workspace, time.perf_counter() - started


def _full_to_parquet(ctx, out_dir: Path) -> tuple[int, float, int]:
    import pyarrow.parquet as pq

    from warehouse.registry import TABLES

    table = TABLES["fact_interactions"]
    path = out_dir / "fact_interactions.parquet"
    started = time.perf_counter()
    rows = 0
    with pq.ParquetWriter(path, table.schema(), compression="zstd") as writer:
        for batch in table.rows(ctx, None):
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows, time.perf_counter() - started, path.stat().st_size


def _incremental(ctx, last_seq: int) -> tuple[float, float, int]:
    from warehouse.registry import Window, tables

    started = time.perf_counter()
    empty = Window(last_seq, last_seq)
    for table in tables():
        list(table.changed_keys(ctx, empty))
        if table.appended:
            list(table.appended(ctx, empty))
    nothing_new = time.perf_counter() - started
    started = time.perf_counter()
    recent = Window(last_seq - 10_000, last_seq)
    rows = sum(b.num_rows for b in tables_by_name()["fact_interactions"].appended(ctx, recent))
    return nothing_new, time.perf_counter() - started, rows


def tables_by_name():
    from warehouse.registry import TABLES

    return TABLES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--interactions", type=int, default=10_000_000)
    parser.add_argument("--batch-rows", type=int, default=50_000)
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    from warehouse.registry import ExportContext
    from workspaces.scoping import workspace_scope

    print(f"database {database_url()}")
    workspace, generated = _prepare(args.contacts, args.interactions)
    if generated:
        print(f"generated in {generated:.0f} s")
    ctx = ExportContext(workspace_id=workspace.pk, secret=SECRET, batch_rows=args.batch_rows)
    rss_before = _peak_rss_mb()
    out_dir = Path(tempfile.mkdtemp(prefix="warehouse-bench-"))
    try:
        with workspace_scope(workspace):
            rows, seconds, size = _full_to_parquet(ctx, out_dir)
            rss_after = _peak_rss_mb()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT max(seq) FROM touchpoints_interaction WHERE workspace_id = %s",
                    [workspace.pk],
                )
                last_seq = cursor.fetchone()[0]
            nothing_new, recent_seconds, recent_rows = _incremental(ctx, last_seq)
    finally:
        shutil.rmtree(out_dir, ignore_errors=True)
    load = os.getloadavg()
    lines = [
        f"# Warehouse export, {datetime.date.today()}",
        "",
        f"- data: {args.contacts:,} contacts, {args.interactions:,} touch points in one workspace",
        f"- load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} (2 cores, shared)",
        f"- batch rows: {args.batch_rows:,}",
        "",
        "| measure | value |",
        "|---|---|",
        f"| full fact_interactions → Parquet (zstd) | {rows:,} rows in {seconds:.1f} s "
        f"({rows / seconds:,.0f} rows/s) |",
        f"| Parquet file | {size / 1e6:,.0f} MB |",
        f"| peak RSS before / after the full read | {rss_before:,.0f} MB / {rss_after:,.0f} MB |",
        f"| incremental, nothing new (every table) | {nothing_new * 1000:.1f} ms |",
        f"| incremental, last 10,000 touch points | {recent_rows:,} rows in "
        f"{recent_seconds * 1000:.0f} ms |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    out = ROOT / "bench" / "results" / f"{datetime.date.today()}-warehouse-export.md"
    out.write_text(text)
    print(f"written {out}")


if __name__ == "__main__":
    main()
