"""Contact deletes and merges call the apps' lifecycle hooks in their transaction, so an
app can remove or move its own rows (and a failing hook stores nothing)."""

import pytest

from contacts.models import Contact
from contacts.services.bulk import contacts_bulk_delete
from contacts.services.contacts import contact_delete
from contacts.services.merging import contact_merge
from tests.contacts.factories import ContactFactory
from workspaces import lifecycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls():
    seen = []

    def deleted(**kwargs):
        seen.append(("deleted", kwargs["workspace"].pk, sorted(kwargs["contact_ids"])))

    def merged(**kwargs):
        seen.append(("merged", kwargs["survivor"].pk, kwargs["loser"].pk))
        assert Contact.objects.filter(pk=kwargs["loser"].pk).exists()  # not deleted yet

    lifecycle.on_contacts_deleted.register("tests.deleted", deleted)
    lifecycle.on_contacts_merged.register("tests.merged", merged)
    yield seen
    lifecycle.on_contacts_deleted.unregister("tests.deleted")
    lifecycle.on_contacts_merged.unregister("tests.merged")


def test_deleting_contacts_calls_the_hooks_with_their_ids(scope, owner, calls):
    one, two, three = (ContactFactory(workspace=scope) for _ in range(3))
    contact_delete(workspace=scope, actor=owner, contact=one)
    contacts_bulk_delete(workspace=scope, actor=owner, contact_ids=[two.pk, three.pk])
    assert calls == [
        ("deleted", scope.pk, [one.pk]),
        ("deleted", scope.pk, sorted([two.pk, three.pk])),
    ]


def test_merging_calls_the_hook_before_the_loser_goes(scope, owner, calls):
    survivor, loser = ContactFactory(workspace=scope), ContactFactory(workspace=scope)
    contact_merge(workspace=scope, actor=owner, survivor=survivor, loser=loser)
    assert calls == [("merged", survivor.pk, loser.pk)]


def test_a_failing_hook_deletes_nothing(scope, owner):
    def refuse(**kwargs):
        raise RuntimeError("cannot let go")

    contact = ContactFactory(workspace=scope)
    lifecycle.on_contacts_deleted.register("tests.refuse", refuse)
    try:
        with pytest.raises(RuntimeError):
            contact_delete(workspace=scope, actor=owner, contact=contact)
    finally:
        lifecycle.on_contacts_deleted.unregister("tests.refuse")
    assert Contact.objects.filter(pk=contact.pk).exists()
