"""Password guessing is throttled per account and per client address (allauth's login
limits, counted in the shared cache by the real client address), with one message whether or
not the email has an account.

Limits (crm_site/settings.py ACCOUNT_RATE_LIMITS): 5 failed logins per account and 20 per
client address within 15 minutes.
"""

import pytest
from django.test import Client

from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

URL = "/accounts/login/"
THROTTLED = "Too many failed login attempts"
ATTACKER, OTHER_PLACE = "198.51.100.7", "203.0.113.9"
PER_ACCOUNT, PER_ADDRESS = 5, 20


def attempt(email, password, address=ATTACKER, client=None, **headers):
    """One login POST from `address`; returns (logged in?, the form's errors as text)."""
    client = client or Client()
    response = client.post(
        URL, {"login": email, "password": password}, REMOTE_ADDR=address, **headers
    )
    logged_in = "_auth_user_id" in client.session
    errors = ""
    if response.status_code == 200:  # the form again, with its errors
        errors = " ".join(response.context["form"].non_field_errors())
    return logged_in, errors


def fail(email, times, address=ATTACKER, **headers):
    for _ in range(times):
        assert attempt(email, "wrong-password", address, **headers)[0] is False


def test_thirty_wrong_passwords_then_the_right_one_is_refused(owner):
    fail(owner.email, 30)
    logged_in, errors = attempt(owner.email, TEST_PASSWORD)
    assert logged_in is False
    assert THROTTLED in errors


def test_the_right_password_before_the_limit_logs_in(owner):
    fail(owner.email, PER_ACCOUNT - 1)
    assert attempt(owner.email, TEST_PASSWORD)[0] is True


def test_the_account_limit_holds_from_another_address(owner):
    fail(owner.email, PER_ACCOUNT)
    logged_in, errors = attempt(owner.email, TEST_PASSWORD, address=OTHER_PLACE)
    assert logged_in is False and THROTTLED in errors


def test_another_account_from_the_same_address_logs_in_below_the_address_limit(owner):
    colleague = UserFactory()
    fail(owner.email, PER_ACCOUNT)  # the owner's account is throttled, the address is not
    assert attempt(colleague.email, TEST_PASSWORD)[0] is True


def test_an_address_that_guessed_at_many_accounts_is_refused_for_every_account(owner):
    colleague = UserFactory()
    for n in range(PER_ADDRESS):  # few tries per account, many from one address
        fail(f"guess{n}@example.com", 1)
    logged_in, errors = attempt(colleague.email, TEST_PASSWORD)
    assert logged_in is False and THROTTLED in errors
    # the same account from another address is not affected
    assert attempt(colleague.email, TEST_PASSWORD, address=OTHER_PLACE)[0] is True


def test_unknown_and_known_emails_get_the_same_messages(owner):
    _, wrong_known = attempt(owner.email, "wrong-password")
    _, wrong_unknown = attempt("nobody@example.com", "wrong-password")
    assert wrong_known == wrong_unknown != ""
    fail(owner.email, PER_ACCOUNT)
    fail("nobody@example.com", PER_ACCOUNT)
    _, throttled_known = attempt(owner.email, "wrong-password")
    _, throttled_unknown = attempt("nobody@example.com", "wrong-password")
    assert throttled_known == throttled_unknown
    assert THROTTLED in throttled_known


def test_the_email_is_counted_whatever_its_case(owner):
    for n in range(PER_ACCOUNT):
        email = owner.email.upper() if n % 2 else owner.email
        fail(email, 1)
    assert attempt(owner.email, TEST_PASSWORD)[0] is False


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(owner, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"
    colleague = UserFactory()
    for n in range(PER_ADDRESS):
        fail(f"guess{n}@example.com", 1, address=proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
    # the spammer is blocked, the colleague behind the same proxy is not
    assert attempt(colleague.email, TEST_PASSWORD, proxy, HTTP_X_FORWARDED_FOR=OTHER_PLACE)[0]
    blocked, errors = attempt(colleague.email, TEST_PASSWORD, proxy, HTTP_X_FORWARDED_FOR=ATTACKER)
    assert blocked is False and THROTTLED in errors


def test_without_a_trusted_proxy_a_forged_forwarded_header_changes_nothing(owner):
    colleague = UserFactory()
    for n in range(PER_ADDRESS):
        fail(f"guess{n}@example.com", 1, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    logged_in, errors = attempt(colleague.email, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.200")
    assert logged_in is False and THROTTLED in errors


def test_a_password_reset_lifts_the_account_limit(owner, client):
    import re

    from django.core import mail

    fail(owner.email, PER_ACCOUNT)
    client.post("/accounts/password/reset/", {"email": owner.email}, REMOTE_ADDR=OTHER_PLACE)
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+/)", mail.outbox[0].body)
    page = client.get(link.group(1), follow=True, REMOTE_ADDR=OTHER_PLACE)
    new = "violet-harbour-93-lantern"
    client.post(
        page.redirect_chain[-1][0], {"password1": new, "password2": new}, REMOTE_ADDR=OTHER_PLACE
    )
    assert attempt(owner.email, new, address=OTHER_PLACE)[0] is True


def test_a_flood_of_sign_ups_from_one_address_gets_a_clear_429(db):
    client = Client()
    statuses = [
        client.post("/accounts/signup/", {"email": f"x{n}@example.com"}, REMOTE_ADDR=ATTACKER)
        for n in range(11)
    ]
    assert [s.status_code for s in statuses[:10]] == [400] * 10
    assert statuses[10].status_code == 429
    assert b'data-testid="too-many-requests"' in statuses[10].content
