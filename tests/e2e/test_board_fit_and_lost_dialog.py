"""The board in Chromium at 1366x768: every stage on screen without sideways scrolling, and a
drop on a lost stage that asks for the reason in a dialog on the board (dragged with the
mouse as a person does: press, move in steps, release)."""

import pytest
from django.urls import reverse

from sales.models import Deal, DealStageChange, StageKind
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from tests.sales.factories import (
    ActivityFactory,
    LostReasonFactory,
    deal_make,
    pipeline_for,
    stage_of,
)
from workspaces.roles import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture
def laptop(browser_context_factory):
    return browser_context_factory(viewport=LAPTOP).new_page()


def _setup(slug):
    workspace = WorkspaceFactory(slug=slug)
    rep = MembershipFactory(workspace=workspace, role=Role.SALES).user
    rep.first_name, rep.last_name = "Rita", "Rep"
    rep.save()
    return workspace, rep


def _open_board(page, workspace, rep, login_as):
    login_as(page, rep.email, TEST_PASSWORD)
    page.goto(reverse("sales:board", kwargs={"ws": workspace.slug}))
    page.wait_for_selector(".kanban-card")


def _drag(page, source, target):
    """Press on the card, move to the target in small steps, release."""
    box = source.bounding_box()
    to = target.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 12)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 8, box["y"] + 20, steps=4)
    page.mouse.move(to["x"] + to["width"] / 2, to["y"] + min(to["height"] / 2, 60), steps=15)
    page.wait_for_timeout(150)
    page.mouse.up()


def test_every_stage_fits_1366_pixels_without_sideways_scrolling(laptop, login_as, screenshot):
    workspace, rep = _setup("fit")
    pipeline = pipeline_for(workspace)
    for i in range(8):
        deal_make(
            workspace,
            actor=rep,
            owner=rep,
            name=f"Wärmepumpen Großauftrag {i}",
            stage=stage_of(pipeline, index=i % 4),
        )
    _open_board(laptop, workspace, rep, login_as)
    sizes = laptop.evaluate(
        "({scroll: document.documentElement.scrollWidth, width: window.innerWidth,"
        " board: document.querySelector('.kanban').scrollWidth,"
        " boardWidth: document.querySelector('.kanban').clientWidth})"
    )
    assert sizes["scroll"] <= sizes["width"] == 1366
    assert sizes["board"] <= sizes["boardWidth"]
    columns = laptop.locator(".kanban-col")
    assert columns.count() == 6
    for i in range(columns.count()):
        box = columns.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 1366, columns.nth(i).get_attribute(
            "aria-label"
        )
        assert columns.nth(i).is_visible()
    # the closed stages are the narrow ones, and "Show" opens one
    won = laptop.locator(".kanban-col[data-kind=won]")
    assert won.bounding_box()["width"] < 120
    won.locator(".kanban-toggle").click()
    assert won.get_attribute("class").count("is-collapsed") == 0
    assert won.locator(".kanban-toggle").get_attribute("aria-expanded") == "true"
    screenshot(laptop, "board-1366")


def test_a_drop_on_lost_asks_for_the_reason_cancel_puts_the_card_back(laptop, login_as, screenshot):
    workspace, rep = _setup("lost-cancel")
    LostReasonFactory(workspace=workspace, name="Too pricey")
    deal = deal_make(workspace, actor=rep, owner=rep, name="Heat pump")
    first = stage_of(deal.pipeline)
    lost = stage_of(deal.pipeline, kind=StageKind.LOST)
    failed = []
    laptop.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    _open_board(laptop, workspace, rep, login_as)
    card = laptop.locator(f"[data-deal='{deal.pk}']")
    _drag(laptop, card, laptop.locator(f".kanban-list[data-stage='{lost.pk}']"))
    dialog = laptop.locator("#lost-dialog")
    dialog.wait_for(state="visible")
    assert "Heat pump" in dialog.inner_text()
    screenshot(laptop, "board-lost-dialog")
    dialog.get_by_role("button", name="Cancel").click()
    dialog.wait_for(state="hidden")
    # the board puts the card back after the dialog closes: wait for it (up to 5 s)
    laptop.locator(f".kanban-list[data-stage='{first.pk}'] [data-deal='{deal.pk}']").wait_for(
        timeout=5000
    )
    assert laptop.url.endswith(reverse("sales:board", kwargs={"ws": workspace.slug}))
    assert failed == []
    stored = Deal.all_workspaces.get(pk=deal.pk)
    assert (stored.stage_id, stored.version) == (first.pk, 1)
    # Escape is a cancel too
    _drag(laptop, card, laptop.locator(f".kanban-list[data-stage='{lost.pk}']"))
    dialog.wait_for(state="visible")
    laptop.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    # the board puts the card back after the dialog closes: wait for it (up to 5 s)
    laptop.locator(f".kanban-list[data-stage='{first.pk}'] [data-deal='{deal.pk}']").wait_for(
        timeout=5000
    )
    assert Deal.all_workspaces.get(pk=deal.pk).closed_at is None


def test_a_drop_on_lost_with_a_reason_closes_the_deal_on_the_board(laptop, login_as):
    workspace, rep = _setup("lost-submit")
    reason = LostReasonFactory(workspace=workspace, name="Too pricey")
    deal = deal_make(workspace, actor=rep, owner=rep, name="Heat pump")
    lost = stage_of(deal.pipeline, kind=StageKind.LOST)
    requests = []
    laptop.on("request", lambda r: requests.append(r.method) if "/move/" in r.url else None)
    failed = []
    laptop.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    _open_board(laptop, workspace, rep, login_as)
    board_url = laptop.url
    _drag(
        laptop,
        laptop.locator(f"[data-deal='{deal.pk}']"),
        laptop.locator(f".kanban-list[data-stage='{lost.pk}']"),
    )
    dialog = laptop.locator("#lost-dialog")
    dialog.wait_for(state="visible")
    assert requests == []  # nothing posted before the reason is given
    # submitting without a reason is stopped in the dialog
    dialog.get_by_role("button", name="Close as lost").click()
    assert dialog.is_visible()
    dialog.get_by_label("Lost reason").select_option(label="Too pricey")
    dialog.get_by_label("Competitor").press_sequentially("Globex", delay=40)
    dialog.get_by_role("button", name="Close as lost").click()
    dialog.wait_for(state="hidden")
    laptop.wait_for_function(
        f"document.querySelector(\"[data-deal='{deal.pk}']\").dataset.version === '2'"
    )
    stored = Deal.all_workspaces.get(pk=deal.pk)
    assert (stored.stage_id, stored.lost_reason_id, stored.competitor) == (
        lost.pk,
        reason.pk,
        "Globex",
    )
    assert laptop.url == board_url and failed == []
    assert requests == ["POST"]
    lost_count = laptop.locator(f".kanban-col[data-stage='{lost.pk}'] [data-count]")
    assert lost_count.inner_text() == "1"


def test_a_drop_on_won_just_moves_the_deal(laptop, login_as):
    workspace, rep = _setup("won-drop")
    deal = deal_make(workspace, actor=rep, owner=rep, name="Heat pump")
    ActivityFactory(workspace=workspace, deal=deal, owner=rep, subject="Sign")
    won = stage_of(deal.pipeline, kind=StageKind.WON)
    _open_board(laptop, workspace, rep, login_as)
    _drag(
        laptop,
        laptop.locator(f"[data-deal='{deal.pk}']"),
        laptop.locator(f".kanban-list[data-stage='{won.pk}']"),
    )
    laptop.wait_for_function(
        f"document.querySelector(\"[data-deal='{deal.pk}']\").dataset.version === '2'"
    )
    assert not laptop.locator("#lost-dialog").is_visible()
    stored = Deal.all_workspaces.get(pk=deal.pk)
    assert stored.stage_id == won.pk and stored.won_at is not None
    assert DealStageChange.all_workspaces.filter(deal_id=deal.pk, to_stage=won).exists()


def test_won_and_lost_in_one_click_on_the_deal_page(laptop, login_as, screenshot):
    workspace, rep = _setup("deal-close")
    LostReasonFactory(workspace=workspace, name="Too pricey")
    lost_deal = deal_make(workspace, actor=rep, owner=rep, name="Lose me")
    won_deal = deal_make(workspace, actor=rep, owner=rep, name="Win me")
    login_as(laptop, rep.email, TEST_PASSWORD)
    laptop.goto(reverse("sales:deal_detail", kwargs={"ws": workspace.slug, "pk": won_deal.pk}))
    laptop.click("[data-testid=deal-won]")
    laptop.wait_for_load_state("networkidle")
    assert laptop.locator("[data-testid=deal-stage]").inner_text() == "Won"
    laptop.goto(reverse("sales:deal_detail", kwargs={"ws": workspace.slug, "pk": lost_deal.pk}))
    laptop.click("[data-testid=deal-lost]")
    dialog = laptop.locator("#lost-dialog")
    dialog.wait_for(state="visible")
    dialog.get_by_label("Lost reason").select_option(label="Too pricey")
    screenshot(laptop, "deal-lost-dialog")
    dialog.get_by_role("button", name="Close as lost").click()
    laptop.wait_for_load_state("networkidle")
    assert laptop.locator("[data-testid=deal-stage]").inner_text() == "Lost"
    stored = Deal.all_workspaces.get(pk=lost_deal.pk)
    assert stored.lost_reason.name == "Too pricey"


def test_on_a_phone_the_board_scrolls_inside_itself_not_the_page(phone_page, login_as):
    workspace, rep = _setup("phone-board")
    deal_make(workspace, actor=rep, owner=rep, name="Heat pump")
    _open_board(phone_page, workspace, rep, login_as)
    sizes = phone_page.evaluate(
        "({page: document.documentElement.scrollWidth, width: window.innerWidth,"
        " board: document.querySelector('.kanban').scrollWidth,"
        " boardWidth: document.querySelector('.kanban').clientWidth})"
    )
    assert sizes["page"] <= sizes["width"] == 390
    assert sizes["board"] > sizes["boardWidth"]  # the columns are reached by swiping the board
