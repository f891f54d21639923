"""Workspace settings, the profile page and the navigation links to them."""

import pytest

from workspaces.models import ChangeEvent
from workspaces.roles import Role

pytestmark = pytest.mark.django_db


def test_owner_changes_workspace_settings(owner_client, workspace):
    response = owner_client.post(
        "/w/acme/settings/",
        {"name": "Acme Ltd", "time_zone": "America/New_York", "currency": "USD", "country": "DE"},
    )
    assert response.status_code == 302
    workspace.refresh_from_db()
    assert (workspace.name, workspace.time_zone, workspace.currency) == (
        "Acme Ltd",
        "America/New_York",
        "USD",
    )
    event = ChangeEvent.all_workspaces.filter(model="workspaces.workspace").last()
    assert event.fields == ["currency", "name", "time_zone"]


def test_workspace_settings_reject_an_unknown_time_zone(owner_client, workspace):
    response = owner_client.post(
        "/w/acme/settings/", {"name": "Acme", "time_zone": "Mars/Olympus", "currency": "EUR"}
    )
    assert "time_zone" in response.context["form"].errors
    workspace.refresh_from_db()
    assert workspace.time_zone == "UTC"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALES, Role.READONLY])
def test_workspace_settings_are_for_owners_and_admins(client_for, role):
    assert client_for(role).get("/w/acme/settings/").status_code == 403


def test_owner_menu_links_settings_members_and_admin(owner_client):
    html = owner_client.get("/w/acme/").content.decode()
    assert 'data-nav="settings"' in html
    assert 'data-nav="members"' in html
    assert 'data-nav="admin"' in html


def test_the_top_bar_folds_below_xl_and_the_user_menu_holds_the_languages_from_xl(owner_client):
    """The top bar with every area fits 1280 px only with the languages in the user menu from
    xl up (tests/e2e/test_nav_fit.py measures it); the bar's own switch stays below xl."""
    html = owner_client.get("/w/acme/").content.decode()
    assert "navbar-expand-xl" in html and "navbar-expand-lg" not in html
    menu = html.split('data-testid="user-menu-languages"')[1].split("</form>")[0]
    assert 'value="de"' in menu and 'value="en"' in menu and "csrfmiddlewaretoken" in menu
    bar = html.split('data-testid="language-switcher"')[0].rsplit("<form", 1)[1]
    assert "d-xl-none" in bar


def test_signed_out_visitors_keep_the_language_switch_in_the_bar(client):
    html = client.get("/accounts/login/").content.decode()
    bar = html.split('data-testid="language-switcher"')[0].rsplit("<form", 1)[1]
    assert "d-xl-none" not in bar
    assert 'data-testid="user-menu-languages"' not in html


@pytest.mark.parametrize("role", [Role.SALES, Role.MARKETING, Role.SERVICE, Role.READONLY])
def test_other_roles_see_no_settings_links(client_for, role):
    html = client_for(role).get("/w/acme/").content.decode()
    assert 'data-nav="settings"' not in html
    assert 'data-nav="members"' not in html
    assert 'data-nav="admin"' not in html
    assert 'data-nav="profile"' in html


def test_profile_saves_name_and_language(owner_client, owner):
    response = owner_client.post("/accounts/profile/", {"name": "Grace Hopper", "language": "de"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert (owner.first_name, owner.last_name, owner.language) == ("Grace", "Hopper", "de")


def test_profile_needs_login(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
