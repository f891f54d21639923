"""The contact import at scale: N CSV rows through the real import path, twice, against the
floor for the same file.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_h_import_bench \
        .venv/bin/python bench/import_scale.py --rows 100000 [--json PATH] [--profile PATH]

The CSV (bench/run.py's `write_import_file`: Outlook-style headers, 2 % invalid emails, 1 %
rows repeating an earlier email, 2,000 companies) is generated once and cached under
var/bench-import/. It is imported with dedupe ("update") into a fresh workspace through
`import_job_create` → `import_job_configure` → `import_job_queue` → `import_run` (what the
Celery task runs), then the same file again (it must create nothing), then the workspace is
deleted. The database may hold the big benchmark dataset: the import's workspace is new and
only its rows are written and deleted.

Reported per run: wall seconds, CPU seconds of this process and of its PostgreSQL backend
(/proc of the server's process: the server must run on this machine), rows/s, peak RSS of
this process, created/updated/skipped/rejected; then the floor (bench/import_floor.py) for
the same file and the ratio of the first run's wall time to it. `--json PATH` writes one flat
dict of named numbers (keys below). `--profile PATH` writes cProfile stats of the first run.
"""

import argparse
import cProfile
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, database_url, setup_django  # noqa: E402

CACHE = ROOT / "var" / "bench-import"


def csv_path(rows: int) -> Path:
    """The cached N-row import file, written on first use (bench.run.write_import_file)."""
    from bench.run import write_import_file

    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"contacts-{rows}.csv"
    if not path.exists():
        partial = path.with_suffix(".part")
        write_import_file(partial, rows)
        partial.rename(path)
    return path


def backend_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of the PostgreSQL backend `pid` (/proc), None when that
    process is not visible here."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _backend_pid() -> int:
    from django.db import connection

    connection.ensure_connection()
    return connection.connection.info.backend_pid


def import_once(workspace, path: Path, profile: Path | None = None) -> dict:
    """One import of `path` into `workspace` (inside its scope) through the real path; its
    figures: {"wall_s", "cpu_s", "pg_cpu_s", "rows_per_s", "created", "updated", "skipped",
    "rejected", "noted", "status_done"}."""
    from django.core.files import File

    from contacts.imports.jobs import import_job_configure, import_job_create, import_job_queue
    from contacts.imports.runner import import_run

    pid = _backend_pid()
    pg0 = backend_cpu_seconds(pid)
    start, cpu = time.perf_counter(), time.process_time()
    with path.open("rb") as fh:
        job = import_job_create(workspace=workspace, actor=None, upload=File(fh, name=path.name))
    import_job_configure(job=job, actor=None, mapping=job.mapping, dedupe_mode="update")
    import_job_queue(job=job, actor=None, enqueue=False)
    if profile:
        profiler = cProfile.Profile()
        job = profiler.runcall(import_run, job_id=job.pk)
        profiler.dump_stats(profile)
    else:
        job = import_run(job_id=job.pk)
    wall = time.perf_counter() - start
    pg1 = backend_cpu_seconds(pid) if _backend_pid() == pid else None
    return {
        "wall_s": round(wall, 3),
        "cpu_s": round(time.process_time() - cpu, 3),
        "pg_cpu_s": round(pg1 - pg0, 3) if pg0 is not None and pg1 is not None else -1,
        "rows_per_s": round(job.total_rows / wall, 1),
        "created": job.created_count,
        "updated": job.updated_count,
        "skipped": job.skipped_count,
        "rejected": job.rejected_count,
        "noted": job.noted_count,
        "status_done": int(job.status == "done"),
    }


def workspace_drop(workspace) -> None:
    """Delete the import's workspace and everything the imports wrote into it, the stored
    upload of each job included."""
    from django.db import connection

    from contacts.models import ImportJob
    from workspaces.services import workspace_delete

    for job in ImportJob.objects.filter(workspace=workspace):
        if job.file:
            job.file.delete(save=False)
    with connection.cursor() as cursor:
        for table in (
            "contacts_importrowerror",
            "contacts_importpossibleduplicate",
            "contacts_importedrecord",
            "contacts_importjob",
            "contacts_contacttag",
            "contacts_contact",
            "contacts_account",
            "workspaces_changeevent",
        ):
            cursor.execute(f"DELETE FROM {table} WHERE workspace_id = %s", [workspace.pk])  # noqa: S608
    workspace_delete(workspace=workspace, actor=None)


def vacuum_analyze() -> None:
    """VACUUM ANALYZE the tables an import writes (autovacuum may be off)."""
    import psycopg

    with psycopg.connect(database_url(), autocommit=True) as conn:
        for table in (
            "contacts_contact",
            "contacts_account",
            "contacts_importedrecord",
            "contacts_importrowerror",
            "workspaces_changeevent",
        ):
            conn.execute(f"VACUUM ANALYZE {table}")


def run(rows: int, profile: Path | None = None, skip_floor: bool = False) -> dict:
    """The whole scenario for an N-row file; the flat dict of figures (see the module text)."""
    from django.db import connection

    from bench.import_floor import floor_run
    from workspaces.models import Workspace
    from workspaces.scoping import workspace_scope

    path = csv_path(rows)
    result: dict[str, float] = {"rows": rows, "file_mb": round(path.stat().st_size / 2**20, 2)}
    result["load_1m_before"] = round(os.getloadavg()[0], 2)
    vacuum_analyze()
    workspace = Workspace.objects.create(
        slug=f"bench-import-{int(time.time())}", name="Import at scale", country="DE"
    )
    try:
        with workspace_scope(workspace):
            first = import_once(workspace, path, profile)
            print(_line(rows, "first run", first))
            again = import_once(workspace, path)
            print(_line(rows, "re-run", again))
    finally:
        with workspace_scope(workspace):
            workspace_drop(workspace)
        connection.close()
        vacuum_analyze()
    result.update({f"first_{k}": v for k, v in first.items()})
    result.update({f"rerun_{k}": v for k, v in again.items()})
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    if not skip_floor:
        floor = floor_run(path)
        print(
            f"floor: {floor['floor_s']:.2f} s ({floor['floor_rows_per_s']:,.0f} rows/s); "
            f"import / floor = {first['wall_s'] / floor['floor_s']:.2f}"
        )
        result.update(floor)
        result["ratio_to_floor"] = round(first["wall_s"] / floor["floor_s"], 2)
        result["rerun_ratio_to_floor"] = round(again["wall_s"] / floor["floor_s"], 2)
    result["load_1m_after"] = round(os.getloadavg()[0], 2)
    print(f"peak RSS {result['peak_rss_mb']:.0f} MB; load average {os.getloadavg()}")
    return result


def _line(rows: int, label: str, r: dict) -> str:
    return (
        f"import {rows:,} rows ({label}): {r['wall_s']:.1f} s wall, CPU {r['cpu_s']:.1f} s "
        f"+ PostgreSQL {r['pg_cpu_s']:.1f} s, {r['rows_per_s']:,.0f} rows/s; created "
        f"{r['created']:,} updated {r['updated']:,} skipped {r['skipped']:,} rejected "
        f"{r['rejected']:,}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--json", type=Path, help="Write the figures here (flat JSON dict).")
    parser.add_argument("--profile", type=Path, help="cProfile stats of the first run here.")
    parser.add_argument("--skip-floor", action="store_true")
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    result = run(args.rows, args.profile, args.skip_floor)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n")
        print(f"written {args.json}")


if __name__ == "__main__":
    main()
