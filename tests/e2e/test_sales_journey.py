"""The sales journey in Chromium: convert a qualified lead into a deal, drag the deal to the
next stage on the kanban board, quote a configured product, mark the quote accepted so the
deal is won, and find it in the forecast's won figures. Screenshots of the board, the
printable quote and the forecast chart are kept as test artifacts."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from sales.models import (
    Deal,
    Lead,
    LeadStatus,
    Product,
    Quote,
    QuoteLine,
    QuoteStatus,
    Stage,
    StageKind,
)
from sales.services.catalog import exclusion_add, option_create, product_create
from sales.services.deals import deal_create
from sales.services.pipelines import pipeline_ensure_default
from sales.services.quotes import quote_create, quote_line_add
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def shop(live_server):
    """A workspace with a sales rep, the default pipeline, a qualified lead and a server that
    comes in sizes S/M/L with Basic/Premium support (S cannot have Premium)."""
    workspace = WorkspaceFactory(name="Nordwind Systems", slug="nordwind")
    rep = MembershipFactory(workspace=workspace, role=Role.SALES).user
    with workspace_scope(workspace):
        pipeline_ensure_default(workspace=workspace, actor=rep)
        lead = Lead.all_workspaces.create(
            workspace=workspace,
            first_name="Greta",
            last_name="Lind",
            company="Lind Logistik",
            email="greta@lind.example",
            status=LeadStatus.QUALIFIED,
            owner=rep,
        )
        product = product_create(
            workspace=workspace,
            actor=rep,
            sku="SRV-1",
            name="Rack server",
            unit_price=Decimal("1000.00"),
            currency="EUR",
            tax_rate=Decimal("19"),
            stock_on_hand=4,
            lead_time_days=21,
        )
        size = option_create(
            workspace=workspace,
            product=product,
            actor=rep,
            name="Size",
            values=[("S", "0"), ("M", "200"), ("L", "500")],
        )
        support = option_create(
            workspace=workspace,
            product=product,
            actor=rep,
            name="Support",
            values=[("Basic", "0"), ("Premium", "300")],
        )
        exclusion_add(
            workspace=workspace,
            product=product,
            actor=rep,
            value_a=size.values.get(label="S"),
            value_b=support.values.get(label="Premium"),
        )
    return workspace, rep, lead


CONFIGURATOR_IDLE = (
    "document.querySelector('#configurator') && "
    "!document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
)


def _configure(page, selector, value):
    """Choose a value in the configurator like a person who waits for the page to update:
    each choice reloads the configurator, and a choice made on the outgoing copy is lost."""
    page.wait_for_function(CONFIGURATOR_IDLE)
    with page.expect_response(lambda r: "/configurator" in r.url):
        page.select_option(selector, value)
    page.wait_for_function(CONFIGURATOR_IDLE)


def _value_id(page, option_label, value_label):
    """The value id of the option value labelled exactly `value_label`."""
    return page.evaluate(
        """([option, label]) => Array.from(
            document.querySelectorAll(`select[data-option='${option}'] option`)
        ).find((o) => o.textContent.trim().split(" (")[0] === label).value""",
        [option_label, value_label],
    )


def test_lead_to_won_deal_with_a_configured_quote(shop, page, login_as, screenshot):
    workspace, rep, lead = shop
    base = f"/w/{workspace.slug}/sales"
    login_as(page, rep.email, TEST_PASSWORD)

    # 1. convert the qualified lead into contact, account and deal
    page.goto(f"{base}/leads/{lead.pk}/convert/")
    page.fill("input[name=amount]", "2000")
    close = timezone.localdate() + datetime.timedelta(days=3)
    page.fill("input[name=expected_close_date]", close.isoformat())
    page.click("[data-testid=convert-submit]")
    page.wait_for_url(f"**{base}/deals/*/")
    deal = Deal.all_workspaces.select_related("stage").get(source_lead=lead)
    assert deal.stage.name == "Qualification"

    # 2. drag the deal to the next stage on the board
    next_stage = Stage.all_workspaces.get(pipeline=deal.pipeline, name="Needs analysis")
    page.goto(f"{base}/pipeline/")
    card = page.locator(f".kanban-card[data-deal='{deal.pk}']")
    target = page.locator(f".kanban-list[data-stage='{next_stage.pk}']")
    with page.expect_response(lambda r: r.url.endswith(f"/deals/{deal.pk}/move/")) as moved:
        card.drag_to(target)
    assert moved.value.ok
    deal.refresh_from_db()
    assert deal.stage_id == next_stage.pk
    assert target.locator(f".kanban-card[data-deal='{deal.pk}']").count() == 1
    page.mouse.move(0, 0)
    screenshot(page, "sales-kanban")

    # 3. a quote on the deal with a configured product
    page.goto(f"{base}/deals/{deal.pk}/")
    page.click("[data-testid=new-quote]")
    page.click("form button[type=submit].btn-primary")
    page.wait_for_selector("[data-testid=line-form]")
    product = Product.all_workspaces.get(workspace=workspace, sku="SRV-1")
    _configure(page, "#cfg-product", str(product.pk))
    page.wait_for_selector("select[data-option='Size']")
    _configure(page, "select[data-option='Size']", _value_id(page, "Size", "S"))
    # S rules out Premium: the invalid combination cannot be picked
    disabled = page.wait_for_selector(
        "select[data-option='Support'] option:disabled", state="attached"
    )
    assert disabled.inner_text().startswith("Premium")
    _configure(page, "select[data-option='Size']", _value_id(page, "Size", "M"))
    page.wait_for_function(
        "!document.querySelector(\"select[data-option='Support'] option:disabled\")"
    )
    _configure(page, "select[data-option='Support']", _value_id(page, "Support", "Premium"))
    page.wait_for_selector("[data-testid=cfg-valid]")
    assert page.inner_text("[data-testid=cfg-unit-price]") == "€1,500.00"
    assert "4 in stock" in page.inner_text("[data-testid=cfg-availability]")
    page.fill("#cfg-quantity", "2")
    page.wait_for_function(
        "document.querySelector('[data-testid=cfg-line-net]').textContent.includes('3,000.00')"
    )
    page.click("[data-testid=add-line]")
    page.wait_for_selector("[data-testid=quote-lines] td:has-text('Size: M')")
    line = QuoteLine.all_workspaces.get(quote__deal=deal)
    assert (line.unit_price, line.net_amount) == (Decimal("1500.00"), Decimal("3000.00"))
    assert page.inner_text("[data-testid=quote-gross]") == "€3,570.00"

    # 4. sent, then accepted: the deal is won
    page.click("[data-testid=quote-actions] button[value=sent]")
    page.wait_for_selector("[data-testid=quote-actions] button[value=accepted]")
    assert page.locator("#win-deal").is_checked()
    page.click("[data-testid=quote-actions] button[value=accepted]")
    page.wait_for_selector(".alert-success:has-text('The deal is won.')")
    deal = Deal.all_workspaces.select_related("stage").get(pk=deal.pk)
    assert deal.stage.kind == StageKind.WON and deal.amount == Decimal("3000.00")
    assert Quote.all_workspaces.get(pk=line.quote_id).status == QuoteStatus.ACCEPTED

    # 5. the printable quote
    page.click("[data-testid=print-link]")
    sheet = page.locator("[data-testid=quote-sheet]")
    assert "Lind Logistik" in sheet.inner_text() and "€3,570.00" in sheet.inner_text()
    screenshot(page, "sales-quote-print")

    # 6. the forecast shows the win among this month's won amounts, drawn as a chart
    page.emulate_media(reduced_motion="reduce")  # charts.js then draws without animation
    page.goto(f"{base}/analyses/forecast/")
    page.wait_for_selector("canvas[data-chart-ready]")
    assert page.inner_text("[data-testid=won-total]") == "€3,000.00"
    month = timezone.localdate().strftime("%B %Y")
    won_row = page.locator("[data-testid=forecast-table] tfoot tr.table-success")
    headers = page.locator("[data-testid=forecast-table] thead th").all_inner_texts()
    assert won_row.locator("td").nth(headers.index(month) - 1).inner_text() == "€3,000.00"
    screenshot(page, "sales-forecast")


def test_quote_and_analyses_fit_a_phone(shop, phone_page, login_as, screenshot):
    workspace, rep, lead = shop
    with workspace_scope(workspace):
        deal = deal_create(
            workspace=workspace, actor=rep, name="Phone deal", amount=Decimal("900"), owner=rep
        )
        quote = quote_create(workspace=workspace, actor=rep, deal=deal)
        product = Product.all_workspaces.get(workspace=workspace, sku="SRV-1")
        values = [
            v.pk for o in product.options.all() for v in o.values.all() if v.label in ("M", "Basic")
        ]
        quote_line_add(
            workspace=workspace, quote=quote, actor=rep, product=product, value_ids=values
        )
    login_as(phone_page, rep.email, TEST_PASSWORD)
    base = f"/w/{workspace.slug}/sales"
    for path in (
        f"{base}/quotes/{quote.pk}/",
        f"{base}/quotes/{quote.pk}/print/",
        f"{base}/analyses/forecast/",
        f"{base}/analyses/funnel/",
        f"{base}/products/",
    ):
        phone_page.goto(path)
        assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390, path
    screenshot(phone_page, "sales-products-phone")
