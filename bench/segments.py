"""Segment count benchmark (issue 20): the builder's live count of a three-rule segment
(women, aged 30-45, with a university degree) over the 1,000,000 contacts of the benchmark
workspace, measured through HTTP: gunicorn (2 workers) serves the project on a local port,
and this script POSTs the builder's form to the live-count endpoint
(marketing:segment_preview) as the page's htmx does, with the owner's session cookie.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench_seg \
        .venv/bin/python bench/segments.py [--runs 30] [--port 8765]

Needs the data of bench/generate.py. The generator leaves sex and education empty, so the
first run fills them once (one UPDATE over the workspace: sex from the id, education spread
over its seven values, about 3 in 7 with a degree) and runs VACUUM ANALYZE. Prints the
median and p95 of the request times (ms), the counts shown, the SQL of the count and its
EXPLAIN ANALYZE; writes bench/results/<date>-segments.md. Targets: < 250 ms, p95 <= 100 ms.
"""

import argparse
import datetime
import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import MAIN_SLUG, OWNER_EMAIL, ROOT, database_url, setup_django  # noqa: E402

EDUCATIONS = ["none", "primary", "secondary", "vocational", "bachelor", "master", "doctorate"]
FORM = [
    ("op", "and"),
    ("n", "r:0"),
    ("r-0-field", "sex"),
    ("r-0-operator", "in"),
    ("r-0-value", "female"),
    ("n", "r:1"),
    ("r-1-field", "age"),
    ("r-1-operator", "between"),
    ("r-1-min", "30"),
    ("r-1-max", "45"),
    ("n", "r:2"),
    ("r-2-field", "education"),
    ("r-2-operator", "in"),
    ("r-2-value", "bachelor"),
    ("r-2-value", "master"),
    ("r-2-value", "doctorate"),
    ("part", "count"),
]
TREE = {
    "op": "and",
    "rules": [
        {"field": "sex", "operator": "in", "value": ["female"]},
        {"field": "age", "operator": "between", "value": [30, 45]},
        {"field": "education", "operator": "in", "value": ["bachelor", "master", "doctorate"]},
    ],
}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def fill_profile(workspace):
    """Sex and education for the generated contacts (once; the generator leaves them empty)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM contacts_contact WHERE workspace_id = %s AND sex = ''",
            [workspace.pk],
        )
        missing = cursor.fetchone()[0]
        if not missing:
            return
        started = time.perf_counter()
        cursor.execute(
            "UPDATE contacts_contact SET sex = (ARRAY['female', 'male', 'female', 'male', "
            "'diverse'])[1 + id %% 5], education = (%s::text[])[1 + (id / 5) %% 7], "
            "email_opt_in = (id %% 3 <> 0) WHERE workspace_id = %s AND sex = ''",
            [EDUCATIONS, workspace.pk],
        )
        print(
            f"sex and education filled on {missing:,} contacts in {time.perf_counter() - started:.1f} s"
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE contacts_contact")


def explain(workspace):
    """The count's SQL and its EXPLAIN ANALYZE (as the endpoint builds it)."""
    from django.db import connection

    from marketing.selectors.segments import rules_contacts
    from workspaces.scoping import workspace_scope

    with workspace_scope(workspace):
        contacts = rules_contacts(workspace=workspace, rules=TREE)
        sql, params = contacts.values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) SELECT count(*) FROM ({sql}) AS s", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
    return sql % tuple(repr(p) for p in params), plan


def session_cookie() -> str:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(email=OWNER_EMAIL))
    return client.cookies["sessionid"].value


def wait_for(url, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except Exception:
            time.sleep(0.5)
    sys.exit(f"the server did not answer at {url}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command

    from workspaces.models import Workspace

    call_command("migrate", verbosity=0)
    workspace = Workspace.objects.get(slug=MAIN_SLUG)
    fill_profile(workspace)
    cookie = session_cookie()
    env = dict(os.environ, DATABASE_URL=database_url(), DEBUG="true", ALLOWED_HOSTS="127.0.0.1")
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "bench.segments_wsgi:application",
            f"--bind=127.0.0.1:{args.port}",
            f"--workers={args.workers}",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{args.port}"
        wait_for(f"{base}/healthz")
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.addheaders = [("Cookie", f"sessionid={cookie}")]
        page = opener.open(f"{base}/w/{MAIN_SLUG}/marketing/segments/new/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        csrf_cookie = next(c.value for c in jar if c.name == "csrftoken")
        opener.addheaders = [
            ("Cookie", f"sessionid={cookie}; csrftoken={csrf_cookie}"),
            ("X-CSRFToken", token),
            ("HX-Request", "true"),
            ("Referer", f"{base}/w/{MAIN_SLUG}/marketing/segments/new/"),
        ]
        body = urllib.parse.urlencode(FORM).encode()
        url = f"{base}/w/{MAIN_SLUG}/marketing/segments/preview/"
        times, html = [], ""
        for run in range(args.runs + 2):
            started = time.perf_counter()
            html = opener.open(url, data=body).read().decode()
            if run >= 2:  # two warm-ups
                times.append((time.perf_counter() - started) * 1000)
    finally:
        server.terminate()
        server.wait(timeout=30)
    matching = re.search(r'data-testid="count-matching">([^<]+)<', html)
    receivable = re.search(r'data-testid="count-receivable">([^<]+)<', html)
    if not matching:
        sys.exit(f"no count in the answer:\n{html[:2000]}")
    sql, plan = explain(workspace)
    load = os.getloadavg()
    median, p95 = percentile(times, 0.5), percentile(times, 0.95)
    lines = [
        f"# Segment count benchmark, {datetime.date.today()}",
        "",
        f"Live count of “women, 30-45, with a university degree” over the {MAIN_SLUG} workspace,",
        f"POST to the live-count endpoint through gunicorn ({args.workers} workers), {args.runs} runs",
        f"after two warm-ups, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}.",
        "",
        "| scenario | median ms | p95 ms | min ms | matching | can receive email |",
        "|---|---:|---:|---:|---:|---:|",
        f"| 3-rule segment live count (sex + age + education), 1M contacts | {median:.1f} | {p95:.1f} "
        f"| {min(times):.1f} | {matching.group(1)} | {receivable.group(1)} |",
        "",
        "Targets: < 250 ms; p95 <= 100 ms.",
        "",
        "The count's query:",
        "",
        "```sql",
        sql,
        "```",
        "",
        "```",
        plan,
        "```",
    ]
    report = "\n".join(lines)
    print(report)
    out = ROOT / "bench" / "results" / f"{datetime.date.today()}-segments.md"
    out.write_text(report + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
