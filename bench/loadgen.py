"""A small closed-loop HTTP load generator for `make bench` (bench/http_bench.py), over aiohttp.

Each of `users` simulated users sends one request, reads the whole answer, records it and sends
the next, until the run's duration is over or `max_requests` answers were recorded (closed
loop: the offered load follows the server, as wrk's connections do). A few warm-up requests
per user come first and are not recorded. The client's own CPU time (this process, user +
system) is measured over the timed part so that one can see it does not dominate.

Pure functions (`percentile`, `summarise`) need nothing but the standard library: the harness's
tests (tests/bench/) use them without a server.
"""

import asyncio
import math
import time
from collections import Counter
from dataclasses import dataclass, field

QUERIES_HEADER = "X-Bench-Queries"  # set by bench/http_wsgi.py: statements run by the request


@dataclass
class Request:
    """One scenario's request: method, path (with query string), headers, body (bytes)."""

    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass
class Sample:
    """One answered (or failed) request: latency in seconds, HTTP status (0: no answer), the
    statement count the server reported (None when it did not), when it was sent
    (time.perf_counter seconds)."""

    seconds: float
    status: int
    queries: int | None = None
    started: float = 0.0


def percentile(values: list[float], fraction: float) -> float:
    """The `fraction` (0..1) percentile of `values` by linear interpolation between the two
    nearest ranks (the "linear" method of numpy.percentile / Hyndman & Fan type 7).

    Raises ValueError for an empty list or a fraction outside 0..1."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be within 0..1, not {fraction}")
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summarise(samples: list[Sample], wall_seconds: float, client_cpu_seconds: float) -> dict:
    """The figures of one run: {"requests", "errors", "statuses" {code: n}, "median_ms",
    "p95_ms", "p99_ms", "max_ms", "min_ms", "req_per_s", "queries_median", "queries_max",
    "wall_s", "client_cpu_s", "client_cpu_pct"}.

    Latencies in milliseconds over every sample (failed ones included: a slow error is slow);
    errors are samples without an answer or with a status >= 400; req/s is requests per wall
    second of the timed part; client_cpu_pct is the client's CPU time per wall time in percent
    of one core. Latency keys are None when there are no samples."""
    times = [s.seconds * 1000 for s in samples]
    statuses = Counter(s.status for s in samples)
    queries = [s.queries for s in samples if s.queries is not None]
    result = {
        "requests": len(samples),
        "errors": sum(n for status, n in statuses.items() if status == 0 or status >= 400),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "wall_s": round(wall_seconds, 3),
        "req_per_s": round(len(samples) / wall_seconds, 1) if wall_seconds > 0 else None,
        "client_cpu_s": round(client_cpu_seconds, 3),
        "client_cpu_pct": round(100 * client_cpu_seconds / wall_seconds, 1)
        if wall_seconds > 0
        else None,
        "queries_median": percentile(queries, 0.5) if queries else None,
        "queries_max": max(queries) if queries else None,
    }
    for key, fraction in (("min_ms", 0), ("median_ms", 0.5), ("p95_ms", 0.95), ("p99_ms", 0.99)):
        result[key] = round(percentile(times, fraction), 2) if times else None
    result["max_ms"] = round(max(times), 2) if times else None
    return result


async def _user(session, base, request, seconds, budget, samples, warmup):
    import aiohttp

    url = base + request.path
    sent, stop_at = 0, None
    while True:
        timed = sent >= warmup
        if timed:
            if stop_at is None:  # this user's timed part starts now
                stop_at = time.perf_counter() + seconds
            if time.perf_counter() >= stop_at or budget[0] <= 0:
                return
            budget[0] -= 1
        started = time.perf_counter()
        status, queries = 0, None
        try:
            async with session.request(
                request.method, url, headers=request.headers, data=request.body,
                allow_redirects=False,
            ) as response:  # fmt: skip
                await response.read()
                status = response.status
                header = response.headers.get(QUERIES_HEADER)
                queries = int(header) if header and header.isdigit() else None
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        if timed:
            samples.append(Sample(time.perf_counter() - started, status, queries, started))
        sent += 1


async def _run(base, request, users, seconds, max_requests, warmup):
    import aiohttp

    connector = aiohttp.TCPConnector(limit=users)
    timeout = aiohttp.ClientTimeout(total=120)
    samples: list[Sample] = []
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        budget = [max_requests]
        cpu0, wall0 = time.process_time(), time.perf_counter()
        await asyncio.gather(
            *(_user(session, base, request, seconds, budget, samples, warmup) for _ in range(users))
        )
        cpu_pct = 100 * (time.process_time() - cpu0) / max(time.perf_counter() - wall0, 1e-9)
    return samples, cpu_pct


def timed_window(samples: list[Sample]) -> float:
    """Seconds from the first timed request sent to the last answer received (0 for none)."""
    if not samples:
        return 0.0
    return max(s.started + s.seconds for s in samples) - min(s.started for s in samples)


def run(
    base: str,
    request: Request,
    *,
    users: int,
    seconds: float,
    max_requests: int = 10**9,
    warmup: int = 2,
) -> dict:
    """Load `base` + `request.path` with `users` closed-loop users for `seconds` each (or until
    `max_requests` timed answers in all); returns `summarise`'s figures plus "users".

    `warmup` requests per user are sent first and not counted; req/s is over the timed window
    (first timed request sent to last answer). The client's CPU percentage is over the whole
    run, warm-up included. Connection errors and timeouts (120 s) count as status 0."""
    samples, cpu_pct = asyncio.run(_run(base, request, users, seconds, max_requests, warmup))
    window = timed_window(samples)
    figures = summarise(samples, window, cpu_pct * window / 100)
    figures["users"] = users
    return figures
