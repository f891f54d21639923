"""Lead and deal search, and the conversion page's duplicate check: inside the workspace they
are given, and each branch an indexed predicate (exact on normalised email and phone columns,
trigram-indexed substrings on names; DESIGN.md §11)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sales.selectors.deals import board
from sales.selectors.leads import lead_duplicates, lead_search
from sales.selectors.panels import search_deals, search_leads
from sales.selectors.pipelines import pipelines_for
from tests.contacts.factories import AccountFactory, ContactFactory
from tests.sales.factories import LeadFactory, deal_make, pipeline_for
from workspaces.scoping import scopes_disabled

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_scope(scope):
    """Selectors run inside the workspace scope, as in a request."""


def _titles(hits):
    return sorted(hit.title for hit in hits)


def test_leads_are_found_by_every_word_across_name_and_company(workspace):
    LeadFactory(workspace=workspace, first_name="Ada", last_name="Byron", company="Analytical AG")
    LeadFactory(workspace=workspace, first_name="Ada", last_name="Meyer", company="Other GmbH")
    assert _titles(search_leads(workspace, "ada analytical", 8)) == ["Ada Byron (Analytical AG)"]


def test_leads_are_found_by_exact_email_and_by_phone_in_another_format(workspace):
    LeadFactory(
        workspace=workspace,
        first_name="Ada",
        last_name="Byron",
        company="",
        email="ada@byron.example",
    )
    LeadFactory(
        workspace=workspace, first_name="Bea", last_name="Kurz", company="", phone="+4930123456"
    )
    assert _titles(search_leads(workspace, "Ada@Byron.example", 8)) == ["Ada Byron"]
    assert _titles(search_leads(workspace, "030 123456", 8)) == ["Bea Kurz"]


def test_deals_are_found_by_their_name_and_by_their_accounts_name(workspace, owner):
    zeppelin = AccountFactory(workspace=workspace, name="Zeppelin Werke")
    deal_make(workspace, actor=owner, name="Airship refit", account=zeppelin)
    deal_make(workspace, actor=owner, name="Zeppelin museum tour")
    deal_make(workspace, actor=owner, name="Unrelated")
    assert _titles(search_deals(workspace, "zeppelin", 8)) == [
        "Airship refit",
        "Zeppelin museum tour",
    ]


def test_searches_stay_in_the_workspace_they_are_given_even_unscoped(
    workspace, other_workspace, owner
):
    """A selector filters by its `workspace=` itself; it does not lean on the request scope
    (platform admin, API and tasks call it too)."""
    LeadFactory(workspace=workspace, last_name="Zeppelin")
    LeadFactory(workspace=other_workspace, last_name="Zeppelin")
    deal_make(workspace, actor=owner, name="Zeppelin A")
    deal_make(other_workspace, name="Zeppelin B")
    with scopes_disabled():
        assert len(search_leads(workspace, "zeppelin", 8)) == 1
        assert _titles(search_deals(workspace, "zeppelin", 8)) == ["Zeppelin A"]
        assert [p.workspace_id for p in pipelines_for(workspace=other_workspace)] == [
            other_workspace.pk
        ]


def test_a_deal_search_does_not_follow_another_workspaces_account(workspace, other_workspace):
    theirs = AccountFactory(workspace=other_workspace, name="Zeppelin Werke")
    deal_make(other_workspace, name="Their refit", account=theirs)
    with scopes_disabled():
        assert search_deals(workspace, "zeppelin", 8) == []


def _sql_touching(table, queries):
    return [q["sql"] for q in queries if f'FROM "{table}"' in q["sql"]]


def test_a_lead_email_search_compares_the_stored_address_exactly(workspace):
    with CaptureQueriesContext(connection) as ctx:
        lead_search(workspace=workspace, query="Ada@Byron.example")
    (sql,) = _sql_touching("sales_lead", ctx.captured_queries)
    assert '"sales_lead"."email" = ' in sql
    assert "LIKE" not in sql.upper()


def test_the_duplicate_check_compares_emails_exactly_on_the_normalised_columns(workspace):
    match = ContactFactory(workspace=workspace, email="ada@byron.example")
    ContactFactory(workspace=workspace, email2="ada@byron.example")
    lead = LeadFactory(workspace=workspace, company="", email="Ada@Byron.example ")
    with CaptureQueriesContext(connection) as ctx:
        found = lead_duplicates(workspace=workspace, lead=lead)
    assert match in found["contacts"] and len(found["contacts"]) == 2
    (sql,) = _sql_touching("contacts_contact", ctx.captured_queries)
    assert '"contacts_contact"."email_key" = ' in sql
    assert '"contacts_contact"."email2_key" = ' in sql
    assert "LIKE" not in sql.upper() and "UPPER(" not in sql.upper()


def test_the_duplicate_check_stays_in_its_workspace(workspace, other_workspace):
    ContactFactory(workspace=other_workspace, email="ada@byron.example")
    AccountFactory(workspace=other_workspace, name="Byron AG")
    lead = LeadFactory(workspace=workspace, company="Byron AG", email="ada@byron.example")
    with scopes_disabled():
        assert lead_duplicates(workspace=workspace, lead=lead) == {
            "accounts": [],
            "contacts": [],
        }


def test_the_board_refuses_a_pipeline_of_another_workspace(workspace, other_workspace):
    from django.core.exceptions import ValidationError

    theirs = pipeline_for(other_workspace)
    with pytest.raises(ValidationError):
        board(workspace=workspace, pipeline=theirs)


TRIGRAM_INDEXES = {
    "lead_ws_first_trgm": "first_name",
    "lead_ws_last_trgm": "last_name",
    "lead_ws_company_trgm": "company",
    "deal_ws_name_trgm": "name",
}


@pytest.mark.postgres
@pytest.mark.parametrize(("index", "column"), sorted(TRIGRAM_INDEXES.items()))
def test_postgresql_has_a_trigram_index_led_by_the_workspace(index, column):
    """The index matches the expression Django writes for `icontains` on PostgreSQL
    (UPPER(col::text) LIKE UPPER('%q%')), inside the tenant (btree_gin)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [index])
        (definition,) = cursor.fetchone()
    assert "USING gin (workspace_id, upper((" + column + ")::text) gin_trgm_ops)" in definition
