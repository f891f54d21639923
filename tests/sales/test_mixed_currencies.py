"""Deals in EUR, USD and JPY on the forecast and the board (tests/fixtures/realworld/
mixed-currency-deals.txt): never one sum of 1,520,000 "EUR". Without exchange rates each
currency is shown on its own; with the workspace's rates the figure is converted into the
workspace currency and names the rates; a currency without a rate stays apart."""

import csv
import datetime
import re
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.utils import timezone, translation

from sales.selectors.deals import open_pipeline_figures
from sales.services.deals import deal_create
from sales.services.exchange_rates import exchange_rate_set
from tests.conftest import login
from tests.factories import MembershipFactory, WorkspaceFactory
from tests.sales.factories import pipeline_for, stage_of
from workspaces.roles import Role
from workspaces.scoping import workspace_scope
from workspaces.urlnames import workspace_reverse

FIXTURE = Path(__file__).parents[1] / "fixtures" / "realworld" / "mixed-currency-deals.txt"
RATE_DAY = datetime.date(2025, 11, 1)  # before any "today" the tests run on
NBSP = "\xa0"


def _next_month_15th(today: datetime.date) -> datetime.date:
    return (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=15)


@pytest.fixture
def mixed(db):
    """A fresh workspace (Europe/Berlin, EUR) with the fixture's three deals, each closing on
    the 15th of next month in the first open stage (10 %)."""
    workspace = WorkspaceFactory(
        name="Lagertechnik", slug="lagertechnik", time_zone="Europe/Berlin", currency="EUR"
    )
    manager = MembershipFactory(workspace=workspace, role=Role.MANAGER).user
    lines = [line for line in FIXTURE.read_text().splitlines() if not line.startswith("#")]
    rows = list(csv.DictReader(lines))
    assert [(r["amount"], r["currency"]) for r in rows] == [
        ("10000.00", "EUR"),
        ("10000.00", "USD"),
        ("1500000.00", "JPY"),
    ]
    with workspace_scope(workspace):
        pipeline = pipeline_for(workspace)
        first = stage_of(pipeline)
        assert first.probability == 10
        close = _next_month_15th(timezone.localdate())
        for row in rows:
            deal_create(
                workspace=workspace,
                actor=manager,
                name=row["name"],
                amount=Decimal(row["amount"]),
                currency=row["currency"],
                expected_close_date=close,
                pipeline=pipeline,
                stage=first,
                owner=manager,
            )
    client = login(manager)
    return workspace, manager, client, first


def _rates(workspace, manager, **rates):
    with workspace_scope(workspace):
        for currency, rate in rates.items():
            exchange_rate_set(
                workspace=workspace,
                actor=manager,
                currency=currency,
                rate=Decimal(rate),
                valid_from=RATE_DAY,
            )


def _text(html: str, testid: str) -> str:
    """The visible text of the element with data-testid (tags dropped, spaces collapsed)."""
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</div>', html, re.S)
    assert match, testid
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", "", match.group(1)))).strip()


def _forecast(client, workspace):
    return client.get(workspace_reverse(workspace, "sales:analysis_forecast"))


def _board(client, workspace):
    return client.get(workspace_reverse(workspace, "sales:board"))


def _column_total(html: str, stage) -> str:
    section = html[html.index(f'data-stage="{stage.pk}"') :]
    match = re.search(r'data-testid="column-total">(.*?)</span> ·', section, re.S)
    return re.sub(r"[ \t\r\n]+", " ", unescape(re.sub(r"<[^>]+>", "", match.group(1)))).strip()


def test_without_rates_the_forecast_shows_each_currency_on_its_own(mixed):
    workspace, _manager, client, _first = mixed
    response = _forecast(client, workspace)
    html = response.content.decode()
    result = response.context["result"]
    assert result.pipeline_total.parts == (
        ("EUR", Decimal("10000.00")),
        ("JPY", Decimal("1500000")),
        ("USD", Decimal("10000.00")),
    )
    assert result.weighted_total.parts == (
        ("EUR", Decimal("1000.00")),
        ("JPY", Decimal("150000")),
        ("USD", Decimal("1000.00")),
    )
    assert _text(html, "pipeline-total") == "€10,000.00 · ¥1,500,000 · $10,000.00"
    assert _text(html, "weighted-total") == "€1,000.00 · ¥150,000 · $1,000.00"
    assert "1,520,000" not in html and "152,000" not in html
    # the chart is drawn in EUR and says what it leaves out
    assert _text(html, "weighted-total") and "€1,000.00" in html
    assert (
        "Not in the chart (no exchange rate to EUR): Weighted pipeline: ¥150,000 · $1,000.00."
        in re.sub(r"\s+", " ", unescape(html))
    )


def test_without_rates_the_board_column_shows_each_currency_on_its_own(mixed):
    workspace, _manager, client, first = mixed
    response = _board(client, workspace)
    html = response.content.decode()
    (column,) = [c for c in response.context["columns"] if c["stage"] == first]
    assert column["count"] == 3
    assert str(column["total"]) == "€10,000.00 · ¥1,500,000 · $10,000.00"
    assert str(column["weighted"]) == "€1,000.00 · ¥150,000 · $1,000.00"
    assert _column_total(html, first) == "€10,000.00 · ¥1,500,000 · $10,000.00"
    assert "1,520,000" not in html


def test_in_german_each_currency_is_written_the_german_way(mixed):
    workspace, _manager, client, first = mixed
    with translation.override("de"):
        html = client.get(
            workspace_reverse(workspace, "sales:board"), headers={"accept-language": "de"}
        ).content.decode()
    client.cookies.clear()
    assert _column_total(html, first) == (f"10.000,00{NBSP}€ · 1.500.000{NBSP}¥ · 10.000,00{NBSP}$")


def test_with_rates_the_forecast_converts_and_names_the_rates(mixed):
    workspace, manager, client, _first = mixed
    _rates(workspace, manager, USD="0.92", JPY="0.0062")
    response = _forecast(client, workspace)
    html = response.content.decode()
    result = response.context["result"]
    # 10,000 + 10,000 × 0.92 + 1,500,000 × 0.0062 = 10,000 + 9,200 + 9,300
    assert result.pipeline_total.total == Decimal("28500.00")
    assert result.weighted_total.total == Decimal("2850.00")
    assert result.pipeline_total.complete
    assert _text(html, "pipeline-total") == "≈ €28,500.00 at rates of Nov. 1, 2025"
    assert _text(html, "weighted-total") == "≈ €2,850.00 at rates of Nov. 1, 2025"
    # the tooltip lists the amounts and each rate used
    assert (
        'title="€10,000.00 + ¥1,500,000 + $10,000.00\n'
        "1 JPY = 0.0062 EUR (from Nov. 1, 2025)\n"
        '1 USD = 0.92 EUR (from Nov. 1, 2025)"' in unescape(html)
    )
    assert 'data-testid="chart-left-out"' not in html
    assert "1,520,000" not in html


def test_with_rates_the_board_converts_and_names_the_rates(mixed):
    workspace, manager, client, first = mixed
    _rates(workspace, manager, USD="0.92", JPY="0.0062")
    html = _board(client, workspace).content.decode()
    assert _column_total(html, first) == "≈ €28,500.00 at rates of Nov. 1, 2025"


def test_a_currency_without_a_rate_is_never_converted(mixed):
    workspace, manager, client, first = mixed
    _rates(workspace, manager, USD="0.92")
    html = _forecast(client, workspace).content.decode()
    assert _text(html, "pipeline-total") == (
        "≈ €19,200.00 at rates of Nov. 1, 2025 · ¥1,500,000 (no rate)"
    )
    assert _text(html, "weighted-total") == (
        "≈ €1,920.00 at rates of Nov. 1, 2025 · ¥150,000 (no rate)"
    )
    assert "Weighted pipeline: ¥150,000." in re.sub(r"\s+", " ", unescape(html))
    board = _board(client, workspace).content.decode()
    assert _column_total(board, first) == (
        "≈ €19,200.00 at rates of Nov. 1, 2025 · ¥1,500,000 (no rate)"
    )


def test_a_rate_applies_from_its_day_on(mixed):
    """The rate valid today is used: a later rate does not apply yet, an earlier one is
    replaced by a newer one."""
    workspace, manager, client, first = mixed
    today = timezone.localdate()
    with workspace_scope(workspace):
        for day, rate in (
            (RATE_DAY, "0.80"),
            (today - datetime.timedelta(days=1), "0.90"),
            (today + datetime.timedelta(days=1), "5.00"),
        ):
            exchange_rate_set(
                workspace=workspace,
                actor=manager,
                currency="USD",
                rate=Decimal(rate),
                valid_from=day,
            )
    response = _board(client, workspace)
    (column,) = [c for c in response.context["columns"] if c["stage"] == first]
    # 10,000 EUR + 10,000 USD × 0.90; JPY has no rate
    assert column["total"].total == Decimal("19000.00")
    assert [r.valid_from for r in column["total"].rates] == [today - datetime.timedelta(days=1)]
    assert column["total"].unconverted == (("JPY", Decimal("1500000")),)


def test_the_open_pipeline_for_home_panels_keeps_currencies_apart(mixed):
    """`open_pipeline_figures`, for the pipeline figures on home pages."""
    workspace, manager, _client, _first = mixed
    with workspace_scope(workspace):
        plain = open_pipeline_figures(workspace=workspace, owner=manager)
        _rates(workspace, manager, USD="0.92", JPY="0.0062")
        converted = open_pipeline_figures(workspace=workspace)
        nobody = open_pipeline_figures(
            workspace=workspace, closing_before=timezone.localdate().replace(day=1)
        )
    assert plain["count"] == 3
    with translation.override("en"):
        assert str(plain["total"]) == "€10,000.00 · ¥1,500,000 · $10,000.00"
        assert str(plain["weighted"]) == "€1,000.00 · ¥150,000 · $1,000.00"
        assert str(converted["total"]) == "≈ €28,500.00 at rates of Nov. 1, 2025"
        assert (nobody["count"], str(nobody["total"])) == (0, "€0.00")
