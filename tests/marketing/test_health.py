"""The sending queue's health: depth, the age of the oldest waiting delivery, the alert after
10 minutes (a frozen clock: every check is given its `now`), the admins' alert mail, the
last run of each periodic task and the operator's page."""

import datetime
import logging

import pytest
from celery import shared_task
from django.core import mail
from django.urls import reverse

from marketing.models import CampaignStatus, Delivery, DeliveryStatus, QueueAlert, TaskRun
from marketing.periodic import ab_decide_due_task, queue_health_check_task
from marketing.selectors.health import periodic_tasks, queue_health
from marketing.services.health import queue_alert_check, workspaces_with_late_queues
from tests.factories import MembershipFactory
from tests.marketing.factories import CampaignFactory
from tests.marketing.report_data import delivery_make
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)


def _queued(workspace, campaign, *, created=T0, next_attempt_at=None, status=DeliveryStatus.QUEUED):
    delivery = delivery_make(workspace, campaign, status=status, next_attempt_at=next_attempt_at)
    Delivery.all_workspaces.filter(pk=delivery.pk).update(created_at=created)
    return delivery


def _campaign(workspace, status=CampaignStatus.SENDING):
    return CampaignFactory(workspace=workspace, status=status, launched_at=T0)


@pytest.mark.in_scope
def test_queue_depth_and_the_oldest_waiting_delivery(workspace):
    campaign = _campaign(workspace)
    _queued(workspace, campaign, next_attempt_at=T0)
    _queued(workspace, campaign, next_attempt_at=T0 + datetime.timedelta(minutes=4))
    _queued(workspace, campaign, next_attempt_at=T0 + datetime.timedelta(hours=1))  # a retry later
    _queued(workspace, campaign, status=DeliveryStatus.SENDING)
    _queued(workspace, campaign, status=DeliveryStatus.PENDING)
    health = queue_health(workspace=workspace, now=T0 + datetime.timedelta(minutes=10))
    assert (health.queued, health.due, health.sending, health.pending) == (3, 2, 1, 1)
    assert health.depth == 4
    assert health.oldest_since == T0
    assert health.oldest_age == datetime.timedelta(minutes=10)
    assert not health.late  # exactly 10 minutes is not "over 10 minutes"
    later = queue_health(workspace=workspace, now=T0 + datetime.timedelta(minutes=10, seconds=1))
    assert later.late


@pytest.mark.in_scope
def test_a_retry_waits_from_its_due_time_and_paused_campaigns_wait_on_purpose(workspace):
    _queued(workspace, _campaign(workspace), next_attempt_at=T0 + datetime.timedelta(minutes=8))
    _queued(workspace, _campaign(workspace, CampaignStatus.PAUSED), next_attempt_at=T0)
    health = queue_health(workspace=workspace, now=T0 + datetime.timedelta(minutes=15))
    assert health.oldest_since == T0 + datetime.timedelta(minutes=8)
    assert not health.late
    assert health.queued == 1  # the paused campaign's delivery is not counted


@pytest.fixture
def admins(workspace):
    return [
        MembershipFactory(workspace=workspace, role=Role.OWNER).user,
        MembershipFactory(workspace=workspace, role=Role.ADMIN).user,
        MembershipFactory(workspace=workspace, role=Role.MARKETING).user,
    ]


def _check(workspace, minutes, capture):
    with workspace_scope(workspace), capture(execute=True):
        return queue_alert_check(workspace=workspace, now=T0 + datetime.timedelta(minutes=minutes))


def test_the_alert_mails_owners_and_admins_once_an_hour_and_clears(
    workspace, admins, caplog, django_capture_on_commit_callbacks
):
    with workspace_scope(workspace):
        delivery = _queued(workspace, _campaign(workspace), next_attempt_at=T0)
    owner, admin, marketer = admins
    assert not _check(workspace, 10, django_capture_on_commit_callbacks).late
    assert mail.outbox == []
    with caplog.at_level(logging.WARNING, logger="marketing.health"):
        assert _check(workspace, 11, django_capture_on_commit_callbacks).late
    assert "deliveries wait" in caplog.text
    assert sorted(m.to[0] for m in mail.outbox) == sorted([owner.email, admin.email])
    assert "11 minutes" in mail.outbox[0].body
    _check(workspace, 40, django_capture_on_commit_callbacks)  # still late: no second mail yet
    assert len(mail.outbox) == 2
    _check(workspace, 72, django_capture_on_commit_callbacks)  # an hour after the first
    assert len(mail.outbox) == 4
    alert = QueueAlert.all_workspaces.get(workspace=workspace)
    assert alert.raised_at == T0 + datetime.timedelta(minutes=11)
    Delivery.all_workspaces.filter(pk=delivery.pk).update(status=DeliveryStatus.SENT)
    _check(workspace, 80, django_capture_on_commit_callbacks)
    alert.refresh_from_db()
    assert alert.raised_at is None and alert.cleared_at == T0 + datetime.timedelta(minutes=80)
    assert len(mail.outbox) == 4


def test_the_beat_checks_only_workspaces_with_late_queues(workspace, other_workspace, admins):
    with workspace_scope(workspace):
        late = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=30)
        _queued(workspace, _campaign(workspace), created=late, next_attempt_at=late)
    with workspace_scope(other_workspace):
        fresh = datetime.datetime.now(datetime.UTC)
        _queued(other_workspace, _campaign(other_workspace), created=fresh, next_attempt_at=fresh)
    assert workspaces_with_late_queues() == [workspace.pk]
    assert queue_health_check_task.apply().get() == 1
    assert QueueAlert.all_workspaces.get(workspace=workspace).raised_at is not None
    assert not QueueAlert.all_workspaces.filter(workspace=other_workspace).exists()


@shared_task(name="tests.marketing.failing_beat_task")
def failing_beat_task():
    raise RuntimeError("broker gone\nsecond line")


def test_each_beat_task_run_is_recorded(settings):
    settings.CELERY_BEAT_SCHEDULE = {
        **settings.CELERY_BEAT_SCHEDULE,
        "failing": {"task": "tests.marketing.failing_beat_task", "schedule": 60.0},
    }
    assert {t.name: t.run for t in periodic_tasks()}["marketing.ab_decide_due"] is None
    ab_decide_due_task.apply()
    ab_decide_due_task.apply()
    run = TaskRun.objects.get(name="marketing.ab_decide_due")
    assert (run.runs, run.last_succeeded, run.last_error) == (2, True, "")
    assert run.last_finished_at >= run.last_started_at
    failing_beat_task.apply(throw=False)
    failed = TaskRun.objects.get(name="tests.marketing.failing_beat_task")
    assert (failed.last_succeeded, failed.last_error) == (False, "RuntimeError: broker gone")
    tasks = {t.name: t for t in periodic_tasks()}
    assert not tasks["marketing.ab_decide_due"].overdue
    assert tasks["contacts.jobs_sweep"].overdue  # never ran


def test_health_page_shows_the_queue_the_alert_and_the_tasks(client_for, workspace):
    with workspace_scope(workspace):
        late = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=25)
        _queued(workspace, _campaign(workspace), created=late, next_attempt_at=late)
    url = reverse("marketing:health", kwargs={"ws": workspace.slug})
    response = client_for(Role.ADMIN).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="queue-alert"' in html
    assert 'data-figure="depth">1<' in html
    assert 'data-task="marketing.queue_health_check"' in html
    assert client_for(Role.MARKETING).get(url).status_code in (403, 404)


def test_health_page_is_calm_without_waiting_deliveries(client_for, workspace):
    url = reverse("marketing:health", kwargs={"ws": workspace.slug})
    html = client_for(Role.OWNER).get(url).content.decode()
    assert 'data-testid="queue-ok"' in html
