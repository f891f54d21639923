"""A merged-away contact's URL opens the survivor (chains end at the last survivor); the
redirect is the workspace's own (other workspaces: tests/contacts/isolation_io.py)."""

from django.urls import reverse

from contacts.models import Contact, ContactMergeRedirect
from contacts.selectors.merges import contact_merged_into
from contacts.services.contacts import contact_delete
from contacts.services.merging import contact_merge
from tests.contacts.factories import ContactFactory
from workspaces.scoping import workspace_scope


def _url(name, pk, **kwargs):
    return reverse(f"contacts:{name}", kwargs={"ws": "acme", "pk": pk, **kwargs})


def _merge(workspace, survivor, loser):
    with workspace_scope(workspace):
        contact_merge(workspace=workspace, actor=None, survivor=survivor, loser=loser)


def test_detail_and_edit_of_a_merged_away_contact_open_the_survivor(workspace, owner_client):
    survivor = ContactFactory(workspace=workspace)
    loser = ContactFactory(workspace=workspace)
    _merge(workspace, survivor, loser)
    response = owner_client.get(_url("detail", loser.pk), {"group": "face_to_face"})
    assert response.status_code == 302
    assert response.url == _url("detail", survivor.pk) + "?group=face_to_face"
    page = owner_client.get(response.url)
    assert f"Contact #{loser.pk} was merged into this one." in page.content.decode()
    assert owner_client.get(_url("edit", loser.pk)).url == _url("edit", survivor.pk)
    # the delete page never becomes the survivor's delete page
    assert owner_client.get(_url("delete", loser.pk)).url == _url("detail", survivor.pk)


def test_a_form_posted_to_a_merged_away_contact_changes_nothing(workspace, owner_client):
    survivor = ContactFactory(workspace=workspace, last_name="Stays")
    loser = ContactFactory(workspace=workspace)
    _merge(workspace, survivor, loser)
    response = owner_client.post(_url("edit", loser.pk), {"last_name": "Overwritten"})
    assert response.url == _url("detail", survivor.pk)
    response = owner_client.post(_url("delete", loser.pk))
    assert response.url == _url("detail", survivor.pk)
    with workspace_scope(workspace):
        assert Contact.objects.get(pk=survivor.pk).last_name == "Stays"


def test_a_chain_of_merges_leads_to_the_last_survivor_in_one_step(workspace, owner_client):
    first, second, third = (ContactFactory(workspace=workspace) for _ in range(3))
    _merge(workspace, second, first)
    _merge(workspace, third, second)
    for old in (first, second):
        assert owner_client.get(_url("detail", old.pk)).url == _url("detail", third.pk)
    with workspace_scope(workspace):
        assert sorted(
            ContactMergeRedirect.objects.values_list("merged_id", "survivor_id")
        ) == sorted([(first.pk, third.pk), (second.pk, third.pk)])
        assert contact_merged_into(workspace=workspace, pk=first.pk) == third.pk


def test_deleting_the_survivor_ends_its_redirects(workspace, owner_client):
    survivor = ContactFactory(workspace=workspace)
    loser = ContactFactory(workspace=workspace)
    _merge(workspace, survivor, loser)
    with workspace_scope(workspace):
        contact_delete(workspace=workspace, actor=None, contact=Contact.objects.get(pk=survivor.pk))
        assert not ContactMergeRedirect.objects.exists()
    assert owner_client.get(_url("detail", loser.pk)).status_code == 404


def test_an_unknown_id_is_still_404(workspace, owner_client):
    assert owner_client.get(_url("detail", 987654)).status_code == 404
    with workspace_scope(workspace):
        assert contact_merged_into(workspace=workspace, pk="x") is None
        assert contact_merged_into(workspace=workspace, pk=2**70) is None


def test_a_stale_merge_link_leads_to_the_merged_contact(workspace, client_for):
    survivor = ContactFactory(workspace=workspace)
    loser = ContactFactory(workspace=workspace)
    third = ContactFactory(workspace=workspace)
    _merge(workspace, survivor, loser)
    client = client_for("manager")
    response = client.get(_url("merge", survivor.pk, other=loser.pk))
    assert response.url == _url("detail", survivor.pk)
    response = client.post(_url("merge", survivor.pk, other=loser.pk))
    assert response.url == _url("detail", survivor.pk)
    response = client.get(_url("merge", third.pk, other=loser.pk))
    assert response.url == _url("merge", third.pk, other=survivor.pk)
    with workspace_scope(workspace):
        assert Contact.objects.filter(pk__in=[survivor.pk, third.pk]).count() == 2
