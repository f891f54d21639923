"""The printed quote carries the workspace's legal details and the customer's address; the
PDF download (read back with pypdf); the legal details settings page and its checks."""

import io
from decimal import Decimal

import pypdf
import pytest
from django.core.exceptions import ValidationError
from django.utils import formats, translation

from contacts.models import Account, Contact
from sales.services.quotes import quote_create, quote_line_add
from tests.sales.catalog_factories import ProductFactory, open_deal
from workspaces import banking
from workspaces.models import ChangeEvent, LegalDetails
from workspaces.roles import Role
from workspaces.scoping import workspace_scope
from workspaces.services import legal_details_update
from workspaces.templatetags.crm import money
from workspaces.urlnames import workspace_reverse

pytestmark = pytest.mark.django_db

IBAN = "DE89370400440532013000"
LEGAL = {
    "legal_name": "Acme Wärmetechnik GmbH",
    "street": "Leopoldstraße 12",
    "postal_code": "80802",
    "city": "München",
    "country": "Deutschland",
    "email": "angebote@acme.example",
    "phone": "+49 89 1234567",
    "website": "acme.example",
    "vat_id": "DE 123 456 789",
    "registration": "Amtsgericht München HRB 123456",
    "managing_directors": "Jürgen Groß",
    "bank_name": "Stadtsparkasse München",
    "iban": "de89 3704 0044 0532 0130 00",
    "bic": "cobadeffxxx",
    "payment_terms": "Zahlbar innerhalb 14 Tagen ohne Abzug.",
    "quote_footer": "Es gelten unsere AGB.",
}


def _url(workspace, name, **kwargs):
    return workspace_reverse(workspace, name, **kwargs)


@pytest.fixture
def legal(workspace, owner):
    with workspace_scope(workspace):
        return legal_details_update(workspace=workspace, actor=owner, **LEGAL)


@pytest.fixture
def quote(workspace, owner):
    account = Account.all_workspaces.create(
        workspace=workspace,
        name="Müller Haustechnik GmbH",
        street="Königstraße 7",
        postal_code="70173",
        city="Stuttgart",
        country="Deutschland",
    )
    contact = Contact.all_workspaces.create(
        workspace=workspace, first_name="Jörg", last_name="Weiß", account=account
    )
    with workspace_scope(workspace):
        deal = open_deal(
            workspace, owner, owner=owner, account=account, contact=contact, name="Heizung"
        )
        quote = quote_create(
            workspace=workspace, actor=owner, deal=deal, notes="Anfahrt pauschal 50 € inklusive."
        )
        product = ProductFactory(
            workspace=workspace,
            name="Wärmepumpe",
            sku="WP-9",
            unit_price=Decimal("100"),
            tax_rate=Decimal("19"),
        )
        quote_line_add(
            workspace=workspace,
            quote=quote,
            actor=owner,
            product=product,
            quantity=Decimal("2"),
            discount_percent=Decimal("5"),
        )
    quote.refresh_from_db()
    return quote


# --- the identifiers ----------------------------------------------------------------------
def test_an_iban_is_stored_compact_from_any_spacing_and_case():
    assert banking.iban_clean(" de89 3704 0044-0532 0130 00 ") == IBAN
    assert banking.iban_display(IBAN) == "DE89 3704 0044 0532 0130 00"
    assert banking.iban_clean("") == ""


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("DE89370400440532013001", "the check digits do not match"),
        ("DE8937040044053201300", "wrong length for its country"),
        ("XX89370400440532013000", "unknown country code"),
        ("DE89A70400440532013000", "wrong format for its country"),
    ],
)
def test_a_wrong_iban_says_what_is_wrong(value, reason):
    with pytest.raises(ValidationError) as exc:
        banking.iban_clean(value)
    assert exc.value.messages == [f"This is not a valid IBAN ({reason})."]


def test_bic_and_vat_id_are_checked_and_compacted():
    assert banking.bic_clean("cobade ffxxx") == "COBADEFFXXX"
    assert banking.vat_id_clean("de 123.456.789") == "DE123456789"
    with pytest.raises(ValidationError):
        banking.bic_clean("COBA")
    with pytest.raises(ValidationError):
        banking.vat_id_clean("123456789")


# --- the service and the settings page ----------------------------------------------------
@pytest.mark.in_scope
def test_the_service_stores_legal_details_once_per_workspace(workspace, owner):
    first = legal_details_update(workspace=workspace, actor=owner, **LEGAL)
    again = legal_details_update(workspace=workspace, actor=owner, city="Augsburg")
    assert first.pk == again.pk and LegalDetails.objects.count() == 1
    stored = LegalDetails.objects.get()
    assert (stored.iban, stored.bic, stored.vat_id, stored.city) == (
        IBAN,
        "COBADEFFXXX",
        "DE123456789",
        "Augsburg",
    )
    events = ChangeEvent.objects.filter(model="workspaces.legaldetails").order_by("seq")
    assert [(e.action, e.fields) for e in events][1] == ("updated", ["city"])


@pytest.mark.in_scope
def test_a_bad_iban_stores_nothing(workspace, owner):
    with pytest.raises(ValidationError) as exc:
        legal_details_update(
            workspace=workspace, actor=owner, legal_name="Acme", iban="DE89370400440532013001"
        )
    assert exc.value.message_dict == {
        "iban": ["This is not a valid IBAN (the check digits do not match)."]
    }
    assert not LegalDetails.objects.exists()


@pytest.mark.in_scope
def test_the_service_refuses_unknown_fields(workspace, owner):
    with pytest.raises(ValidationError):
        legal_details_update(workspace=workspace, actor=owner, workspace_id=2)


def test_owners_enter_the_legal_details_on_the_settings_page(workspace, owner_client):
    url = _url(workspace, "workspace_legal")
    assert owner_client.get(url).status_code == 200
    response = owner_client.post(url, LEGAL)
    assert response.status_code == 302 and response["Location"] == url
    stored = LegalDetails.all_workspaces.get(workspace=workspace)
    assert (stored.legal_name, stored.iban, stored.managing_directors) == (
        "Acme Wärmetechnik GmbH",
        IBAN,
        "Jürgen Groß",
    )
    page = owner_client.get(url).content.decode()
    assert 'value="DE89 3704 0044 0532 0130 00"' in page


def test_a_wrong_iban_on_the_settings_page_is_named_under_the_field(workspace, owner_client):
    response = owner_client.post(
        _url(workspace, "workspace_legal"), {**LEGAL, "iban": "DE89370400440532013001"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["iban"] == [
        "This is not a valid IBAN (the check digits do not match)."
    ]
    assert not LegalDetails.all_workspaces.filter(workspace=workspace).exists()


@pytest.mark.parametrize("role", [Role.ADMIN])
def test_admins_may_edit_the_legal_details(workspace, client_for, role):
    client = client_for(role)
    assert client.post(_url(workspace, "workspace_legal"), LEGAL).status_code == 302


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALES, Role.READONLY])
def test_other_roles_cannot_edit_the_legal_details(workspace, client_for, role):
    client = client_for(role)
    assert client.get(_url(workspace, "workspace_legal")).status_code == 403
    assert client.post(_url(workspace, "workspace_legal"), LEGAL).status_code == 403
    assert not LegalDetails.all_workspaces.exists()


def test_the_settings_tabs_link_the_legal_details(workspace, owner_client):
    html = owner_client.get(_url(workspace, "workspace_settings")).content.decode()
    assert _url(workspace, "workspace_legal") in html


# --- the print view -----------------------------------------------------------------------
def test_the_printed_quote_carries_the_legal_details_and_the_customers_address(
    workspace, owner_client, legal, quote, django_assert_max_num_queries
):
    with django_assert_max_num_queries(11):
        response = owner_client.get(_url(workspace, "sales:quote_print", pk=quote.pk))
    html = response.content.decode()
    for text in (
        "Acme Wärmetechnik GmbH",
        "Leopoldstraße 12<br>80802 München<br>Deutschland",
        "angebote@acme.example · +49 89 1234567 · acme.example",
        "Commercial register: Amtsgericht München HRB 123456",
        "VAT id: DE123456789",
        "Managing directors: Jürgen Groß",
        "Stadtsparkasse München",
        "IBAN DE89 3704 0044 0532 0130 00",
        "BIC COBADEFFXXX",
        "Zahlbar innerhalb 14 Tagen ohne Abzug.",
        "Es gelten unsere AGB.",
        "<strong>Müller Haustechnik GmbH</strong>",
        "Attn. Jörg Weiß",
        "Königstraße 7<br>",
        "70173 Stuttgart<br>",
        _url(workspace, "sales:quote_pdf", pk=quote.pk),
    ):
        assert text in html, text


def test_without_legal_details_the_quote_shows_the_workspace_name(workspace, owner_client, quote):
    html = owner_client.get(_url(workspace, "sales:quote_print", pk=quote.pk)).content.decode()
    assert '<div class="quote-company">Acme</div>' in html
    assert "IBAN" not in html and "Payment terms" not in html


# --- the PDF ------------------------------------------------------------------------------
def _pdf_text(response) -> str:
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_has_the_quote_its_customer_and_the_legal_details(
    workspace, owner_client, legal, quote, django_assert_max_num_queries
):
    with django_assert_max_num_queries(11):
        response = owner_client.get(_url(workspace, "sales:quote_pdf", pk=quote.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{quote.number}.pdf"'
    assert response.content.startswith(b"%PDF-")
    text = _pdf_text(response)
    lines = text.splitlines()
    # the letterhead, the customer and the figures, line by line
    expected = [
        "Acme Wärmetechnik GmbH",
        "Leopoldstraße 12",
        "80802 München",
        "angebote@acme.example · +49 89 1234567 · acme.example",
        "Quote",
        quote.number,
        "For",
        "Müller Haustechnik GmbH",
        "Attn. Jörg Weiß",
        "Königstraße 7",
        "70173 Stuttgart",
        "Reference Heizung",
        "Currency EUR",
        f"Net total {money(Decimal('190.00'), 'EUR')}",
        f"Tax 19 % on {money(Decimal('190.00'), 'EUR')} {money(Decimal('36.10'), 'EUR')}",
        f"Total {money(Decimal('226.10'), 'EUR')}",
        "Anfahrt pauschal 50 € inklusive.",
        "Payment terms",
        "Zahlbar innerhalb 14 Tagen ohne Abzug.",
        "Es gelten unsere AGB.",
        "Page 1 of 1",
    ]
    for line in expected:
        assert line in lines, line
    # the footer's narrow columns may wrap a line: compare with the spacing folded
    flat = " ".join(text.split())
    for item in (
        "Leopoldstraße 12, 80802 München, Deutschland",
        "Commercial register: Amtsgericht München HRB 123456",
        "VAT id: DE123456789",
        "Managing directors: Jürgen Groß",
        "Stadtsparkasse München",
        "IBAN DE89 3704 0044 0532 0130 00",
        "BIC COBADEFFXXX",
    ):
        assert item in flat, item
    row = next(x for x in lines if x.startswith("1 Wärmepumpe"))
    assert row == (
        f"1 Wärmepumpe WP-9 2 {money(Decimal('100.00'))} 5 % 19 % {money(Decimal('190.00'))}"
    )


def test_the_pdf_speaks_the_users_language(workspace, owner, quote, legal):
    from tests.conftest import login

    owner.language = "de"
    owner.save()
    client = login(owner)
    lines = _pdf_text(client.get(_url(workspace, "sales:quote_pdf", pk=quote.pk))).splitlines()
    assert "Angebot" in lines and "Für" in lines
    with translation.override("de"):
        valid = formats.date_format(quote.valid_until, "DATE_FORMAT")  # "30. Dezember 2026"
    assert f"Gültig bis {valid}" in lines
    assert "Müller Haustechnik GmbH" in lines and "Anfahrt pauschal 50 € inklusive." in lines


def test_a_quote_of_many_lines_runs_over_pages_with_the_footer_on_each(
    workspace, owner_client, owner, legal, quote
):
    with workspace_scope(workspace):
        product = ProductFactory(workspace=workspace, name="Heizkörper", unit_price=Decimal("9"))
        for _ in range(45):
            quote_line_add(workspace=workspace, quote=quote, actor=owner, product=product)
    response = owner_client.get(_url(workspace, "sales:quote_pdf", pk=quote.pk))
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text()
        assert f"Page {number} of {pages}" in text
        assert "IBAN DE89 3704 0044 0532 0130 00" in text


def test_read_only_members_may_download_and_marketers_may_not(workspace, client_for, quote):
    url = _url(workspace, "sales:quote_pdf", pk=quote.pk)
    assert client_for(Role.READONLY).get(url).status_code == 200
    assert client_for(Role.MARKETING).get(url).status_code == 403


def test_the_pdf_is_read_only(workspace, owner_client, quote):
    assert owner_client.post(_url(workspace, "sales:quote_pdf", pk=quote.pk)).status_code == 405


def test_another_workspaces_quote_is_not_found(workspace, other_workspace, owner_client, owner):
    with workspace_scope(other_workspace):
        theirs = quote_create(
            workspace=other_workspace, actor=None, deal=open_deal(other_workspace)
        )
    response = owner_client.get(_url(workspace, "sales:quote_pdf", pk=theirs.pk))
    assert response.status_code == 404
