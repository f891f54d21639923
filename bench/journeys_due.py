"""Journey due-scan benchmark (issue 22): with 1,000,000 enrolment rows of which none is
due, how long does the engine's claim of due enrolments take? Target: <= 0.3 s.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_h_journey \
        .venv/bin/python bench/journeys_due.py [--rows 1000000] [--runs 30]

Makes (once) a workspace "journeys-bench" with 1,000 contacts and 100 live journeys, then
1,000,000 enrolments with one INSERT … SELECT generate_series (server side): 100,000 active
(one per journey and contact, waiting until next month) and 900,000 ended. VACUUM ANALYZE,
then times `enrolments_claim` (the SELECT … FOR UPDATE SKIP LOCKED of the engine, with the
join to the journey's status) `--runs` times and prints the median, p95 and its EXPLAIN
ANALYZE; writes bench/results/<date>-journeys-due.md.
"""

import argparse
import datetime
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, database_url, setup_django  # noqa: E402

SLUG = "journeys-bench"
JOURNEYS = 100
CONTACTS = 1000


def _prepare(rows: int):
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from contacts.models import Contact
    from journeys.models import Enrolment, Journey, JourneyStatus, JourneyStep, JourneyVersion
    from workspaces.models import Workspace

    call_command("migrate", verbosity=0)
    workspace, _created = Workspace.objects.get_or_create(
        slug=SLUG, defaults={"name": "Journeys bench"}
    )
    if Enrolment.all_workspaces.filter(workspace=workspace).count() >= rows:
        return workspace
    now = timezone.now()
    Enrolment.all_workspaces.filter(workspace=workspace).delete()
    if not Contact.all_workspaces.filter(workspace=workspace).exists():
        Contact.all_workspaces.bulk_create(
            [Contact(workspace=workspace, last_name=f"Bench {i}") for i in range(CONTACTS)]
        )
    if not Journey.all_workspaces.filter(workspace=workspace).exists():
        for i in range(JOURNEYS):
            journey = Journey.all_workspaces.create(
                workspace=workspace,
                name=f"Journey {i}",
                trigger="contact.created",
                status=JourneyStatus.LIVE,
            )
            version = JourneyVersion.all_workspaces.create(
                workspace=workspace, journey=journey, number=1, first_step_key="s1"
            )
            JourneyStep.all_workspaces.create(
                workspace=workspace, version=version, key="s1", kind="wait"
            )
            journey.current_version = version
            journey.save(update_fields=["current_version"])
    journeys = list(
        Journey.all_workspaces.filter(workspace=workspace)
        .values_list("pk", "current_version_id")
        .order_by("pk")
    )
    contacts = list(
        Contact.all_workspaces.filter(workspace=workspace)
        .values_list("pk", flat=True)
        .order_by("pk")
    )
    active = len(journeys) * len(contacts)
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_j (n int, journey_id bigint, version_id bigint)")
        cursor.executemany(
            "INSERT INTO bench_j VALUES (%s, %s, %s)",
            [(n, j, v) for n, (j, v) in enumerate(journeys)],
        )
        cursor.execute("CREATE TEMP TABLE bench_c (n int, contact_id bigint)")
        cursor.executemany("INSERT INTO bench_c VALUES (%s, %s)", list(enumerate(contacts)))
        t = time.perf_counter()
        cursor.execute(
            """
            INSERT INTO journeys_enrolment (created_at, updated_at, workspace_id, journey_id,
                version_id, contact_id, status, current_step_key, next_run_at, attempts,
                last_error, entered_at, ended_at, cause_chain, trigger_seq)
            SELECT %(now)s, %(now)s, %(ws)s, j.journey_id, j.version_id, c.contact_id,
                CASE WHEN g < %(active)s THEN 'active' ELSE 'completed' END,
                CASE WHEN g < %(active)s THEN 's1' ELSE '' END,
                CASE WHEN g < %(active)s THEN %(later)s::timestamptz + (g % 1000) * interval '1 minute' END,
                0, '', %(now)s, CASE WHEN g < %(active)s THEN NULL ELSE %(now)s END, '[]'::jsonb, NULL
            FROM generate_series(0, %(rows)s - 1) AS g
            JOIN bench_j j ON j.n = (g / %(contacts)s) %% %(journeys)s
            JOIN bench_c c ON c.n = g %% %(contacts)s
            """.replace("(g % 1000)", "(g %% 1000)"),
            {
                "now": now,
                "ws": workspace.pk,
                "active": active,
                "later": now + datetime.timedelta(days=30),
                "rows": rows,
                "contacts": len(contacts),
                "journeys": len(journeys),
            },
        )
        print(
            f"inserted {rows:,} enrolments ({active:,} active) in {time.perf_counter() - t:.1f} s"
        )
    return workspace


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from journeys.models import Enrolment
    from journeys.services.advancing import due_enrolments, enrolments_claim
    from workspaces.scoping import workspace_scope

    workspace = _prepare(args.rows)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE journeys_enrolment")
    total = Enrolment.all_workspaces.filter(workspace=workspace).count()
    times = []
    with workspace_scope(workspace):
        for _run in range(args.runs):
            t = time.perf_counter()
            claimed = enrolments_claim(workspace=workspace, now=timezone.now(), limit=200)
            times.append((time.perf_counter() - t) * 1000)
            assert claimed == [], "nothing should be due"
        query = (
            due_enrolments(workspace=workspace, now=timezone.now())
            .order_by("next_run_at")
            .values_list("pk", flat=True)[:200]
        )
        plan = query.explain(analyze=True, buffers=True)
    times.sort()
    median = statistics.median(times)
    p95 = times[int(len(times) * 0.95) - 1]
    lines = [
        f"# Journeys: the due scan over {total:,} enrolments ({datetime.date.today()})",
        "",
        f"PostgreSQL, `enrolments_claim` (FOR UPDATE SKIP LOCKED, join to the journey status), "
        f"nothing due, {args.runs} runs: median {median:.2f} ms, p95 {p95:.2f} ms, max {times[-1]:.2f} ms "
        "(target <= 300 ms).",
        "",
        "```",
        plan,
        "```",
    ]
    text = "\n".join(lines)
    print(text)
    out = ROOT / "bench" / "results" / f"{datetime.date.today()}-journeys-due.md"
    out.write_text(text + "\n")
    print(f"wrote {out.relative_to(ROOT)}; database {database_url().rsplit('/', 1)[-1]}")


if __name__ == "__main__":
    main()
