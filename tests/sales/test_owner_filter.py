"""The deal and lead lists find unassigned records ("No owner"), e.g. after a member left."""

import pytest
from django.urls import reverse

from tests.sales.factories import LeadFactory, deal_make

pytestmark = pytest.mark.django_db


def test_deals_and_leads_filter_by_no_owner(workspace, owner_client, owner):
    mine = deal_make(workspace, actor=owner, name="Owned deal")
    orphan = deal_make(workspace, actor=owner, name="Orphan deal")
    type(orphan).all_workspaces.filter(pk=orphan.pk).update(owner=None)
    type(mine).all_workspaces.filter(pk=mine.pk).update(owner=owner)
    LeadFactory(workspace=workspace, last_name="Ownedlead", owner=owner)
    LeadFactory(workspace=workspace, last_name="Orphanlead", owner=None)
    for name, kept, gone in (
        ("sales:deals", "Orphan deal", mine.name),
        ("sales:leads", "Orphanlead", "Ownedlead"),
    ):
        url = reverse(name, kwargs={"ws": workspace.slug})
        body = owner_client.get(url, {"owner": "none"}).content.decode()
        assert kept in body and gone not in body, name
        assert '<option value="none" selected>No owner</option>' in body
        everyone = owner_client.get(url).content.decode()
        assert kept in everyone and gone in everyone
        mine_only = owner_client.get(url, {"owner": owner.pk}).content.decode()
        assert gone in mine_only and kept not in mine_only
