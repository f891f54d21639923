"""Login, logout, password change and reset in the product's layout."""

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
    assert 'name="username"' in html and 'name="password"' in html


def test_login_with_email_and_password_lands_in_the_workspace(owner):
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": owner.email, "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/w/acme/"


def test_login_with_a_wrong_password_shows_an_error(client, owner):
    response = client.post("/accounts/login/", {"username": owner.email, "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_logout_is_a_post_and_ends_the_session(owner_client):
    response = owner_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert owner_client.get("/w/acme/").status_code == 302


def test_password_change(owner_client, owner):
    assert owner_client.get("/accounts/password/change/").status_code == 200
    response = owner_client.post(
        "/accounts/password/change/",
        {
            "old_password": TEST_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password(NEW_PASSWORD)


def test_password_reset_emails_a_link_that_sets_a_new_password(client, owner):
    response = client.post("/accounts/password/reset/", {"email": owner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/\S+/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert get_user_model().objects.get(pk=owner.pk).check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_address_sends_nothing(client, owner):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_password_reset_pages_render(client):
    for url in (
        "/accounts/password/reset/",
        "/accounts/password/reset/sent/",
        "/accounts/password/reset/done/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"<h1" in response.content


def test_an_invalid_reset_link_says_so(client):
    response = client.get("/accounts/password/reset/MQ/bad-token/")
    assert response.status_code == 200
    assert not response.context["validlink"]
