"""A campaign send survives a worker killed mid-batch (SIGKILL) and a Redis that comes back
empty: after a new worker starts and the beat's sweep runs, every recipient has exactly one
message at the SMTP sink (one Message-ID per recipient, no address twice).

Needs a real worker and `redis-server` (CI stage 2); the test's own Redis is restarted, the
shared broker is not touched.
"""

import signal
import uuid
from collections import Counter

import pytest

from marketing.models import Campaign, CampaignStatus, Delivery, DeliveryStatus
from marketing.services.campaigns import campaign_create, campaign_launch
from marketing.tasks import sweep_task
from tests.contacts.factories import ContactFactory
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.faults.conftest import log_tail, wait_for
from tests.marketing.factories import SegmentFactory, SegmentMemberFactory, SenderIdentityFactory
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [
    pytest.mark.worker,
    pytest.mark.redis_server,
    pytest.mark.django_db(transaction=True),
]

RECIPIENTS = 8
# a claim older than this is a dead worker's (production: 600 s, longer than a batch runs)
STALE_CLAIM_SECONDS = 3


def _campaign(n: int):
    workspace = WorkspaceFactory(name="Faults GmbH", slug=f"faults-{uuid.uuid4().hex[:6]}")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    segment = SegmentFactory(workspace=workspace, kind="static")
    for i in range(n):
        contact = ContactFactory(
            workspace=workspace,
            first_name=f"Ann{i}",
            email=f"ann{i}@example.org",
            email_opt_in=True,
        )
        SegmentMemberFactory(workspace=workspace, segment=segment, contact=contact)
    with workspace_scope(workspace):
        campaign = campaign_create(
            workspace=workspace,
            actor=owner,
            segments=[segment],
            name="Promised offer",
            subject="Hello {{ first_name }}",
            text_body="Your offer, {{ first_name }}",
            sender=SenderIdentityFactory(workspace=workspace),
        )
    return workspace, owner, campaign


def _status(campaign) -> str:
    return Campaign.all_workspaces.get(pk=campaign.pk).status


def test_a_killed_worker_and_an_emptied_broker_lose_and_duplicate_no_message(
    smtp_server, redis_server, fault_workers
):
    inbox = smtp_server.inbox
    inbox.hold_at = 3  # the worker is killed while the third message waits in DATA
    workspace, owner, campaign = _campaign(RECIPIENTS)
    worker_env = {
        "MARKETING_BATCH_SIZE": 5,
        "MARKETING_SEND_CONCURRENCY": 1,
        "MARKETING_STALE_CLAIM_SECONDS": STALE_CLAIM_SECONDS,
    }
    first = fault_workers(**worker_env)
    with workspace_scope(workspace):
        campaign_launch(workspace=workspace, actor=owner, campaign=campaign)  # queued on commit
    assert wait_for(inbox.held.is_set, first), log_tail(first)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    inbox.release()  # its client is gone: the held message is not accepted
    assert wait_for(lambda: inbox.seen >= 3, seconds=10)
    rows = Delivery.all_workspaces.filter(campaign=campaign)
    assert rows.filter(status=DeliveryStatus.SENT).count() == 2
    assert rows.filter(status=DeliveryStatus.SENDING).count() == 3  # the dead worker's claims

    redis_server.restart()  # the broker comes back empty: the unacked batch message is gone
    assert redis_server.queued() == 0
    second = fault_workers(**worker_env)
    assert wait_for(lambda: " ready." in second.log.read_text(), second), log_tail(second)
    redis_server.restart()  # and again, under the running worker: it must reconnect
    # the beat's periodic sweep (every minute in production) is the only recovery left
    assert wait_for(lambda: _claims_stale(campaign), seconds=STALE_CLAIM_SECONDS + 5)
    sweep_task.delay()
    assert wait_for(lambda: _status(campaign) == CampaignStatus.SENT, second, seconds=60), log_tail(
        second
    )

    addresses = inbox.addresses()
    assert sorted(addresses) == sorted(f"ann{i}@example.org" for i in range(RECIPIENTS))
    per_recipient = Counter(
        (rcpts[0], message["Message-ID"]) for _from, rcpts, message, _raw in inbox.messages
    )
    assert len(per_recipient) == RECIPIENTS and set(per_recipient.values()) == {1}
    stored = dict(rows.values_list("address", "message_id"))
    assert {rcpts[0]: msg["Message-ID"] for _f, rcpts, msg, _r in inbox.messages} == stored
    assert rows.filter(status=DeliveryStatus.SENT).count() == RECIPIENTS


def _claims_stale(campaign) -> bool:
    import datetime

    from django.utils import timezone

    cutoff = timezone.now() - datetime.timedelta(seconds=STALE_CLAIM_SECONDS)
    claims = Delivery.all_workspaces.filter(campaign=campaign, status=DeliveryStatus.SENDING)
    return not claims.filter(claimed_at__gt=cutoff).exists()


def test_a_worker_killed_after_the_server_took_a_message_resends_it_under_its_message_id(
    smtp_server, redis_server, fault_workers
):
    """The one window SMTP leaves (sending.py's module text): the server stored the message,
    the worker died before its 250 arrived. The message is sent again (never lost) with the
    same Message-ID, so the recipient's mail system can tell the copy; every other recipient
    gets exactly one."""
    inbox = smtp_server.inbox
    inbox.hold_accepted_at = 3
    workspace, owner, campaign = _campaign(6)
    worker_env = {
        "MARKETING_BATCH_SIZE": 5,
        "MARKETING_SEND_CONCURRENCY": 1,
        "MARKETING_STALE_CLAIM_SECONDS": STALE_CLAIM_SECONDS,
    }
    first = fault_workers(**worker_env)
    with workspace_scope(workspace):
        campaign_launch(workspace=workspace, actor=owner, campaign=campaign)
    assert wait_for(inbox.held.is_set, first), log_tail(first)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    inbox.release()
    second = fault_workers(**worker_env)
    assert wait_for(lambda: _claims_stale(campaign), seconds=STALE_CLAIM_SECONDS + 5)
    sweep_task.delay()
    assert wait_for(lambda: _status(campaign) == CampaignStatus.SENT, second, seconds=60), log_tail(
        second
    )
    copies = Counter(
        (rcpts[0], message["Message-ID"]) for _from, rcpts, message, _raw in inbox.messages
    )
    assert sorted(r for r, _m in copies) == sorted(f"ann{i}@example.org" for i in range(6))
    assert sorted(copies.values()) == [1, 1, 1, 1, 1, 2]  # the one in flight, same id twice
