"""Exports and lists take ids in their filters (owner, tag, account): another workspace's id
must behave exactly like an id that does not exist: the same rows, the same file, and a
search of another workspace's names finds none of its rows."""

import pytest
from django.urls import reverse

from tests.contacts.factories import AccountFactory, ContactFactory, ContactTagFactory, TagFactory
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _url(name):
    return reverse(f"contacts:{name}", kwargs={"ws": "acme"})


@pytest.fixture
def theirs(other_workspace):
    stranger = MembershipFactory(workspace=other_workspace).user
    account = AccountFactory(workspace=other_workspace, name="Quixotic Globex")
    tag = TagFactory(workspace=other_workspace)
    contact = ContactFactory(
        workspace=other_workspace, account=account, owner=stranger, last_name="Quixotic"
    )
    ContactTagFactory(workspace=other_workspace, contact=contact, tag=tag)
    return {"owner": stranger.pk, "tag": tag.pk, "account": account.pk}


@pytest.mark.parametrize("name", ["export", "account_export", "list", "account_list"])
@pytest.mark.parametrize("param", ["owner", "tag", "account"])
def test_a_filter_with_another_workspaces_id_answers_like_a_missing_id(
    name, param, theirs, workspace, owner_client
):
    ContactFactory(workspace=workspace, last_name="Mine")
    AccountFactory(workspace=workspace, name="Mine Ltd")
    answer = owner_client.get(_url(name), {param: theirs[param]})
    expected = owner_client.get(_url(name), {param: 2_147_483_000})
    assert answer.status_code == expected.status_code
    body = b"".join(answer.streaming_content) if answer.streaming else answer.content
    missing = b"".join(expected.streaming_content) if expected.streaming else expected.content
    assert b"Quixotic" not in body
    if answer.streaming:  # the files are the same byte for byte
        assert body == missing


@pytest.mark.parametrize("name", ["export", "account_export"])
def test_an_export_searching_another_workspaces_names_finds_nothing(
    name, theirs, workspace, owner_client
):
    answer = owner_client.get(_url(name), {"q": "Quixotic"})
    assert b"Quixotic" not in b"".join(answer.streaming_content)
