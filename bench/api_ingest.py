"""Touch point ingestion benchmark (issue 25): how long does POST /api/v1/interactions/bulk/
take for 1,000 events, and how many queries?

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_h_apicore \
        .venv/bin/python bench/api_ingest.py [--contacts 10000] [--runs 10]

Makes (once) a workspace "api-bench" with `--contacts` contacts (external id, email and phone
each), an owner's API key, then posts `--runs` batches of 1,000 new events through the WSGI
handler in-process (no network): a third matched by external id, a third by email, a third
by phone. Then posts the last batch again (all duplicates). Prints median and p95 per batch
and the queries of one batch; writes bench/results/<date>-api-ingest.md.
"""

import argparse
import datetime
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import ROOT, setup_django  # noqa: E402

SLUG = "api-bench"
BATCH = 1000


def _prepare(contacts: int):
    from django.core.management import call_command

    from api.services.keys import api_key_create
    from contacts.models import Contact
    from workspaces.models import Workspace
    from workspaces.scoping import workspace_scope

    call_command("migrate", verbosity=0)
    workspace, _created = Workspace.objects.get_or_create(
        slug=SLUG, defaults={"name": "API bench", "country": "DE"}
    )
    with workspace_scope(workspace):
        have = Contact.objects.count()
        if have < contacts:
            rows = [
                Contact(
                    workspace=workspace,
                    last_name=f"Bench {n}",
                    external_id=f"ext-{n}",
                    email=f"bench{n}@example.org",
                    phone=f"+49305{n:07d}",
                )
                for n in range(have, contacts)
            ]
            for row in rows:
                row.derived_sync()  # the email comparison keys, as save() would
            Contact.objects.bulk_create(rows, batch_size=2000)
        _api_key, key = api_key_create(workspace=workspace, actor=None, name="bench", role="owner")
    return workspace, key


def _batch(contacts: int, run: str) -> list[dict]:
    items = []
    for n in range(BATCH):
        c = (n * 7919) % contacts
        ref = [
            {"external_id": f"ext-{c}"},
            {"email": f"Bench{c}@Example.org"},
            {"phone": f"030 5{c:07d}"},
        ][n % 3]
        items.append(
            {
                "source_system": "bench",
                "event_id": f"{run}-{n}",
                "occurred_at": "2026-11-30T08:00:00Z",
                "channel": "website",
                "kind": "order.placed",
                "direction": "in",
                "subject": f"Order {n}",
                "contact": ref,
                "data": {"total": "19.90"},
            }
        )
    return items


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    setup_django()
    from django.core import signals
    from django.db import close_old_connections, connection
    from django.test import Client

    _workspace, key = _prepare(args.contacts)
    # as Django's test client does: keep the one connection across requests
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    times = []
    body = None
    for run in range(args.runs + 1):  # the first run warms up
        body = {"interactions": _batch(args.contacts, uuid.uuid4().hex[:8])}
        start = time.perf_counter()
        response = client.post("/api/v1/interactions/bulk/", body, content_type="application/json")
        elapsed = time.perf_counter() - start
        counts = response.json()["counts"]
        assert counts["created"] == BATCH, counts
        if run:
            times.append(elapsed)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    body = {"interactions": _batch(args.contacts, uuid.uuid4().hex[:8])}
    with connection.execute_wrapper(count):
        client.post("/api/v1/interactions/bulk/", body, content_type="application/json")
    start = time.perf_counter()
    again = client.post("/api/v1/interactions/bulk/", body, content_type="application/json")
    duplicate_seconds = time.perf_counter() - start
    assert again.json()["counts"]["duplicate"] == BATCH
    times.sort()
    median = statistics.median(times)
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
    lines = [
        f"# Touch point ingestion, {datetime.date.today()}",
        "",
        f"PostgreSQL, {args.contacts:,} contacts, batches of {BATCH:,} events through the "
        "WSGI handler in-process (one third each matched by external id, email, phone).",
        "",
        f"- per batch of {BATCH:,}: median {median * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms "
        f"({BATCH / median:,.0f} events/s), {args.runs} runs",
        f"- queries per batch (with the key lookup and savepoints): {len(queries)}",
        f"- the same batch again (all duplicates): {duplicate_seconds * 1000:.0f} ms",
    ]
    print("\n".join(lines))
    out = ROOT / "bench" / "results" / f"{datetime.date.today()}-api-ingest.md"
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
