"""The owner enters the legal details in the workspace settings; the printed quote shows them
with the customer's address, and "Download PDF" saves Q-<year>-<n>.pdf with the same text."""

import io
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest

from contacts.models import Account
from sales.services.quotes import quote_create, quote_line_add
from tests.factories import TEST_PASSWORD, MembershipFactory, WorkspaceFactory
from tests.sales.catalog_factories import ProductFactory, open_deal
from workspaces.models import LegalDetails
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_legal_details_on_the_printed_quote_and_its_pdf(page, login_as, screenshot):
    workspace = WorkspaceFactory(name="Nordwind", slug="nordwind-legal")
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    account = Account.all_workspaces.create(
        workspace=workspace,
        name="Müller Haustechnik GmbH",
        street="Königstraße 7",
        postal_code="70173",
        city="Stuttgart",
    )
    with workspace_scope(workspace):
        deal = open_deal(workspace, owner, account=account, name="Heizung")
        quote = quote_create(
            workspace=workspace, actor=owner, deal=deal, notes="Anfahrt 50 € pauschal."
        )
        quote_line_add(
            workspace=workspace,
            quote=quote,
            actor=owner,
            product=ProductFactory(workspace=workspace, name="Wärmepumpe", unit_price=Decimal(9)),
        )
    login_as(page, owner.email, TEST_PASSWORD)

    page.goto(f"/w/{workspace.slug}/settings/")
    page.get_by_role("link", name="Legal details").click()
    form = page.locator("[data-testid=legal-details-form]")
    form.get_by_label("Legal name").fill("Nordwind Systems GmbH")
    form.get_by_label("Street and number").fill("Am Kai 3")
    form.get_by_label("Postal code").fill("20457")
    form.get_by_label("City").fill("Hamburg")
    form.get_by_label("VAT id").fill("DE 123456789")
    form.get_by_label("IBAN").press_sequentially("DE89 3704 0044 0532 0130 01", delay=20)
    form.get_by_label("Payment terms").fill("Zahlbar innerhalb 14 Tagen.")
    form.get_by_role("button", name="Save").click()
    # a mistyped IBAN is named under its field and nothing is stored
    error = page.locator("#id_iban").locator("xpath=..").locator(".invalid-feedback")
    assert "check digits do not match" in error.inner_text()
    assert not LegalDetails.all_workspaces.filter(workspace=workspace).exists()
    form.get_by_label("IBAN").fill("DE89 3704 0044 0532 0130 00")
    form.get_by_role("button", name="Save").click()
    page.wait_for_selector(".alert-success")
    assert LegalDetails.all_workspaces.get(workspace=workspace).iban == "DE89370400440532013000"

    page.goto(f"/w/{workspace.slug}/sales/quotes/{quote.pk}/print/")
    sheet = page.locator("[data-testid=quote-sheet]")
    assert "Nordwind Systems GmbH" in sheet.locator("[data-testid=quote-company]").inner_text()
    assert "Königstraße 7" in sheet.locator("[data-testid=customer-address]").inner_text()
    footer = sheet.locator("[data-testid=quote-footer]").inner_text()
    assert "IBAN DE89 3704 0044 0532 0130 00" in footer and "VAT id: DE123456789" in footer
    screenshot(page, "sales-quote-print-legal")

    with page.expect_download() as download_info:
        page.click("[data-testid=pdf-link]")
    download = download_info.value
    assert download.suggested_filename == f"{quote.number}.pdf"
    reader = pypdf.PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Müller Haustechnik GmbH" in text and "Anfahrt 50 € pauschal." in text
    assert "Nordwind Systems GmbH" in text and "Zahlbar innerhalb 14 Tagen." in text
