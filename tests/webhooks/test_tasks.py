"""The beat tasks in-process (eager): the dispatch fan-out reaches only workspaces whose
cursor is behind, and the sweeper sends a due delivery whose message was lost."""

import datetime

import pytest
from django.utils import timezone

from contacts.services.contacts import contact_create
from tests.factories import WorkspaceFactory
from webhooks.models import DeliveryStatus, WebhookDelivery
from webhooks.tasks import webhooks_dispatch_task, webhooks_sweep_task
from workspaces.scoping import workspace_scope

from .helpers import endpoint_make, events_of

pytestmark = [pytest.mark.django_db]


def test_the_dispatch_fan_out_runs_only_where_the_cursor_is_behind(workspace, owner, receiver):
    endpoint_make(workspace, url=receiver.url, types=["contact.created"])
    quiet = WorkspaceFactory(slug="quiet")
    endpoint_make(quiet, url=receiver.url, types=["contact.created"])
    never = WorkspaceFactory(slug="never")  # no endpoint, no cursor
    with workspace_scope(never):
        contact_create(workspace=never, actor=None, first_name="Nobody")
    webhooks_dispatch_task()  # past the endpoints' own change events (no webhook for them)
    assert webhooks_dispatch_task() == 0
    with workspace_scope(workspace):
        contact_create(workspace=workspace, actor=owner, first_name="Ann")
    assert webhooks_dispatch_task() == 1
    assert len(events_of(workspace, "contact.created")) == 1
    assert events_of(quiet) == [] and events_of(never) == []
    assert webhooks_dispatch_task() == 0


def test_the_sweeper_sends_a_due_delivery_whose_message_was_lost(
    workspace, owner, receiver, django_capture_on_commit_callbacks
):
    endpoint = endpoint_make(workspace, url=receiver.url, types=["contact.created"])
    with workspace_scope(workspace):
        contact_create(workspace=workspace, actor=owner, first_name="Ann")
    webhooks_dispatch_task()  # its queued send is dropped (no commit in this test)
    delivery = WebhookDelivery.all_workspaces.get(endpoint=endpoint)
    assert receiver.requests == []
    WebhookDelivery.all_workspaces.filter(pk=delivery.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=20)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks_sweep_task() == 1
    assert WebhookDelivery.all_workspaces.get(pk=delivery.pk).status == DeliveryStatus.SUCCEEDED
    assert len(receiver.requests) == 1
    assert webhooks_sweep_task() == 0  # nothing open any more
