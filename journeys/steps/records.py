"""Steps that change the contact's records through the owning apps' services: a task for a
person (sales activity), the owner, the lifecycle stage, tags, a static list (marketing) and
a service case. Each records what the service records (change events, timeline entries);
the step's data names what it made or changed."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _, gettext_lazy, ngettext

from contacts.models import ContactTag, LifecycleStage, Tag
from contacts.services.bulk import contacts_bulk_add_tag
from contacts.services.contacts import contact_update
from contacts.services.lifecycle_stages import contact_lifecycle_move
from marketing.models import Segment, SegmentKind
from marketing.services.segments import segment_members_add
from sales.models import ActivityType
from sales.services.activities import activity_create
from service.models import CaseType, Priority, Queue
from service.services.cases import case_create
from workspaces.selectors import member_list

from .params import StepParamsForm, contact_now, int_or_none, member_choices_field, member_get
from .registry import StepContext, StepFailed, StepOutcome, StepType

MAX_DUE_DAYS = 365


def _journey_reason(ctx: StepContext) -> str:
    return _("Journey “%(name)s”") % {"name": ctx.journey.name}


def _invalid(exc: ValidationError) -> StepFailed:
    """A service's refusal as a permanent step failure with its messages."""
    messages = (
        [f"{field}: {'; '.join(errs)}" for field, errs in exc.message_dict.items()]
        if hasattr(exc, "error_dict")
        else exc.messages
    )
    return StepFailed("; ".join(str(m) for m in messages))


# --- task.create -----------------------------------------------------------------------


class TaskCreateForm(StepParamsForm):
    title = forms.CharField(label=gettext_lazy("Task"), max_length=200)
    notes = forms.CharField(label=gettext_lazy("Notes"), required=False, widget=forms.Textarea)
    type = forms.ChoiceField(
        label=gettext_lazy("Type"), choices=ActivityType.choices, initial=ActivityType.TODO
    )
    due_days = forms.IntegerField(
        label=gettext_lazy("Due in (days)"), min_value=0, max_value=MAX_DUE_DAYS, initial=1
    )
    assignee = member_choices_field(
        gettext_lazy("For"),
        required=False,
        help_text=gettext_lazy("Empty: the contact's owner."),
    )


def task_run(ctx: StepContext) -> StepOutcome:
    """A to-do (sales Activity) on the contact for its owner, or for the chosen member, due
    in `due_days` days. A contact without owner and no member chosen gets an unassigned
    task (data notes it); a chosen member who left fails the step."""
    params = ctx.step.params or {}
    contact = contact_now(ctx)
    owner = contact.owner
    if params.get("assignee"):
        owner = member_get(ctx.workspace, params["assignee"])
        if owner is None:
            raise StepFailed(_("The member this task is for is no longer in the workspace."))
    due = ctx.now + datetime.timedelta(days=int(params.get("due_days") or 0))
    try:
        activity = activity_create(
            workspace=ctx.workspace,
            actor=None,
            type=params.get("type") or ActivityType.TODO,
            subject=(params.get("title") or _("Follow up"))[:200],
            notes=params.get("notes") or _journey_reason(ctx),
            due_at=due,
            owner=owner,
            contact=contact,
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return StepOutcome(
        data={"activity": activity.pk, "owner": owner.pk if owner else None, "due": due.isoformat()}
    )


def task_references(params: dict) -> list[tuple[str, int]]:
    user = int_or_none(params.get("assignee"))
    return [("workspaces.User", user)] if user else []


def task_summary(params: dict) -> str:
    """ "Task “Call”, due today", "…, due in 1 day", "…, due in 3 days"."""
    days = int_or_none(params.get("due_days")) or 0
    if days == 0:
        return _("Task “%(title)s”, due today") % {"title": params.get("title", "")}
    text = ngettext(
        "Task “%(title)s”, due in %(days)s day", "Task “%(title)s”, due in %(days)s days", days
    )
    return text % {"title": params.get("title", ""), "days": days}


# --- owner.assign ----------------------------------------------------------------------


class OwnerAssignForm(StepParamsForm):
    members = member_choices_field(
        gettext_lazy("Members"),
        multiple=True,
        help_text=gettext_lazy("One member, or several taking turns (round robin)."),
    )
    only_without_owner = forms.BooleanField(
        label=gettext_lazy("Only contacts without an owner"), required=False
    )


def _turn(ctx: StepContext, count: int) -> int:
    """Whose turn it is among `count` members: the number of contacts this step assigned
    before (its earlier executions), modulo `count`."""
    from ..models import StepExecution

    done = (
        StepExecution.objects.filter(
            workspace=ctx.workspace,
            enrolment__journey=ctx.journey,
            step_key=ctx.step.key,
            outcome__has_key="owner",
        )
        .exclude(enrolment=ctx.enrolment)
        .count()
    )
    return done % count


def owner_run(ctx: StepContext) -> StepOutcome:
    """Make the chosen member (or, with several, the next in turn) the contact's owner.
    Members who left the workspace are passed over; none left fails the step."""
    params = ctx.step.params or {}
    contact = contact_now(ctx)
    if params.get("only_without_owner") and contact.owner_id:
        return StepOutcome(data={"kept": contact.owner_id})
    wanted = [int_or_none(pk) for pk in params.get("members") or []]
    members = {
        user.pk: user
        for user in member_list(workspace=ctx.workspace).filter(pk__in=[pk for pk in wanted if pk])
    }
    ordered = [members[pk] for pk in wanted if pk in members]
    if not ordered:
        raise StepFailed(_("None of the members to assign is in the workspace any more."))
    owner = ordered[_turn(ctx, len(ordered))] if len(ordered) > 1 else ordered[0]
    try:
        contact_update(workspace=ctx.workspace, actor=None, contact=contact, owner=owner)
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return StepOutcome(data={"owner": owner.pk})


def owner_references(params: dict) -> list[tuple[str, int]]:
    return [("workspaces.User", int(pk)) for pk in params.get("members") or [] if int_or_none(pk)]


def owner_summary(params: dict) -> str:
    count = len(params.get("members") or [])
    if count > 1:
        return _("Assign an owner (round robin among %(count)s)") % {"count": count}
    return _("Assign an owner")


# --- stage.set -------------------------------------------------------------------------


class StageSetForm(StepParamsForm):
    stage = forms.ChoiceField(label=gettext_lazy("Lifecycle stage"), choices=LifecycleStage.choices)
    forward_only = forms.BooleanField(
        label=gettext_lazy("Only forward"),
        required=False,
        initial=True,
        help_text=gettext_lazy("A customer is never moved back to lead."),
    )


def stage_run(ctx: StepContext) -> StepOutcome:
    """Move the contact to the lifecycle stage (contacts' contact_lifecycle_move: change
    event and contact.stage_changed on the timeline, the journey named as the reason)."""
    params = ctx.step.params or {}
    stage = params.get("stage")
    if stage not in LifecycleStage.values:
        raise StepFailed(_("Unknown lifecycle stage."))
    contact = contact_now(ctx)
    changed = contact_lifecycle_move(
        workspace=ctx.workspace,
        actor=None,
        contact=contact,
        stage=stage,
        reason=_journey_reason(ctx),
        forward_only=bool(params.get("forward_only", True)),
    )
    return StepOutcome(data={"stage": stage, "changed": changed})


def stage_summary(params: dict) -> str:
    label = dict(LifecycleStage.choices).get(params.get("stage"), params.get("stage"))
    return _("Set the lifecycle stage to %(stage)s") % {"stage": label}


# --- tag.add / tag.remove --------------------------------------------------------------


class TagForm(StepParamsForm):
    tag = forms.CharField(label=gettext_lazy("Tag"), max_length=50)

    def clean_tag(self):
        name = " ".join(self.cleaned_data["tag"].split())
        if not name:
            raise forms.ValidationError(_("A tag needs a name."))
        return name


def tag_add_run(ctx: StepContext) -> StepOutcome:
    """Give the contact the tag (made when the workspace has none of that name)."""
    name = (ctx.step.params or {}).get("tag") or ""
    try:
        added = contacts_bulk_add_tag(
            workspace=ctx.workspace, actor=None, contact_ids=[ctx.contact.pk], tag=name
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return StepOutcome(data={"tag": name, "changed": bool(added)})


def tag_remove_run(ctx: StepContext) -> StepOutcome:
    """Take the tag off the contact (nothing happens when it does not have it)."""
    name = " ".join(((ctx.step.params or {}).get("tag") or "").split())
    tag = Tag.objects.filter(workspace=ctx.workspace, name__iexact=name).first()
    contact = contact_now(ctx)
    current = list(
        Tag.objects.filter(
            workspace=ctx.workspace,
            pk__in=ContactTag.objects.filter(workspace=ctx.workspace, contact=contact).values(
                "tag_id"
            ),
        )
    )
    if tag is None or tag not in current:
        return StepOutcome(data={"tag": name, "changed": False})
    contact_update(
        workspace=ctx.workspace,
        actor=None,
        contact=contact,
        tags=[t for t in current if t.pk != tag.pk],
    )
    return StepOutcome(data={"tag": name, "changed": True})


def tag_add_summary(params: dict) -> str:
    return _("Add the tag “%(tag)s”") % {"tag": params.get("tag", "")}


def tag_remove_summary(params: dict) -> str:
    return _("Remove the tag “%(tag)s”") % {"tag": params.get("tag", "")}


# --- list.add --------------------------------------------------------------------------


class ListAddForm(StepParamsForm):
    segment = forms.ModelChoiceField(
        queryset=Segment.objects.none(), label=gettext_lazy("Static list")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["segment"]
        field.queryset = field.queryset.filter(kind=SegmentKind.STATIC)


def list_add_run(ctx: StepContext) -> StepOutcome:
    """Put the contact on the static list (marketing's segment_members_add)."""
    segment = Segment.objects.filter(
        workspace=ctx.workspace, pk=int_or_none((ctx.step.params or {}).get("segment"))
    ).first()
    if segment is None:
        raise StepFailed(_("The list of this step was deleted."))
    try:
        added = segment_members_add(
            workspace=ctx.workspace, actor=None, segment=segment, contact_ids=[ctx.contact.pk]
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return StepOutcome(data={"segment": segment.pk, "changed": bool(added)})


def list_references(params: dict) -> list[tuple[str, int]]:
    pk = int_or_none(params.get("segment"))
    return [("marketing.Segment", pk)] if pk else []


def list_summary(params: dict) -> str:
    name = (
        Segment.objects.filter(pk=int_or_none(params.get("segment")))
        .values_list("name", flat=True)
        .first()
    )
    return _("Add to the list “%(name)s”") % {"name": name or _("(deleted list)")}


# --- case.create -----------------------------------------------------------------------


class CaseCreateForm(StepParamsForm):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=300)
    type = forms.ChoiceField(
        label=gettext_lazy("Type"), choices=CaseType.choices, initial=CaseType.REQUEST
    )
    priority = forms.ChoiceField(
        label=gettext_lazy("Priority"), choices=Priority.choices, initial=Priority.NORMAL
    )
    queue = forms.ModelChoiceField(
        queryset=Queue.objects.none(), label=gettext_lazy("Queue"), required=False
    )


def case_run(ctx: StepContext) -> StepOutcome:
    """Open a service case for the contact (service's case_create: number, SLA due times,
    automatic assignment of the queue, case.opened on the timeline)."""
    params = ctx.step.params or {}
    queue = None
    if params.get("queue"):
        queue = Queue.objects.filter(
            workspace=ctx.workspace, pk=int_or_none(params["queue"])
        ).first()
        if queue is None:
            raise StepFailed(_("The queue of this step was deleted."))
    try:
        case = case_create(
            workspace=ctx.workspace,
            actor=None,
            contact=contact_now(ctx),
            subject=(params.get("subject") or _journey_reason(ctx))[:300],
            type=params.get("type") or CaseType.REQUEST,
            priority=params.get("priority") or Priority.NORMAL,
            queue=queue,
        )
    except ValidationError as exc:
        raise _invalid(exc) from exc
    return StepOutcome(data={"case": case.pk, "number": case.number})


def case_references(params: dict) -> list[tuple[str, int]]:
    pk = int_or_none(params.get("queue"))
    return [("service.Queue", pk)] if pk else []


def case_summary(params: dict) -> str:
    return _("Open a case “%(subject)s”") % {"subject": params.get("subject", "")}


STEP_TYPES = (
    StepType(
        key="task.create",
        label=gettext_lazy("Create a task"),
        run=task_run,
        params_form=TaskCreateForm,
        references=task_references,
        summary=task_summary,
    ),
    StepType(
        key="owner.assign",
        label=gettext_lazy("Assign an owner"),
        run=owner_run,
        params_form=OwnerAssignForm,
        references=owner_references,
        summary=owner_summary,
    ),
    StepType(
        key="stage.set",
        label=gettext_lazy("Set the lifecycle stage"),
        run=stage_run,
        params_form=StageSetForm,
        summary=stage_summary,
    ),
    StepType(
        key="tag.add",
        label=gettext_lazy("Add a tag"),
        run=tag_add_run,
        params_form=TagForm,
        summary=tag_add_summary,
    ),
    StepType(
        key="tag.remove",
        label=gettext_lazy("Remove a tag"),
        run=tag_remove_run,
        params_form=TagForm,
        summary=tag_remove_summary,
    ),
    StepType(
        key="list.add",
        label=gettext_lazy("Add to a static list"),
        run=list_add_run,
        params_form=ListAddForm,
        references=list_references,
        summary=list_summary,
    ),
    StepType(
        key="case.create",
        label=gettext_lazy("Open a service case"),
        run=case_run,
        params_form=CaseCreateForm,
        references=case_references,
        summary=case_summary,
    ),
)
