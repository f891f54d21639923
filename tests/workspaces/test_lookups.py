"""`__in_array`: membership in a long list as one array parameter on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Contact
from tests.contacts.factories import ContactFactory

pytestmark = pytest.mark.in_scope


@pytest.fixture
def contacts(workspace):
    return [
        ContactFactory(workspace=workspace, email=f"p{i}@example.org", last_name=f"N{i}")
        for i in range(5)
    ]


def test_it_finds_what_in_finds_on_text_and_integer_columns(contacts):
    emails = ["p1@example.org", "p3@example.org", "nobody@example.org"]
    assert (
        set(Contact.objects.filter(email__in_array=emails))
        == set(Contact.objects.filter(email__in=emails))
        == {contacts[1], contacts[3]}
    )
    pks = [contacts[0].pk, contacts[4].pk, 10**12]
    assert set(Contact.objects.filter(pk__in_array=pks)) == {contacts[0], contacts[4]}


def test_an_empty_list_matches_nothing(contacts):
    assert list(Contact.objects.filter(email__in_array=[])) == []


@pytest.mark.postgres
def test_on_postgresql_the_list_is_one_parameter(contacts):
    with CaptureQueriesContext(connection) as queries:
        list(Contact.objects.filter(email__in_array=[f"p{i}@example.org" for i in range(500)]))
    sql = queries.captured_queries[-1]["sql"]
    assert "= ANY(" in sql and sql.count("p499@example.org") == 1
