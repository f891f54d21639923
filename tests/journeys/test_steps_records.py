"""Steps that change records through the owning apps' services: task, owner, lifecycle stage,
tags, static list, service case; each seen through the real records it leaves."""

import datetime

import pytest

from contacts.models import Contact, ContactTag
from journeys.models import StepExecution
from journeys.steps.registry import StepFailed, step_type_get
from marketing.models import SegmentKind, SegmentMember
from sales.models import Activity
from service.models import Case
from tests.contacts.factories import ContactFactory, ContactTagFactory, TagFactory
from tests.journeys.step_helpers import journey_row, params_of, run_step, step_context
from tests.marketing.factories import SegmentFactory
from touchpoints.models import Interaction
from workspaces.models import ChangeEvent
from workspaces.roles import Role

pytestmark = [pytest.mark.django_db, pytest.mark.in_scope]


@pytest.fixture
def rep(member_factory):
    return member_factory(Role.SALES)


@pytest.fixture
def contact(workspace, rep):
    return ContactFactory(workspace=workspace, first_name="Ann", owner=rep)


# --- task.create -------------------------------------------------------------------------


def test_task_goes_to_the_contacts_owner_due_in_n_days(workspace, contact, rep):
    now = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    params = params_of(
        "task.create", workspace, {"title": "Call Ann", "type": "call", "due_days": 3}
    )
    outcome = run_step(workspace, contact, "task.create", params, now=now)

    task = Activity.objects.get(pk=outcome.data["activity"])
    assert (task.subject, task.type, task.owner, task.contact) == ("Call Ann", "call", rep, contact)
    assert task.due_at == now + datetime.timedelta(days=3)
    assert ChangeEvent.objects.filter(model="sales.activity", object_id=task.pk).exists()


def test_task_for_a_chosen_member_and_a_member_who_left(workspace, contact, member_factory):
    lead = member_factory(Role.MANAGER)
    params = params_of(
        "task.create",
        workspace,
        {"title": "Check", "type": "todo", "due_days": 0, "assignee": lead.pk},
    )
    outcome = run_step(workspace, contact, "task.create", params)
    assert Activity.objects.get(pk=outcome.data["activity"]).owner == lead

    lead.memberships.all().delete()
    with pytest.raises(StepFailed, match="no longer"):
        run_step(workspace, contact, "task.create", params, key="s2")


def test_task_form_offers_only_members(workspace, other_workspace, member_factory):
    stranger = member_factory(Role.SALES, other_workspace)
    form = step_type_get("task.create").params_form(
        {"title": "x", "type": "todo", "due_days": 1, "assignee": stranger.pk},
        workspace=workspace,
    )
    assert not form.is_valid() and "assignee" in form.errors


# --- owner.assign ------------------------------------------------------------------------


def test_owner_assign_one_member(workspace, member_factory):
    contact = ContactFactory(workspace=workspace)
    rep = member_factory(Role.SALES)
    run_step(
        workspace,
        contact,
        "owner.assign",
        params_of("owner.assign", workspace, {"members": [rep.pk]}),
    )
    assert Contact.objects.get(pk=contact.pk).owner == rep


def _done(ctx, outcome):
    StepExecution.objects.create(
        workspace=ctx.workspace,
        enrolment=ctx.enrolment,
        step_key=ctx.step.key,
        kind=ctx.step.kind,
        status="done",
        outcome=outcome.data,
        started_at=ctx.now,
        finished_at=ctx.now,
    )


def test_owner_assign_round_robin_takes_turns(workspace, member_factory):
    reps = [member_factory(Role.SALES) for _ in range(3)]
    params = params_of("owner.assign", workspace, {"members": [r.pk for r in reps]})
    by_pk = {r.pk: r for r in reps}
    turns = [by_pk[pk] for pk in params["members"]]  # the order the form lists them
    journey = journey_row(workspace)
    owners = []
    for i in range(5):
        contact = ContactFactory(workspace=workspace, first_name=f"C{i}")
        ctx = step_context(workspace, contact, "owner.assign", params, journey=journey)
        outcome = step_type_get("owner.assign").run(ctx)
        _done(ctx, outcome)
        owners.append(Contact.objects.get(pk=contact.pk).owner)
    assert owners == [turns[0], turns[1], turns[2], turns[0], turns[1]]


def test_owner_assign_can_keep_an_existing_owner(workspace, contact, rep, member_factory):
    other = member_factory(Role.SALES)
    params = params_of(
        "owner.assign", workspace, {"members": [other.pk], "only_without_owner": "on"}
    )
    run_step(workspace, contact, "owner.assign", params)
    assert Contact.objects.get(pk=contact.pk).owner == rep


# --- stage.set ---------------------------------------------------------------------------


def test_stage_set_moves_the_lifecycle_stage_with_a_timeline_entry(workspace, contact):
    params = params_of("stage.set", workspace, {"stage": "qualified", "forward_only": "on"})
    outcome = run_step(workspace, contact, "stage.set", params)
    assert outcome.data == {"stage": "qualified", "changed": True}
    assert Contact.objects.get(pk=contact.pk).lifecycle_stage == "qualified"
    entry = Interaction.objects.get(contact=contact, kind="contact.stage_changed")
    assert "Test journey" in entry.subject


def test_stage_set_forward_only_keeps_a_customer(workspace):
    customer = ContactFactory(workspace=workspace, lifecycle_stage="customer")
    params = params_of("stage.set", workspace, {"stage": "lead", "forward_only": "on"})
    assert run_step(workspace, customer, "stage.set", params).data["changed"] is False
    assert Contact.objects.get(pk=customer.pk).lifecycle_stage == "customer"
    backwards = params_of("stage.set", workspace, {"stage": "churned"})
    run_step(workspace, customer, "stage.set", backwards, key="s2")
    assert Contact.objects.get(pk=customer.pk).lifecycle_stage == "churned"


# --- tags and lists ----------------------------------------------------------------------


def _tags(contact):
    return set(ContactTag.objects.filter(contact=contact).values_list("tag__name", flat=True))


def test_tag_add_and_remove(workspace, contact):
    keep = TagFactory(workspace=workspace, name="vip")
    ContactTagFactory(workspace=workspace, contact=contact, tag=keep)
    run_step(workspace, contact, "tag.add", params_of("tag.add", workspace, {"tag": " win  back "}))
    assert _tags(contact) == {"vip", "win back"}
    outcome = run_step(
        workspace,
        contact,
        "tag.remove",
        params_of("tag.remove", workspace, {"tag": "WIN BACK"}),
        key="s2",
    )
    assert outcome.data["changed"] is True
    assert _tags(contact) == {"vip"}
    again = run_step(workspace, contact, "tag.remove", {"tag": "win back"}, key="s3")
    assert again.data["changed"] is False


def test_list_add_puts_the_contact_on_a_static_list(workspace, contact, other_workspace):
    static = SegmentFactory(workspace=workspace, kind=SegmentKind.STATIC)
    dynamic = SegmentFactory(workspace=workspace, kind=SegmentKind.DYNAMIC)
    form_class = step_type_get("list.add").params_form
    assert not form_class({"segment": dynamic.pk}, workspace=workspace).is_valid()
    foreign = SegmentFactory(workspace=other_workspace, kind=SegmentKind.STATIC)
    assert not form_class({"segment": foreign.pk}, workspace=workspace).is_valid()

    run_step(
        workspace, contact, "list.add", params_of("list.add", workspace, {"segment": static.pk})
    )
    assert SegmentMember.objects.filter(segment=static, contact=contact).exists()
    static.delete()
    with pytest.raises(StepFailed, match="deleted"):
        run_step(workspace, contact, "list.add", {"segment": static.pk}, key="s2")


# --- case.create -------------------------------------------------------------------------


def test_case_create_opens_a_case_for_the_contact(workspace, contact):
    params = params_of(
        "case.create",
        workspace,
        {"subject": "Check the delivery", "type": "complaint", "priority": "high"},
    )
    outcome = run_step(workspace, contact, "case.create", params)
    case = Case.objects.get(pk=outcome.data["case"])
    assert (case.subject, case.type, case.priority, case.contact) == (
        "Check the delivery",
        "complaint",
        "high",
        contact,
    )
    assert case.number == outcome.data["number"]
    assert Interaction.objects.filter(contact=contact, kind="case.opened").exists()


def test_case_create_in_a_queue_and_a_deleted_queue(workspace, contact):
    from tests.service.factories import queue

    complaints = queue(workspace, name="Complaints")
    params = params_of(
        "case.create",
        workspace,
        {
            "subject": "Win-back call",
            "type": "request",
            "priority": "normal",
            "queue": complaints.pk,
        },
    )
    assert step_type_get("case.create").references(params) == [("service.Queue", complaints.pk)]
    outcome = run_step(workspace, contact, "case.create", params)
    assert Case.objects.get(pk=outcome.data["case"]).queue == complaints
    complaints.delete()
    with pytest.raises(StepFailed, match="queue"):
        run_step(workspace, contact, "case.create", params, key="s2")
