"""Marketers and service agents see their areas in the navigation: marketing (segments,
campaigns, email templates) and service (cases, queues, service levels, surveys), each page
an empty state that says what it will hold, and a home panel pointing there."""

import pytest
from django.urls import reverse
from django.utils.html import escape

from marketing.areas import AREAS as MARKETING
from marketing.views.areas import BUILT as MARKETING_BUILT
from service.areas import AREAS as SERVICE
from workspaces.registry import home_panels_for, nav_for
from workspaces.roles import Role

pytestmark = pytest.mark.django_db
BUILT = {"marketing": MARKETING_BUILT}


def nav_keys(role):
    return [item.key for item in nav_for(role)]


def test_marketers_and_service_agents_get_more_than_contacts_and_accounts():
    assert nav_keys(Role.MARKETING) == ["contacts", "accounts", "marketing", "journeys"]
    assert nav_keys(Role.SERVICE) == ["contacts", "accounts", "service", "callcentre"]
    marketing = next(i for i in nav_for(Role.MARKETING) if i.key == "marketing")
    assert [c.url_name for c in marketing.children] == [
        "marketing:index",
        "marketing:segments",
        "marketing:campaigns",
        "marketing:templates",
        "marketing:assets",
        "marketing:senders",
    ]
    journeys = next(i for i in nav_for(Role.MARKETING) if i.key == "journeys")
    assert [c.url_name for c in journeys.children] == ["journeys:list", "scoring:rules"]
    service = next(i for i in nav_for(Role.SERVICE) if i.key == "service")
    assert [c.url_name for c in service.children] == [
        "service:index",
        "service:cases",
        "service:queues",
        "service:slas",
        "service:calendars",
        "service:canned",
        "service:web_form",
        "service:surveys",
        "service:kpis",
        "service:knowledge",
    ]
    # the areas are for their roles and those who see everything, not for sales reps
    assert not {"marketing", "service", "journeys"} & set(nav_keys(Role.SALES))
    assert {"marketing", "service"} <= set(nav_keys(Role.OWNER))
    assert {"marketing", "service", "journeys"} <= set(nav_keys(Role.READONLY))


@pytest.mark.parametrize(
    ("role", "namespace", "areas"),
    [(Role.MARKETING, "marketing", MARKETING), (Role.SERVICE, "service", SERVICE)],
)
def test_every_page_of_an_area_says_what_it_will_hold(client_for, role, namespace, areas):
    client = client_for(role)
    page = client.get(reverse(f"{namespace}:index", kwargs={"ws": "acme"}))
    assert page.status_code == 200
    html = page.content.decode()
    for area in areas:
        assert escape(str(area.label)) in html and escape(str(area.summary)) in html
    for area in areas:
        response = client.get(reverse(f"{namespace}:{area.key}", kwargs={"ws": "acme"}))
        assert response.status_code == 200
        html = response.content.decode()
        assert f'data-nav-child="{namespace}_{area.key}"' in html  # the menu in the top bar
        if getattr(area, "built", False):  # a real page now, with the area's tabs
            assert 'data-testid="empty-state"' not in html
            assert 'data-testid="area-tabs"' in html
            continue
        if area.key in BUILT.get(namespace, ()):
            continue  # its real page replaced the empty state
        assert 'data-testid="empty-state"' in html
        assert escape(str(area.summary)) in html
        assert all(escape(str(line)) in html for line in area.will_hold)
        assert f'data-nav-child="{namespace}_{area.key}"' in html  # the menu in the top bar


def test_the_area_pages_name_what_the_issue_asks_for():
    assert [str(a.label) for a in MARKETING] == [
        "Segments",
        "Campaigns",
        "Email templates",
        "Assets",
        "Senders",
    ]
    assert [str(a.label) for a in SERVICE] == []  # every page of the area is built


@pytest.mark.parametrize(
    ("role", "namespace"), [(Role.SALES, "marketing"), (Role.MARKETING, "service")]
)
def test_other_roles_are_refused(client_for, role, namespace):
    response = client_for(role).get(reverse(f"{namespace}:index", kwargs={"ws": "acme"}))
    assert response.status_code == 403


def test_the_pages_are_read_pages(client_for):
    response = client_for(Role.MARKETING).post(reverse("marketing:segments", kwargs={"ws": "acme"}))
    assert response.status_code == 405


def test_marketers_and_service_agents_find_their_area_on_their_home():
    assert "marketing_area" in [p.key for p in home_panels_for(Role.MARKETING)]
    assert "service_area" in [p.key for p in home_panels_for(Role.SERVICE)]
    owner = [p.key for p in home_panels_for(Role.OWNER)]
    assert "marketing_area" not in owner and "service_area" not in owner


def test_the_marketers_home_links_to_each_page(client_for):
    html = client_for(Role.MARKETING).get(reverse("workspace_home", kwargs={"ws": "acme"}))
    html = html.content.decode()
    assert 'data-testid="panel-marketing"' in html
    for area in MARKETING:
        assert f'href="/w/acme/marketing/{area.key}/"' in html


@pytest.mark.parametrize("role", [Role.SERVICE, Role.READONLY, Role.MARKETING, Role.SALES])
def test_no_menu_entry_answers_403(workspace, client_for, role):
    """Each child of a menu entry carries the permission its page needs: a role's menu lists
    only pages it may open (the service agent's call-centre menu has no telephony, planning or
    scorecards, which are for leads)."""
    client = client_for(role)
    for item in nav_for(role):
        for page in item.children or (item,):
            response = client.get(reverse(page.url_name, kwargs={"ws": workspace.slug}))
            assert response.status_code != 403, (role, page.url_name)
    callcentre = next(i for i in nav_for(Role.SERVICE) if i.key == "callcentre")
    keys = {c.key for c in callcentre.children}
    assert "callcentre_calls" in keys
    assert not {"callcentre_telephony", "callcentre_planning", "callcentre_scorecards"} & keys
    owner_menu = next(i for i in nav_for(Role.OWNER) if i.key == "callcentre")
    assert "callcentre_planning" in {c.key for c in owner_menu.children}
