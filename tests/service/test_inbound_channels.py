"""The channels in: the HTTP endpoint (secret, body shapes, limits), `manage.py ingest_email`
(file, Maildir, stdin), tenancy between workspaces and the settings page with its health."""

import io
import mailbox
import sys
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from service.models import Case, CaseMessage, InboundMessage, Mailbox, MessageKind
from service.models.mailin import InboundSettings
from service.services.inbound_settings import inbound_secret_rotate
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

from .mail_fixtures import MAIL_DIR, raw

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.SERVICE_MAIL_DOMAIN = "crm.example"
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


def secret_for(workspace):
    with workspace_scope(workspace):
        return inbound_secret_rotate(workspace=workspace, actor=None)


def post(slug, data, secret, content_type="message/rfc822", **extra):
    url = reverse("service_inbound_mail", args=[slug])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    return Client().post(url, data=data, content_type=content_type, **headers, **extra)


def cases(workspace):
    with workspace_scope(workspace):
        return list(Case.objects.order_by("number"))


def test_the_endpoint_opens_a_case_from_a_raw_body(workspace):
    secret = secret_for(workspace)
    response = post("acme", raw("thunderbird_8bit.eml"), secret)
    assert response.status_code == 200
    assert response.json() == {"outcome": "created", "case": 1}
    [case] = cases(workspace)
    assert case.subject == "Kaffeemühle defekt"


def test_the_endpoint_takes_a_providers_multipart_field_and_envelope(workspace):
    secret = secret_for(workspace)
    url = reverse("service_inbound_mail", args=["acme"])
    response = Client().post(
        url,
        {
            "email": raw("lying_charset.eml").decode("utf-8"),
            "envelope": '{"from": "zoe@brennan.example", "to": ["support@acme.example"]}',
        },
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.json()["outcome"] == "created"
    with workspace_scope(workspace):
        entry = CaseMessage.objects.get(kind=MessageKind.CUSTOMER)
    assert "Café Crème machine (€ 349)" in entry.body_text


def test_the_endpoint_takes_the_secret_as_basic_auth_password(workspace):
    import base64

    secret = secret_for(workspace)
    token = base64.b64encode(f"inbound:{secret}".encode()).decode()
    url = reverse("service_inbound_mail", args=["acme"])
    response = Client().post(
        url, data=raw("stripped_number.eml"), content_type="message/rfc822",
        HTTP_AUTHORIZATION=f"Basic {token}",
    )  # fmt: skip
    assert response.json()["outcome"] == "created"


def test_a_wrong_or_missing_secret_is_refused_and_nothing_stored(workspace):
    secret_for(workspace)
    assert post("acme", raw("thunderbird_8bit.eml"), "wrong").status_code == 401
    assert post("acme", raw("thunderbird_8bit.eml"), "").status_code == 401
    assert post("nowhere", raw("thunderbird_8bit.eml"), "wrong").status_code == 401
    with workspace_scope(workspace):
        assert InboundMessage.objects.count() == 0


def test_without_a_secret_made_the_endpoint_refuses_everything(workspace):
    assert post("acme", raw("thunderbird_8bit.eml"), "anything").status_code == 401


def test_rotating_the_secret_stops_the_old_one(workspace):
    old = secret_for(workspace)
    new = secret_for(workspace)
    assert post("acme", raw("thunderbird_8bit.eml"), old).status_code == 401
    assert post("acme", raw("thunderbird_8bit.eml"), new).status_code == 200
    with workspace_scope(workspace):
        stored = InboundSettings.objects.get().secret_hash
    assert new not in stored and old not in stored and len(stored) == 64


def test_an_empty_body_and_a_too_large_message_are_refused(workspace, settings):
    secret = secret_for(workspace)
    assert post("acme", b"", secret).status_code == 400
    settings.SERVICE_MAIL_MAX_MESSAGE_BYTES = 500
    response = post("acme", raw("outlook_in_reply_to.eml"), secret)
    assert response.status_code == 413 and "nothing was stored" in response.json()["error"]
    with workspace_scope(workspace):
        assert InboundMessage.objects.count() == 0


def test_a_provider_retry_is_a_duplicate_not_a_second_case(workspace):
    secret = secret_for(workspace)
    post("acme", raw("thunderbird_8bit.eml"), secret)
    response = post("acme", raw("thunderbird_8bit.eml"), secret)
    assert response.json() == {"outcome": "duplicate", "case": 1}
    assert len(cases(workspace)) == 1


def test_a_reply_to_another_workspaces_case_never_threads_there(workspace, other_workspace):
    theirs = secret_for(other_workspace)
    mine = secret_for(workspace)
    post("globex", raw("thunderbird_8bit.eml"), theirs)
    [their_case] = cases(other_workspace)
    with workspace_scope(other_workspace):
        CaseMessage.objects.create(
            workspace=other_workspace,
            case=their_case,
            kind=MessageKind.REPLY,
            message_id="case-1001.7d3e9b2a@crm.example",
        )
    response = post("acme", raw("outlook_in_reply_to.eml"), mine)  # In-Reply-To their reply
    assert response.json()["outcome"] == "created"
    with workspace_scope(other_workspace):
        assert CaseMessage.objects.filter(case=their_case, kind=MessageKind.CUSTOMER).count() == 1
    # and the secret of one workspace opens no other
    assert post("acme", raw("gmail_references.eml"), theirs).status_code == 401


def test_a_message_to_a_mailbox_goes_to_its_queue_and_records_the_arrival(workspace):
    from service.models import Queue

    with workspace_scope(workspace):
        queue = Queue.objects.create(workspace=workspace, name="Complaints")
        box = Mailbox.objects.create(
            workspace=workspace, address="support@acme.example", queue=queue
        )
    post("acme", raw("thunderbird_8bit.eml"), secret_for(workspace))
    [case] = cases(workspace)
    assert case.queue == queue
    with workspace_scope(workspace):
        box.refresh_from_db()
    assert box.last_fetch_at is not None and box.last_error == ""


# --- the command ----------------------------------------------------------------------


def run(*args, stdin=None):
    out = io.StringIO()
    if stdin is not None:
        sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
    try:
        call_command("ingest_email", *args, stdout=out, stderr=io.StringIO())
    finally:
        sys.stdin = sys.__stdin__
    return out.getvalue()


def test_the_command_ingests_a_file(workspace):
    out = run("--workspace", "acme", str(MAIL_DIR / "thunderbird_8bit.eml"))
    assert "thunderbird_8bit.eml: created case #1" in out
    assert len(cases(workspace)) == 1


def test_the_command_ingests_a_maildir_twice_without_duplicates(workspace, tmp_path):
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    for name in ("thunderbird_8bit.eml", "gmail_references.eml", "broken.eml"):
        box.add(raw(name))
    first = run("--workspace", "acme", str(tmp_path / "Maildir"))
    assert "2 created, 1 review" in first
    second = run("--workspace", "acme", str(tmp_path / "Maildir"))
    assert "3 duplicate" in second
    assert len(cases(workspace)) == 2


def test_the_command_reads_stdin(workspace):
    out = run("--workspace", "acme", "-", stdin=raw("iso2022jp_no_charset.eml"))
    assert "stdin: created case #1" in out
    assert cases(workspace)[0].subject == "注文番号 4711 の件"


def test_the_command_names_a_missing_workspace_or_path(workspace):
    with pytest.raises(CommandError, match="No workspace"):
        run("--workspace", "nope", str(MAIL_DIR / "broken.eml"))
    with pytest.raises(CommandError, match="no such file"):
        run("--workspace", "acme", "/nonexistent/mail.eml")


def test_the_command_keeps_workspaces_apart(workspace, other_workspace):
    run("--workspace", "globex", str(MAIL_DIR / "thunderbird_8bit.eml"))
    [their_case] = cases(other_workspace)
    with workspace_scope(other_workspace):
        CaseMessage.objects.create(
            workspace=other_workspace,
            case=their_case,
            kind=MessageKind.REPLY,
            message_id="case-1001.7d3e9b2a@crm.example",
        )
    out = run("--workspace", "acme", str(MAIL_DIR / "outlook_in_reply_to.eml"))
    assert "created case #1" in out
    with workspace_scope(other_workspace):
        assert CaseMessage.objects.filter(case=their_case, kind=MessageKind.CUSTOMER).count() == 1


# --- the settings page ------------------------------------------------------------------


def page(client):
    return client.get(reverse("service:mail_settings", kwargs={"ws": "acme"}))


def test_the_page_shows_a_new_secret_once_and_a_curl_example(workspace, owner_client):
    url = reverse("service:mail_settings", kwargs={"ws": "acme"})
    response = owner_client.post(url, {"action": "rotate"})
    secret = response.context["new_secret"]
    assert secret and secret in response.content.decode()
    assert post("acme", raw("thunderbird_8bit.eml"), secret).status_code == 200
    again = page(owner_client).content.decode()
    assert secret not in again
    assert "curl -X POST" in again and "/inbound/mail/acme/" in again


def test_the_page_alerts_after_ten_quiet_minutes_and_on_a_parse_failure(workspace, owner_client):
    secret = secret_for(workspace)
    post("acme", raw("thunderbird_8bit.eml"), secret)
    assert b'data-testid="health-ok"' in page(owner_client).content
    with workspace_scope(workspace):
        InboundSettings.objects.update(last_arrival_at=timezone.now() - timedelta(minutes=11))
    assert b'data-testid="health-quiet"' in page(owner_client).content
    post("acme", raw("broken.eml"), secret)
    content = page(owner_client).content.decode()
    assert 'data-testid="health-failed"' in content
    assert "no readable sender" in content  # listed for review, with its raw download
    with workspace_scope(workspace):
        stored = InboundMessage.objects.get(message_id="broken-1@nowhere.example")
    raw_url = reverse("service:inbound_raw", kwargs={"ws": "acme", "pk": stored.pk})
    assert owner_client.get(raw_url).content == raw("broken.eml")


def test_only_workspace_managers_see_the_page(workspace, client_for):
    assert page(client_for(Role.SERVICE)).status_code == 403
    assert page(client_for(Role.ADMIN)).status_code == 200


def test_the_acknowledgement_can_be_switched_off(workspace, owner_client):
    url = reverse("service:mail_settings", kwargs={"ws": "acme"})
    owner_client.post(url, {"action": "acknowledge"})
    with workspace_scope(workspace):
        assert InboundSettings.objects.get().auto_acknowledge is False
    from service.services.inbound import inbound_ingest

    with workspace_scope(workspace):
        result = inbound_ingest(workspace=workspace, raw=raw("thunderbird_8bit.eml"))
    assert result.reasons == ["switched_off"] and not result.acknowledged


def test_the_case_page_shows_the_sanitised_mail_and_its_attachments(workspace, owner_client):
    secret = secret_for(workspace)
    post("acme", raw("outlook_cp1252_html.eml"), secret)
    post("acme", raw("rfc2047_2231.eml"), secret)
    with workspace_scope(workspace):
        html_case, files_case = Case.objects.order_by("number")
    content = owner_client.get(
        reverse("service:case_detail", kwargs={"ws": "acme", "pk": html_case.pk})
    ).content.decode()
    assert "<p>Grüße<br>Jürgen Weiß</p>" in content
    assert "alert(1)" not in content and "tracker.example" not in content
    content = owner_client.get(
        reverse("service:case_detail", kwargs={"ws": "acme", "pk": files_case.pk})
    ).content.decode()
    assert "Rechnung März 2026.pdf" in content and "Foto der Größe № 88.jpg" in content
