"""Language: the user's choice wins, else the browser's (Accept-Language)."""

import pytest
from django.test import Client

from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_german_browser_sees_the_login_page_in_german():
    response = Client(headers={"accept-language": "de-DE,de;q=0.9,en;q=0.5"}).get(
        "/accounts/login/"
    )
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert "Anmelden" in html
    assert "Passwort vergessen?" in html


def test_english_browser_sees_the_login_page_in_english():
    html = Client(headers={"accept-language": "en-GB"}).get("/accounts/login/").content.decode()
    assert '<html lang="en">' in html
    assert "Forgot your password?" in html


def test_user_choice_of_english_wins_over_a_german_browser(owner):
    owner.language = "en"
    owner.save()
    client = login(owner)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "de"
    html = client.get("/w/acme/").content.decode()
    assert '<html lang="en">' in html
    assert "Log out" in html


def test_user_choice_of_german_wins_over_an_english_browser(owner):
    owner.language = "de"
    owner.save()
    client = login(owner)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    html = client.get("/w/acme/").content.decode()
    assert '<html lang="de">' in html
    assert "Abmelden" in html


def test_the_switcher_saves_the_choice_on_the_user(owner):
    client = login(owner)
    response = client.post("/accounts/language/", {"language": "de", "next": "/w/acme/"})
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.language == "de"


def test_the_switcher_sets_a_cookie_for_visitors():
    client = Client()
    client.post("/accounts/language/", {"language": "de", "next": "/accounts/login/"})
    assert '<html lang="de">' in client.get("/accounts/login/").content.decode()


def test_empty_choice_follows_the_browser_again(owner):
    owner.language = "de"
    owner.save()
    client = login(owner)
    client.post("/accounts/language/", {"language": "", "next": "/w/acme/"})
    owner.refresh_from_db()
    assert owner.language == ""


def test_server_error_page_is_translated(rf):
    from django.utils import translation

    from workspaces.errors import server_error

    with translation.override("de"):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Etwas ist schiefgelaufen" in response.content.decode()
