"""Accounts and sessions (SECURITY.md "Accounts", "Output, cookies, headers"): Argon2 password
hashes, two-factor sign-in with allauth.mfa (TOTP and recovery codes) that a workspace can
require, sessions ended by a password change, the production cookie and header settings, and
the Content Security Policy with a nonce per response.

TOTP codes are computed with allauth's own RFC 6238 functions (allauth.mfa.totp.internal.auth),
the same code the server checks them with.
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

import crm_site.settings as site_settings
from tests.factories import TEST_PASSWORD, MembershipFactory, UserFactory
from workspaces.models import AuditAction, AuditEntry, Workspace
from workspaces.roles import Role
from workspaces.scoping import workspace_scope
from workspaces.urlnames import workspace_reverse

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
BASE_DIR = Path(settings.BASE_DIR)


# --- helpers ------------------------------------------------------------------------------
def totp_code(secret: str, *, offset: int = 0) -> str:
    """The six-digit code an authenticator app shows now (`offset` periods later)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + offset))


def password_step(user, client=None, password=TEST_PASSWORD) -> tuple[Client, object]:
    """POST the login form; returns the client and the response."""
    client = client or Client()
    response = client.post(LOGIN, {"login": user.email, "password": password})
    return client, response


def logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def form_login(user) -> Client:
    """A client logged in through the login form, as a browser would."""
    client, _response = password_step(user)
    assert logged_in(client)
    return client


def enrol(client) -> str:
    """Turn on an authenticator app for the client's user; returns the TOTP secret."""
    url = reverse("mfa_activate_totp")
    page = client.get(url)
    if page.status_code == 302:  # allauth asks for the password again before a change
        assert page.url.startswith(reverse("account_reauthenticate"))
        client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
        page = client.get(url)
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post(url, {"code": totp_code(secret)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return secret


def recovery_codes(user) -> list[str]:
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return authenticator.wrap().get_unused_codes()


def enrolled_user(workspace=None, role=Role.SALES) -> tuple[object, str]:
    """A member (or a user without workspace) with an authenticator app; returns (user, secret)."""
    user = MembershipFactory(workspace=workspace, role=role).user if workspace else UserFactory()
    client = form_login(user)
    return user, enrol(client)


# --- passwords ----------------------------------------------------------------------------
def test_new_passwords_are_hashed_with_argon2id(settings):
    settings.PASSWORD_HASHERS = site_settings.PASSWORD_HASHERS
    assert site_settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert make_password("a long passphrase").startswith("argon2$argon2id$")


def test_a_pbkdf2_hash_is_upgraded_to_argon2_at_login(settings):
    settings.PASSWORD_HASHERS = site_settings.PASSWORD_HASHERS
    user = UserFactory()
    user.password = make_password(TEST_PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    client, _response = password_step(user)
    assert logged_in(client)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(TEST_PASSWORD)


def test_a_wrong_password_does_not_rewrite_the_old_hash(settings):
    settings.PASSWORD_HASHERS = site_settings.PASSWORD_HASHERS
    user = UserFactory()
    user.password = old = make_password(TEST_PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    client, _response = password_step(user, password="not-the-password")
    assert not logged_in(client)
    user.refresh_from_db()
    assert user.password == old


# --- two-factor sign-in -------------------------------------------------------------------
def test_enrolment_stores_an_authenticator_and_recovery_codes():
    user, _secret = enrolled_user()
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert len(recovery_codes(user)) == settings.MFA_RECOVERY_CODE_COUNT


def test_enrolment_refuses_a_wrong_code():
    user = UserFactory()
    client = form_login(user)
    url = reverse("mfa_activate_totp")
    client.post(reverse("account_reauthenticate"), {"password": TEST_PASSWORD})
    secret = client.get(url).context["form"].secret
    wrong = format_hotp_value((int(totp_code(secret)) + 1) % 1_000_000)
    response = client.post(url, {"code": wrong})
    assert response.status_code == 200 and response.context["form"].errors
    assert not Authenticator.objects.filter(user=user).exists()


def test_login_with_two_factor_asks_for_the_code():
    user, secret = enrolled_user()
    client, response = password_step(user)
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert not logged_in(client)  # the password alone does not sign in
    assert client.get("/accounts/profile/").status_code == 302
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert logged_in(client)
    assert client.get("/accounts/profile/").status_code == 200


def test_login_refuses_a_wrong_code():
    user, secret = enrolled_user()
    client, _response = password_step(user)
    wrong = format_hotp_value((int(totp_code(secret)) + 1) % 1_000_000)
    response = client.post(reverse("mfa_authenticate"), {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not logged_in(client)


def test_a_code_signs_in_only_once():
    user, secret = enrolled_user()
    code = totp_code(secret)
    first, _response = password_step(user)
    first.post(reverse("mfa_authenticate"), {"code": code})
    assert logged_in(first)
    replay, _response = password_step(user)
    replay.post(reverse("mfa_authenticate"), {"code": code})
    assert not logged_in(replay)


def test_the_code_step_is_rate_limited():
    """Five wrong codes (ACCOUNT_RATE_LIMITS login_failed, per account), then the right one is
    refused too."""
    user, secret = enrolled_user()
    client, _response = password_step(user)
    wrong = format_hotp_value((int(totp_code(secret)) + 1) % 1_000_000)
    for _ in range(5):
        client.post(reverse("mfa_authenticate"), {"code": wrong})
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert not logged_in(client)
    assert response.status_code in (200, 429)


def test_a_recovery_code_signs_in_once():
    user, _secret = enrolled_user()
    code = recovery_codes(user)[0]
    client, _response = password_step(user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert logged_in(client)
    assert code not in recovery_codes(user)
    again, _response = password_step(user)
    again.post(reverse("mfa_authenticate"), {"code": code})
    assert not logged_in(again)


def test_the_profile_links_to_two_factor_settings(owner_client):
    page = owner_client.get("/accounts/profile/").content.decode()
    assert reverse("mfa_index") in page
    assert owner_client.get(reverse("mfa_index")).status_code == 200


# --- a workspace requires two-factor ------------------------------------------------------
def require_two_factor(workspace):
    Workspace.objects.filter(pk=workspace.pk).update(two_factor_required=True)


def test_a_member_without_two_factor_is_sent_to_set_it_up(workspace, other_workspace):
    require_two_factor(workspace)
    user = MembershipFactory(workspace=workspace, role=Role.SALES).user
    MembershipFactory(workspace=other_workspace, role=Role.SALES, user=user)
    client = form_login(user)
    for path in ("/w/acme/", "/w/acme/contacts/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response.url == reverse("mfa_activate_totp")
    assert client.get("/w/globex/").status_code == 200  # other workspaces unaffected
    assert client.get("/w/acme/", headers={"HX-Request": "true"}).headers["HX-Redirect"] == (
        reverse("mfa_activate_totp")
    )
    enrol(client)
    assert client.get("/w/acme/").status_code == 200


def test_a_member_with_two_factor_opens_the_workspace(workspace):
    require_two_factor(workspace)
    user, _secret = enrolled_user(workspace)
    client = Client()
    client.force_login(user)
    assert client.get("/w/acme/").status_code == 200


def test_api_keys_are_not_affected_by_the_requirement(workspace):
    from api.services.keys import api_key_create

    require_two_factor(workspace)
    user = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    with workspace_scope(workspace):
        _api_key, key = api_key_create(workspace=workspace, actor=user, name="CI", role=Role.OWNER)
    response = Client().get("/api/v1/contacts/", headers={"Authorization": f"Bearer {key}"})
    assert response.status_code == 200


def settings_post(client, workspace, **extra):
    data = {"name": workspace.name, "time_zone": "UTC", "currency": "EUR", "country": ""}
    return client.post(workspace_reverse(workspace, "workspace_settings"), {**data, **extra})


def security_entries(workspace):
    with workspace_scope(workspace):
        return list(AuditEntry.objects.filter(action=AuditAction.SECURITY))


def test_requiring_two_factor_needs_it_on_the_owners_own_account(workspace, owner_client):
    response = settings_post(owner_client, workspace, two_factor_required="on")
    assert response.status_code == 200
    assert "two_factor_required" in response.context["form"].errors
    workspace.refresh_from_db()
    assert workspace.two_factor_required is False
    assert security_entries(workspace) == []


def test_the_settings_switch_turns_the_requirement_on_and_off_with_an_audit_entry(workspace):
    owner = MembershipFactory(workspace=workspace, role=Role.OWNER).user
    client = form_login(owner)
    enrol(client)
    page = client.get(workspace_reverse(workspace, "workspace_settings")).content.decode()
    assert 'name="two_factor_required"' in page
    assert settings_post(client, workspace, two_factor_required="on").status_code == 302
    workspace.refresh_from_db()
    assert workspace.two_factor_required is True
    assert settings_post(client, workspace).status_code == 302
    workspace.refresh_from_db()
    assert workspace.two_factor_required is False
    entries = sorted(security_entries(workspace), key=lambda entry: entry.pk)
    assert [entry.changes for entry in entries] == [
        {"two_factor_required": [False, True]},
        {"two_factor_required": [True, False]},
    ]
    assert all(entry.actor_id == owner.pk for entry in entries)


def test_only_owners_and_admins_reach_the_switch(workspace, client_for):
    client = client_for(Role.MANAGER)
    assert settings_post(client, workspace, two_factor_required="on").status_code == 403
    workspace.refresh_from_db()
    assert workspace.two_factor_required is False


# --- sessions -----------------------------------------------------------------------------
def test_a_password_change_ends_the_other_sessions_and_keeps_this_one(owner):
    here, elsewhere = form_login(owner), form_login(owner)
    assert elsewhere.get("/accounts/profile/").status_code == 200
    new = "a-new-and-long-passphrase-42"
    response = here.post(
        reverse("account_change_password"),
        {"oldpassword": TEST_PASSWORD, "password1": new, "password2": new},
    )
    assert response.status_code == 302
    assert here.get("/accounts/profile/").status_code == 200
    response = elsewhere.get("/accounts/profile/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)


# --- cookies and headers in production ----------------------------------------------------
PRODUCTION_ENV = {
    "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
    "DJANGO_SETTINGS_MODULE": "crm_site.settings",
    "SECRET_KEY": "x" * 60,
    "ALLOWED_HOSTS": "crm.example.test",
    "SITE_URL": "https://crm.example.test",
    "DATABASE_URL": "postgres://crm@127.0.0.1:5432/crm",
    "EMBEDDED": "true",
}
PRODUCTION_NAMES = [
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_AGE", "CSRF_COOKIE_SECURE", "CSRF_COOKIE_SAMESITE", "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY", "SECURE_CROSS_ORIGIN_OPENER_POLICY", "X_FRAME_OPTIONS",
    "PASSWORD_HASHERS", "MIDDLEWARE",
]  # fmt: skip


@pytest.fixture(scope="module")
def production_settings():
    """The settings as production reads them (DEBUG off), from a fresh interpreter."""
    script = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        f"print(json.dumps({{n: getattr(s, n) for n in {PRODUCTION_NAMES!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=BASE_DIR, env=PRODUCTION_ENV,
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_are_secure(production_settings):
    s = production_settings
    assert s["SESSION_COOKIE_SECURE"] and s["SESSION_COOKIE_HTTPONLY"]
    assert s["SESSION_COOKIE_SAMESITE"] == "Lax" and s["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert s["CSRF_COOKIE_SECURE"]
    assert 0 < s["SESSION_COOKIE_AGE"] <= 14 * 24 * 3600


def test_production_headers_are_strict(production_settings):
    s = production_settings
    assert s["SECURE_SSL_REDIRECT"]
    assert s["SECURE_HSTS_SECONDS"] >= 31536000 and s["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert s["SECURE_CONTENT_TYPE_NOSNIFF"] and s["SECURE_REFERRER_POLICY"] == "same-origin"
    assert s["SECURE_CROSS_ORIGIN_OPENER_POLICY"] == "same-origin"
    assert s["X_FRAME_OPTIONS"] == "DENY"
    assert s["PASSWORD_HASHERS"][0].endswith("Argon2PasswordHasher")
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in s["MIDDLEWARE"]


def test_every_page_carries_the_security_headers(owner_client):
    response = owner_client.get("/w/acme/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Permissions-Policy"]
    assert "camera=()" in policy and "microphone=()" in policy and "geolocation=()" in policy


# --- Content Security Policy --------------------------------------------------------------
def directives(header: str) -> dict[str, list[str]]:
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


def test_pages_carry_a_strict_policy_with_the_nonce_of_their_scripts(owner_client):
    response = owner_client.get("/w/acme/")
    policy = directives(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    scripts = policy["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert scripts[0] == "'self'"
    (nonce,) = [value[7:-1] for value in scripts if value.startswith("'nonce-")]
    html = response.content.decode()
    tags = re.findall(r"<script\b[^>]*>", html)
    assert tags and all(f'nonce="{nonce}"' in tag for tag in tags)


def nonce_of(response) -> str:
    return re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1)


def test_every_response_has_a_new_nonce(owner_client):
    first, second = owner_client.get("/w/acme/"), owner_client.get("/w/acme/")
    assert len(nonce_of(first)) >= 16
    assert nonce_of(first) != nonce_of(second)


def test_the_login_page_and_the_api_docs_carry_the_policy(client):
    for path in (LOGIN, "/api/docs/"):
        response = client.get(path)
        assert response.status_code == 200
        assert (
            "'unsafe-inline'" not in directives(response["Content-Security-Policy"])["script-src"]
        )
    docs = client.get("/api/docs/").content.decode()
    assert "<script>" not in docs  # Swagger UI's start script is a file (?script)


def template_files():
    roots = [BASE_DIR / "templates", *sorted(BASE_DIR.glob("*/templates"))]
    for root in roots:
        if ".venv" in root.parts:
            continue
        yield from sorted(root.rglob("*.html"))


SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^<>]*?\son[a-z]+\s*=", re.I | re.S)
HTMX_EVAL = re.compile(r"hx-on|hx-vars|hx-vals=['\"]js:", re.I)
HX_TRIGGER = re.compile(r'hx-trigger="([^"]*)"')


def trigger_filters(text: str) -> list[str]:
    """Event filters in hx-trigger values (`change[target.name!='x']`): htmx evals them. The
    CSS selector of `from:input[name=q]` is no filter."""
    return [
        part.strip()
        for value in HX_TRIGGER.findall(text)
        for part in value.split(",")
        if "[" in (part.split() or [""])[0]
    ]


def test_templates_have_no_inline_script_without_nonce_handlers_or_javascript_urls():
    """Every <script> carries the nonce (or is JSON data), no element has an on…= handler,
    no URL is javascript:, and nothing asks htmx to eval (hx-on, js: values, trigger
    filters)."""
    files = list(template_files())
    assert len(files) > 100
    problems = []
    for path in files:
        text = path.read_text()
        name = path.relative_to(BASE_DIR)
        for tag in SCRIPT_TAG.findall(text):
            if 'nonce="{{ csp_nonce }}"' not in tag and "application/json" not in tag:
                problems.append(f"{name}: {tag}")
        problems += [f"{name}: {m.group(0)[-40:]}" for m in EVENT_HANDLER.finditer(text)]
        if "javascript:" in text.lower():
            problems.append(f"{name}: javascript: URL")
        problems += [f"{name}: {m.group(0)}" for m in HTMX_EVAL.finditer(text)]
        problems += [f"{name}: hx-trigger filter {part}" for part in trigger_filters(text)]
    assert problems == []


def test_our_scripts_do_not_eval():
    sources = sorted((BASE_DIR / "static" / "js").glob("*.js"))
    assert sources
    offending = [
        path.name
        for path in sources
        if re.search(r"\beval\(|new Function\(|set(Timeout|Interval)\(\s*['\"]", path.read_text())
    ]
    assert offending == []


def test_the_template_scan_finds_what_it_looks_for():
    assert EVENT_HANDLER.search('<button class="x"\n onclick="go()">')
    assert not EVENT_HANDLER.search('<div data-onload="x" aria-label="Turn on=">')
    assert trigger_filters("<div hx-trigger=\"input, change[target.name!='p'] delay:1s\">")
    assert not trigger_filters('<form hx-trigger="change, keyup delay:4ms from:input[name=q]">')
    assert HTMX_EVAL.search('<div hx-on:click="go()">')
    assert not SCRIPT_TAG.search("<scripture>")
