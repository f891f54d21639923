import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.contacts.factories import AccountFactory, ContactFactory
from touchpoints.services import interaction_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_scope(scope):
    """Services and forms run inside the workspace scope, as in a request or task."""


def url(name, **kwargs):
    return reverse(name, kwargs={"ws": "acme", **kwargs})


def record(workspace, contact, n, channel="phone", app="contacts", start=None):
    start = start or timezone.now() - datetime.timedelta(days=1)
    return [
        interaction_record(
            workspace=workspace,
            kind="call.logged",
            channel=channel,
            contact=contact,
            app=app,
            subject=f"{channel} {i}",
            occurred_at=start - datetime.timedelta(minutes=i),
        )
        for i in range(n)
    ]


def test_contact_page_shows_the_newest_touch_points_first(owner_client, workspace):
    contact = ContactFactory(workspace=workspace)
    items = record(workspace, contact, 3)
    page = owner_client.get(url("contacts:detail", pk=contact.pk)).context["timeline"]
    assert [i.pk for i in page] == [i.pk for i in items]


def test_load_more_walks_the_whole_timeline_without_repeats(owner_client, workspace):
    contact = ContactFactory(workspace=workspace)
    items = record(workspace, contact, 45)
    seen, cursor = [], None
    while True:
        params = {"cursor": cursor} if cursor else {}
        response = owner_client.get(
            url("touchpoints:contact_timeline", contact_id=contact.pk),
            params,
            HTTP_HX_REQUEST="true",
        )
        page = response.context["timeline"]
        seen += [i.pk for i in page]
        if not page.has_next:
            break
        cursor = page.next_cursor
    assert seen == [i.pk for i in items]


def test_timeline_filters_by_channel_group(owner_client, workspace):
    contact = ContactFactory(workspace=workspace)
    record(workspace, contact, 2, channel="phone")
    record(workspace, contact, 1, channel="event")
    page = owner_client.get(
        url("touchpoints:contact_timeline", contact_id=contact.pk), {"group": "face_to_face"}
    ).context["timeline"]
    assert [i.channel for i in page] == ["event"]


def test_timeline_filters_by_channel_and_app(owner_client, workspace):
    contact = ContactFactory(workspace=workspace)
    record(workspace, contact, 1, channel="email", app="marketing")
    record(workspace, contact, 1, channel="email", app="sales")
    page = owner_client.get(
        url("touchpoints:contact_timeline", contact_id=contact.pk),
        {"channel": "email", "app": "sales"},
    ).context["timeline"]
    assert [i.app for i in page] == ["sales"]


def test_load_more_returns_only_items(owner_client, workspace):
    contact = ContactFactory(workspace=workspace)
    record(workspace, contact, 25)
    first = owner_client.get(url("touchpoints:contact_timeline", contact_id=contact.pk)).context[
        "timeline"
    ]
    body = owner_client.get(
        url("touchpoints:contact_timeline", contact_id=contact.pk), {"cursor": first.next_cursor}
    ).content.decode()
    assert "timeline-filters" not in body and "timeline-item" in body


def test_account_timeline_shows_all_its_contacts(owner_client, workspace):
    account = AccountFactory(workspace=workspace)
    a = ContactFactory(workspace=workspace, account=account, last_name="Alpha")
    b = ContactFactory(workspace=workspace, account=account, last_name="Beta")
    other = ContactFactory(workspace=workspace, last_name="Gamma")
    record(workspace, a, 1)
    record(workspace, b, 1)
    record(workspace, other, 1)
    page = owner_client.get(url("touchpoints:account_timeline", account_id=account.pk)).context[
        "timeline"
    ]
    assert {i.contact_id for i in page} == {a.pk, b.pk}


def test_contact_page_queries_stay_flat_with_many_interactions(
    owner_client, workspace, django_assert_max_num_queries
):
    account = AccountFactory(workspace=workspace)
    contact = ContactFactory(workspace=workspace, account=account)
    record(workspace, contact, 300)
    # session, user, membership, contact, custom fields, tags, then one query per panel (lead
    # score 2, deals, activities, cases, suppression, journeys), the timeline and the members
    with django_assert_max_num_queries(15):
        response = owner_client.get(url("contacts:detail", pk=contact.pk))
    assert len(response.context["timeline"]) == 20


def test_touch_point_without_subject_shows_its_registered_label(owner_client, workspace):
    contact = ContactFactory(workspace=workspace)
    interaction_record(
        workspace=workspace,
        kind="deal.stage_changed",
        channel="system",
        contact=contact,
        app="sales",
        direction="internal",
    )
    body = owner_client.get(url("contacts:detail", pk=contact.pk)).content.decode()
    assert "Deal stage changed" in body
    assert "Sales" in body  # the app's registered label


def test_call_outcome_and_duration_read_like_words(owner_client, workspace):
    contact = ContactFactory(workspace=workspace)
    interaction_record(
        workspace=workspace,
        kind="call.logged",
        channel="phone",
        contact=contact,
        outcome="no_answer",
        duration_seconds=125,
    )
    body = owner_client.get(url("contacts:detail", pk=contact.pk)).content.decode()
    assert "No answer · 2:05 min" in body
