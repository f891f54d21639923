"""Measure the pages that must stay fast at 1,000,000 contacts, leads and deals, and the
100,000-row import.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python bench/run.py [--runs 30] [--skip-import]

Requests go through Django's test Client in this process (full middleware, views, templates;
no network), logged in as an owner of the benchmark workspace. Every scenario is warmed up,
then timed `--runs` times; median and p95 are reported with the query count of one run and,
for anything over 10 ms, EXPLAIN ANALYZE of its slowest query. Results go to
bench/results/<date>.md. Run bench/generate.py first.
"""

import argparse
import csv
import datetime
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import COMMON_SURNAME, MAIN_SLUG, OWNER_EMAIL, ROOT, setup_django  # noqa: E402

SLOW_MS = 10.0
IMPORT_ROWS = 100_000


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


class Bench:
    def __init__(self, runs):
        from django.test import Client

        from workspaces.models import User, Workspace

        self.runs = runs
        self.match = ""
        self.workspace = Workspace.objects.get(slug=MAIN_SLUG)
        self.client = Client()
        self.client.force_login(User.objects.get(email=OWNER_EMAIL))
        self.rows = []
        self.explains = []

    def url(self, name, query="", **kwargs):
        from django.urls import reverse

        return reverse(name, kwargs={"ws": self.workspace.slug, **kwargs}) + (
            f"?{query}" if query else ""
        )

    def measure(self, label, url):
        from django.db import connection

        if self.match and self.match not in label:
            return

        for _ in range(2):
            self.client.get(url)
        recorded = []

        def record(execute, sql, params, many, context):
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                recorded.append((sql, params, (time.perf_counter() - start) * 1000))

        with connection.execute_wrapper(record):
            response = self.client.get(url)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
        timings = []
        for _ in range(self.runs):
            start = time.perf_counter()
            response = self.client.get(url)
            if getattr(response, "streaming", False):
                b"".join(response.streaming_content)
            timings.append((time.perf_counter() - start) * 1000)
        median, p95 = statistics.median(timings), percentile(timings, 0.95)
        sql_ms = sum(ms for _sql, _params, ms in recorded)
        self.rows.append((label, median, p95, len(recorded), sql_ms, response.status_code, url))
        print(
            f"{label:<44} {median:8.1f} ms  p95 {p95:8.1f} ms  {len(recorded):3d} queries  {response.status_code}"
        )
        if median > SLOW_MS and recorded:
            sql, params, ms = max(recorded, key=lambda q: q[2])
            if ms > SLOW_MS / 2:
                self.explain(label, sql, params, ms)

    def explain(self, label, sql, params, ms):
        from django.db import connection
        from django.db.backends.postgresql.psycopg_any import mogrify

        if not sql.lstrip().upper().startswith("SELECT"):
            return
        with connection.cursor() as cursor:
            shown = mogrify(sql, params, connection) if params else sql
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(r[0] for r in cursor.fetchall())
        self.explains.append((label, ms, shown, plan))


def deep_cursor(workspace, fraction=0.9):
    """The keyset cursor of a row 90% deep into the name order (one OFFSET, only here)."""
    from contacts.models import Contact
    from workspaces.paging import _encode

    total = Contact.objects.filter(workspace=workspace).count()
    row = (
        Contact.objects.filter(workspace=workspace)
        .order_by("last_name", "first_name", "id")
        .values_list("last_name", "first_name", "id")[int(total * fraction)]
    )
    return _encode("n", list(row)), total


def page_scenarios(bench):
    from urllib.parse import urlencode

    from contacts.models import Contact
    from touchpoints.models import Interaction

    ws = bench.workspace
    cursor, total = deep_cursor(ws)
    busy = (
        Interaction.objects.filter(workspace=ws)
        .values_list("contact_id", flat=True)
        .order_by("contact_id")
        .first()
    )
    sample = (
        Contact.objects.filter(workspace=ws, pk__gt=busy)
        .order_by("id")[total // 2 : total // 2 + 1]
        .get()
    )
    phone_local = "0" + sample.phone.removeprefix("+49")
    phone_spaced = f"{phone_local[:3]} {phone_local[3:]}"
    print(f"workspace {ws.slug}: {total:,} contacts; sample contact #{sample.pk}")
    bench.measure("contact list, first page", bench.url("contacts:list"))
    bench.measure(
        "contact list, page 90% deep (keyset)",
        bench.url("contacts:list", urlencode({"cursor": cursor})),
    )
    bench.measure("contact list, newest first", bench.url("contacts:list", "sort=-created"))
    bench.measure(
        "contact list, filtered by stage", bench.url("contacts:list", "lifecycle_stage=customer")
    )
    bench.measure(
        "contact list, stage + newest first",
        bench.url("contacts:list", "lifecycle_stage=customer&sort=-created"),
    )
    bench.measure(
        "contact list, search by email", bench.url("contacts:list", urlencode({"q": sample.email}))
    )
    bench.measure(
        "contact list, search by phone", bench.url("contacts:list", urlencode({"q": phone_spaced}))
    )
    bench.measure(
        "contact list, search by name",
        bench.url("contacts:list", urlencode({"q": sample.last_name})),
    )
    bench.measure("global search by email", bench.url("search", urlencode({"q": sample.email})))
    bench.measure(
        "global search by name",
        bench.url("search", urlencode({"q": f"{sample.first_name} {sample.last_name}"})),
    )
    bench.measure(
        "global search, the commonest surname",
        bench.url("search", urlencode({"q": COMMON_SURNAME})),
    )
    bench.measure(
        "contact list, search by the commonest surname",
        bench.url("contacts:list", urlencode({"q": COMMON_SURNAME})),
    )
    bench.measure(
        "screen pop (lookup by phone)",
        bench.url("contacts:lookup", urlencode({"phone": phone_spaced})),
    )
    bench.measure("contact page, 10,000 interactions", bench.url("contacts:detail", pk=busy))
    bench.measure("contact page, ordinary contact", bench.url("contacts:detail", pk=sample.pk))
    if sample.account_id:
        bench.measure("account page", bench.url("contacts:account_detail", pk=sample.account_id))
    bench.measure("account list, first page", bench.url("contacts:account_list"))
    bench.measure("import list page", bench.url("contacts:import_start"))
    saved = bench.runs
    bench.runs = max(3, saved // 10)  # the slow ones: fewer repetitions
    bench.measure("duplicates page (newest 5,000 contacts)", bench.url("contacts:duplicates"))
    bench.measure(
        "duplicates page, full scan of 1M (?scope=all)",
        bench.url("contacts:duplicates", "scope=all"),
    )
    bench.runs = saved
    merge_with = {"contact": sample.pk}
    bench.measure(
        "Merge with…, name prefix",
        bench.url("contacts:merge_with", urlencode({**merge_with, "q": sample.last_name[:4]})),
    )
    bench.measure(
        "Merge with…, email prefix",
        bench.url("contacts:merge_with", urlencode({**merge_with, "q": sample.email[:9]})),
    )
    bench.measure(
        "Merge with…, phone",
        bench.url("contacts:merge_with", urlencode({**merge_with, "q": phone_spaced})),
    )
    bench.measure(
        "merge page (two contacts side by side)",
        bench.url("contacts:merge", pk=sample.pk, other=busy),
    )
    bench.runs = max(3, saved // 10)
    bench.measure(
        "CSV export, one stage (streamed, all rows)",
        bench.url("contacts:export", "lifecycle_stage=evangelist"),
    )
    bench.runs = saved


def sales_scenarios(bench):
    """Leads and deals at 1,000,000 rows each: lists, their searches, the global search and
    the conversion page's duplicate check (DESIGN.md §11: every search branch indexed)."""
    from urllib.parse import urlencode

    from sales.models import Deal, Lead

    ws = bench.workspace
    leads = Lead.objects.filter(workspace=ws)
    deals = Deal.objects.filter(workspace=ws)
    lead_total, deal_total = leads.count(), deals.count()
    if not lead_total or not deal_total:
        print("no leads or deals: run bench/generate.py first")
        return
    lead = leads.order_by("id")[lead_total // 2 : lead_total // 2 + 1].get()
    deal = deals.filter(account__isnull=False).order_by("id")[deal_total // 3 :][:1].get()
    deal_words = deal.name.rsplit(" ", 2)  # "<what> <stem> <number>"
    print(
        f"workspace {ws.slug}: {lead_total:,} leads, {deal_total:,} deals; "
        f"sample lead #{lead.pk}, deal #{deal.pk}"
    )
    bench.measure("lead list, first page", bench.url("sales:leads"))
    bench.measure(
        "lead list, search by name",
        bench.url("sales:leads", urlencode({"q": f"{lead.first_name} {lead.last_name}"})),
    )
    bench.measure(
        "lead list, search by email", bench.url("sales:leads", urlencode({"q": lead.email}))
    )
    bench.measure(
        "lead list, search by phone",
        bench.url("sales:leads", urlencode({"q": "0" + lead.phone.removeprefix("+49")})),
    )
    bench.measure("deal list, first page", bench.url("sales:deals"))
    bench.measure(
        "deal list, search by name", bench.url("sales:deals", urlencode({"q": deal.name}))
    )
    bench.measure(
        "deal list, search by account name",
        bench.url("sales:deals", urlencode({"q": deal.account.name})),
    )
    bench.measure(
        "global search, lead by name",
        bench.url("search", urlencode({"q": f"{lead.first_name} {lead.last_name}"})),
    )
    bench.measure(
        "global search, deal by name and number",
        bench.url("search", urlencode({"q": " ".join(deal_words[1:])})),
    )
    bench.measure(
        "global search, a common word (many hits)",
        bench.url("search", urlencode({"q": deal_words[1]})),
    )
    bench.measure("global search, no hit", bench.url("search", urlencode({"q": "Qxzvw"})))
    bench.measure(
        "lead conversion page (duplicate check)", bench.url("sales:lead_convert", pk=lead.pk)
    )


def picker_scenarios(bench):
    """The autocomplete pickers of the sales forms (contacts, accounts, deals) at a million
    rows: prefix searches of one letter (many hits, LIMIT stops early), a common and a rare
    name start, no hit, two words, an exact email and phone, and the activity form itself
    (no <option> per contact)."""
    from urllib.parse import urlencode

    from contacts.models import Account, Contact
    from sales.models import Deal

    ws = bench.workspace
    total = Contact.objects.filter(workspace=ws).count()
    sample = Contact.objects.filter(workspace=ws).order_by("id")[total // 3 :][:1].get()
    account = Account.objects.filter(workspace=ws).order_by("id").first()
    deal = Deal.objects.filter(workspace=ws, closed_at__isnull=True).order_by("id").first()
    pick = lambda name, **q: bench.url(name, urlencode(q))  # noqa: E731
    bench.measure("contact picker, one letter", pick("contacts:contact_pick", q="m"))
    bench.measure("contact picker, common start", pick("contacts:contact_pick", q="Mül"))
    bench.measure(
        "contact picker, a last name", pick("contacts:contact_pick", q=sample.last_name[:6])
    )
    bench.measure(
        "contact picker, first and last name",
        pick("contacts:contact_pick", q=f"{sample.first_name[:3]} {sample.last_name[:4]}"),
    )
    bench.measure("contact picker, no hit", pick("contacts:contact_pick", q="Qxzvw"))
    bench.measure("contact picker, exact email", pick("contacts:contact_pick", q=sample.email))
    if account:
        bench.measure(
            "account picker, a name start", pick("contacts:account_pick", q=account.name[:4])
        )
        bench.measure("account picker, one letter", pick("contacts:account_pick", q="s"))
    if deal:
        bench.measure(
            "deal picker (open), a name start", pick("sales:deal_pick", q=deal.name[:5], open="1")
        )
        bench.measure("deal picker (open), no hit", pick("sales:deal_pick", q="Qxzvw", open="1"))
    bench.measure("new activity form (pickers)", bench.url("sales:activity_create"))


def write_import_file(path: Path, rows: int, seed=5):
    rng = random.Random(seed)
    firsts = [
        "Anna",
        "Ben",
        "Clara",
        "David",
        "Emma",
        "Felix",
        "Greta",
        "Hans",
        "Ida",
        "Jonas",
        "Karl",
        "Lena",
        "Max",
        "Nina",
    ]
    lasts = [
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Meyer",
        "Wagner",
        "Becker",
        "Schulz",
        "Hoffmann",
    ]
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            [
                "First Name",
                "Last Name",
                "E-mail Address",
                "Mobile Phone",
                "Company",
                "City",
                "Job Title",
            ]
        )
        for i in range(rows):
            email = f"import{i}@example.org" if i % 50 else "not-an-email"  # 2% rejected
            if i % 97 == 0 and i:  # ~1% repeats an earlier row of the file
                email = f"import{i - 1}@example.org"
            writer.writerow(
                [
                    rng.choice(firsts),
                    rng.choice(lasts),
                    email,
                    f"+49 171 {i:07d}",
                    f"Kunde {i % 2000} GmbH",
                    "Berlin",
                    "Einkauf",
                ]
            )


def import_scenario(bench):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db import connection

    from contacts.imports.jobs import import_job_configure, import_job_create, import_job_queue
    from contacts.imports.runner import BATCH_SIZE, import_run
    from workspaces.models import Workspace
    from workspaces.scoping import workspace_scope

    slug = f"bench-import-{int(time.time())}"
    workspace = Workspace.objects.create(slug=slug, name="Import bench", country="DE")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "contacts-100k.csv"
        write_import_file(path, IMPORT_ROWS)
        data = path.read_bytes()
        try:
            with workspace_scope(workspace):
                for run in ("first run", "re-run of the same file"):
                    start, cpu = time.perf_counter(), time.process_time()
                    job = import_job_create(
                        workspace=workspace, actor=None, upload=SimpleUploadedFile(path.name, data)
                    )
                    import_job_configure(
                        job=job, actor=None, mapping=job.mapping, dedupe_mode="update"
                    )
                    import_job_queue(job=job, actor=None, enqueue=False)
                    job = import_run(job_id=job.pk)
                    seconds = time.perf_counter() - start
                    cpu = time.process_time() - cpu
                    results.append((run, seconds, cpu, job))
                    print(
                        f"import {IMPORT_ROWS:,} rows ({run}): {seconds:.1f} s  "
                        f"{IMPORT_ROWS / seconds:,.0f} rows/s  status={job.status} created={job.created_count} "
                        f"updated={job.updated_count} skipped={job.skipped_count} rejected={job.rejected_count}"
                    )
        finally:
            with connection.cursor() as cursor:
                for table in (
                    "contacts_importrowerror",
                    "contacts_importpossibleduplicate",
                    "contacts_importedrecord",
                    "contacts_importjob",
                    "contacts_contact",
                    "contacts_account",
                    "workspaces_changeevent",
                ):
                    cursor.execute(f"DELETE FROM {table} WHERE workspace_id = %s", [workspace.pk])
            from workspaces.services import workspace_delete

            workspace_delete(workspace=workspace, actor=None)  # its audit entries go with it
    return results, BATCH_SIZE, len(data)


def report(bench, imports, args):
    from django.db import connection

    from contacts.models import Contact

    stamp = datetime.datetime.now(datetime.UTC)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    total = Contact.objects.filter(workspace=bench.workspace).count()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        f"# Benchmark {stamp:%Y-%m-%d %H:%M} UTC",
        "",
        f"Machine: {os.cpu_count()} cores, load average at the end {load} (other work shares the "
        f"machine; compare medians of runs made under similar load).",
        f"PostgreSQL {pg}; {total:,} contacts in the measured workspace; Django test Client in process, "
        f"{bench.runs} timed runs after 2 warm-ups (the duplicates page and the export: fewer).",
        "Targets: list and contact page < 150 ms (aim 50 ms); import of 100,000 rows < 30 s.",
        "",
        "| scenario | median ms | p95 ms | queries | SQL ms (one run) | status |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for label, median, p95, queries, sql_ms, status, _url in bench.rows:
        lines.append(
            f"| {label} | {median:.1f} | {p95:.1f} | {queries} | {sql_ms:.1f} | {status} |"
        )
    if imports:
        results, batch_size, size = imports
        lines += [
            "",
            f"## Import of {IMPORT_ROWS:,} CSV rows ({size / 2**20:.1f} MB, batch size {batch_size}, real import path)",
            "",
            "| run | wall s | CPU s (this process) | rows/s | created | updated | skipped | rejected |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for run, seconds, cpu, job in results:
            lines.append(
                f"| {run} | {seconds:.1f} | {cpu:.1f} | {IMPORT_ROWS / seconds:,.0f} | {job.created_count:,} | "
                f"{job.updated_count:,} | {job.skipped_count:,} | {job.rejected_count:,} |"
            )
    if bench.explains:
        lines += ["", "## EXPLAIN ANALYZE of the slowest query of each scenario over 10 ms", ""]
        for label, ms, sql, plan in bench.explains:
            lines += [
                f"### {label} ({ms:.1f} ms)",
                "",
                "```sql",
                sql[:1500],
                "```",
                "",
                "```",
                plan[:4000],
                "```",
                "",
            ]
    out = ROOT / "bench" / "results" / f"{stamp:%Y-%m-%d}.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written {out.relative_to(ROOT)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--only-import", action="store_true")
    parser.add_argument("--match", default="", help="Only scenarios whose label contains this.")
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command

    from workspaces.scoping import workspace_scope

    call_command("migrate", verbosity=0)
    bench = Bench(args.runs)
    bench.match = args.match
    with workspace_scope(bench.workspace):  # the scripts' own reads, as a task would
        if not args.only_import:
            page_scenarios(bench)
            sales_scenarios(bench)
            picker_scenarios(bench)
    imports = None if args.skip_import else import_scenario(bench)
    with workspace_scope(bench.workspace):
        report(bench, imports, args)


if __name__ == "__main__":
    main()
