"""Login, logout, password change and reset (django-allauth) in the product's layout."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "violet-harbour-93-lantern"


def test_login_page_renders_the_form_in_the_layout(client):
    response = client.get("/accounts/login/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="login-form"' in html
    assert "<h1" in html and "breadcrumb" in html
    assert 'name="login"' in html and 'name="password"' in html
    assert response.context["title"] == "Log in"


def test_login_with_email_and_password_lands_in_the_workspace(owner):
    client = Client()
    response = client.post(
        "/accounts/login/", {"login": owner.email, "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/w/acme/"


def test_login_follows_next_to_the_page_asked_for(owner):
    client = Client()
    response = client.post(
        "/accounts/login/?next=/w/acme/settings/",
        {"login": owner.email.upper(), "password": TEST_PASSWORD},
    )
    assert response.status_code == 302 and response["Location"] == "/w/acme/settings/"


def test_login_with_a_wrong_password_shows_an_error(client, owner):
    response = client.post("/accounts/login/", {"login": owner.email, "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get("/w/acme/").status_code == 302


def test_logout_is_a_post_and_ends_the_session(owner_client):
    response = owner_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert owner_client.get("/w/acme/").status_code == 302


def test_logout_by_get_only_asks(owner_client):
    assert owner_client.get("/accounts/logout/").status_code == 200
    assert owner_client.get("/w/acme/").status_code == 200


def test_password_change(owner_client, owner):
    assert owner_client.get("/accounts/password/change/").status_code == 200
    response = owner_client.post(
        "/accounts/password/change/",
        {"oldpassword": TEST_PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)


def test_password_reset_emails_a_link_that_sets_a_new_password(client, owner, settings):
    response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    link = re.search(r"(https?://[^/\s]+)(/accounts/password/reset/key/\S+/)", message.body)
    assert link.group(1) == settings.SITE_URL  # links in mail never follow the Host header
    form_page = client.get(link.group(2), follow=True)
    assert form_page.status_code == 200
    assert b"Set the new password" in form_page.content
    done = client.post(
        form_page.redirect_chain[-1][0], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert done.status_code == 302
    assert get_user_model().objects.get(pk=owner.pk).check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_address_sends_nothing_and_looks_the_same(client, owner):
    known = client.post("/accounts/password/reset/", {"email": owner.email})
    mail.outbox.clear()
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert mail.outbox == []


def test_password_reset_pages_render(client):
    for url in ("/accounts/password/reset/", "/accounts/password/reset/done/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<h1" in response.content


def test_an_invalid_reset_link_says_so(client):
    response = client.get("/accounts/password/reset/key/1-bad-token/", follow=True)
    assert response.status_code == 200
    assert response.context["token_fail"]
    assert b"not valid" in response.content


def test_the_admin_login_is_the_throttled_product_login(client):
    response = client.get("/admin/login/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", ["/accounts/email/", "/accounts/reauthenticate/"])
def test_allauth_pages_we_did_not_restyle_render_in_our_layout(owner_client, url):
    response = owner_client.get(url)
    assert response.status_code == 200
    assert b'data-testid="user-menu"' in response.content  # our navigation bar
