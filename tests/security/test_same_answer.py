"""Another workspace's id answers exactly like an id that does not exist, on every workspace
URL with an id (tests/isolation.py): the same status for GET and POST, so a status code never
tells that an object exists elsewhere."""

import pytest
from django.urls import reverse

from tests.conftest import login
from tests.factories import MembershipFactory
from tests.isolation import REGISTRY
from workspaces.roles import Role

pytestmark = pytest.mark.django_db

MISSING = 2_147_483_000


@pytest.mark.parametrize("url_name", sorted(REGISTRY))
def test_another_workspaces_id_answers_like_a_missing_id(url_name, workspace, other_workspace):
    me = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    stranger = MembershipFactory(workspace=other_workspace, role=Role.OWNER).user
    kwargs, _obj = REGISTRY[url_name](other_workspace, stranger)
    missing = {k: (MISSING if isinstance(v, int) else v) for k, v in kwargs.items()}
    client = login(me)
    theirs_url = reverse(url_name, kwargs={"ws": workspace.slug, **kwargs})
    missing_url = reverse(url_name, kwargs={"ws": workspace.slug, **missing})
    assert client.get(theirs_url).status_code == client.get(missing_url).status_code
    assert (
        client.post(theirs_url, {"confirm": "1"}).status_code
        == client.post(missing_url, {"confirm": "1"}).status_code
    )
