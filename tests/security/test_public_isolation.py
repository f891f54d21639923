"""The isolation sweep of the public endpoints (no login: tokens and workspace slugs in the
URL): web forms, calendar feeds, tracking and unsubscribe links, marketing assets, the help
centre, surveys, invitations, mail and telephony webhooks. A forged, foreign or hostile token
never answers with data or a server error, another workspace's token or slug finds nothing
under this workspace's address, and every URL outside /w/<slug>/ that takes a parameter is
either swept here or named with the test that covers it
(`test_every_url_with_a_parameter_is_swept`)."""

import pytest
from django.urls import get_resolver, reverse

from sales.services import calendar_feeds as feed_services
from service.services import knowledge as kb_services
from tests.factories import MembershipFactory
from tests.workspaces.test_isolation import _walk
from workspaces.scoping import workspace_scope

pytestmark = pytest.mark.django_db

# swept below: garbage, hostile and foreign values for every parameter
PUBLIC = {
    "invitation_owner_confirm",
    "invitation_accept",
    "sales_web_form",
    "sales_calendar_ics",
    "marketing_unsubscribe",
    "marketing_open",
    "marketing_click",
    "marketing_asset",
    "marketing_bounces",
    "service_inbound_mail",
    "service_case_form",
    "service_survey",
    "service_kb_index",
    "service_kb_article",
    "callcentre_telephony_events",
}
# covered elsewhere, by the test named
ELSEWHERE = {
    "admin:": "tests/workspaces/test_admin_lookups.py (admin is scoped to the chosen workspace)",
    "api-v1:": "tests/security/test_api_isolation.py",
    "account_": "django-allauth's signed keys (tests/workspaces/test_signup.py)",
}
HOSTILE = ["x", "0", "1", "1:forged", "..", "' OR 1=1 --", "%00", "<script>", "A" * 300]


def public_routes():
    """name -> (route, converters) of every URL outside /w/<slug>/ with a path parameter."""
    found = {}
    for name, route, conv in _walk(get_resolver().url_patterns):
        if not route.startswith("w/<slug:ws>/") and (conv or "(?P<" in route):
            found[name] = (route, conv)
    return found


def test_every_url_with_a_parameter_is_swept():
    routes = public_routes()
    unknown = sorted(
        name
        for name in routes
        if name not in PUBLIC and not any(name.startswith(p) for p in ELSEWHERE)
    )
    assert not unknown, f"sweep these in tests/security/test_public_isolation.py: {unknown}"
    assert not PUBLIC - set(routes), "a swept URL no longer exists"


def _kwargs(name, value, ws):
    route, conv = public_routes()[name]
    kwargs = {}
    for key in conv:
        kwargs[key] = ws if key in ("ws", "slug") and name not in ("service_kb_article",) else value
    if name == "service_kb_article":
        kwargs.update(ws=ws, language="en", slug="returns")
    return kwargs


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_a_forged_token_answers_nothing_and_never_fails(name, workspace, other_workspace, client):
    for value in HOSTILE:
        for ws in (workspace.slug, other_workspace.slug, "no-such-workspace"):
            try:
                url = reverse(name, kwargs=_kwargs(name, value, ws))
            except Exception:  # noqa: BLE001 - the URL pattern refuses the value itself
                continue
            for method in ("get", "post"):
                answer = getattr(client, method)(url)
                assert answer.status_code < 500, (method, url, answer.status_code)
                if name != "service_kb_index" and name != "service_kb_article":
                    assert answer.status_code not in (200, 201, 302) or name == "marketing_open", (
                        method,
                        url,
                        answer.status_code,
                    )


def _article(workspace, slug):
    with workspace_scope(workspace):
        return kb_services.article_create(
            workspace=workspace,
            actor=None,
            publish=True,
            title="Their secret returns policy",
            body="Only for Globex customers.",
            language="en",
            visibility="public",
            slug=slug,
            translation_of=None,
        )


def test_another_workspaces_help_article_is_not_found_here(workspace, other_workspace, client):
    theirs = _article(other_workspace, "returns")
    mine = reverse(
        "service_kb_article", kwargs={"ws": workspace.slug, "language": "en", "slug": "returns"}
    )
    missing = reverse(
        "service_kb_article", kwargs={"ws": workspace.slug, "language": "en", "slug": "nothing"}
    )
    answer, expected = client.get(mine), client.get(missing)
    assert answer.status_code == expected.status_code == 404
    index = client.get(reverse("service_kb_index", kwargs={"ws": workspace.slug}), {"q": "secret"})
    assert theirs.title not in index.content.decode()
    own = reverse(
        "service_kb_article",
        kwargs={"ws": other_workspace.slug, "language": "en", "slug": theirs.slug},
    )
    assert client.get(own).status_code == 200  # the article is public in its own workspace


def test_another_workspaces_calendar_feed_is_not_found_here(workspace, other_workspace, client):
    user = MembershipFactory(workspace=other_workspace).user
    with workspace_scope(other_workspace):
        feed = feed_services.calendar_feed_get_or_create(workspace=other_workspace, user=user)
    theirs = reverse("sales_calendar_ics", kwargs={"ws": other_workspace.slug, "token": feed.token})
    assert client.get(theirs).status_code == 200
    here = reverse("sales_calendar_ics", kwargs={"ws": workspace.slug, "token": feed.token})
    missing = reverse("sales_calendar_ics", kwargs={"ws": workspace.slug, "token": "x" * 43})
    answer, expected = client.get(here), client.get(missing)
    assert answer.status_code == expected.status_code == 404
    assert answer["Content-Type"] == expected["Content-Type"]  # the same page, no calendar
