"""Idempotent ingestion under concurrency (PostgreSQL): a provider retrying while the first
delivery is still being processed, or one message arriving for two of our addresses at once,
makes one entry; the unique constraints of InboundMessage decide, the loser answers
`duplicate`."""

import threading

import pytest
from django.db import connection

from service.models import Case, CaseMessage, InboundMessage, MessageKind
from service.services.inbound import inbound_ingest
from workspaces.scoping import workspace_scope

from .mail_fixtures import raw

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _together(workspace, payloads):
    barrier = threading.Barrier(len(payloads))
    outcomes = []

    def run(data):
        try:
            with workspace_scope(workspace):
                barrier.wait()
                outcomes.append(inbound_ingest(workspace=workspace, raw=data).outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(data,)) for data in payloads]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_the_same_message_at_once_from_four_deliveries_makes_one_case(workspace, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    data = raw("gmail_references.eml")
    copies = [
        data.replace(b"support@acme.example", f"box{n}@acme.example".encode(), 1) for n in range(4)
    ]
    assert _together(workspace, copies) == ["created", "duplicate", "duplicate", "duplicate"]
    with workspace_scope(workspace):
        assert InboundMessage.objects.count() == 1
        assert Case.objects.count() == 1
        assert CaseMessage.objects.filter(kind=MessageKind.CUSTOMER).count() == 1
