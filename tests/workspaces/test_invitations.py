"""Invitations: signed, expiring links; accept, sign up with the invited address, bad links."""

import re
import time

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.test import Client
from django.utils.http import urlencode

from tests.conftest import login
from tests.factories import MembershipFactory
from workspaces.invitation_tokens import SALT, invitation_token
from workspaces.models import Invitation, Membership
from workspaces.roles import Role
from workspaces.services import invitation_create, invitation_revoke

pytestmark = pytest.mark.django_db(transaction=False)


@pytest.fixture(autouse=True)
def _in_scope(scope):
    """Services and forms run inside the workspace scope, as in a request or task."""


GOOD_PASSWORD = "plum-orchard-47-skyline"


@pytest.fixture
def invite(workspace, owner, django_capture_on_commit_callbacks):
    def make(email="new@example.com", role=Role.MARKETING):
        with django_capture_on_commit_callbacks(execute=True):
            return invitation_create(workspace=workspace, actor=owner, email=email, role=role)

    return make


def link_in(message) -> str:
    return re.search(r"https?://\S+/invite/\S+/", message.body).group(0)


def path_of(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_invitation_email_is_sent_after_commit_with_a_link(invite):
    invitation = invite()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new@example.com"]
    assert "Acme" in message.subject
    assert link_in(message).startswith(settings.SITE_URL + "/invite/")
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_invitation_send_is_idempotent(invite, workspace):
    from workspaces.tasks import invitation_send_task

    invitation = invite()
    assert invitation_send_task.delay(workspace.pk, invitation.pk).get() is False
    assert len(mail.outbox) == 1


def test_members_page_invites_by_email(owner_client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            "/w/acme/settings/members/invite/", {"email": "Kim@Example.com", "role": "service"}
        )
    assert response.status_code == 302
    invitation = Invitation.all_workspaces.get()
    assert (invitation.email, invitation.role) == ("kim@example.com", "service")
    assert mail.outbox[0].to == ["kim@example.com"]


def test_inviting_a_member_again_is_a_field_error(owner_client, member_factory):
    rep = member_factory(Role.SALES)
    response = owner_client.post(
        "/w/acme/settings/members/invite/", {"email": rep.email, "role": "sales"}
    )
    assert response.status_code == 400
    assert "email" in response.context["invite_form"].errors
    assert not Invitation.all_workspaces.exists()


def test_a_pending_invitation_blocks_a_second_one(invite, owner_client):
    invite(email="twice@example.com")
    response = owner_client.post(
        "/w/acme/settings/members/invite/", {"email": "twice@example.com", "role": "sales"}
    )
    assert response.status_code == 400
    assert Invitation.all_workspaces.count() == 1


def test_admin_cannot_invite_an_owner(client_for):
    client = client_for(Role.ADMIN)
    response = client.post(
        "/w/acme/settings/members/invite/", {"email": "boss@example.com", "role": "owner"}
    )
    assert response.status_code == 400
    assert not Invitation.all_workspaces.exists()


def test_logged_in_user_accepts_and_becomes_a_member(invite, user, workspace):
    invitation = invite(email=user.email)
    client = login(user)
    url = path_of(link_in(mail.outbox[0]))
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == "/w/acme/"
    assert Membership.all_workspaces.get(workspace=workspace, user=user).role == Role.MARKETING
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_visitor_signs_up_with_the_invited_email_and_joins(invite, workspace):
    invite(email="fresh@example.com", role=Role.SERVICE)
    client = Client()
    url = path_of(link_in(mail.outbox[0]))
    response = client.post(
        url, {"name": "Fre Sh", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(email="fresh@example.com")
    assert Membership.all_workspaces.get(workspace=workspace, user=user).role == Role.SERVICE
    assert client.get("/w/acme/").status_code == 200


def test_visitor_with_an_account_is_sent_to_log_in_first(invite, user):
    invite(email=user.email)
    url = path_of(link_in(mail.outbox[0]))
    response = Client().get(url)
    assert response.status_code == 200
    login_link = f"/accounts/login/?{urlencode({'next': url})}"
    assert login_link.replace("&", "&amp;") in response.content.decode()
    follow = login(user).get(login_link)  # logged in already: straight back to the invitation
    assert follow.status_code == 302 and follow["Location"] == url


def test_visitor_signup_for_an_existing_account_is_refused(invite, user, workspace):
    invite(email=user.email)
    url = path_of(link_in(mail.outbox[0]))
    response = Client().post(
        url, {"name": "Imposter", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )
    assert response.status_code == 400
    assert not Membership.all_workspaces.filter(workspace=workspace, user=user).exists()


def test_expired_link_shows_a_clear_page_and_changes_nothing(invite, user, workspace):
    invitation = invite(email=user.email)

    class EightDaysAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 8 * 24 * 3600)

    payload = {"w": workspace.pk, "i": invitation.pk}
    token = EightDaysAgo(salt=SALT).sign_object(payload, compress=False)
    response = login(user).post(f"/invite/{token}/")
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert not Membership.all_workspaces.filter(workspace=workspace, user=user).exists()


def test_forged_link_shows_a_clear_page_and_changes_nothing(invite, user, workspace):
    invitation = invite(email=user.email)
    token = signing.dumps({"w": workspace.pk, "i": invitation.pk}, salt=SALT, key="not-ours")
    response = login(user).post(f"/invite/{token}/")
    assert response.status_code == 400
    assert "not valid" in response.content.decode()
    assert not Membership.all_workspaces.filter(workspace=workspace, user=user).exists()


def test_tampered_link_is_refused(invite, user):
    invite(email=user.email)
    url = path_of(link_in(mail.outbox[0]))
    assert login(user).get(url[:-3] + "xy/").status_code == 400


def test_revoked_link_shows_a_clear_page_and_changes_nothing(invite, user, workspace, owner):
    invitation = invite(email=user.email)
    invitation_revoke(workspace=workspace, actor=owner, invitation=invitation)
    response = login(user).post(f"/invite/{invitation_token(invitation)}/")
    assert response.status_code == 400
    assert "withdrawn" in response.content.decode()
    assert not Membership.all_workspaces.filter(workspace=workspace, user=user).exists()


def test_used_link_cannot_be_used_again(invite, user, workspace):
    invitation = invite(email=user.email)
    url = f"/invite/{invitation_token(invitation)}/"
    assert login(user).post(url).status_code == 302
    other = MembershipFactory(workspace=workspace, role=Role.SALES).user
    Membership.all_workspaces.filter(user=other).delete()
    response = login(other).post(url)
    assert response.status_code == 400
    assert "already been used" in response.content.decode()
    assert not Membership.all_workspaces.filter(workspace=workspace, user=other).exists()


def test_revoking_from_the_members_page(invite, owner_client):
    invitation = invite()
    response = owner_client.post(f"/w/acme/settings/invitations/{invitation.pk}/revoke/")
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None


def test_revoked_invitation_is_not_emailed_by_a_late_task(workspace, owner):
    from workspaces.tasks import invitation_send_task

    invitation = invitation_create(
        workspace=workspace, actor=owner, email="late@example.com", role=Role.SALES
    )  # on_commit never runs inside the test transaction
    invitation_revoke(workspace=workspace, actor=owner, invitation=invitation)
    assert invitation_send_task.delay(workspace.pk, invitation.pk).get() is False
    assert mail.outbox == []


def test_eager_tasks_deliver_the_invitation_within_the_request(
    owner_client, django_capture_on_commit_callbacks
):
    """Embedded mode (no broker, and every test but the worker ones): the task runs in-process
    after commit, so the email is out when the page returns."""
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            "/w/acme/settings/members/invite/", {"email": "eager@example.com", "role": "sales"}
        )
    assert [m.to for m in mail.outbox] == [["eager@example.com"]]
    assert Invitation.all_workspaces.get().sent_at is not None


# --- only the invited account accepts; the owner role is confirmed by email ----------------
def test_another_logged_in_account_holding_the_link_is_told_which_account_to_use(
    invite, user, workspace
):
    invitation = invite(email="invited@example.com", role=Role.ADMIN)
    url = path_of(link_in(mail.outbox[0]))
    client = login(user)  # someone else, logged in, got hold of the link
    page = client.get(url)
    assert page.status_code == 403
    assert "invited@example.com" in page.content.decode()
    assert b'data-testid="invitation-wrong-account"' in page.content
    assert client.post(url).status_code == 403
    assert not Membership.all_workspaces.filter(workspace=workspace, user=user).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_the_wrong_account_page_logs_out_back_to_the_invitation(invite, user):
    invite(email="invited@example.com")
    url = path_of(link_in(mail.outbox[0]))
    client = login(user)
    response = client.post("/accounts/logout/", {"next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert b"invitation-signup-form" in client.get(url).content


def test_the_service_refuses_an_account_with_another_email(invite, user, workspace):
    from django.core.exceptions import ValidationError

    from workspaces.services import invitation_accept

    invitation = invite(email="invited@example.com")
    with pytest.raises(ValidationError, match="invited@example.com"):
        invitation_accept(invitation=invitation, user=user)
    assert not Membership.all_workspaces.filter(workspace=workspace, user=user).exists()


def test_signup_through_the_link_is_fixed_to_the_invited_address_and_verified(invite):
    from allauth.account.models import EmailAddress

    invite(email="fixed@example.com")
    url = path_of(link_in(mail.outbox[0]))
    Client().post(
        url,
        {
            "name": "Fi Xed",
            "email": "other@example.com",  # not a field of the form: ignored
            "password1": GOOD_PASSWORD,
            "password2": GOOD_PASSWORD,
        },
    )
    assert not get_user_model().objects.filter(email="other@example.com").exists()
    user = get_user_model().objects.get(email="fixed@example.com")
    assert EmailAddress.objects.get(user=user).verified
    fresh = Client()
    response = fresh.post("/accounts/login/", {"login": user.email, "password": GOOD_PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


def owner_confirm_link(message) -> str:
    return re.search(r"https?://[^/\s]+(/invite/confirm/\S+/)", message.body).group(1)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """committed(client.post, url, data): the request with its after-commit mail sent."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


def test_an_owner_invitation_is_granted_only_after_the_emailed_confirmation(
    invite, user, workspace, committed
):
    invitation = invite(email=user.email, role=Role.OWNER)
    url = path_of(link_in(mail.outbox[0]))
    client = login(user)
    mail.outbox.clear()
    response = committed(client.post, url)
    assert response.status_code == 200
    assert b'data-testid="owner-confirm-sent"' in response.content
    assert not Membership.all_workspaces.filter(workspace=workspace, user=user).exists()
    assert [m.to for m in mail.outbox] == [[user.email]]
    confirm = owner_confirm_link(mail.outbox[0])
    assert client.get(confirm).status_code == 200
    assert not Membership.all_workspaces.filter(workspace=workspace, user=user).exists()
    response = client.post(confirm)
    assert response.status_code == 302 and response["Location"] == "/w/acme/"
    assert Membership.all_workspaces.get(workspace=workspace, user=user).role == Role.OWNER
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None


def test_the_owner_confirmation_link_needs_the_invited_account(invite, user, workspace, committed):
    invite(email=user.email, role=Role.OWNER)
    committed(login(user).post, path_of(link_in(mail.outbox[0])))
    confirm = owner_confirm_link(mail.outbox[-1])
    anonymous = Client().post(confirm)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")
    stranger = MembershipFactory(workspace=workspace, role=Role.SALES).user
    assert login(stranger).post(confirm).status_code == 403
    assert Membership.all_workspaces.filter(workspace=workspace, role=Role.OWNER).count() == 1
    assert not Membership.all_workspaces.filter(workspace=workspace, user=user).exists()


def test_a_visitor_signing_up_for_an_owner_invitation_confirms_by_email(
    invite, workspace, committed
):
    invite(email="boss@example.com", role=Role.OWNER)
    url = path_of(link_in(mail.outbox[0]))
    client = Client()
    mail.outbox.clear()
    response = committed(
        client.post, url, {"name": "Bo Ss", "password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD}
    )
    assert response.status_code == 200 and b"owner-confirm-sent" in response.content
    user = get_user_model().objects.get(email="boss@example.com")
    assert not Membership.all_workspaces.filter(workspace=workspace, user=user).exists()
    assert client.get("/w/acme/").status_code == 404
    client.post(owner_confirm_link(mail.outbox[0]))
    assert Membership.all_workspaces.get(workspace=workspace, user=user).role == Role.OWNER


def test_an_owner_confirmation_for_a_revoked_invitation_changes_nothing(
    invite, user, workspace, owner, committed
):
    invitation = invite(email=user.email, role=Role.OWNER)
    client = login(user)
    committed(client.post, path_of(link_in(mail.outbox[0])))
    confirm = owner_confirm_link(mail.outbox[-1])
    invitation_revoke(workspace=workspace, actor=owner, invitation=invitation)
    response = client.post(confirm)
    assert response.status_code == 400 and b"withdrawn" in response.content
    assert not Membership.all_workspaces.filter(workspace=workspace, user=user).exists()


def test_a_forged_owner_confirmation_is_refused(invite, user, workspace):
    from workspaces.invitation_tokens import OWNER_SALT

    invitation = invite(email=user.email, role=Role.OWNER)
    payload = {"w": workspace.pk, "i": invitation.pk, "u": user.pk}
    token = signing.dumps(payload, salt=OWNER_SALT, key="not-ours")
    response = login(user).post(f"/invite/confirm/{token}/")
    assert response.status_code == 400
    assert not Membership.all_workspaces.filter(workspace=workspace, user=user).exists()
    # nor does the invitation token itself pass as a confirmation
    response = login(user).post(f"/invite/confirm/{invitation_token(invitation)}/")
    assert response.status_code == 400
    assert not Membership.all_workspaces.filter(workspace=workspace, user=user).exists()
