"""Removing a member: their calendar feed stops at once (and the feed refuses anyone who is
no longer an active member), their open records go to a successor or become unassigned,
and the choice is in the change log."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from contacts.models import Account, Contact
from sales.models import Activity, CalendarFeed, Deal, Lead, LeadStatus, StageKind
from sales.services.calendar_feeds import calendar_feed_get_or_create
from sales.services.deals import deal_move_stage
from tests.contacts.factories import AccountFactory, ContactFactory
from tests.factories import MembershipFactory, UserFactory
from tests.sales.factories import (
    ActivityFactory,
    LeadFactory,
    LostReasonFactory,
    deal_make,
    pipeline_for,
    stage_of,
)
from workspaces.models import ChangeEvent, Membership
from workspaces.roles import Role
from workspaces.services import membership_remove

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


def membership_of(user, workspace):
    return Membership.all_workspaces.get(user=user, workspace=workspace)


def remove_url(membership):
    return f"/w/acme/settings/members/{membership.pk}/remove/"


def feed_url(workspace, feed):
    return reverse("sales_calendar_ics", kwargs={"ws": workspace.slug, "token": feed.token})


@pytest.fixture
def rep(member_factory):
    return member_factory(Role.SALES)


@pytest.fixture
def rep_feed(workspace, rep):
    ActivityFactory(workspace=workspace, owner=rep, subject="Call Ina", notes="Secret plans")
    return calendar_feed_get_or_create(workspace=workspace, user=rep)


def test_removing_a_member_stops_their_feed_at_once(client, owner_client, workspace, rep, rep_feed):
    assert b"Secret plans" in client.get(feed_url(workspace, rep_feed)).content
    response = owner_client.post(remove_url(membership_of(rep, workspace)))
    assert response.status_code == 302
    assert client.get(feed_url(workspace, rep_feed)).status_code == 404
    assert not CalendarFeed.all_workspaces.filter(pk=rep_feed.pk).exists()
    assert ChangeEvent.all_workspaces.filter(
        model="sales.calendarfeed", object_id=rep_feed.pk, action="deleted"
    ).exists()


def test_the_feed_refuses_an_owner_who_is_no_member_any_more(client, workspace, rep, rep_feed):
    # a membership gone by another path than the service (e.g. an old removal)
    Membership.all_workspaces.filter(user=rep, workspace=workspace).delete()
    assert client.get(feed_url(workspace, rep_feed)).status_code == 404


def test_the_feed_refuses_a_deactivated_user(client, workspace, rep, rep_feed):
    rep.is_active = False
    rep.save(update_fields=["is_active"])
    assert client.get(feed_url(workspace, rep_feed)).status_code == 404


def test_leaving_one_workspace_keeps_the_feed_of_another(
    client, workspace, other_workspace, owner, rep
):
    MembershipFactory(workspace=other_workspace, user=rep, role=Role.SALES)
    other_feed = calendar_feed_get_or_create(workspace=other_workspace, user=rep)
    membership_remove(workspace=workspace, actor=owner, membership=membership_of(rep, workspace))
    assert client.get(feed_url(other_workspace, other_feed)).status_code == 200


@pytest.fixture
def rep_records(workspace, owner, rep):
    """Open and closed records of the rep, and one of the owner's."""
    pipeline = pipeline_for(workspace)
    won = deal_make(workspace, actor=owner, owner=rep, name="Won one")
    deal_move_stage(
        workspace=workspace, actor=owner, deal=won, stage=stage_of(pipeline, StageKind.WON)
    )
    LostReasonFactory(workspace=workspace)
    return {
        "open_deal": deal_make(workspace, actor=owner, owner=rep, name="Open one"),
        "won_deal": won,
        "open_lead": LeadFactory(workspace=workspace, owner=rep, status=LeadStatus.WORKING),
        "dead_lead": LeadFactory(workspace=workspace, owner=rep, status=LeadStatus.DISQUALIFIED),
        "open_activity": ActivityFactory(workspace=workspace, owner=rep),
        "done_activity": ActivityFactory(
            workspace=workspace, owner=rep, done_at="2026-01-01T10:00Z"
        ),
        "contact": ContactFactory(workspace=workspace, owner=rep),
        "account": AccountFactory(workspace=workspace, owner=rep),
        "owners_deal": deal_make(workspace, actor=owner, owner=owner, name="Not the rep's"),
    }


def _owner_of(row):
    return type(row).all_workspaces.get(pk=row.pk).owner


def test_open_records_go_to_the_chosen_successor(
    owner_client, workspace, owner, rep, member_factory, rep_records
):
    heir = member_factory(Role.SALES)
    open_deal_version = rep_records["open_deal"].version
    response = owner_client.post(
        remove_url(membership_of(rep, workspace)), {"successor": heir.pk}, follow=True
    )
    assert response.status_code == 200
    for key in ("open_deal", "open_lead", "open_activity", "contact", "account"):
        assert _owner_of(rep_records[key]) == heir, key
    for key in ("won_deal", "dead_lead", "done_activity"):  # history keeps its owner
        assert _owner_of(rep_records[key]) == rep, key
    assert _owner_of(rep_records["owners_deal"]) == owner
    # an edit opened before the hand-over is refused as a conflict, not silently overwritten
    assert Deal.all_workspaces.get(pk=rep_records["open_deal"].pk).version > open_deal_version
    text = response.content.decode()
    assert f"{heir} now owns" in text and "1 deal" in text and "1 contact" in text


def test_the_choice_is_in_the_change_log(owner_client, workspace, rep, member_factory, rep_records):
    heir = member_factory(Role.SALES)
    membership = membership_of(rep, workspace)
    owner_client.post(remove_url(membership), {"successor": heir.pk})
    handover = ChangeEvent.all_workspaces.get(
        model="workspaces.membership", object_id=membership.pk, action="updated"
    )
    assert handover.fields == ["handover"]
    assert handover.data["user"] == rep.pk and handover.data["successor"] == heir.pk
    assert handover.data["handed_over"] == {
        "sales.deal": 1,
        "sales.lead": 1,
        "sales.activity": 1,
        "contacts.contact": 1,
        "contacts.account": 1,
    }
    for row in ("open_deal", "open_lead", "open_activity", "contact", "account"):
        obj = rep_records[row]
        assert ChangeEvent.all_workspaces.filter(
            model=obj._meta.label_lower, object_id=obj.pk, action="updated", fields=["owner"]
        ).exists(), row
    tombstone = ChangeEvent.all_workspaces.filter(
        model="workspaces.membership", object_id=membership.pk
    ).last()
    assert tombstone.action == "deleted"


def test_without_successor_open_records_are_unassigned_and_listed_so(
    owner_client, workspace, rep, rep_records
):
    membership = membership_of(rep, workspace)
    owner_client.post(remove_url(membership), {"successor": ""})
    for key in ("open_deal", "open_lead", "open_activity", "contact", "account"):
        assert _owner_of(rep_records[key]) is None, key
    handover = ChangeEvent.all_workspaces.get(
        model="workspaces.membership", object_id=membership.pk, action="updated"
    )
    assert handover.data["successor"] is None and handover.data["unassigned"] is True
    for name in ("sales:deals", "sales:leads"):
        page = owner_client.get(reverse(name, kwargs={"ws": workspace.slug}))
        assert page.content.decode().count('data-testid="unassigned"') == 1, name
    contacts = owner_client.get("/w/acme/contacts/?owner=none")
    assert rep_records["contact"].last_name in contacts.content.decode()


def test_the_successor_must_be_another_member_of_this_workspace(
    owner_client, workspace, other_workspace, owner, rep, rep_records
):
    stranger = MembershipFactory(workspace=other_workspace, role=Role.SALES).user
    membership = membership_of(rep, workspace)
    response = owner_client.post(remove_url(membership), {"successor": stranger.pk})
    assert response.status_code == 400
    assert "successor" in response.context["form"].errors
    assert Membership.all_workspaces.filter(pk=membership.pk).exists()
    assert _owner_of(rep_records["open_deal"]) == rep
    with pytest.raises(ValidationError) as raised:
        membership_remove(workspace=workspace, actor=owner, membership=membership, successor=rep)
    assert "successor" in raised.value.message_dict
    assert _owner_of(rep_records["contact"]) == rep


def test_the_remove_page_offers_only_other_active_members(
    owner_client, workspace, other_workspace, rep, member_factory
):
    heir = member_factory(Role.MANAGER)
    gone = member_factory(Role.SALES)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    stranger = MembershipFactory(workspace=other_workspace, role=Role.SALES).user
    form = owner_client.get(remove_url(membership_of(rep, workspace))).context["form"]
    offered = set(form.fields["successor"].queryset)
    assert heir in offered
    assert not {rep, gone, stranger} & offered


def test_the_service_without_successor_unassigns_open_records_only(
    workspace, owner, rep, rep_records
):
    membership_remove(workspace=workspace, actor=owner, membership=membership_of(rep, workspace))
    assert _owner_of(rep_records["open_deal"]) is None
    assert Contact.all_workspaces.filter(owner=rep).count() == 0
    assert Account.all_workspaces.filter(owner=rep).count() == 0
    assert Lead.all_workspaces.filter(owner=rep).count() == 1  # the disqualified one
    assert Activity.all_workspaces.filter(owner=rep).count() == 1  # the done one


def test_deactivating_a_user_in_the_admin_revokes_their_feeds_everywhere(
    client, workspace, other_workspace, rep, rep_feed
):
    MembershipFactory(workspace=other_workspace, user=rep, role=Role.SALES)
    other_feed = calendar_feed_get_or_create(workspace=other_workspace, user=rep)
    staff = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(staff)
    response = client.post(
        f"/admin/workspaces/user/{rep.pk}/change/",
        {
            "email": rep.email,
            "first_name": rep.first_name,
            "last_name": rep.last_name,
            "language": "",
            "is_staff": "",
            "is_superuser": "",
            "last_login_0": "",
            "last_login_1": "",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    rep.refresh_from_db()
    assert not rep.is_active
    assert not CalendarFeed.all_workspaces.filter(pk__in=[rep_feed.pk, other_feed.pk]).exists()
    assert ChangeEvent.all_workspaces.filter(
        model="sales.calendarfeed", object_id=other_feed.pk, action="deleted", actor=staff
    ).exists()
    # their records keep their owner: removing them from a workspace hands those over
    assert Activity.all_workspaces.filter(owner=rep).exists()
