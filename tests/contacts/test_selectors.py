import datetime

import pytest

from contacts.selectors.accounts import account_search, account_suggest_for_email
from contacts.selectors.contacts import (
    contact_autofill,
    contact_get,
    contact_list,
    contact_search,
    contacts_by_phone,
    query_kind,
)
from tests.contacts.factories import AccountFactory, ContactFactory, ContactTagFactory

pytestmark = pytest.mark.django_db


def names(qs):
    return sorted(c.last_name for c in qs)


def test_contact_list_shows_only_this_workspace(scope, workspace, other_workspace):
    ContactFactory(workspace=workspace, last_name="Mine")
    ContactFactory(workspace=other_workspace, last_name="Theirs")
    assert names(contact_list(workspace=workspace)) == ["Mine"]


def test_contact_list_filters_by_name_words(scope, workspace):
    ContactFactory(workspace=workspace, first_name="Ada", last_name="Lovelace")
    ContactFactory(workspace=workspace, first_name="Alan", last_name="Turing")
    assert names(contact_list(workspace=workspace, q="ada love")) == ["Lovelace"]


def test_contact_list_search_by_phone_in_any_format(scope, workspace):
    ContactFactory(workspace=workspace, last_name="Caller", mobile="+49301234567")
    assert names(contact_list(workspace=workspace, q="0049 30 1234567")) == ["Caller"]


def test_contact_list_search_by_email_is_case_insensitive(scope, workspace):
    ContactFactory(workspace=workspace, last_name="Mailer", email="ada@example.com")
    assert names(contact_list(workspace=workspace, q="ADA@example.com")) == ["Mailer"]


def test_contact_list_filters_by_age_range(scope, workspace):
    today = datetime.date.today()
    ContactFactory(
        workspace=workspace, last_name="Young", date_of_birth=today.replace(year=today.year - 20)
    )
    ContactFactory(
        workspace=workspace,
        last_name="Middle",
        date_of_birth=today.replace(year=today.year - 40) - datetime.timedelta(days=3),
    )
    ContactFactory(
        workspace=workspace, last_name="Old", date_of_birth=today.replace(year=today.year - 70)
    )
    assert names(contact_list(workspace=workspace, age_min=30, age_max=50)) == ["Middle"]


def test_contact_list_age_max_includes_the_whole_year_of_age(scope, workspace):
    today = datetime.date.today()
    ContactFactory(
        workspace=workspace,
        last_name="Fifty",
        date_of_birth=today.replace(year=today.year - 51) + datetime.timedelta(days=1),
    )
    assert names(contact_list(workspace=workspace, age_max=50)) == ["Fifty"]


def test_contact_list_filters_by_tag(scope, workspace):
    link = ContactTagFactory(workspace=workspace)
    ContactFactory(workspace=workspace)
    assert list(contact_list(workspace=workspace, tag=link.tag)) == [link.contact]


def test_contact_list_filters_by_consent(scope, workspace):
    ContactFactory(workspace=workspace, last_name="In", email_opt_in=True)
    ContactFactory(workspace=workspace, last_name="Out")
    assert names(contact_list(workspace=workspace, consent="opt_in")) == ["In"]


def test_contact_list_filters_without_owner(scope, workspace, owner):
    ContactFactory(workspace=workspace, last_name="Owned", owner=owner)
    ContactFactory(workspace=workspace, last_name="Orphan")
    assert names(contact_list(workspace=workspace, owner="none")) == ["Orphan"]


def test_contact_get_of_another_workspace_does_not_exist(scope, workspace, other_workspace):
    foreign = ContactFactory(workspace=other_workspace)
    with pytest.raises(foreign.DoesNotExist):
        contact_get(workspace=workspace, pk=foreign.pk)


def test_contact_autofill_gives_name_account_email_phone_owner(workspace, owner):
    account = AccountFactory(workspace=workspace, name="Acme")
    contact = ContactFactory(
        workspace=workspace,
        first_name="Ada",
        last_name="Lovelace",
        email="ada@acme.example",
        mobile="+491701234567",
        account=account,
        owner=owner,
    )
    values = contact_autofill(contact)
    assert values["name"] == "Ada Lovelace"
    assert (values["contact"], values["account"], values["owner"]) == (
        contact.pk,
        account.pk,
        owner.pk,
    )
    assert (values["email"], values["phone"]) == ("ada@acme.example", "+491701234567")


def test_account_suggest_for_email_matches_the_domain(scope, workspace):
    account = AccountFactory(workspace=workspace, domain="acme.example")
    assert account_suggest_for_email(workspace=workspace, email="Bob@ACME.example") == account


def test_account_suggest_ignores_freemail(scope, workspace):
    AccountFactory(workspace=workspace, domain="gmail.com")
    assert account_suggest_for_email(workspace=workspace, email="bob@gmail.com") is None


def test_account_suggest_ignores_other_workspaces(scope, workspace, other_workspace):
    AccountFactory(workspace=other_workspace, domain="acme.example")
    assert account_suggest_for_email(workspace=workspace, email="bob@acme.example") is None


@pytest.mark.parametrize(
    "raw", ["030 1234567", "+49 30 1234567", "0049301234567", "+49 (30) 123-4567"]
)
def test_contacts_by_phone_finds_any_format(scope, workspace, raw):
    contact = ContactFactory(workspace=workspace, phone="+49301234567")
    assert contacts_by_phone(workspace=workspace, phone=raw) == [contact]


def test_query_kind_tells_email_phone_and_text():
    assert query_kind("A@B.de", region="DE") == ("email", "a@b.de")
    assert query_kind("030 1234567", region="DE") == ("phone", "+49301234567")
    assert query_kind("Lovelace", region="DE") == ("text", "Lovelace")


def test_query_kind_reads_a_national_number_with_the_workspace_country():
    assert query_kind("(415) 555-0134", region="US") == ("phone", "+14155550134")
    # not a German number as written, and never re-homed: searched as text
    assert query_kind("(415) 555-0134", region="DE") == ("text", "(415) 555-0134")
    assert query_kind("030 1234567", region="") == ("text", "030 1234567")
    assert query_kind("+49 30 1234567", region="") == ("phone", "+49301234567")


def test_contact_search_finds_name_contains(scope, workspace):
    contact = ContactFactory(workspace=workspace, first_name="Grace", last_name="Hopper")
    assert contact_search(workspace=workspace, query="opp") == [contact]


def test_contact_search_limits_results(scope, workspace):
    ContactFactory.create_batch(5, workspace=workspace, last_name="Meyer")
    assert len(contact_search(workspace=workspace, query="meyer", limit=3)) == 3


def test_account_search_by_name_and_domain(scope, workspace):
    account = AccountFactory(workspace=workspace, name="Globex Corp", domain="globex.example")
    assert account_search(workspace=workspace, query="globex") == [account]
    assert account_search(workspace=workspace, query="globex.example") == [account]
