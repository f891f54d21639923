"""The webhooks pages: list with health, create/edit with the address check, the endpoint
page (secret, deliveries by status), rotate, test event, delivery and replay; permissions
and query counts with rows on the page."""

import pytest
from django.utils import timezone

from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEvent
from workspaces.roles import Role

from .helpers import endpoint_make

pytestmark = [pytest.mark.django_db]


def _url(workspace, tail=""):
    return f"/w/{workspace.slug}/webhooks/{tail}"


def _deliveries(workspace, endpoint, n, status=DeliveryStatus.SUCCEEDED):
    rows = []
    for i in range(n):
        event = WebhookEvent.all_workspaces.create(
            workspace=workspace,
            msg_id=f"msg_page{endpoint.pk}_{i}_{status}",
            type="contact.created",
            payload={"type": "contact.created", "data": {"id": i}},
            source_seq=1000 + i if status == DeliveryStatus.SUCCEEDED else None,
        )
        rows.append(
            WebhookDelivery.all_workspaces.create(
                workspace=workspace,
                endpoint=endpoint,
                event=event,
                status=status,
                attempts=1,
                last_attempt_at=timezone.now(),
                last_status_code=200 if status == DeliveryStatus.SUCCEEDED else 500,
            )
        )
    return rows


@pytest.fixture
def allow_private(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True


def test_the_list_shows_each_endpoints_health_in_few_queries(
    workspace, owner_client, allow_private, django_assert_max_num_queries
):
    ok = endpoint_make(workspace, url="http://127.0.0.1:9/ok")
    WebhookEndpoint.all_workspaces.filter(pk=ok.pk).update(last_success_at=timezone.now())
    failing = endpoint_make(workspace, url="http://127.0.0.1:9/failing")
    WebhookEndpoint.all_workspaces.filter(pk=failing.pk).update(failing_since=timezone.now())
    gone = endpoint_make(workspace, url="http://127.0.0.1:9/gone")
    WebhookEndpoint.all_workspaces.filter(pk=gone.pk).update(
        enabled=False, disabled_reason="The endpoint answered 410 Gone."
    )
    with django_assert_max_num_queries(12):
        page = owner_client.get(_url(workspace))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.count('data-testid="endpoint-row"') == 3
    for state in ("ok", "failing", "disabled"):
        assert f'data-testid="health-{state}"' in html
    assert "410 Gone" in html
    assert 'data-testid="failing-banner"' not in html  # no notice sent yet


def test_the_settings_tabs_show_webhooks_to_admins_only(workspace, owner_client, client_for):
    page = owner_client.get(f"/w/{workspace.slug}/settings/")
    assert page.status_code == 200
    assert f'href="{_url(workspace)}"'.encode() in page.content
    sales = client_for(Role.SALES)
    assert sales.get(_url(workspace)).status_code == 403
    manager = client_for(Role.MANAGER)
    assert manager.get(_url(workspace)).status_code == 403


def test_create_subscribes_with_a_fresh_secret(workspace, owner_client, allow_private):
    answer = owner_client.post(
        _url(workspace, "new/"),
        {
            "url": "http://127.0.0.1:9/in",
            "description": "Shop",
            "event_types": ["contact.created", "deal.won"],
            "enabled": "on",
        },
    )
    endpoint = WebhookEndpoint.all_workspaces.get(workspace=workspace)
    assert answer.status_code == 302
    assert answer["Location"] == _url(workspace, f"{endpoint.pk}/")
    assert endpoint.event_types == ["contact.created", "deal.won"]
    assert endpoint.secret.startswith("whsec_") and endpoint.enabled
    page = owner_client.get(answer["Location"])
    assert endpoint.secret.encode() in page.content
    assert b"data-copy" in page.content and b"js/webhooks.js" in page.content


def test_a_private_address_is_a_form_error_when_not_allowed(workspace, owner_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    answer = owner_client.post(
        _url(workspace, "new/"),
        {"url": "https://127.0.0.1/in", "event_types": ["contact.created"], "enabled": "on"},
    )
    assert answer.status_code == 200
    assert "address not allowed" in answer.content.decode()
    assert not WebhookEndpoint.all_workspaces.exists()
    answer = owner_client.post(
        _url(workspace, "new/"), {"url": "https://hooks.example/in", "enabled": "on"}
    )
    assert answer.status_code == 200 and not WebhookEndpoint.all_workspaces.exists()


def test_edit_disables_and_enabling_again_clears_the_failure(
    workspace, owner_client, allow_private
):
    endpoint = endpoint_make(workspace, url="http://127.0.0.1:9/in")
    WebhookEndpoint.all_workspaces.filter(pk=endpoint.pk).update(
        enabled=False,
        disabled_at=timezone.now(),
        disabled_reason="Every attempt failed for 5 days.",
        failing_since=timezone.now(),
        notice_sent_at=timezone.now(),
    )
    page = owner_client.get(_url(workspace, f"{endpoint.pk}/edit/"))
    assert b"Every attempt failed for 5 days." in page.content
    answer = owner_client.post(
        _url(workspace, f"{endpoint.pk}/edit/"),
        {"url": "http://127.0.0.1:9/new", "event_types": ["case.created"], "enabled": "on"},
    )
    assert answer.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.url == "http://127.0.0.1:9/new"
    assert endpoint.event_types == ["case.created"]
    assert endpoint.enabled and endpoint.disabled_reason == ""
    assert endpoint.failing_since is None and endpoint.notice_sent_at is None


def test_rotate_makes_a_new_secret_and_keeps_the_old_one_for_a_day(
    workspace, owner_client, allow_private
):
    endpoint = endpoint_make(workspace, url="http://127.0.0.1:9/in")
    old = endpoint.secret
    assert owner_client.get(_url(workspace, f"{endpoint.pk}/rotate/")).status_code == 302
    assert WebhookEndpoint.all_workspaces.get(pk=endpoint.pk).secret == old  # GET changes nothing
    answer = owner_client.post(_url(workspace, f"{endpoint.pk}/rotate/"))
    assert answer.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.secret != old and endpoint.previous_secret == old
    hours = (endpoint.previous_secret_until - timezone.now()).total_seconds() / 3600
    assert 23.9 < hours <= 24


def test_the_endpoint_page_pages_and_filters_deliveries_in_few_queries(
    workspace, owner_client, allow_private, django_assert_max_num_queries
):
    endpoint = endpoint_make(workspace, url="http://127.0.0.1:9/in")
    _deliveries(workspace, endpoint, 30)
    failed = _deliveries(workspace, endpoint, 3, status=DeliveryStatus.FAILED)
    with django_assert_max_num_queries(12):
        page = owner_client.get(_url(workspace, f"{endpoint.pk}/"))
    html = page.content.decode()
    assert html.count('data-testid="delivery-row"') == 25
    assert "cursor=" in html  # a next page
    page = owner_client.get(_url(workspace, f"{endpoint.pk}/?status=failed"))
    html = page.content.decode()
    assert html.count('data-testid="delivery-row"') == 3
    for row in failed:
        assert row.event.msg_id in html


def test_the_delivery_page_shows_request_and_response(
    workspace, owner_client, allow_private, django_assert_max_num_queries
):
    endpoint = endpoint_make(workspace, url="http://127.0.0.1:9/in")
    [delivery] = _deliveries(workspace, endpoint, 1, status=DeliveryStatus.FAILED)
    with django_assert_max_num_queries(10):
        page = owner_client.get(_url(workspace, f"deliveries/{delivery.pk}/"))
    html = page.content.decode()
    assert delivery.event.msg_id in html
    assert 'data-testid="status-code">500' in html
    assert 'data-testid="replay"' in html
    assert "contact.created" in html


def test_replay_and_test_event_from_the_pages_reach_the_receiver(
    workspace, owner_client, receiver, django_capture_on_commit_callbacks
):
    endpoint = endpoint_make(workspace, url=receiver.url)
    [failed] = _deliveries(workspace, endpoint, 1, status=DeliveryStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        answer = owner_client.post(_url(workspace, f"deliveries/{failed.pk}/replay/"))
    replay = WebhookDelivery.all_workspaces.exclude(pk=failed.pk).get(endpoint=endpoint)
    assert answer["Location"] == _url(workspace, f"deliveries/{replay.pk}/")
    assert replay.status == DeliveryStatus.SUCCEEDED  # the task ran (eager) after commit
    assert receiver.requests[0][0]["webhook-id"] == failed.event.msg_id
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(_url(workspace, f"{endpoint.pk}/test/"))
    assert b'"webhook.test"' in receiver.requests[1][1]
