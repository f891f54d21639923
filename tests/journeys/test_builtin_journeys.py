"""The built-in journeys end to end: switched on from their templates, fed by what happens
through the real services (stage moves, deals, cases, satisfaction answers, silence), run by
the engine's periodic work (journeys.run_workspace: events, scans, due enrolments) while the
clock moves through the waits (time-machine). What counts is what a person would see: the
emails sent to whom, the tasks for the owner, the timeline entries and the goal exit."""

import datetime

import pytest
import time_machine
from django.core import mail

from contacts.services.contacts import contact_create
from contacts.services.lifecycle_stages import contact_lifecycle_move
from journeys.models import Enrolment, Journey, JourneyStep
from journeys.services import journey_from_template, journey_publish
from journeys.tasks import journeys_run_workspace_task
from marketing.models import EmailTemplate
from sales.models import Activity, StageKind
from sales.services.deals import deal_move_stage
from service.models import CaseType
from service.services import csat as csat_services
from service.services.cases import case_change_status, case_create
from tests.journeys.step_helpers import params_of
from tests.marketing.factories import SenderIdentityFactory
from tests.sales.factories import deal_make, pipeline_for, stage_of
from tests.service.quality_factories import resolved_case, survey_make
from touchpoints.models import Interaction
from touchpoints.services import interaction_record
from workspaces.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)  # a Monday
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://crm.example"
    settings.BOUNCE_DOMAIN = "bounces.acme.example"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def rep(member_factory):
    return member_factory(Role.SALES)


@pytest.fixture
def sender(workspace):
    return SenderIdentityFactory(workspace=workspace, from_email="hello@acme.example")


def switch_on(workspace, owner, key) -> Journey:
    journey = journey_from_template(workspace=workspace, actor=owner, template_key=key)
    return journey_publish(workspace=workspace, actor=owner, journey=journey)


def tick(workspace):
    """One round of the engine's periodic work for the workspace (what beat starts)."""
    return journeys_run_workspace_task(workspace.pk)


def later(clock, workspace, delta):
    clock.shift(delta)
    return tick(workspace)


def person(workspace, name, rep, **fields):
    fields.setdefault("email", f"{name.lower()}@example.org")
    fields.setdefault("email_opt_in", True)
    return contact_create(
        workspace=workspace, actor=None, first_name=name, last_name="Doe", owner=rep, **fields
    )


def sent(to=None):
    """[(recipient, subject)] of the mail sent so far (to one address if given)."""
    return [(m.to[0], m.subject) for m in mail.outbox if to is None or m.to == [to]]


def tasks(contact):
    return list(
        Activity.objects.filter(contact=contact)
        .order_by("id")
        .values_list("subject", "owner_id", "due_at")
    )


def enrolment(journey, contact):
    return Enrolment.objects.filter(journey=journey, contact=contact).latest("id")


def kinds(contact):
    return list(
        Interaction.objects.filter(contact=contact, app="journeys")
        .order_by("seq")
        .values_list("kind", flat=True)
    )


# --- switching a built-in on -----------------------------------------------------------


@pytest.mark.parametrize("key", ["welcome", "win_back", "re_engage", "lead_nurturing"])
def test_a_template_makes_a_draft_journey_with_editable_starter_emails(workspace, owner, key):
    journey = journey_from_template(workspace=workspace, actor=owner, template_key=key)
    assert journey.status == "draft" and journey.template_key == key
    steps = JourneyStep.objects.filter(version=journey.current_version)
    email_steps = [s for s in steps if s.kind == "email.send"]
    assert email_steps
    for step in email_steps:
        template = EmailTemplate.objects.get(pk=step.params["template"])
        assert "(journey)" in template.name
        # the params the builder's form would make of them are the same
        assert params_of("email.send", workspace, step.params)["template"] == template.pk
    journey_publish(workspace=workspace, actor=owner, journey=journey)


def test_a_template_switched_on_twice_gets_a_new_name_and_own_emails(workspace, owner):
    first = journey_from_template(workspace=workspace, actor=owner, template_key="welcome")
    second = journey_from_template(workspace=workspace, actor=owner, template_key="welcome")
    assert first.name != second.name
    assert EmailTemplate.objects.filter(name__contains="Welcome").count() == 2


# --- welcome ---------------------------------------------------------------------------


def test_welcome_greets_a_new_customer_and_asks_the_owner_to_thank_for_the_first_order(
    workspace, owner, rep, sender, clock
):
    journey = switch_on(workspace, owner, "welcome")
    ann = person(workspace, "Ann", rep, lifecycle_stage="opportunity")
    bob = person(workspace, "Bob", rep, lifecycle_stage="opportunity")
    carl = person(workspace, "Carl", rep, lifecycle_stage="opportunity")
    for contact in (ann, bob):
        contact_lifecycle_move(
            workspace=workspace, actor=rep, contact=contact, stage="customer", reason="Signed"
        )
    tick(workspace)

    assert sent() == [("ann@example.org", "Welcome, Ann!"), ("bob@example.org", "Welcome, Bob!")]
    message = mail.outbox[0]
    assert "hello@acme.example" in message.extra_headers["From"]
    assert message.extra_headers["List-Unsubscribe"].startswith("<https://crm.example/m/u/")
    assert tasks(ann) == []

    later(clock, workspace, DAY + datetime.timedelta(minutes=1))  # first look: no order yet
    assert tasks(ann) == [] and enrolment(journey, ann).status == "active"

    later(clock, workspace, 2 * DAY)  # Ann's first order comes in on day 3
    deal = deal_make(workspace, contact=ann, owner=rep, name="First order")
    deal_move_stage(
        workspace=workspace,
        actor=rep,
        deal=deal,
        stage=stage_of(pipeline_for(workspace), StageKind.WON),
    )
    tick(workspace)
    assert tasks(ann) == []  # still waiting for the next look

    later(clock, workspace, 4 * DAY)  # day 7: the second look finds the order
    ((subject, owner_id, due_at),) = tasks(ann)
    assert subject == "Thank the new customer for their first order" and owner_id == rep.pk
    assert due_at.date() == (START + 8 * DAY).date()  # due a day after the look
    assert enrolment(journey, ann).status == "completed"
    assert tasks(bob) == []

    later(clock, workspace, 24 * DAY)  # day 31: Bob never ordered
    assert [t[0] for t in tasks(bob)] == ["New customer without an order after 30 days: follow up"]
    assert enrolment(journey, bob).status == "completed"
    assert len(mail.outbox) == 2  # one welcome each, never again
    assert not Enrolment.objects.filter(contact=carl).exists()  # never became a customer
    assert kinds(ann)[0] == "journey.entered"
    assert Interaction.objects.filter(contact=ann, kind="campaign.sent").count() == 1


def test_a_customer_by_a_won_deal_is_welcomed_and_thanked_after_a_day(
    workspace, owner, rep, sender, clock
):
    journey = switch_on(workspace, owner, "welcome")
    dora = person(workspace, "Dora", rep, lifecycle_stage="opportunity")
    deal = deal_make(workspace, contact=dora, owner=rep)
    deal_move_stage(
        workspace=workspace,
        actor=rep,
        deal=deal,
        stage=stage_of(pipeline_for(workspace), StageKind.WON),
    )
    tick(workspace)
    assert sent() == [("dora@example.org", "Welcome, Dora!")]
    later(clock, workspace, DAY + datetime.timedelta(minutes=1))
    assert [t[0] for t in tasks(dora)] == ["Thank the new customer for their first order"]
    assert enrolment(journey, dora).status == "completed"


def test_welcome_without_consent_sends_nothing_but_still_tells_the_owner(
    workspace, owner, rep, sender, clock
):
    switch_on(workspace, owner, "welcome")
    eve = person(workspace, "Eve", rep, lifecycle_stage="opportunity", email_opt_in=False)
    contact_lifecycle_move(
        workspace=workspace, actor=rep, contact=eve, stage="customer", reason="Signed"
    )
    tick(workspace)
    assert mail.outbox == []
    for _day in range(32):
        later(clock, workspace, DAY)
    assert [t[0] for t in tasks(eve)] == ["New customer without an order after 30 days: follow up"]


# --- win-back --------------------------------------------------------------------------


def test_win_back_after_a_bad_satisfaction_score(workspace, owner, rep, sender, clock):
    journey = switch_on(workspace, owner, "win_back")
    fay = person(workspace, "Fay", rep, lifecycle_stage="customer")
    case = resolved_case(workspace, contact=fay, at=START)
    survey = survey_make(workspace, case=case, sent_at=START)

    csat_services.csat_answer(survey=survey, score=1, comment="Never again", now=START)
    assert enrolment(journey, fay).status == "active"  # the hook enrolled her at once
    tick(workspace)

    ((subject, owner_id, due_at),) = tasks(fay)
    assert subject == "Unhappy customer: call and make it right" and owner_id == rep.pk
    assert due_at == START + DAY
    assert sent() == [("fay@example.org", "We are sorry, Fay")]
    assert "15% off" in mail.outbox[0].body
    assert enrolment(journey, fay).status == "completed"
    assert kinds(fay)[0] == "journey.entered"

    # a second bad answer within 30 days does not start it again
    second = survey_make(
        workspace, case=resolved_case(workspace, contact=fay, at=START), sent_at=START
    )
    later(clock, workspace, 2 * DAY)
    csat_services.csat_answer(survey=second, score=2, now=START + 2 * DAY)
    tick(workspace)
    assert len(tasks(fay)) == 1 and len(mail.outbox) == 1


def test_a_good_score_does_not_start_the_win_back(workspace, owner, rep, sender, clock):
    journey = switch_on(workspace, owner, "win_back")
    gil = person(workspace, "Gil", rep, lifecycle_stage="customer")
    survey = survey_make(
        workspace, case=resolved_case(workspace, contact=gil, at=START), sent_at=START
    )
    csat_services.csat_answer(survey=survey, score=4, now=START)
    tick(workspace)
    assert not Enrolment.objects.filter(journey=journey).exists()
    assert tasks(gil) == [] and mail.outbox == []


def test_win_back_after_a_complaint_closed_unresolved(workspace, owner, rep, sender, clock):
    journey = switch_on(workspace, owner, "win_back")
    hal = person(workspace, "Hal", rep, lifecycle_stage="customer")
    ida = person(workspace, "Ida", rep, lifecycle_stage="customer")
    closed = case_create(
        workspace=workspace, actor=rep, contact=hal, subject="Broken", type=CaseType.COMPLAINT
    )
    case_change_status(workspace=workspace, actor=rep, case=closed, status="closed")
    fixed = case_create(
        workspace=workspace, actor=rep, contact=ida, subject="Broken", type=CaseType.COMPLAINT
    )
    case_change_status(workspace=workspace, actor=rep, case=fixed, status="resolved")
    clock.shift(datetime.timedelta(hours=2))
    case_change_status(workspace=workspace, actor=rep, case=fixed, status="closed")
    tick(workspace)

    assert [t[0] for t in tasks(hal)] == ["Unhappy customer: call and make it right"]
    assert sent() == [("hal@example.org", "We are sorry, Hal")]
    assert not Enrolment.objects.filter(journey=journey, contact=ida).exists()
    assert tasks(ida) == []


def test_re_engagement_after_a_long_silence(workspace, owner, rep, sender, clock):
    journey = switch_on(workspace, owner, "re_engage")
    jon = person(workspace, "Jon", rep, lifecycle_stage="customer")
    kim = person(workspace, "Kim", rep, lifecycle_stage="customer")
    lea = person(workspace, "Lea", rep, lifecycle_stage="lead")  # not a customer: no
    for contact in (jon, kim, lea):
        interaction_record(
            workspace=workspace,
            kind="call.logged",
            channel="phone",
            contact=contact,
            app="contacts",
            subject="Call",
        )
    later(clock, workspace, 60 * DAY)
    interaction_record(
        workspace=workspace,
        kind="call.logged",
        channel="phone",
        contact=kim,
        app="contacts",
        subject="Call",
    )  # Kim is in touch
    later(clock, workspace, 30 * DAY + datetime.timedelta(hours=2))

    assert sent() == [("jon@example.org", "It has been a while, Jon")]
    assert enrolment(journey, jon).status == "active"
    later(clock, workspace, 14 * DAY)
    assert [t[0] for t in tasks(jon)] == ["Quiet customer did not react: call"]
    assert enrolment(journey, jon).status == "completed"
    assert not Enrolment.objects.filter(journey=journey, contact__in=[kim, lea]).exists()


# --- lead nurturing --------------------------------------------------------------------


def test_lead_nurturing_sends_the_series_until_the_lead_is_qualified(
    workspace, owner, rep, sender, clock
):
    journey = switch_on(workspace, owner, "lead_nurturing")
    mia = person(workspace, "Mia", rep)  # new contacts come in as leads
    ned = person(workspace, "Ned", rep)
    tick(workspace)
    assert sent() == [
        ("mia@example.org", "Thanks for your interest, Mia"),
        ("ned@example.org", "Thanks for your interest, Ned"),
    ]

    later(clock, workspace, 3 * DAY + datetime.timedelta(minutes=1))
    assert [s for _to, s in sent("mia@example.org")][1:] == ["How others did it"]

    contact_lifecycle_move(
        workspace=workspace, actor=rep, contact=mia, stage="qualified", reason="Call"
    )
    tick(workspace)
    assert enrolment(journey, mia).status == "exited"  # the goal takes her out at once
    assert "journey.exited" in kinds(mia)

    later(clock, workspace, 5 * DAY)
    later(clock, workspace, 7 * DAY)
    assert [s for _to, s in sent("mia@example.org")] == [
        "Thanks for your interest, Mia",
        "How others did it",
    ]
    assert [s for _to, s in sent("ned@example.org")] == [
        "Thanks for your interest, Ned",
        "How others did it",
        "Shall we talk?",
    ]
    assert [t[0] for t in tasks(ned)] == ["Nurtured lead: call to qualify"]
    assert tasks(mia) == []
    assert enrolment(journey, ned).status == "completed"


def test_a_contact_that_is_no_lead_is_not_nurtured(workspace, owner, rep, sender, clock):
    journey = switch_on(workspace, owner, "lead_nurturing")
    person(workspace, "Olga", rep, lifecycle_stage="customer")
    tick(workspace)
    assert mail.outbox == [] and not Enrolment.objects.filter(journey=journey).exists()


def test_a_mail_server_refusing_for_now_delays_the_welcome_and_sends_it_once(
    workspace, owner, rep, sender, clock, settings
):
    from tests.marketing.smtp_server import SmtpServer

    server = SmtpServer().start()
    settings.MAILERS = server.mailers()
    try:
        journey = switch_on(workspace, owner, "welcome")
        pia = person(workspace, "Pia", rep, lifecycle_stage="opportunity")
        server.inbox.temporary["pia@example.org"] = 451
        contact_lifecycle_move(
            workspace=workspace, actor=rep, contact=pia, stage="customer", reason="Signed"
        )
        tick(workspace)
        waiting = enrolment(journey, pia)
        assert server.inbox.messages == []
        assert waiting.status == "active" and "451" in waiting.last_error

        del server.inbox.temporary["pia@example.org"]
        later(clock, workspace, datetime.timedelta(minutes=5))
        later(clock, workspace, datetime.timedelta(minutes=5))
        assert server.inbox.addresses() == ["pia@example.org"]
        assert enrolment(journey, pia).current_step_key == "s3"  # on to the first look
    finally:
        server.stop()


def test_deleting_a_starter_email_flags_the_journey_and_fails_contacts_clearly(
    workspace, owner, rep, sender, clock
):
    from journeys.services.maintenance import journeys_references_check
    from marketing.services.content import template_delete

    journey = switch_on(workspace, owner, "lead_nurturing")
    second = JourneyStep.objects.get(version=journey.current_version, key="s3")
    template_delete(
        workspace=workspace,
        actor=owner,
        template=EmailTemplate.objects.get(pk=second.params["template"]),
    )
    flagged = journeys_references_check(workspace=workspace)
    assert "email template" in flagged[journey.pk]
    rex = person(workspace, "Rex", rep)
    tick(workspace)
    assert sent() == [("rex@example.org", "Thanks for your interest, Rex")]
    later(clock, workspace, 3 * DAY + datetime.timedelta(minutes=1))
    failed = enrolment(journey, rex)
    assert failed.status == "failed" and failed.last_error
    assert len(mail.outbox) == 1
