"""The isolation sweep of the REST API (/api/v1/): every route that names an object (a pk, an
external id, a SKU) answers for another workspace's object exactly as for an id that does not
exist (same status, same body) for every method, and changes nothing. A route the sweep does
not know fails `test_every_api_object_route_is_swept`."""

import pytest
from django.forms.models import model_to_dict

from api.api_urls import router
from api.services.keys import api_key_create
from sales.services.quotes import quote_create, quote_line_add
from tests.api.conftest import key_client
from tests.contacts.factories import AccountFactory, ContactFactory
from tests.factories import MembershipFactory
from tests.marketing.factories import CampaignFactory, SegmentFactory
from tests.sales.catalog_factories import ProductFactory, open_deal
from tests.sales.factories import ActivityFactory, LeadFactory, deal_make
from tests.service.factories import new_case
from touchpoints.services import interaction_record
from workspaces.roles import Role
from workspaces.scoping import scopes_disabled, workspace_scope

pytestmark = pytest.mark.django_db


def _quote(workspace):
    deal = open_deal(workspace)
    quote = quote_create(workspace=workspace, actor=None, deal=deal)
    quote_line_add(
        workspace=workspace,
        actor=None,
        quote=quote,
        product=ProductFactory(workspace=workspace),
        quantity=1,
    )
    return quote


def _interaction(workspace):
    contact = ContactFactory(workspace=workspace)
    return interaction_record(
        workspace=workspace, contact=contact, channel="phone", kind="call.logged", subject="Hi"
    )


# basename -> maker(workspace) returning the object; its pk, external_id or sku fills the route
MAKERS = {
    "account": lambda ws: AccountFactory(workspace=ws, external_id="theirs-1"),
    "campaigns": lambda ws: CampaignFactory(workspace=ws),
    "cases": lambda ws: new_case(ws),
    "contact": lambda ws: ContactFactory(workspace=ws, external_id="theirs-1"),
    "deals": lambda ws: deal_make(ws),
    "interaction": _interaction,
    "leads": lambda ws: LeadFactory(workspace=ws),
    "products": lambda ws: ProductFactory(workspace=ws, sku="THEIRS-1"),
    "quotes": _quote,
    "segments": lambda ws: SegmentFactory(workspace=ws),
    "tasks": lambda ws: ActivityFactory(workspace=ws),
}
KWARG_FIELDS = {"pk": "pk", "external_id": "external_id", "sku": "sku"}
MISSING = {"pk": "2147483000", "external_id": "no-such-id", "sku": "NO-SUCH-SKU"}


def object_routes():
    """(url name, regex, kwarg) of every API route with a path parameter."""
    found = []
    for pattern in router.urls:
        groups = list(pattern.pattern.regex.groupindex)
        if groups:
            found.append((pattern.name, pattern.pattern.regex.pattern, groups[0]))
    return found


ROUTES = object_routes()


def test_every_api_object_route_is_swept():
    assert len(ROUTES) >= 15, "the sweep finds the API's routes"
    basenames = {name.split("-")[0] for name, _regex, _kwarg in ROUTES}
    assert not basenames - set(MAKERS), f"add a maker to MAKERS: {basenames - set(MAKERS)}"
    assert not {kwarg for _n, _r, kwarg in ROUTES} - set(KWARG_FIELDS)


def _path(regex, kwarg, value):
    route = regex.lstrip("^").rstrip("$")
    start = route.index("(?P<")
    end = route.index(")", start) + 1
    return "/api/v1/" + route[:start] + str(value) + route[end:]


def _state(obj):
    with scopes_disabled():
        fresh = type(obj).all_workspaces.filter(pk=obj.pk).first()
        return None if fresh is None else model_to_dict(fresh)


BODY = {"name": "hijacked", "subject": "hijacked", "first_name": "hijacked", "stage": 1}


@pytest.mark.parametrize(("name", "regex", "kwarg"), ROUTES, ids=[r[0] for r in ROUTES])
def test_another_workspaces_object_answers_like_a_missing_one(
    name, regex, kwarg, workspace, other_workspace
):
    user = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    with workspace_scope(workspace):
        _row, key = api_key_create(workspace=workspace, actor=user, name="Sweep", role=Role.OWNER)
    with workspace_scope(other_workspace):
        theirs = MAKERS[name.split("-")[0]](other_workspace)
    before = _state(theirs)
    client = key_client(key)
    theirs_url = _path(regex, kwarg, getattr(theirs, KWARG_FIELDS[kwarg]))
    missing_url = _path(regex, kwarg, MISSING[kwarg])
    for method in ("get", "put", "patch", "post", "delete"):
        send = getattr(client, method)
        answer = send(theirs_url, BODY, format="json")
        expected = send(missing_url, BODY, format="json")
        if kwarg != "pk" and method in ("put", "patch", "post") and answer.status_code < 300:
            # an upsert by external id or SKU makes this workspace's own row, never theirs
            assert answer.json()["id"] != theirs.pk
            continue
        assert answer.status_code == expected.status_code, (method, theirs_url)
        assert answer.status_code in (400, 404, 405), (method, answer.status_code)
        assert answer.content == expected.content, (method, answer.content)
    assert _state(theirs) == before
