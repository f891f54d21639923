"""The segments resource: read only, with the stored members paged by contact id."""

import pytest

from tests.contacts.factories import ContactFactory
from tests.marketing.factories import SegmentFactory, SegmentMemberFactory
from workspaces.roles import Role

pytestmark = pytest.mark.django_db

SEGMENTS = "/api/v1/segments/"


def test_the_list_reads_the_workspaces_segments(
    workspace, other_workspace, django_assert_max_num_queries, api_client_for
):
    for n in range(4):
        SegmentFactory(workspace=workspace, name=f"Segment {n}", member_count=n)
    SegmentFactory(workspace=other_workspace)
    client = api_client_for(Role.MARKETING)
    with django_assert_max_num_queries(4):
        response = client.get(SEGMENTS, {"ordering": "name"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["name"], r["member_count"]) for r in rows] == [(f"Segment {n}", n) for n in range(4)]


def test_members_are_paged_by_contact_id_with_minimal_fields(
    workspace, django_assert_max_num_queries, api_client_for
):
    segment = SegmentFactory(workspace=workspace)
    contacts = [ContactFactory(workspace=workspace) for _ in range(5)]
    for contact in reversed(contacts):
        SegmentMemberFactory(segment=segment, contact=contact)
    SegmentMemberFactory(segment=SegmentFactory(workspace=workspace), contact=contacts[0])
    client = api_client_for(Role.READONLY)
    with django_assert_max_num_queries(4):
        first = client.get(f"{SEGMENTS}{segment.pk}/members/", {"page_size": 3})
    assert first.status_code == 200
    page = first.json()
    assert [m["contact"] for m in page["results"]] == [c.pk for c in contacts[:3]]
    assert page["results"][0]["email"] == contacts[0].email
    assert set(page["results"][0]) == {
        "contact",
        "first_name",
        "last_name",
        "email",
        "added_at",
        "source",
    }
    second = client.get(page["next"]).json()
    assert [m["contact"] for m in second["results"]] == [c.pk for c in contacts[3:]]
    assert second["next"] is None


def test_a_segment_of_another_workspace_is_not_found(workspace, other_workspace, api_client_for):
    theirs = SegmentFactory(workspace=other_workspace)
    SegmentMemberFactory(segment=theirs, contact=ContactFactory(workspace=other_workspace))
    client = api_client_for()
    assert client.get(f"{SEGMENTS}{theirs.pk}/").status_code == 404
    assert client.get(f"{SEGMENTS}{theirs.pk}/members/").status_code == 404


def test_segments_are_read_only_and_need_the_marketing_permission(workspace, api_client_for):
    segment = SegmentFactory(workspace=workspace)
    assert api_client_for().post(SEGMENTS, {"name": "X"}).status_code == 405
    assert api_client_for().delete(f"{SEGMENTS}{segment.pk}/").status_code == 405
    assert api_client_for(Role.SERVICE).get(SEGMENTS).status_code == 403
