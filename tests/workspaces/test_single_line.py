"""Names that go into mail headers are one line: refused with a clear message where they are
typed, and made safe when an older row still holds a line break."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from tests.factories import UserFactory
from workspaces.mail_headers import header_text, validate_single_line
from workspaces.models import Invitation, Workspace
from workspaces.services import invitation_create, workspace_create, workspace_update

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


BROKEN = ["Acme\nBcc: all@evil.example", "Acme\r\nX: 1", "Acme\u2028Inc", "Acme\x00", "A\tB"]


@pytest.mark.parametrize("value", BROKEN)
def test_line_breaks_and_control_characters_are_refused(value):
    with pytest.raises(ValidationError) as raised:
        validate_single_line(value)
    assert raised.value.code == "single_line"


@pytest.mark.parametrize("value", ["Acme", "Müller & Söhne – Vertrieb", ""])
def test_ordinary_names_pass(value):
    validate_single_line(value)


def test_header_text_makes_one_line_of_anything():
    assert header_text("Acme\r\nBcc: x@evil.example\u2028  more") == "Acme Bcc: x@evil.example more"
    assert header_text("x" * 300, max_length=10) == "xxxxxxxxx…"


def test_the_settings_page_refuses_a_name_with_a_line_break(workspace, owner_client):
    response = owner_client.post(
        "/w/acme/settings/",
        {"name": "Acme\nBcc: all@evil.example", "time_zone": "UTC", "currency": "EUR"},
    )
    assert response.status_code == 200
    assert "single line" in response.context["form"].errors["name"][0]
    workspace.refresh_from_db()
    assert workspace.name == "Acme"


def test_the_services_refuse_a_name_with_a_line_break(workspace, owner):
    with pytest.raises(ValidationError) as raised:
        workspace_update(
            workspace=workspace, actor=owner, name="Acme\nX", time_zone="UTC", currency="EUR"
        )
    assert "name" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        workspace_create(name="New\rCo", slug="newco", owner=UserFactory())
    assert "name" in raised.value.message_dict
    assert not Workspace.objects.filter(slug="newco").exists()


def test_the_new_workspace_page_refuses_a_name_with_a_line_break(client):
    client.force_login(UserFactory())
    response = client.post(
        "/accounts/workspaces/new/",
        {"workspace_name": "New\nCo", "slug": "newco", "time_zone": "UTC", "currency": "EUR"},
    )
    assert response.status_code == 400
    assert "workspace_name" in response.context["form"].errors


def test_an_old_name_with_a_line_break_still_lets_invitations_go_out(
    workspace, owner, owner_client, django_capture_on_commit_callbacks
):
    Workspace.objects.filter(pk=workspace.pk).update(name="Acme\nBcc: all@evil.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            "/w/acme/settings/members/invite/", {"email": "kim@example.com", "role": "sales"}
        )
    assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(workspace=workspace, actor=owner, email="lee@example.com", role="sales")
    assert [m.subject for m in mail.outbox] == ["Invitation to Acme Bcc: all@evil.example"] * 2
    message = mail.outbox[0].message()
    assert message["Bcc"] is None
    assert Invitation.all_workspaces.filter(sent_at__isnull=False).count() == 2


@pytest.mark.parametrize("name", ["Eve Attacker\r\nBcc: victim@x.example", "Eve\nBEGIN:VEVENT"])
def test_a_persons_name_is_single_line_on_the_profile_and_in_the_services(client, name):
    """A user's name goes into invitation mails and calendar feeds: no line breaks."""
    from django.core.exceptions import ValidationError

    from tests.factories import UserFactory
    from workspaces.services import user_create, user_profile_update

    user = UserFactory(first_name="Eve", last_name="Plain")
    client.force_login(user)
    response = client.post("/accounts/profile/", {"name": name, "language": "en"})
    assert response.status_code == 200
    assert "single line" in response.content.decode()
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Eve", "Plain")
    with pytest.raises(ValidationError) as raised:
        user_profile_update(user=user, name=name, language="")
    assert "name" in raised.value.message_dict
    with pytest.raises(ValidationError):
        user_create(email="new@example.com", password="long-password-1", name=name)
