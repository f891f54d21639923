"""The board's column totals with deals in EUR, USD and JPY (mixed-currency-deals.txt): per
currency, and still per currency after a card is dragged to another column (the browser
never adds amounts up itself; it reads the totals the server writes)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from sales.services.deals import deal_create
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from tests.sales.factories import pipeline_for, stage_of
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
FIXTURE_DEALS = (
    ("Lagerregale Nordhafen", "10000.00", "EUR"),
    ("Shelving Boston branch", "10000.00", "USD"),
    ("Racking Tokyo", "1500000.00", "JPY"),
)


def _mixed_workspace(slug):
    """A EUR workspace with the fixture's three deals closing on the 15th of next month in the
    first open stage; returns (workspace, rep, first stage, second stage, deals by currency)."""
    workspace = WorkspaceFactory(slug=slug, currency="EUR", time_zone="Europe/Berlin")
    rep = MembershipFactory(workspace=workspace, role=Role.MANAGER).user
    close = (timezone.localdate().replace(day=1) + datetime.timedelta(days=32)).replace(day=15)
    with workspace_scope(workspace):
        pipeline = pipeline_for(workspace)
        first, second = stage_of(pipeline, index=0), stage_of(pipeline, index=1)
        deals = {
            currency: deal_create(
                workspace=workspace,
                actor=rep,
                name=name,
                amount=Decimal(amount),
                currency=currency,
                expected_close_date=close,
                pipeline=pipeline,
                stage=first,
                owner=rep,
            )
            for name, amount, currency in FIXTURE_DEALS
        }
    return workspace, rep, first, second, deals


def test_dragging_a_dollar_deal_moves_its_dollars_between_the_column_totals(
    page, live_server, login_as, screenshot
):
    workspace, rep, first, second, deals = _mixed_workspace("lager")
    login_as(page, rep.email, TEST_PASSWORD)
    page.goto(f"/w/{workspace.slug}/sales/pipeline/")

    def total(stage):
        return page.inner_text(f".kanban-col[data-stage='{stage.pk}'] [data-testid=column-total]")

    assert total(first) == "€10,000.00 · ¥1,500,000 · $10,000.00"
    assert total(second) == "€0.00"
    card = page.locator(f".kanban-card[data-deal='{deals['USD'].pk}']")
    with page.expect_response(lambda r: r.url.endswith(f"/deals/{deals['USD'].pk}/move/")):
        card.drag_to(page.locator(f".kanban-list[data-stage='{second.pk}']"))
    page.wait_for_function(
        f"document.querySelector(\".kanban-col[data-stage='{second.pk}'] "
        "[data-testid=column-total]\").textContent.includes('$10,000.00')"
    )
    assert total(first) == "€10,000.00 · ¥1,500,000"
    assert total(second) == "$10,000.00"
    assert "1,520,000" not in page.inner_text("[data-testid=kanban]")
    page.mouse.move(0, 0)
    screenshot(page, "sales-kanban-currencies")


def test_the_forecast_converts_what_has_a_rate_and_keeps_the_rest_apart(
    page, live_server, login_as, screenshot
):
    workspace, manager, _first, _second, _deals = _mixed_workspace("lager-forecast")
    login_as(page, manager.email, TEST_PASSWORD)
    # the manager sets the dollar rate on the settings page; the yen has none
    page.goto(f"/w/{workspace.slug}/sales/settings/")
    page.click("[data-testid=exchange-rates-link]")
    page.select_option("select[name=currency]", "USD")
    page.fill("input[name=rate]", "0.92")
    page.fill("input[name=valid_from]", "2025-11-01")
    with page.expect_navigation():
        page.click("[data-testid=rate-form] button[type=submit]")
    assert "1 USD = 0.92 EUR (from Nov. 1, 2025)" in page.inner_text(".alert-success")

    page.emulate_media(reduced_motion="reduce")
    page.goto(f"/w/{workspace.slug}/sales/analyses/forecast/")
    page.wait_for_selector("canvas[data-chart-ready]")
    assert page.inner_text("[data-testid=pipeline-total]") == (
        "≈ €19,200.00 at rates of Nov. 1, 2025 · ¥1,500,000 (no rate)"
    )
    assert page.inner_text("[data-testid=weighted-total]") == (
        "≈ €1,920.00 at rates of Nov. 1, 2025 · ¥150,000 (no rate)"
    )
    tooltip = page.get_attribute("[data-testid=pipeline-total] .money-figure", "title")
    assert tooltip.splitlines() == [
        "€10,000.00 + ¥1,500,000 + $10,000.00",
        "1 USD = 0.92 EUR (from Nov. 1, 2025)",
        "JPY: no exchange rate, not converted",
    ]
    assert "Weighted pipeline: ¥150,000" in page.inner_text("[data-testid=chart-left-out]")
    screenshot(page, "sales-forecast-currencies")
