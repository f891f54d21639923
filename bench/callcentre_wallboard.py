"""Wallboard benchmark (issue 23, KPIs part): 200 screens polling the wallboard fragment of a
call centre with 200 agents and a week of calls (50,000 by default), through HTTP: gunicorn
(2 workers) serves the project on a local port with the shared cache on Redis, and 200 client
threads each fetch `callcentre:wallboard_board` every 5 seconds (with jitter) as the page's
htmx does — half of them for every queue, half for a set of three queues.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_h_cckpi_bench \
    BENCH_CACHE_URL=redis://127.0.0.1:6379/10 \
        .venv/bin/python bench/callcentre_wallboard.py [--calls 50000] [--seconds 30]

The data (workspace `bench-cc`) is generated once with bulk inserts and VACUUM ANALYZE; a
second run reuses it and only moves "today" (the calls of the last day are re-dated to end
now). Also measures the uncached board (`wallboard_data`) in-process: median and p95 of 20
runs and its number of queries. Writes bench/results/<date>-wallboard.md. Target: p95 of the
fragment <= 50 ms.
"""

import argparse
import datetime
import os
import random
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, database_url, setup_django  # noqa: E402

SLUG = "bench-cc"
OWNER = "bench-cc-owner@example.com"
AGENTS = 200
QUEUES = 10
DAYS = 7
POLL_SECONDS = 5.0  # the page's htmx poll (callcentre.views.wallboard.REFRESH_SECONDS)
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/crm_h_cckpi_bench"


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def generate(calls_total: int):
    """The workspace, its owner, 200 agents, 10 queues with targets, a session per agent and
    day, and `calls_total` calls over the last DAYS days (once)."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from callcentre.models import AgentSession, Call, QueueTarget
    from service.models import Queue
    from workspaces.models import Membership, Workspace
    from workspaces.scoping import workspace_scope

    User = get_user_model()
    workspace = Workspace.objects.filter(slug=SLUG).first()
    if workspace is None:
        workspace = Workspace.objects.create(name="Bench call centre", slug=SLUG, time_zone="UTC")
    owner = User.objects.filter(email=OWNER).first()
    if owner is None:
        owner = User.objects.create_user(email=OWNER, password="bench-pass-2026")
        Membership.all_workspaces.create(workspace=workspace, user=owner, role="owner")
    with workspace_scope(workspace):
        if Call.objects.filter(workspace=workspace).count() >= calls_total:
            return workspace
        started = time.perf_counter()
        rng = random.Random(23)
        agents = User.objects.bulk_create(
            User(email=f"bench-cc-agent{i}@example.com", first_name=f"Agent {i}")
            for i in range(AGENTS)
        )
        Membership.all_workspaces.bulk_create(
            Membership(workspace=workspace, user=a, role="service") for a in agents
        )
        queues = Queue.objects.bulk_create(
            Queue(workspace=workspace, name=f"Queue {i}") for i in range(QUEUES)
        )
        QueueTarget.objects.bulk_create(QueueTarget(workspace=workspace, queue=q) for q in queues)
        now = timezone.now()
        sessions = []
        for back in range(DAYS):
            day = (now - datetime.timedelta(days=back)).replace(hour=7, minute=0, second=0)
            for agent in agents:
                end = day + datetime.timedelta(hours=8)
                sessions.append(
                    AgentSession(
                        workspace=workspace,
                        agent=agent,
                        started_at=day,
                        ended_at=end if end < now else None,
                    )
                )
        AgentSession.objects.bulk_create(sessions, batch_size=2000)
        span = DAYS * 86400
        batch = []
        for i in range(calls_total):
            offered = now - datetime.timedelta(seconds=rng.randrange(60, span))
            queued = offered + datetime.timedelta(seconds=10)
            wait = int(rng.expovariate(1 / 25))
            call = Call(
                workspace=workspace,
                direction="inbound",
                provider="bench",
                provider_call_id=f"b{i}",
                queue=rng.choice(queues),
                caller_number=f"+4930{rng.randrange(40000):06d}",
                offered_at=offered,
                queued_at=queued,
                wait_seconds=wait,
            )
            if rng.random() < 0.08:
                call.status = "abandoned"
                call.abandoned_at = queued + datetime.timedelta(seconds=wait)
            else:
                call.status = "ended"
                call.agent = rng.choice(agents)
                call.answered_at = queued + datetime.timedelta(seconds=wait)
                call.talk_seconds = rng.randint(30, 600)
                call.wrap_seconds = rng.randint(5, 60)
                call.ended_at = call.answered_at + datetime.timedelta(seconds=call.talk_seconds)
            batch.append(call)
            if len(batch) == 5000:
                Call.objects.bulk_create(batch)
                batch = []
        for i in range(30):  # waiting and talking right now
            offered = now - datetime.timedelta(seconds=rng.randint(20, 200))
            batch.append(
                Call(
                    workspace=workspace,
                    direction="inbound",
                    provider="bench",
                    provider_call_id=f"open{i}",
                    queue=rng.choice(queues),
                    status="offered" if i < 12 else "answered",
                    agent=None if i < 12 else agents[i],
                    offered_at=offered,
                    queued_at=offered + datetime.timedelta(seconds=10),
                    answered_at=None if i < 12 else now,
                )
            )
        Call.objects.bulk_create(batch)
        print(f"generated {calls_total:,} calls in {time.perf_counter() - started:.0f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE callcentre_call")
        cursor.execute("VACUUM ANALYZE callcentre_agentsession")
    return workspace


def uncached(workspace, runs=20):
    """(median ms, p95 ms, queries) of wallboard_data in-process, without the cache."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from callcentre.selectors.wallboard import wallboard_data
    from workspaces.scoping import workspace_scope

    times = []
    with workspace_scope(workspace):
        for run in range(runs + 2):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                wallboard_data(workspace=workspace)
            if run >= 2:
                times.append((time.perf_counter() - started) * 1000)
    return percentile(times, 0.5), percentile(times, 0.95), len(queries)


def session_cookie() -> str:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(email=OWNER))
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


def poll(urls, cookie, seconds, clients):
    """`clients` threads, each fetching its URL every POLL_SECONDS (± jitter) for `seconds`;
    returns the request times (ms) and the number of errors."""
    times, errors = [], []
    lock = threading.Lock()
    stop_at = time.time() + seconds

    def client(n):
        rng = random.Random(n)
        url = urls[n % len(urls)]
        request = urllib.request.Request(
            url, headers={"Cookie": f"sessionid={cookie}", "HX-Request": "true"}
        )
        time.sleep(rng.uniform(0, POLL_SECONDS))
        while time.time() < stop_at:
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    answer.read()
                    ok = answer.status == 200
            except Exception:
                ok = False
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                (times if ok else errors).append(elapsed)
            time.sleep(max(POLL_SECONDS + rng.uniform(-0.5, 0.5) - elapsed / 1000, 0))

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times, errors


def poll_sequential(url, cookie, count):
    """One client, `count` requests one after another: the fragment's time without queueing."""
    request = urllib.request.Request(url, headers={"Cookie": f"sessionid={cookie}"})
    times = []
    for _n in range(count):
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as answer:
            answer.read()
        times.append((time.perf_counter() - started) * 1000)
    return times, []


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=50_000)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4, help="threads per worker, 2nd run")
    args = parser.parse_args()
    os.environ.setdefault("BENCH_DATABASE_URL", DEFAULT_DB)
    cache_url = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/10")
    os.environ["CACHE_URL"] = cache_url
    setup_django()
    from django.core.management import call_command

    from service.models import Queue
    from workspaces.scoping import workspace_scope

    call_command("migrate", verbosity=0)
    workspace = generate(args.calls)
    cold_median, cold_p95, queries = uncached(workspace)
    with workspace_scope(workspace):
        some = list(
            Queue.objects.filter(workspace=workspace)
            .order_by("pk")
            .values_list("pk", flat=True)[:3]
        )
    cookie = session_cookie()
    env = dict(
        os.environ,
        DATABASE_URL=database_url(),
        CACHE_URL=cache_url,
        DEBUG="true",
        ALLOWED_HOSTS="127.0.0.1",
    )
    rows = []
    for threads in (1, args.threads):
        server = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "bench.segments_wsgi:application",
                f"--bind=127.0.0.1:{args.port}",
                f"--workers={args.workers}",
                f"--threads={threads}",
                "--log-level=warning",
            ],
            cwd=ROOT,
            env=env,
        )
        try:
            base = f"http://127.0.0.1:{args.port}"
            wait_for(f"{base}/healthz")
            board = f"{base}/w/{SLUG}/callcentre/wallboard/board/"
            urls = [board, board + "?" + "&".join(f"queue={q}" for q in some)]
            poll(urls, cookie, 5, 10)  # warm-up
            kind = "sync" if threads == 1 else f"gthread, {threads} threads each"
            if threads == 1:
                alone, _e = poll_sequential(urls[0], cookie, 100)
                rows.append((f"1 client, one request after another ({kind})", alone, []))
            times, errors = poll(urls, cookie, args.seconds, args.clients)
            rows.append(
                (f"{args.clients} pollers every {POLL_SECONDS:.0f} s ({kind})", times, errors)
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    load = os.getloadavg()
    p95 = percentile(rows[1][1], 0.95)
    lines = [
        f"# Wallboard benchmark, {datetime.date.today()}",
        "",
        f"{args.calls:,} calls over {DAYS} days, {AGENTS} agents, {QUEUES} queues (workspace "
        f"`{SLUG}`), PostgreSQL, shared cache on Redis. {args.clients} clients poll the fragment",
        f"every {POLL_SECONDS:.0f} s (half every queue, half a set of three) for {args.seconds} s "
        f"through gunicorn ({args.workers} workers); load average {load[0]:.1f} / {load[1]:.1f} / "
        f"{load[2]:.1f}.",
        "",
        "| measure | requests | median ms | p95 ms | max ms | errors |",
        "|---|---:|---:|---:|---:|---:|",
        *(
            f"| {label} | {len(t)} | {percentile(t, 0.5):.1f} | {percentile(t, 0.95):.1f} | "
            f"{max(t):.1f} | {len(e)} |"
            for label, t, e in rows
        ),
        f"| board computed without the cache (in-process, {queries} queries) | 20 | "
        f"{cold_median:.1f} | {cold_p95:.1f} | | |",
        "",
        f"Target: p95 of the fragment <= 50 ms with {args.clients} pollers (sync workers) — "
        f"{'met' if p95 <= 50 else 'missed'}.",
    ]
    report = "\n".join(lines)
    print(report)
    out = ROOT / "bench" / "results" / f"{datetime.date.today()}-wallboard.md"
    out.write_text(report + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
