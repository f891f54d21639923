"""Email to case: arrival to case through the HTTP inbound endpoint (issue 21: ≤ 60 s p95).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench \
        .venv/bin/python bench/service_inbound.py [--messages 300] [--contacts 20000]

POSTs raw RFC 5322 messages with Django's test Client in-process (all middleware, the
endpoint's secret check, parsing, threading, contact lookup, case and message writes,
acknowledgement rows; mail goes to the in-memory backend) into the workspace `bench-mail`,
which gets `--contacts` contacts first so the sender lookup runs against a filled index.
The mix: every real client fixture of tests/fixtures/mail/service turned into a new message
(new Message-ID and sender), and as many replies whose In-Reply-To names an earlier
customer message, so half the arrivals thread into a case. The endpoint answers after the
transaction committed, so the request time is arrival to case. Prints median, p95 and max
in ms and the queries of one new and one threaded message.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import setup_django  # noqa: E402

SLUG = "bench-mail"
FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "mail" / "service"
SKIP = {"dsn_reply.eml", "broken.eml", "auto_reply.eml"}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def workspace_ready(contacts: int):
    from contacts.models import Contact
    from service.services.inbound_settings import inbound_secret_rotate
    from workspaces.models import Workspace
    from workspaces.scoping import workspace_scope

    workspace, _created = Workspace.objects.get_or_create(slug=SLUG, defaults={"name": "Mail"})
    with workspace_scope(workspace):
        have = Contact.objects.count()
        if have < contacts:
            Contact.objects.bulk_create(
                [
                    Contact(
                        workspace=workspace,
                        last_name=f"Person {n}",
                        email=f"person{n}@customers.example",
                        email_key=f"person{n}@customers.example",
                    )
                    for n in range(have, contacts)
                ],
                batch_size=5000,
            )
        secret = inbound_secret_rotate(workspace=workspace, actor=None)
    return workspace, secret


def new_message(template: bytes, run: str, n: int) -> tuple[bytes, str]:
    """`template` with a fresh Message-ID and sender (so it is no duplicate)."""
    msg_id = f"bench-{run}-{n}@customers.example"
    lines = []
    for line in template.split(b"\r\n"):
        lower = line.lower()
        if lower.startswith(b"message-id:"):
            line = f"Message-ID: <{msg_id}>".encode()
        elif lower.startswith(b"from:"):
            line = f"From: Customer {n} <person{n}@customers.example>".encode()
        lines.append(line)
    return b"\r\n".join(lines), msg_id


def reply_to(msg_id: str, run: str, n: int) -> bytes:
    return (
        f"From: Customer {n} <person{n}@customers.example>\r\nTo: support@acme.example\r\n"
        f"Subject: Re: my question\r\nMessage-ID: <re-{msg_id}>\r\n"
        f"In-Reply-To: <{msg_id}>\r\nReferences: <{msg_id}>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\nAny news? Thanks.\r\n"
    ).encode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--contacts", type=int, default=20000)
    args = parser.parse_args()
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    settings.ALLOWED_HOSTS = ["*"]
    workspace, secret = workspace_ready(args.contacts)
    url = reverse("service_inbound_mail", args=[SLUG])
    client = Client()
    templates = [p.read_bytes() for p in sorted(FIXTURES.glob("*.eml")) if p.name not in SKIP]
    run = str(int(time.time()))
    times, outcomes, sent_ids, queries = [], {}, [], {}
    for n in range(args.messages):
        if n % 2 == 0 or not sent_ids:
            data, msg_id = new_message(templates[n % len(templates)], run, n)
            sent_ids.append((msg_id, n))
            kind = "new"
        else:
            msg_id, who = sent_ids[(n // 2) % len(sent_ids)]
            data, kind = reply_to(msg_id, run, who), "reply"
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            response = client.post(
                url, data=data, content_type="message/rfc822",
                HTTP_AUTHORIZATION=f"Bearer {secret}",
            )  # fmt: skip
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.content
        outcome = response.json()["outcome"]
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        queries.setdefault(kind, len(captured.captured_queries))
    print(f"messages: {len(times)} {outcomes} (contacts in the workspace: {args.contacts})")
    print(
        f"arrival to case, ms: median {statistics.median(times):.1f}, "
        f"p95 {percentile(times, 0.95):.1f}, max {max(times):.1f}"
    )
    print(f"queries: new message {queries.get('new')}, threaded reply {queries.get('reply')}")
    print(f"database: {connection.settings_dict['NAME']} ({connection.vendor})")


if __name__ == "__main__":
    main()
