"""The kanban board in Chromium: dragging a card to the next column moves the deal."""

import pytest
from django.urls import reverse

from sales.models import Deal, DealStageChange
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from tests.sales.factories import deal_make, pipeline_for, stage_of
from workspaces.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_dragging_a_card_to_the_next_stage_moves_the_deal(page, live_server):
    workspace = WorkspaceFactory(slug="board")
    user = MembershipFactory(workspace=workspace, role=Role.SALES).user
    deal = deal_make(workspace, actor=user, name="Drag me", owner=user)
    target = stage_of(pipeline_for(workspace), index=1)
    page.goto(live_server.url + reverse("account_login"))
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-form] [type=submit]")
    page.goto(live_server.url + reverse("sales:board", kwargs={"ws": workspace.slug}))
    card = page.locator(f"[data-deal='{deal.pk}']")
    column = page.locator(f".kanban-list[data-stage='{target.pk}']")
    card.drag_to(column)
    page.wait_for_function(
        f"document.querySelector(\"[data-deal='{deal.pk}']\").dataset.version === '2'"
    )
    assert Deal.all_workspaces.get(pk=deal.pk).stage_id == target.pk
    assert DealStageChange.all_workspaces.filter(deal_id=deal.pk, to_stage=target).exists()
    assert page.locator(f".kanban-col[data-stage='{target.pk}'] [data-count]").inner_text() == "1"


def test_a_move_keeps_the_full_count_of_a_column_longer_than_the_cards_shown(page, live_server):
    workspace = WorkspaceFactory(slug="long-board")
    user = MembershipFactory(workspace=workspace, role=Role.SALES).user
    pipeline = pipeline_for(workspace)
    first, target = stage_of(pipeline, index=0), stage_of(pipeline, index=1)
    for i in range(53):
        deal_make(workspace, actor=user, name=f"Deal {i}", owner=user, stage=first)
    page.goto(live_server.url + reverse("account_login"))
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", TEST_PASSWORD)
    with page.expect_navigation():
        page.click("[data-testid=login-form] [type=submit]")
    page.goto(live_server.url + reverse("sales:board", kwargs={"ws": workspace.slug}))
    card = page.locator(f".kanban-col[data-stage='{first.pk}'] .kanban-card").first
    deal_id = card.get_attribute("data-deal")
    # the target column's drop area is as tall as the longest column: drop near its top,
    # beside the card, as a person would
    card.drag_to(
        page.locator(f".kanban-list[data-stage='{target.pk}']"),
        target_position={"x": 40, "y": 30},
    )
    page.wait_for_function(
        f"document.querySelector(\"[data-deal='{deal_id}']\").dataset.version === '2'"
    )
    assert page.locator(f".kanban-col[data-stage='{first.pk}'] [data-count]").inner_text() == "52"
    assert page.locator(f".kanban-col[data-stage='{target.pk}'] [data-count]").inner_text() == "1"
