"""Sign-up: a user and a workspace with them as owner, or nothing at all."""

import pytest
from django.contrib.auth import get_user_model

from workspaces.models import Membership, Workspace
from workspaces.roles import Role

pytestmark = pytest.mark.django_db

URL = "/accounts/signup/"
GOOD_PASSWORD = "plum-orchard-47-skyline"


def form(**overrides):
    data = {
        "name": "Ada Lovelace",
        "email": "ada@example.com",
        "password1": GOOD_PASSWORD,
        "password2": GOOD_PASSWORD,
        "workspace_name": "Analytical Engines",
        "slug": "engines",
        "time_zone": "Europe/London",
        "currency": "GBP",
    }
    data.update(overrides)
    return data


def test_signup_creates_user_workspace_and_owner_membership_and_logs_in(client):
    response = client.post(URL, form())
    assert response.status_code == 302
    assert response["Location"] == "/w/engines/"
    user = get_user_model().objects.get(email="ada@example.com")
    workspace = Workspace.objects.get(slug="engines")
    assert (workspace.name, workspace.time_zone, workspace.currency) == (
        "Analytical Engines",
        "Europe/London",
        "GBP",
    )
    assert Membership.all_workspaces.get(workspace=workspace, user=user).role == Role.OWNER
    assert (user.first_name, user.last_name) == ("Ada", "Lovelace")
    assert client.get("/w/engines/").status_code == 200


def test_signup_suggests_the_address_from_the_workspace_name(client):
    client.post(URL, form(slug="", workspace_name="Müller & Söhne GmbH"))
    assert Workspace.objects.filter(slug="muller-sohne-gmbh").exists()


def test_signup_with_a_taken_address_shows_a_field_error_and_creates_nothing(client, workspace):
    response = client.post(URL, form(slug=workspace.slug))
    assert response.status_code == 400
    assert "slug" in response.context["form"].errors
    assert not get_user_model().objects.filter(email="ada@example.com").exists()
    assert Workspace.objects.count() == 1


def test_signup_with_a_known_email_shows_a_field_error_and_creates_nothing(client, owner):
    response = client.post(URL, form(email=owner.email.upper()))
    assert response.status_code == 400
    assert "email" in response.context["form"].errors
    assert not Workspace.objects.filter(slug="engines").exists()


def test_signup_rejects_a_reserved_address(client):
    response = client.post(URL, form(slug="admin"))
    assert "slug" in response.context["form"].errors
    assert not Workspace.objects.filter(slug="admin").exists()


def test_signup_rejects_mismatched_passwords(client):
    response = client.post(URL, form(password2="something-else-entirely-9"))
    assert "password2" in response.context["form"].errors
    assert not get_user_model().objects.exists()


def test_signup_applies_django_password_validators(client):
    response = client.post(URL, form(password1="12345678", password2="12345678"))
    assert "password2" in response.context["form"].errors
    assert not get_user_model().objects.exists()


def test_signup_is_refused_when_closed(client, settings):
    settings.SIGNUP_OPEN = False
    assert client.get(URL).status_code == 403
    response = client.post(URL, form())
    assert response.status_code == 403
    assert not get_user_model().objects.exists()


def test_signup_page_renders_with_a_title_and_heading(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = client.get(URL)
    assert response.status_code == 200
    assert b"<h1" in response.content
    assert response.context["title"] == "Sign up"


def test_signup_service_rolls_back_the_user_when_the_workspace_fails(db):
    from django.core.exceptions import ValidationError

    from workspaces.services import user_signup

    with pytest.raises(ValidationError):
        user_signup(
            name="X",
            email="x@example.com",
            password=GOOD_PASSWORD,
            workspace_name="X",
            slug="-bad-",
        )
    assert not get_user_model().objects.filter(email="x@example.com").exists()


def test_signed_in_user_creates_another_workspace(owner_client, owner):
    response = owner_client.post(
        "/accounts/workspaces/new/",
        {"workspace_name": "Side Project", "slug": "", "time_zone": "UTC", "currency": "USD"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/w/side-project/"
    membership = Membership.all_workspaces.get(workspace__slug="side-project")
    assert (membership.user, membership.role) == (owner, Role.OWNER)


def test_new_workspace_with_a_taken_address_is_a_field_error(owner_client):
    response = owner_client.post(
        "/accounts/workspaces/new/",
        {"workspace_name": "Acme", "slug": "acme", "time_zone": "UTC", "currency": "EUR"},
    )
    assert response.status_code == 400
    assert "slug" in response.context["form"].errors
    assert Workspace.objects.filter(slug="acme").count() == 1


def test_user_in_several_workspaces_chooses_one(owner_client, owner, other_workspace):
    from tests.factories import MembershipFactory

    MembershipFactory(workspace=other_workspace, user=owner, role=Role.SALES)
    response = owner_client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/w/acme/" in html and "/w/globex/" in html


def test_workspace_choice_lists_the_memberships_with_one_query(
    owner_client, owner, other_workspace, django_assert_max_num_queries
):
    from tests.factories import MembershipFactory

    MembershipFactory(workspace=other_workspace, user=owner, role=Role.SALES)
    # session, user, the memberships (shared by the page and the user menu's switcher)
    with django_assert_max_num_queries(3):
        response = owner_client.get("/")
    assert response.status_code == 200
