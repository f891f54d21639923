"""IMAP polling against a real Dovecot on loopback (started per test, with its own
configuration, users file and Maildir in a temporary directory)."""

import imaplib
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from service.models import Case, InboundMessage, Mailbox
from service.services.imap_poll import mailbox_poll
from service.tasks import imap_poll_task

from .mail_fixtures import raw

pytestmark = [pytest.mark.imap, pytest.mark.django_db, pytest.mark.in_scope]

USER, PASSWORD = "support@acme.example", "s3cret-imap"
CONFIG = """
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:{d}/mail/%n/Maildir
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%n
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def imap_server():
    """A Dovecot serving one user over plain IMAP on a free loopback port; yields the port."""
    import grp
    import pwd

    user = pwd.getpwnam("dovecot") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
    directory = Path(tempfile.mkdtemp(prefix="crm-imap-"))
    directory.chmod(0o755)
    for sub in ("run", "state", "mail"):
        (directory / sub).mkdir()
    os.chown(directory / "mail", user.pw_uid, user.pw_gid)
    (directory / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    port = _free_port()
    config = directory / "dovecot.conf"
    config.write_text(
        CONFIG.format(d=directory, port=port, uid=user.pw_uid, gid=grp.getgrgid(user.pw_gid).gr_gid)
    )
    process = subprocess.Popen(
        ["/usr/sbin/dovecot", "-F", "-c", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(directory, ignore_errors=True)


def deliver(port, *names):
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(USER, PASSWORD)
    for name in names:
        client.append("INBOX", None, None, raw(name))
    client.logout()


def unseen(port) -> int:
    client = imaplib.IMAP4("127.0.0.1", port)
    client.login(USER, PASSWORD)
    client.select("INBOX")
    _status, found = client.search(None, "UNSEEN")
    client.logout()
    return len(found[0].split())


@pytest.fixture
def mailbox(workspace, imap_server, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    return Mailbox.objects.create(
        workspace=workspace,
        address=USER,
        imap_host="127.0.0.1",
        imap_port=imap_server,
        imap_user=USER,
        imap_password=PASSWORD,
        imap_folder="INBOX",
    )


def test_a_poll_ingests_unseen_mail_and_flags_it_seen(workspace, mailbox, imap_server):
    deliver(imap_server, "thunderbird_8bit.eml", "iso2022jp_no_charset.eml", "broken.eml")
    result = mailbox_poll(workspace=workspace, mailbox=mailbox)
    assert result.error == ""
    assert result.fetched == {"created": 2, "review": 1}
    assert unseen(imap_server) == 0
    assert sorted(Case.objects.values_list("subject", flat=True)) == [
        "Kaffeemühle defekt",
        "注文番号 4711 の件",
    ]
    assert InboundMessage.objects.filter(mailbox=mailbox).count() == 3
    mailbox.refresh_from_db()
    assert mailbox.last_fetch_at is not None and mailbox.last_error == ""
    # the next poll finds nothing new
    assert mailbox_poll(workspace=workspace, mailbox=mailbox).fetched == {}


def test_mail_seen_again_is_a_duplicate_not_a_second_case(workspace, mailbox, imap_server):
    deliver(imap_server, "gmail_references.eml")
    mailbox_poll(workspace=workspace, mailbox=mailbox)
    deliver(imap_server, "gmail_references.eml")  # the same message once more (a re-sync)
    assert mailbox_poll(workspace=workspace, mailbox=mailbox).fetched == {"duplicate": 1}
    assert Case.objects.count() == 1


def test_a_wrong_password_is_stored_on_the_mailbox(workspace, mailbox, imap_server):
    deliver(imap_server, "thunderbird_8bit.eml")
    mailbox.imap_password = "wrong"
    mailbox.save()
    result = mailbox_poll(workspace=workspace, mailbox=mailbox)
    assert result.error.startswith("IMAP 127.0.0.1:")
    mailbox.refresh_from_db()
    assert "IMAP 127.0.0.1" in mailbox.last_error and mailbox.last_fetch_at is None
    assert unseen(imap_server) == 1 and Case.objects.count() == 0


def test_the_beat_task_polls_every_imap_mailbox(workspace, mailbox, imap_server):
    deliver(imap_server, "lying_charset.eml")
    Mailbox.objects.create(workspace=workspace, address="web@acme.example")  # no IMAP
    assert imap_poll_task() == 1  # eager in tests: the mailbox task ran too
    assert Case.objects.get().subject == "Café order"
