"""Sign-up: a user and a workspace with them as owner, or nothing at all; the workspace is
created when the address is verified, and a known address gets the same answer."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from workspaces.models import Membership, Workspace, WorkspaceRequest
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


CHECK_MAILBOX = "/accounts/confirm-email/"


def confirmation_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+/)", message.body).group(1)


def page_text(response, email) -> str:
    """The page without what differs by nature (CSRF tokens, script nonces) and the address
    typed."""
    html = re.sub(
        r'(csrfmiddlewaretoken" value=|X-CSRFToken": |nonce=)"[^"]+"', "", response.content.decode()
    )
    return html.replace(email, "EMAIL").replace(email.upper(), "EMAIL")


def test_signup_asks_to_verify_the_email_and_creates_nothing_usable_yet(client):
    response = client.post(URL, form())
    assert response.status_code == 302
    assert response["Location"] == CHECK_MAILBOX
    user = get_user_model().objects.get(email="ada@example.com")
    assert not EmailAddress.objects.get(user=user).verified
    assert not Workspace.objects.filter(slug="engines").exists()
    assert "_auth_user_id" not in client.session
    assert [m.to for m in mail.outbox] == [["ada@example.com"]]
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_the_verification_link_creates_the_workspace_and_logs_in(client):
    client.post(URL, form())
    link = confirmation_link(mail.outbox[0])
    assert client.get(link).status_code == 200  # a page with a button: mail scanners click too
    assert not Workspace.objects.filter(slug="engines").exists()
    response = client.post(link, follow=True)
    assert response.redirect_chain[-1][0] == "/w/engines/"
    user = get_user_model().objects.get(email="ada@example.com")
    workspace = Workspace.objects.get(slug="engines")
    assert (workspace.name, workspace.time_zone, workspace.currency, workspace.country) == (
        "Analytical Engines",
        "Europe/London",
        "GBP",
        "GB",  # phone numbers without a country code: the time zone's country
    )
    assert Membership.all_workspaces.get(workspace=workspace, user=user).role == Role.OWNER
    assert (user.first_name, user.last_name) == ("Ada", "Lovelace")
    assert EmailAddress.objects.get(user=user).verified
    assert not WorkspaceRequest.objects.exists()


def test_the_link_opened_in_another_browser_verifies_then_login_works(client):
    client.post(URL, form())
    other_browser = Client()
    other_browser.post(confirmation_link(mail.outbox[0]))
    assert Workspace.objects.filter(slug="engines").exists()
    response = other_browser.post(
        "/accounts/login/", {"login": "ada@example.com", "password": GOOD_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == "/"
    assert other_browser.get("/w/engines/").status_code == 200


def test_an_unverified_account_cannot_log_in(client):
    client.post(URL, form())
    mail.outbox.clear()
    browser = Client()
    response = browser.post(
        "/accounts/login/", {"login": "ada@example.com", "password": GOOD_PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == CHECK_MAILBOX
    assert "_auth_user_id" not in browser.session
    assert browser.get("/").status_code == 302


def test_signup_with_a_known_email_answers_the_same_and_mails_the_owner(client, owner):
    new = Client().post(URL, form(), follow=True)
    mail.outbox.clear()
    known = client.post(URL, form(email=owner.email.upper(), slug="other"), follow=True)
    assert known.redirect_chain == new.redirect_chain
    assert page_text(known, owner.email) == page_text(new, "ada@example.com")
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert "tried to sign up" in mail.outbox[0].body
    assert "/accounts/password/reset/" in mail.outbox[0].body
    # nothing was created or reserved for the known address
    assert not Workspace.objects.filter(slug="other").exists()
    assert not WorkspaceRequest.objects.filter(user=owner).exists()
    assert get_user_model().objects.filter(email__iexact=owner.email).count() == 1


def test_an_address_taken_while_unverified_gets_a_number(client, owner):
    client.post(URL, form())
    from workspaces.services import workspace_create

    workspace_create(name="Quick", slug="engines", owner=owner)
    client.post(confirmation_link(mail.outbox[0]))
    user = get_user_model().objects.get(email="ada@example.com")
    assert Membership.all_workspaces.get(user=user).workspace.slug == "engines-2"


def test_signup_suggests_the_address_from_the_workspace_name(client):
    client.post(URL, form(slug="", workspace_name="Müller & Söhne GmbH"))
    assert WorkspaceRequest.objects.get().slug == "muller-sohne-gmbh"


def test_signup_with_a_taken_address_shows_a_field_error_and_creates_nothing(client, workspace):
    response = client.post(URL, form(slug=workspace.slug))
    assert response.status_code == 400
    assert "slug" in response.context["form"].errors
    assert not get_user_model().objects.filter(email="ada@example.com").exists()
    assert Workspace.objects.count() == 1


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
    assert "password1" in response.context["form"].errors
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


def test_signup_service_rolls_back_the_user_when_the_workspace_is_bad(db):
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


def test_an_address_verified_by_staff_gets_its_workspace_at_the_first_login(client):
    client.post(URL, form())
    EmailAddress.objects.filter(email="ada@example.com").update(verified=True)
    browser = Client()
    browser.post("/accounts/login/", {"login": "ada@example.com", "password": GOOD_PASSWORD})
    assert browser.get("/w/engines/").status_code == 200


def test_workspace_admins_do_not_see_every_users_email_addresses(client_for):
    client = client_for(Role.ADMIN)
    assert client.get("/admin/account/emailaddress/").status_code == 403
    assert b"emailaddress" not in client.get("/admin/").content
