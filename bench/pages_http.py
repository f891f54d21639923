"""The contact list (or any page) through HTTP: gunicorn serving the project on the benchmark
database, a logged-in client at 1 and at 16 concurrent users.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench \\
        .venv/bin/python bench/pages_http.py [--path contacts/] [--seconds 20] [--port 8220]

Starts gunicorn (`--workers`, default 2, sync; bench/segments_wsgi.py, the project's WSGI
application with the query log off) on a local port, logs the owner in (a session cookie),
then for each concurrency keeps that many threads requesting the page back to back for
`--seconds` after a warm-up: requests per second, median and p95 latency in ms, and the load
average, printed as a Markdown table row. A small stand-in until the HTTP benchmark of
`make bench` measures every page this way.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import MAIN_SLUG, ROOT, database_url, setup_django  # noqa: E402
from bench.segments import session_cookie, wait_for  # noqa: E402


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))]


def hammer(url, cookie, users, seconds):
    """`users` threads GET `url` back to back for `seconds`: (requests/s, latencies in ms,
    errors)."""
    latencies, errors, lock = [], [0], threading.Lock()
    stop = time.perf_counter() + seconds

    def user():
        opener = urllib.request.build_opener()
        opener.addheaders = [("Cookie", f"sessionid={cookie}")]
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                with opener.open(url, timeout=30) as response:
                    response.read()
                    ok = response.status == 200
            except Exception:
                ok = False
            with lock:
                if ok:
                    latencies.append((time.perf_counter() - started) * 1000)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=user) for _ in range(users)]
    begun = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return len(latencies) / (time.perf_counter() - begun), latencies, errors[0]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--path", default="contacts/", help="page path inside the workspace")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--users", default="1,16")
    parser.add_argument("--port", type=int, default=8220)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    setup_django()
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
        url = f"{base}/w/{MAIN_SLUG}/{args.path}"
        hammer(url, cookie, 2, 3)  # warm-up: both workers load their templates
        print("| page | users | req/s | median ms | p95 ms | errors | load average |")
        print("|---|---:|---:|---:|---:|---:|---|")
        for users in (int(u) for u in args.users.split(",")):
            rate, latencies, errors = hammer(url, cookie, users, args.seconds)
            load = " ".join(f"{x:.1f}" for x in os.getloadavg())
            print(
                f"| {args.path} | {users} | {rate:.1f} | {statistics.median(latencies):.1f} | "
                f"{percentile(latencies, 0.95):.1f} | {errors} | {load} |",
                flush=True,
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
