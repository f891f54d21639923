"""The board's cards (owner, next activity, days in stage), its lost dialog, and the board
read without a query per card."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sales.models import Deal, StageKind
from sales.selectors.deals import board
from sales.services import deals as deal_services, pipelines as pipeline_services
from tests.contacts.factories import AccountFactory
from tests.factories import MembershipFactory
from tests.sales.factories import (
    ActivityFactory,
    LostReasonFactory,
    deal_make,
    pipeline_for,
    stage_of,
)
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def _board_url(workspace):
    return reverse("sales:board", kwargs={"ws": workspace.slug})


def _card(html: str, deal_id: int) -> str:
    """The HTML of one deal's card on the board."""
    match = re.search(rf'<article[^>]*data-deal="{deal_id}".*?</article>', html, re.S)
    assert match, f"no card for deal {deal_id}"
    return match.group(0)


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def _moved_days_ago(workspace, actor, days, **fields):
    """A deal created 30 days ago and moved to the second open stage `days` days ago."""
    now = timezone.now()
    deal = deal_make(workspace, actor=actor, created_at=now - datetime.timedelta(days=30), **fields)
    with workspace_scope(workspace):
        deal_services.deal_move_stage(
            workspace=workspace,
            actor=actor,
            deal=deal,
            stage=stage_of(deal.pipeline, index=1),
            at=now - datetime.timedelta(days=days),
        )
    return deal


def test_a_card_shows_owner_next_activity_and_days_in_stage(workspace, owner_client, owner):
    owner.first_name, owner.last_name = "Olivia", "Owner"
    owner.save()
    deal = _moved_days_ago(workspace, owner, 3, name="Roof", owner=owner)
    ActivityFactory(
        workspace=workspace,
        deal=deal,
        subject="Send the offer",
        due_at=datetime.datetime(2099, 3, 4, 10, 0, tzinfo=UTC),
    )
    ActivityFactory(
        workspace=workspace,
        deal=deal,
        subject="Later call",
        due_at=datetime.datetime(2099, 5, 1, 10, 0, tzinfo=UTC),
    )
    card = _card(owner_client.get(_board_url(workspace)).content.decode(), deal.pk)
    assert 'data-testid="card-owner"' in card
    assert "Olivia Owner" in _text(card)
    assert "Next: 03/04/2099 Send the offer" in _text(card)
    assert 'data-overdue="0"' in card and "text-truncate overdue" not in card
    assert "3 days in stage" in _text(card)


def test_an_overdue_next_activity_is_marked_and_done_ones_are_skipped(
    workspace, owner_client, owner
):
    deal = deal_make(workspace, actor=owner, name="Late")
    ActivityFactory(
        workspace=workspace,
        deal=deal,
        subject="Already done",
        due_at=datetime.datetime(2020, 1, 2, 9, 0, tzinfo=UTC),
        done_at=datetime.datetime(2020, 1, 2, 9, 30, tzinfo=UTC),
    )
    ActivityFactory(
        workspace=workspace,
        deal=deal,
        subject="Chase the budget",
        due_at=datetime.datetime(2026, 1, 15, 10, 0, tzinfo=UTC),
    )
    card = _card(owner_client.get(_board_url(workspace)).content.decode(), deal.pk)
    assert "Overdue: 01/15/2026 Chase the budget" in _text(card)
    assert 'class="text-truncate overdue" data-overdue="1"' in card
    assert "Already done" not in card


def test_a_card_without_owner_or_activity_says_so(workspace, owner_client, owner):
    deal = deal_make(workspace, actor=owner, name="Bare")
    card = _text(_card(owner_client.get(_board_url(workspace)).content.decode(), deal.pk))
    assert "Unassigned" in card and "No activity planned" in card
    assert "0 days in stage" in card


@pytest.mark.in_scope
def test_days_in_stage_count_from_the_last_stage_change(workspace, owner):
    moved = _moved_days_ago(workspace, owner, 12)
    created = deal_make(
        workspace, actor=owner, created_at=timezone.now() - datetime.timedelta(days=5)
    )
    columns = board(workspace=workspace, pipeline=pipeline_for(workspace))
    days = {d.pk: d.days_in_stage for col in columns for d in col["deals"]}
    assert days == {moved.pk: 12, created.pk: 5}


@pytest.mark.in_scope
def test_the_next_activity_is_the_earliest_not_done(workspace, owner):
    deal = deal_make(workspace, actor=owner)
    later = datetime.datetime(2099, 6, 1, 8, 0, tzinfo=UTC)
    first = datetime.datetime(2099, 2, 1, 8, 0, tzinfo=UTC)
    ActivityFactory(workspace=workspace, deal=deal, subject="Later", due_at=later)
    ActivityFactory(workspace=workspace, deal=deal, subject="First", due_at=first, type="meeting")
    ActivityFactory(  # another deal's activity is not this card's
        workspace=workspace,
        deal=deal_make(workspace, actor=owner, name="Other"),
        subject="Not mine",
        due_at=datetime.datetime(2098, 1, 1, tzinfo=UTC),
    )
    card = next(
        d
        for col in board(workspace=workspace, pipeline=deal.pipeline)
        for d in col["deals"]
        if d.pk == deal.pk
    )
    assert (card.next_activity_due, card.next_activity_subject, card.next_activity_type) == (
        first,
        "First",
        "meeting",
    )
    assert card.next_activity_overdue is False


@pytest.mark.in_scope
def test_each_column_shows_its_largest_deals_up_to_the_cap_and_counts_all(workspace, owner):
    pipeline = pipeline_for(workspace)
    first, second = stage_of(pipeline, index=0), stage_of(pipeline, index=1)
    amounts = {}
    for stage, values in ((first, (5, 40, 10, 40, 30)), (second, (7, 3, 9))):
        for value in values:
            deal = deal_make(workspace, actor=owner, stage=stage, amount=value)
            amounts[deal.pk] = value
    renewals = pipeline_services.pipeline_create(workspace=workspace, actor=owner, name="Renewals")
    offer = pipeline_services.stage_create(
        workspace=workspace, actor=owner, pipeline=renewals, name="Offer"
    )
    other = deal_make(workspace, actor=owner, stage=offer, amount=1000)
    columns = {
        col["stage"].pk: col for col in board(workspace=workspace, pipeline=pipeline, per_column=3)
    }
    shown = {pk: [d.pk for d in col["deals"]] for pk, col in columns.items()}
    # largest first, equal amounts by id; another pipeline's deal on no column
    assert [amounts[pk] for pk in shown[first.pk]] == [40, 40, 30]
    assert shown[first.pk][0] < shown[first.pk][1]
    assert [amounts[pk] for pk in shown[second.pk]] == [9, 7, 3]
    assert other.pk not in {pk for ids in shown.values() for pk in ids}
    assert (columns[first.pk]["count"], columns[second.pk]["count"]) == (5, 3)


def _fill_board(workspace, owner, n):
    pipeline = pipeline_for(workspace)
    rep = MembershipFactory(workspace=workspace, role=Role.SALES).user
    for i in range(n):
        deal = deal_make(
            workspace,
            actor=owner,
            name=f"Deal {i}",
            owner=rep if i % 2 else owner,
            account=AccountFactory(workspace=workspace),
            stage=stage_of(pipeline, index=i % 4),
        )
        with workspace_scope(workspace):
            deal_services.deal_move_stage(
                workspace=workspace,
                actor=owner,
                deal=deal,
                stage=stage_of(pipeline, index=(i + 1) % 4),
            )
        ActivityFactory(workspace=workspace, deal=deal, owner=owner, subject=f"Call {i}")
        ActivityFactory(workspace=workspace, deal=deal, owner=owner, subject=f"Visit {i}")


def test_the_board_reads_cards_without_a_query_per_card(
    workspace, owner_client, owner, django_assert_num_queries
):
    _fill_board(workspace, owner, 1)
    with CaptureQueriesContext(connection) as few:
        owner_client.get(_board_url(workspace))
    assert len(few) <= 12  # the exchange rates of the totals and the shown ids are two of them
    _fill_board(workspace, owner, 30)
    with django_assert_num_queries(len(few)):
        response = owner_client.get(_board_url(workspace))
    html = response.content.decode()
    assert html.count('data-testid="card-owner"') == 31
    assert html.count("days in stage") == 31
    assert html.count("Next: ") == 31


def test_the_lost_dialog_on_the_board_offers_the_active_reasons(workspace, owner_client, owner):
    deal_make(workspace, actor=owner)
    LostReasonFactory(workspace=workspace, name="Too pricey")
    LostReasonFactory(workspace=workspace, name="Retired reason", active=False)
    html = owner_client.get(_board_url(workspace)).content.decode()
    dialog = re.search(r'<dialog id="lost-dialog".*?</dialog>', html, re.S).group(0)
    assert "Too pricey" in dialog and "Retired reason" not in dialog
    assert 'name="lost_reason"' in dialog and "required" in dialog
    lost = stage_of(pipeline_for(workspace), kind=StageKind.LOST)
    assert f'data-stage="{lost.pk}" data-kind="lost"' in html


def test_closed_stages_are_collapsed_drop_targets(workspace, owner_client, owner):
    deal_make(workspace, actor=owner)
    html = owner_client.get(_board_url(workspace)).content.decode()
    pipeline = pipeline_for(workspace)
    for kind in (StageKind.WON, StageKind.LOST):
        stage = stage_of(pipeline, kind=kind)
        column = re.search(rf'<section[^>]*data-stage="{stage.pk}"[^>]*>', html).group(0)
        assert "kanban-col-closed is-collapsed" in column
    open_stage = stage_of(pipeline)
    column = re.search(rf'<section[^>]*data-stage="{open_stage.pk}"[^>]*>', html).group(0)
    assert "is-collapsed" not in column


def test_a_readonly_member_gets_no_lost_dialog(workspace, client_for, owner):
    deal_make(workspace, actor=owner)
    html = client_for(Role.READONLY).get(_board_url(workspace)).content.decode()
    assert 'data-can-edit="0"' in html and "lost-dialog" not in html


def test_a_board_move_with_the_dialogs_reason_closes_the_deal_lost(workspace, owner_client, owner):
    deal = deal_make(workspace, actor=owner)
    reason = LostReasonFactory(workspace=workspace, name="Too pricey")
    lost = stage_of(deal.pipeline, kind=StageKind.LOST)
    response = owner_client.post(
        reverse("sales:deal_move", kwargs={"ws": workspace.slug, "pk": deal.pk}),
        {"stage": lost.pk, "version": deal.version, "lost_reason": reason.pk, "competitor": "X"},
        headers={"accept": "application/json"},
    )
    assert response.json() == {"ok": True, "version": 2, "stage": lost.pk}
    deal = Deal.all_workspaces.get(pk=deal.pk)
    assert (deal.stage_id, deal.lost_reason_id, deal.competitor) == (lost.pk, reason.pk, "X")
