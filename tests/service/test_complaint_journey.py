"""Done when: a complaint walks the whole way through service, with real parts only.

An Outlook HTML-only cp1252 complaint arrives as raw MIME through the HTTP inbound endpoint
(the workspace's inbound secret) and opens a case for the sender's contact; the agent answers
on the case page and the reply reaches a real SMTP server on loopback (aiosmtpd) threaded to
the customer's message; the customer's answer threads into the same case; the agent resolves
the case, the satisfaction survey goes out by mail; the customer follows the link from that
mail without logging in and answers 2 with a comment: the case shows the score, is flagged
for follow-up and has a follow-up task; answering again changes nothing. A frozen clock.
"""

import datetime
import re
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from service.models import Case, CaseMessage, CaseTask, CsatSurvey, MessageKind
from service.services.inbound_settings import inbound_secret_rotate
from tests.contacts.factories import ContactFactory
from tests.factories import MembershipFactory
from tests.marketing.smtp_server import SmtpServer
from tests.service.mail_fixtures import raw
from touchpoints.models import Interaction
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

# transaction=True: mail leaves after a real commit (transaction.on_commit), as in production
pytestmark = [pytest.mark.django_db(transaction=True)]

CUSTOMER = "j.weiss@weiss-gmbh.example"
CUSTOMER_MESSAGE_ID = "<000001dab2c3$4d5e6f70$a1b2c3d4@weiss-gmbh.example>"
FRIDAY = datetime.datetime(2026, 3, 13, 10, 25, tzinfo=datetime.UTC)  # 11:25 in Vienna


@pytest.fixture
def smtp(settings):
    server = SmtpServer().start()
    settings.MAILERS = server.mailers()
    settings.SITE_URL = "https://crm.example"
    settings.SERVICE_MAIL_DOMAIN = "crm.example"
    settings.DEFAULT_FROM_EMAIL = "Acme Support <support@acme.example>"
    yield server.inbox
    server.stop()


def inbound(workspace, secret, data: bytes):
    url = reverse("service_inbound_mail", args=[workspace.slug])
    return Client().post(
        url, data=data, content_type="message/rfc822", HTTP_AUTHORIZATION=f"Bearer {secret}"
    )


def case_url(name, case):
    return reverse(f"service:{name}", kwargs={"ws": "acme", "pk": case.pk})


def customer_answer(sent) -> bytes:
    """What Outlook sends back to `sent` (our reply as it arrived): Re: subject, In-Reply-To
    only (no References), an HTML body in windows-1252."""
    answer = EmailMessage()
    answer["From"] = f"Jürgen Weiß <{CUSTOMER}>"
    answer["To"] = sent["From"]
    answer["Subject"] = f"AW: {sent['Subject']}"
    answer["Date"] = "Fri, 13 Mar 2026 15:40:00 +0100"
    answer["Message-ID"] = make_msgid(domain="weiss-gmbh.example")
    answer["In-Reply-To"] = sent["Message-ID"]
    answer["X-Mailer"] = "Microsoft Outlook 16.0"
    answer.set_content(
        "<html><body><p>Danke, die Gutschrift über 120,00 € ist angekommen.</p></body></html>",
        subtype="html",
        charset="windows-1252",
    )
    return answer.as_bytes()


def survey_link(mail) -> str:
    """The path of the survey link in the survey mail's text (SITE_URL stripped)."""
    [url] = re.findall(r"https://crm\.example/\S+", mail.get_content())
    return urlsplit(url).path


def test_a_complaint_from_mail_to_a_low_score_and_its_follow_up(workspace, smtp):
    agent = MembershipFactory(workspace=workspace, role=Role.SERVICE).user
    desk = Client()
    desk.force_login(agent)
    with workspace_scope(workspace):
        secret = inbound_secret_rotate(workspace=workspace, actor=None)
        contact = ContactFactory(
            workspace=workspace, first_name="Jürgen", last_name="Weiß", email=CUSTOMER
        )

    with time_machine.travel(FRIDAY, tick=False) as clock:
        # 1. the complaint arrives through the endpoint and opens a case for the contact
        response = inbound(workspace, secret, raw("outlook_cp1252_html.eml"))
        assert response.status_code == 200
        assert response.json()["outcome"] == "created"
        with workspace_scope(workspace):
            case = Case.objects.get()
            [complaint] = CaseMessage.objects.filter(case=case, kind=MessageKind.CUSTOMER)
        assert case.contact == contact
        assert case.subject == "Rechnung über 1.249,00 € falsch"
        assert complaint.message_id == CUSTOMER_MESSAGE_ID.strip("<>")
        assert "„Position 3“" in complaint.body_text and "alert(1)" not in complaint.body_text
        assert case.status == "new"
        # the automatic acknowledgement answers the complaint, in its thread
        [(_sender, rcpts, ack, _raw)] = smtp.messages
        assert rcpts == [CUSTOMER] and ack["In-Reply-To"] == CUSTOMER_MESSAGE_ID
        assert ack["Auto-Submitted"] == "auto-replied"
        page = desk.get(case_url("case_detail", case)).content.decode()
        assert "Rechnung über 1.249,00 € falsch" in page and "Position 3" in page

        # 2. the agent answers on the case page: the mail goes out threaded to the complaint
        clock.shift(datetime.timedelta(minutes=20))
        before = len(smtp.messages)
        answered = desk.post(
            case_url("case_message", case),
            {"body": "Sie haben recht, wir schreiben Ihnen 120,00 € gut."},
            follow=True,
        )
        assert "Reply sent." in answered.content.decode()
        [(_sender, rcpts, reply, _raw)] = smtp.messages[before:]
        assert rcpts == [CUSTOMER]
        assert reply["In-Reply-To"] == CUSTOMER_MESSAGE_ID
        assert reply["References"].split()[-1] == CUSTOMER_MESSAGE_ID
        assert reply["Subject"] == f"[#{case.number}] Rechnung über 1.249,00 € falsch"
        assert "120,00 € gut" in reply.get_body(("plain",)).get_content()
        with workspace_scope(workspace):
            sent = CaseMessage.objects.get(case=case, kind=MessageKind.REPLY)
        assert sent.delivery_status == "sent"
        assert reply["Message-ID"] == f"<{sent.message_id}>"
        case.refresh_from_db()
        assert case.status == "open"
        assert case.first_responded_at == FRIDAY + datetime.timedelta(minutes=20)

        # 3. the customer's answer (In-Reply-To our reply) threads into the same case
        clock.shift(datetime.timedelta(hours=4))
        response = inbound(workspace, secret, customer_answer(reply))
        assert response.json() == {"outcome": "threaded", "case": case.number}
        with workspace_scope(workspace):
            assert Case.objects.count() == 1
            texts = [
                m.body_text
                for m in CaseMessage.objects.filter(case=case, kind=MessageKind.CUSTOMER)
            ]
        assert len(texts) == 2 and "Gutschrift über 120,00 €" in texts[1]
        assert len(smtp.messages) == 2  # no second acknowledgement for a threaded answer

        # 4. the agent resolves the case: the survey goes out by mail
        clock.shift(datetime.timedelta(minutes=30))
        before = len(smtp.messages)
        desk.post(case_url("case_status", case), {"status": "resolved"})
        case.refresh_from_db()
        assert case.status == "resolved" and case.resolved_at == FRIDAY + datetime.timedelta(
            hours=4, minutes=50
        )
        [(_sender, rcpts, survey_mail, _raw)] = smtp.messages[before:]
        assert rcpts == [CUSTOMER]
        assert survey_mail["Subject"] == f"How did we do? (case {case.number})"
        assert "Hello Jürgen," in survey_mail.get_content()
        with workspace_scope(workspace):
            survey = CsatSurvey.objects.get(case=case)
        assert survey.sent_at == case.resolved_at and survey.answered_at is None

        # 5. the customer follows the link (no login) and answers 2 with a comment
        clock.shift(datetime.timedelta(days=1))
        customer = Client()
        link = survey_link(survey_mail)
        form = customer.get(link)
        assert form.status_code == 200 and 'data-testid="survey-form"' in form.content.decode()
        thanks = customer.post(link, {"score": "2", "comment": "Viel zu spät korrigiert"})
        assert thanks.status_code == 200
        assert 'data-testid="survey-thanks"' in thanks.content.decode()

    survey.refresh_from_db()
    case.refresh_from_db()
    answered_at = FRIDAY + datetime.timedelta(days=1, hours=4, minutes=50)
    assert (survey.score, survey.comment, survey.answered_at) == (
        2,
        "Viel zu spät korrigiert",
        answered_at,
    )
    assert case.follow_up is True
    with workspace_scope(workspace):
        [task] = CaseTask.objects.filter(case=case)
    assert task.done_at is None
    page = desk.get(case_url("case_detail", case)).content.decode()
    assert '<span class="badge text-bg-danger" data-testid="case-csat-score">2/5</span>' in page
    assert "needs follow-up" in page and "Viel zu spät korrigiert" in page

    with workspace_scope(workspace):
        timeline = list(
            Interaction.objects.filter(contact=contact)
            .order_by("id")
            .values_list("kind", flat=True)
        )
    assert timeline == [
        "case.opened",
        "case.customer_message",
        "case.replied",
        "case.customer_message",
        "case.resolved",
        "csat.answered",
    ]

    # 6. answering again changes nothing
    again = Client().post(link, {"score": "5", "comment": "Alles gut"})
    assert again.status_code == 409
    assert 'data-testid="survey-already-answered"' in again.content.decode()
    survey.refresh_from_db()
    assert (survey.score, survey.comment, survey.answered_at) == (
        2,
        "Viel zu spät korrigiert",
        answered_at,
    )
    with workspace_scope(workspace):
        assert CaseTask.objects.filter(case=case).count() == 1
        assert CsatSurvey.objects.count() == 1
