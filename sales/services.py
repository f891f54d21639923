"""Writes of the sales core: leads, pipelines and stages, deals and their stage history,
activities and calendar feeds (DESIGN.md §3).

Every function is keyword-only and transactional, validates with `full_clean()`, refuses
related objects of another workspace and appends a change event. Touch points with a
customer go through `touchpoints.services.interaction_record`. Errors are `ValidationError`s
keyed by field name so forms show them at the field. Deals carry a `version`: every write
is a conditional UPDATE on the version the user saw; a stale one raises `DealConflict`.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from contacts.models import Account, Contact
from contacts.phones import normalize_email, try_normalize_phone
from touchpoints.channels import Channel
from touchpoints.models import App, Direction
from touchpoints.services import interaction_record
from workspaces.changelog import ChangeAction, change_record, changed_fields, snapshot
from workspaces.models import ChangeEvent, Membership

from .models import (
    Activity,
    ActivityType,
    CalendarFeed,
    Deal,
    DealStageChange,
    Lead,
    LeadSource,
    LeadStatus,
    LostReason,
    Pipeline,
    Stage,
    StageKind,
)
from .models.activities import new_feed_token

LEAD_FIELDS = frozenset(
    {
        "first_name",
        "last_name",
        "company",
        "job_title",
        "email",
        "phone",
        "website",
        "source",
        "message",
        "owner",
        "budget",
        "authority",
        "need",
        "timeline",
        "consent_email",
    }
)
DEAL_FIELDS = frozenset(
    {
        "name",
        "account",
        "contact",
        "owner",
        "amount",
        "currency",
        "expected_close_date",
        "description",
        "source_campaign_id",
        "competitor",
    }
)
ACTIVITY_FIELDS = frozenset(
    {
        "type",
        "subject",
        "notes",
        "due_at",
        "duration_minutes",
        "owner",
        "contact",
        "deal",
        "reminder_at",
    }
)

DEFAULT_PIPELINE = [
    # (name, probability, kind)
    (_lazy("Qualification"), 10, StageKind.OPEN),
    (_lazy("Needs analysis"), 25, StageKind.OPEN),
    (_lazy("Proposal"), 50, StageKind.OPEN),
    (_lazy("Negotiation"), 75, StageKind.OPEN),
    (_lazy("Won"), 100, StageKind.WON),
    (_lazy("Lost"), 0, StageKind.LOST),
]
DEFAULT_LOST_REASONS = [
    _lazy("Price"),
    _lazy("Competitor"),
    _lazy("No budget"),
    _lazy("Timing"),
    _lazy("No decision"),
]


class DealConflict(ValidationError):
    """The deal was changed by someone else since the user loaded it."""

    def __init__(self, deal, by=None):
        self.deal = deal
        self.by = by
        who = str(by) if by else _("someone else")
        super().__init__(
            _("This deal was changed by %(who)s meanwhile — review and save again.") % {"who": who},
            code="conflict",
        )


# ---------------------------------------------------------------- shared checks


def _raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _check_unknown(fields: dict, allowed: frozenset) -> None:
    unknown = set(fields) - allowed
    if unknown:
        raise TypeError(f"unknown fields: {', '.join(sorted(unknown))}")


def _same_workspace(workspace, obj, field: str, errors: dict) -> None:
    if obj is not None and obj.workspace_id != workspace.pk:
        errors[field] = [_("This record belongs to another workspace.")]


def _owner_check(workspace, owner, errors: dict, field: str = "owner") -> None:
    if (
        owner is not None
        and not Membership.all_workspaces.filter(workspace=workspace, user=owner).exists()
    ):
        errors[field] = [_("The owner must be a member of this workspace.")]


def _full_clean(instance, errors: dict, exclude=()) -> None:
    try:
        instance.full_clean(exclude=["workspace", *exclude])
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            errors.setdefault(key, messages)
    _raise_if(errors)


def _actor(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


# ---------------------------------------------------------------- pipelines and stages


@transaction.atomic
def pipeline_ensure_default(*, workspace, actor=None) -> Pipeline:
    """The workspace's default pipeline, created with standard stages (and the standard lost
    reasons) on first use."""
    pipeline = (
        Pipeline.all_workspaces.filter(workspace=workspace)
        .order_by("-is_default", "position", "id")
        .first()
    )
    if pipeline is not None:
        return pipeline
    pipeline = pipeline_create(workspace=workspace, actor=actor, name=_("Sales"), is_default=True)
    for position, (name, probability, kind) in enumerate(DEFAULT_PIPELINE):
        stage_create(
            workspace=workspace,
            actor=actor,
            pipeline=pipeline,
            name=str(name),
            probability=probability,
            kind=kind,
            position=position,
        )
    if not LostReason.all_workspaces.filter(workspace=workspace).exists():
        for position, name in enumerate(DEFAULT_LOST_REASONS):
            lost_reason_create(workspace=workspace, actor=actor, name=str(name), position=position)
    return pipeline


@transaction.atomic
def pipeline_create(
    *, workspace, actor, name: str, is_default: bool = False, position: int | None = None
) -> Pipeline:
    if position is None:
        position = (
            Pipeline.all_workspaces.filter(workspace=workspace).aggregate(m=Max("position"))["m"]
            or 0
        ) + 1
    pipeline = Pipeline(
        workspace=workspace, name=(name or "").strip(), is_default=is_default, position=position
    )
    errors: dict = {}
    _full_clean(pipeline, errors)
    if Pipeline.all_workspaces.filter(workspace=workspace, name__iexact=pipeline.name).exists():
        raise ValidationError({"name": _("A pipeline with this name exists already.")})
    if is_default:
        Pipeline.all_workspaces.filter(workspace=workspace, is_default=True).update(
            is_default=False
        )
    pipeline.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=pipeline,
        action=ChangeAction.CREATED,
        fields=["name", "is_default", "position"],
    )
    return pipeline


@transaction.atomic
def pipeline_update(*, workspace, actor, pipeline: Pipeline, **fields) -> Pipeline:
    _check_unknown(fields, frozenset({"name", "is_default", "position"}))
    before = snapshot(pipeline)
    for key, value in fields.items():
        setattr(pipeline, key, value)
    errors: dict = {}
    _full_clean(pipeline, errors)
    if (
        Pipeline.all_workspaces.filter(workspace=workspace, name__iexact=pipeline.name)
        .exclude(pk=pipeline.pk)
        .exists()
    ):
        raise ValidationError({"name": _("A pipeline with this name exists already.")})
    if pipeline.is_default:
        Pipeline.all_workspaces.filter(workspace=workspace, is_default=True).exclude(
            pk=pipeline.pk
        ).update(is_default=False)
    pipeline.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=pipeline,
        action=ChangeAction.UPDATED,
        fields=changed_fields(before, pipeline),
    )
    return pipeline


@transaction.atomic
def pipeline_delete(*, workspace, actor, pipeline: Pipeline) -> None:
    if Deal.all_workspaces.filter(workspace=workspace, pipeline=pipeline).exists():
        raise ValidationError(_("This pipeline still has deals; move or delete them first."))
    pk = pipeline.pk
    pipeline.delete()
    pipeline.pk = pk
    change_record(workspace=workspace, actor=actor, instance=pipeline, action=ChangeAction.DELETED)


def _stage_check(stage: Stage, errors: dict) -> None:
    if stage.kind == StageKind.WON and stage.probability != 100:
        errors["probability"] = [_("A won stage has a probability of 100%.")]
    if stage.kind == StageKind.LOST and stage.probability != 0:
        errors["probability"] = [_("A lost stage has a probability of 0%.")]


@transaction.atomic
def stage_create(
    *,
    workspace,
    actor,
    pipeline: Pipeline,
    name: str,
    probability: int = 10,
    kind: str = StageKind.OPEN,
    position: int | None = None,
) -> Stage:
    errors: dict = {}
    _same_workspace(workspace, pipeline, "pipeline", errors)
    _raise_if(errors)
    if position is None:
        position = (
            Stage.all_workspaces.filter(workspace=workspace, pipeline=pipeline).aggregate(
                m=Max("position")
            )["m"]
            or 0
        ) + 1
    stage = Stage(
        workspace=workspace,
        pipeline=pipeline,
        name=(name or "").strip(),
        probability=probability,
        kind=kind,
        position=position,
    )
    _stage_check(stage, errors)
    _full_clean(stage, errors)
    if Stage.all_workspaces.filter(
        workspace=workspace, pipeline=pipeline, name__iexact=stage.name
    ).exists():
        raise ValidationError({"name": _("This pipeline has a stage with this name already.")})
    stage.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=stage,
        action=ChangeAction.CREATED,
        fields=["name", "probability", "kind", "position"],
    )
    return stage


@transaction.atomic
def stage_update(*, workspace, actor, stage: Stage, **fields) -> Stage:
    _check_unknown(fields, frozenset({"name", "probability", "kind", "position"}))
    before = snapshot(stage)
    for key, value in fields.items():
        setattr(stage, key, value)
    errors: dict = {}
    _stage_check(stage, errors)
    _full_clean(stage, errors)
    if (
        Stage.all_workspaces.filter(
            workspace=workspace, pipeline_id=stage.pipeline_id, name__iexact=stage.name
        )
        .exclude(pk=stage.pk)
        .exists()
    ):
        raise ValidationError({"name": _("This pipeline has a stage with this name already.")})
    if (
        before["kind"] != stage.kind
        and Deal.all_workspaces.filter(workspace=workspace, stage=stage).exists()
    ):
        raise ValidationError({"kind": _("Deals are in this stage; its kind cannot change.")})
    stage.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=stage,
        action=ChangeAction.UPDATED,
        fields=changed_fields(before, stage),
    )
    return stage


@transaction.atomic
def stage_delete(*, workspace, actor, stage: Stage) -> None:
    if (
        Deal.all_workspaces.filter(workspace=workspace, stage=stage).exists()
        or DealStageChange.all_workspaces.filter(workspace=workspace, to_stage=stage).exists()
    ):
        raise ValidationError(_("Deals are or were in this stage; it cannot be deleted."))
    pk = stage.pk
    stage.delete()
    stage.pk = pk
    change_record(workspace=workspace, actor=actor, instance=stage, action=ChangeAction.DELETED)


@transaction.atomic
def stages_reorder(*, workspace, actor, pipeline: Pipeline, stage_ids: list[int]) -> None:
    stages = {s.pk: s for s in Stage.all_workspaces.filter(workspace=workspace, pipeline=pipeline)}
    if set(stage_ids) != set(stages):
        raise ValidationError(_("The order must name every stage of the pipeline once."))
    for position, pk in enumerate(stage_ids):
        Stage.all_workspaces.filter(pk=pk).update(position=position)
    change_record(
        workspace=workspace,
        actor=actor,
        instance=pipeline,
        action=ChangeAction.UPDATED,
        fields=["stages"],
    )


@transaction.atomic
def lost_reason_create(*, workspace, actor, name: str, position: int = 0) -> LostReason:
    reason = LostReason(workspace=workspace, name=(name or "").strip(), position=position)
    _full_clean(reason, {})
    if LostReason.all_workspaces.filter(workspace=workspace, name__iexact=reason.name).exists():
        raise ValidationError({"name": _("This lost reason exists already.")})
    reason.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=reason,
        action=ChangeAction.CREATED,
        fields=["name"],
    )
    return reason


@transaction.atomic
def lost_reason_update(*, workspace, actor, reason: LostReason, **fields) -> LostReason:
    _check_unknown(fields, frozenset({"name", "position", "active"}))
    before = snapshot(reason)
    for key, value in fields.items():
        setattr(reason, key, value)
    _full_clean(reason, {})
    reason.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=reason,
        action=ChangeAction.UPDATED,
        fields=changed_fields(before, reason),
    )
    return reason


# ---------------------------------------------------------------- leads


def _lead_normalize(fields: dict, errors: dict) -> dict:
    out = dict(fields)
    if "email" in out:
        out["email"] = normalize_email(out["email"])
    if out.get("phone"):
        phone = try_normalize_phone(out["phone"])
        if phone is None:
            errors["phone"] = [_("This is no phone number.")]
        else:
            out["phone"] = phone
    for key in ("first_name", "last_name", "company", "job_title"):
        if isinstance(out.get(key), str):
            out[key] = out[key].strip()
    return out


@transaction.atomic
def lead_create(*, workspace, actor, **fields) -> Lead:
    """Create a lead. It needs a name, a company or an email address."""
    _check_unknown(fields, LEAD_FIELDS)
    errors: dict = {}
    fields = _lead_normalize(fields, errors)
    _owner_check(workspace, fields.get("owner"), errors)
    lead = Lead(workspace=workspace, **fields)
    if lead.consent_email:
        lead.consent_at = timezone.now()
    _full_clean(lead, errors)
    if not (lead.first_name or lead.last_name or lead.company or lead.email):
        raise ValidationError({"last_name": _("Give a name, a company or an email address.")})
    lead.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=lead,
        action=ChangeAction.CREATED,
        fields=[k for k, v in fields.items() if v not in (None, "", False)],
    )
    return lead


@transaction.atomic
def lead_update(*, workspace, actor, lead: Lead, **fields) -> Lead:
    _check_unknown(fields, LEAD_FIELDS)
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError(_("A converted lead cannot be changed."))
    errors: dict = {}
    fields = _lead_normalize(fields, errors)
    _owner_check(workspace, fields.get("owner"), errors)
    before = snapshot(lead)
    for key, value in fields.items():
        setattr(lead, key, value)
    if lead.consent_email and not lead.consent_at:
        lead.consent_at = timezone.now()
    _full_clean(lead, errors)
    if lead.status == LeadStatus.NEW and actor is not None:
        lead.status = LeadStatus.WORKING
    lead.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=lead,
        action=ChangeAction.UPDATED,
        fields=changed_fields(before, lead),
    )
    return lead


@transaction.atomic
def lead_qualify(
    *,
    workspace,
    actor,
    lead: Lead,
    budget: str = "",
    authority: str = "",
    need: str = "",
    timeline: str = "",
) -> Lead:
    """Mark a lead qualified with its qualification notes (budget, authority, need, timeline)."""
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError(_("This lead is converted already."))
    before = snapshot(lead)
    lead.budget, lead.authority, lead.need, lead.timeline = budget, authority, need, timeline
    lead.status = LeadStatus.QUALIFIED
    lead.disqualify_reason = ""
    _full_clean(lead, {})
    lead.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=lead,
        action=ChangeAction.UPDATED,
        fields=changed_fields(before, lead),
    )
    return lead


@transaction.atomic
def lead_disqualify(*, workspace, actor, lead: Lead, reason: str) -> Lead:
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError(_("This lead is converted already."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Say why the lead is disqualified.")})
    before = snapshot(lead)
    lead.status = LeadStatus.DISQUALIFIED
    lead.disqualify_reason = reason.strip()[:200]
    lead.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=lead,
        action=ChangeAction.UPDATED,
        fields=changed_fields(before, lead),
    )
    return lead


@transaction.atomic
def lead_delete(*, workspace, actor, lead: Lead) -> None:
    pk = lead.pk
    lead.delete()
    lead.pk = pk
    change_record(workspace=workspace, actor=actor, instance=lead, action=ChangeAction.DELETED)


@transaction.atomic
def lead_touchpoint_add(
    *,
    workspace,
    lead: Lead,
    kind: str,
    channel: str,
    direction: str = Direction.INBOUND,
    subject: str = "",
    body: str = "",
    occurred_at=None,
    data: dict | None = None,
) -> Lead:
    """Keep a touch point of a lead that has no contact yet; conversion records it on the
    contact with its original time. Appended with a row lock (no lost update)."""
    locked = Lead.all_workspaces.select_for_update().get(workspace=workspace, pk=lead.pk)
    locked.pending_touchpoints = [
        *locked.pending_touchpoints,
        {
            "kind": kind,
            "channel": channel,
            "direction": direction,
            "subject": subject[:200],
            "body": body,
            "occurred_at": (occurred_at or timezone.now()).isoformat(),
            "data": data or {},
        },
    ]
    locked.save(update_fields=["pending_touchpoints", "updated_at"])
    lead.pending_touchpoints = locked.pending_touchpoints
    change_record(
        workspace=workspace,
        actor=None,
        instance=lead,
        action=ChangeAction.UPDATED,
        fields=["pending_touchpoints"],
        data={"kind": kind},
    )
    return lead


def _web_form_source():
    return "web form"


@transaction.atomic
def lead_convert(
    *,
    workspace,
    actor,
    lead: Lead,
    account: Account | None = None,
    account_name: str = "",
    contact: Contact | None = None,
    create_deal: bool = False,
    deal_name: str = "",
    pipeline: Pipeline | None = None,
    amount=None,
    expected_close_date=None,
) -> Lead:
    """Convert a qualified lead in one transaction into a contact (new, or an existing one
    chosen after the duplicate check), an account (existing or new) and optionally a deal.
    The lead's touch points are recorded on the contact and `lead.converted` is recorded on
    its timeline. Nothing is stored if any part fails."""
    lead = Lead.all_workspaces.select_for_update().get(workspace=workspace, pk=lead.pk)
    if lead.status == LeadStatus.CONVERTED:
        raise ValidationError(_("This lead is converted already."))
    if lead.status != LeadStatus.QUALIFIED:
        raise ValidationError(_("Qualify the lead before converting it."))
    errors: dict = {}
    _same_workspace(workspace, account, "account", errors)
    _same_workspace(workspace, contact, "contact", errors)
    _same_workspace(workspace, pipeline, "pipeline", errors)
    _raise_if(errors)
    from contacts import services as contact_services

    if account is None and (account_name or lead.company).strip():
        account = contact_services.account_create(
            workspace=workspace,
            actor=actor,
            name=(account_name or lead.company).strip(),
            owner=lead.owner,
            **({"website": _as_url(lead.website)} if lead.website else {}),
        )
    if contact is None:
        values = {
            "first_name": lead.first_name,
            "last_name": lead.last_name,
            "email": lead.email,
            "phone": lead.phone,
            "job_title": lead.job_title,
            "account": account,
            "owner": lead.owner,
        }
        if not (lead.first_name or lead.last_name or lead.email or lead.phone):
            values["last_name"] = lead.company
        if lead.consent_email:
            values["email_opt_in"] = True
        contact = contact_services.contact_create(
            workspace=workspace,
            actor=actor,
            consent_source=_web_form_source()
            if lead.source == LeadSource.WEB_FORM
            else str(lead.get_source_display()),
            **{k: v for k, v in values.items() if v not in ("", None)},
        )
    elif account is not None and contact.account_id is None:
        contact = contact_services.contact_update(
            workspace=workspace, actor=actor, contact=contact, account=account
        )
    deal = None
    if create_deal:
        pipeline = pipeline or pipeline_ensure_default(workspace=workspace, actor=actor)
        deal = deal_create(
            workspace=workspace,
            actor=actor,
            pipeline=pipeline,
            name=(deal_name or "").strip() or str(lead.company or lead),
            account=account,
            contact=contact,
            owner=lead.owner or _actor(actor),
            amount=amount if amount is not None else Decimal("0"),
            expected_close_date=expected_close_date,
            source_lead=lead,
        )
    for tp in lead.pending_touchpoints:
        interaction_record(
            workspace=workspace,
            actor=None,
            contact=contact,
            kind=tp["kind"],
            channel=tp["channel"],
            direction=tp.get("direction", Direction.INBOUND),
            app=App.SALES,
            subject=tp.get("subject", ""),
            body=tp.get("body", ""),
            occurred_at=_parse_dt(tp.get("occurred_at")),
            source=lead,
            data=tp.get("data") or {},
        )
    before = snapshot(lead)
    lead.status = LeadStatus.CONVERTED
    lead.converted_contact = contact
    lead.converted_account = account
    lead.converted_deal = deal
    lead.converted_at = timezone.now()
    lead.pending_touchpoints = []
    lead.save()
    interaction_record(
        workspace=workspace,
        actor=actor,
        contact=contact,
        account=account,
        kind="lead.converted",
        channel=Channel.SYSTEM,
        direction=Direction.INTERNAL,
        app=App.SALES,
        subject=_("Lead converted: %(lead)s") % {"lead": str(lead)[:150]},
        source=lead,
        data={"lead_id": lead.pk, "deal_id": deal.pk if deal else None},
    )
    change_record(
        workspace=workspace,
        actor=actor,
        instance=lead,
        action=ChangeAction.UPDATED,
        fields=changed_fields(before, lead),
    )
    return lead


def _as_url(website: str) -> str:
    website = (website or "").strip()
    if website and "://" not in website:
        website = f"https://{website}"
    return website


def _parse_dt(value):
    from django.utils.dateparse import parse_datetime

    return parse_datetime(value) if value else None


@transaction.atomic
def web_lead_submit(
    *,
    workspace,
    first_name: str = "",
    last_name: str = "",
    company: str = "",
    email: str = "",
    phone: str = "",
    message: str = "",
    consent: bool = False,
    page_url: str = "",
) -> Lead:
    """A lead from the public web form, with its `form.submitted` touch point (website,
    inbound) kept for the contact it becomes."""
    lead = lead_create(
        workspace=workspace,
        actor=None,
        first_name=first_name,
        last_name=last_name,
        company=company,
        email=email,
        phone=phone,
        message=message,
        source=LeadSource.WEB_FORM,
        consent_email=bool(consent),
    )
    lead_touchpoint_add(
        workspace=workspace,
        lead=lead,
        kind="form.submitted",
        channel=Channel.WEBSITE,
        direction=Direction.INBOUND,
        subject=_("Web form submitted"),
        body=message,
        data={"page": page_url[:500], "consent": bool(consent)},
    )
    return lead


# ---------------------------------------------------------------- deals


def _deal_checks(workspace, deal: Deal, errors: dict) -> None:
    _same_workspace(workspace, deal.account, "account", errors)
    _same_workspace(workspace, deal.contact, "contact", errors)
    _same_workspace(workspace, deal.pipeline, "pipeline", errors)
    _same_workspace(workspace, deal.stage, "stage", errors)
    if deal.stage_id and deal.pipeline_id and deal.stage.pipeline_id != deal.pipeline_id:
        errors["stage"] = [_("This stage belongs to another pipeline.")]
    if deal.amount is not None and deal.amount < 0:
        errors["amount"] = [_("The amount cannot be negative.")]


def _timeline_stage_change(workspace, actor, deal: Deal, from_stage, to_stage, at) -> None:
    if deal.contact_id is None and deal.account_id is None:
        return
    subject = (
        _("Deal %(deal)s: %(from)s → %(to)s")
        % {"deal": deal.name, "from": from_stage.name, "to": to_stage.name}
        if from_stage is not None
        else _("Deal %(deal)s created in %(to)s") % {"deal": deal.name, "to": to_stage.name}
    )
    interaction_record(
        workspace=workspace,
        actor=actor,
        contact=deal.contact,
        account=deal.account,
        kind="deal.stage_changed" if from_stage is not None else "deal.created",
        channel=Channel.SYSTEM,
        direction=Direction.INTERNAL,
        app=App.SALES,
        subject=subject[:200],
        occurred_at=at,
        source=deal,
        data={
            "deal_id": deal.pk,
            "from_stage": from_stage.pk if from_stage else None,
            "to_stage": to_stage.pk,
            "amount": str(deal.amount),
            "kind": to_stage.kind,
        },
    )


@transaction.atomic
def deal_create(
    *,
    workspace,
    actor,
    pipeline: Pipeline | None = None,
    stage: Stage | None = None,
    source_lead: Lead | None = None,
    lost_reason: LostReason | None = None,
    created_at=None,
    **fields,
) -> Deal:
    """Create a deal in `stage` (default: the first open stage of `pipeline`). Its first
    stage-history row and a `deal.created` touch point are recorded."""
    _check_unknown(fields, DEAL_FIELDS)
    errors: dict = {}
    if pipeline is None and stage is not None:
        pipeline = stage.pipeline
    if pipeline is None:
        pipeline = pipeline_ensure_default(workspace=workspace, actor=actor)
    _same_workspace(workspace, pipeline, "pipeline", errors)
    _same_workspace(workspace, source_lead, "source_lead", errors)
    _raise_if(errors)
    if stage is None:
        stage = (
            Stage.all_workspaces.filter(workspace=workspace, pipeline=pipeline, kind=StageKind.OPEN)
            .order_by("position", "id")
            .first()
        )
        if stage is None:
            raise ValidationError({"stage": _("This pipeline has no open stage.")})
    fields.setdefault("currency", workspace.currency)
    _owner_check(workspace, fields.get("owner"), errors)
    at = created_at or timezone.now()
    deal = Deal(
        workspace=workspace,
        pipeline=pipeline,
        stage=stage,
        source_lead=source_lead,
        created_at=at,
        **fields,
    )
    if deal.contact is not None and deal.account is None and deal.contact.account_id:
        deal.account = deal.contact.account
    _deal_checks(workspace, deal, errors)
    if stage.kind == StageKind.LOST:
        if lost_reason is None:
            errors["lost_reason"] = [_("Choose why the deal was lost.")]
        _same_workspace(workspace, lost_reason, "lost_reason", errors)
        deal.lost_reason = lost_reason
    if stage.is_closed:
        deal.closed_at = at
        deal.won_at = at if stage.kind == StageKind.WON else None
    _full_clean(deal, errors, exclude=["stage", "pipeline"] if "stage" in errors else ())
    deal.save()
    DealStageChange.all_workspaces.create(
        workspace=workspace,
        deal=deal,
        from_stage=None,
        to_stage=stage,
        changed_at=at,
        actor=_actor(actor),
        amount=deal.amount,
        created_at=at,
    )
    _timeline_stage_change(workspace, actor, deal, None, stage, at)
    change_record(
        workspace=workspace,
        actor=actor,
        instance=deal,
        action=ChangeAction.CREATED,
        fields=[
            "name",
            "pipeline",
            "stage",
            "amount",
            *[k for k, v in fields.items() if v not in (None, "")],
        ],
    )
    return deal


def _last_editor(workspace, deal: Deal):
    event = (
        ChangeEvent.all_workspaces.filter(
            workspace=workspace, model="sales.deal", object_id=deal.pk
        )
        .select_related("actor")
        .order_by("-id")
        .first()
    )
    return event.actor if event else None


def _conditional_save(workspace, deal: Deal, version: int | None, values: dict) -> None:
    """UPDATE ... WHERE version = n; nothing stored and DealConflict when it was changed."""
    expected = deal.version if version is None else int(version)
    now = timezone.now()
    updated = Deal.all_workspaces.filter(workspace=workspace, pk=deal.pk, version=expected).update(
        **values, version=F("version") + 1, updated_at=now
    )
    if updated != 1:
        fresh = Deal.all_workspaces.filter(workspace=workspace, pk=deal.pk).first()
        raise DealConflict(fresh or deal, by=_last_editor(workspace, deal))
    deal.version = expected + 1
    deal.updated_at = now


@transaction.atomic
def deal_update(*, workspace, actor, deal: Deal, version: int | None = None, **fields) -> Deal:
    """Change a deal's fields (not its stage: see deal_move_stage) if it is still at
    `version`; otherwise DealConflict and nothing is stored."""
    _check_unknown(fields, DEAL_FIELDS)
    before = snapshot(deal)
    for key, value in fields.items():
        setattr(deal, key, value)
    errors: dict = {}
    _owner_check(workspace, deal.owner if "owner" in fields else None, errors)
    _deal_checks(workspace, deal, errors)
    _full_clean(deal, errors)
    changed = changed_fields(before, deal)
    values = {
        f.attname: getattr(deal, f.attname) for f in deal._meta.concrete_fields if f.name in fields
    }
    _conditional_save(workspace, deal, version, values)
    change_record(
        workspace=workspace,
        actor=actor,
        instance=deal,
        action=ChangeAction.UPDATED,
        fields=[c for c in changed if c not in ("version",)],
    )
    return deal


@transaction.atomic
def deal_move_stage(
    *,
    workspace,
    actor,
    deal: Deal,
    stage: Stage,
    version: int | None = None,
    lost_reason: LostReason | None = None,
    competitor: str = "",
    at=None,
) -> Deal:
    """Move a deal to another stage of its pipeline. Stored in the stage history and recorded
    as `deal.stage_changed` on the contact's/account's timeline. Lost needs a reason; won
    sets `won_at`; reopening clears the close. A stale `version` raises DealConflict."""
    errors: dict = {}
    _same_workspace(workspace, stage, "stage", errors)
    _same_workspace(workspace, lost_reason, "lost_reason", errors)
    _raise_if(errors)
    if stage.pipeline_id != deal.pipeline_id:
        raise ValidationError({"stage": _("This stage belongs to another pipeline.")})
    if stage.kind == StageKind.LOST and lost_reason is None:
        raise ValidationError({"lost_reason": _("Choose why the deal was lost.")})
    if stage.pk == deal.stage_id:
        if version is not None and int(version) != deal.version:
            raise DealConflict(deal, by=_last_editor(workspace, deal))
        return deal
    at = at or timezone.now()
    from_stage = deal.stage
    values = {"stage_id": stage.pk}
    if stage.kind == StageKind.OPEN:
        values.update(closed_at=None, won_at=None, lost_reason_id=None)
    elif stage.kind == StageKind.WON:
        values.update(closed_at=at, won_at=at, lost_reason_id=None)
    else:
        values.update(
            closed_at=at,
            won_at=None,
            lost_reason_id=lost_reason.pk,
            competitor=(competitor or "").strip()[:200],
        )
    _conditional_save(workspace, deal, version, values)
    for key, value in values.items():
        setattr(deal, key, value)
    deal.stage = stage
    DealStageChange.all_workspaces.create(
        workspace=workspace,
        deal=deal,
        from_stage=from_stage,
        to_stage=stage,
        changed_at=at,
        actor=_actor(actor),
        amount=deal.amount,
        created_at=at,
    )
    _timeline_stage_change(workspace, actor, deal, from_stage, stage, at)
    change_record(
        workspace=workspace,
        actor=actor,
        instance=deal,
        action=ChangeAction.UPDATED,
        fields=["stage", *(k.removesuffix("_id") for k in values if k != "stage_id")],
        data={"from_stage": from_stage.pk, "to_stage": stage.pk},
    )
    return deal


@transaction.atomic
def deal_delete(*, workspace, actor, deal: Deal) -> None:
    pk = deal.pk
    deal.delete()
    deal.pk = pk
    change_record(workspace=workspace, actor=actor, instance=deal, action=ChangeAction.DELETED)


# ---------------------------------------------------------------- activities


def _activity_checks(workspace, activity: Activity, errors: dict) -> None:
    _same_workspace(workspace, activity.contact, "contact", errors)
    _same_workspace(workspace, activity.deal, "deal", errors)
    if activity.reminder_at and activity.due_at and activity.reminder_at > activity.due_at:
        errors["reminder_at"] = [_("The reminder must be before the due time.")]


@transaction.atomic
def activity_create(*, workspace, actor, **fields) -> Activity:
    _check_unknown(fields, ACTIVITY_FIELDS)
    errors: dict = {}
    _owner_check(workspace, fields.get("owner"), errors)
    activity = Activity(workspace=workspace, **fields)
    if activity.contact is None and activity.deal is not None and activity.deal.contact_id:
        activity.contact = activity.deal.contact
    _activity_checks(workspace, activity, errors)
    _full_clean(activity, errors)
    activity.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=activity,
        action=ChangeAction.CREATED,
        fields=[k for k, v in fields.items() if v not in (None, "")],
    )
    return activity


@transaction.atomic
def activity_update(*, workspace, actor, activity: Activity, **fields) -> Activity:
    _check_unknown(fields, ACTIVITY_FIELDS)
    errors: dict = {}
    if "owner" in fields:
        _owner_check(workspace, fields["owner"], errors)
    before = snapshot(activity)
    for key, value in fields.items():
        setattr(activity, key, value)
    if before["reminder_at"] != activity.reminder_at:
        activity.reminder_sent_at = None
    _activity_checks(workspace, activity, errors)
    _full_clean(activity, errors)
    activity.save()
    change_record(
        workspace=workspace,
        actor=actor,
        instance=activity,
        action=ChangeAction.UPDATED,
        fields=changed_fields(before, activity),
    )
    return activity


LOGGED_KIND = {
    ActivityType.CALL: ("call.logged", Channel.PHONE),
    ActivityType.MEETING: ("meeting.logged", Channel.MEETING),
}


@transaction.atomic
def activity_complete(
    *, workspace, actor, activity: Activity, outcome: str = "", notes: str | None = None
) -> Activity:
    """Mark an activity done (once). A completed call or meeting is logged on the contact's
    timeline (call.logged / meeting.logged)."""
    now = timezone.now()
    updated = Activity.all_workspaces.filter(
        workspace=workspace, pk=activity.pk, done_at__isnull=True
    ).update(
        done_at=now,
        outcome=(outcome or "")[:200],
        updated_at=now,
        **({"notes": notes} if notes is not None else {}),
    )
    if not updated:
        raise ValidationError(_("This activity is done already."))
    activity.done_at, activity.outcome = now, (outcome or "")[:200]
    if notes is not None:
        activity.notes = notes
    logged = LOGGED_KIND.get(activity.type)
    contact = activity.contact
    account = activity.deal.account if activity.deal_id and activity.deal.account_id else None
    if logged and (contact is not None or account is not None):
        kind, channel = logged
        interaction_record(
            workspace=workspace,
            actor=actor,
            contact=contact,
            account=account if contact is None else None,
            kind=kind,
            channel=channel,
            direction=Direction.OUTBOUND,
            app=App.SALES,
            subject=activity.subject,
            body=activity.notes,
            outcome=activity.outcome,
            duration_seconds=activity.duration_minutes * 60 if activity.duration_minutes else None,
            source=activity,
            data={"activity_id": activity.pk, "deal_id": activity.deal_id},
        )
    change_record(
        workspace=workspace,
        actor=actor,
        instance=activity,
        action=ChangeAction.UPDATED,
        fields=["done_at", "outcome"],
    )
    return activity


@transaction.atomic
def activity_reopen(*, workspace, actor, activity: Activity) -> Activity:
    Activity.all_workspaces.filter(workspace=workspace, pk=activity.pk).update(
        done_at=None, updated_at=timezone.now()
    )
    activity.done_at = None
    change_record(
        workspace=workspace,
        actor=actor,
        instance=activity,
        action=ChangeAction.UPDATED,
        fields=["done_at"],
    )
    return activity


@transaction.atomic
def activity_delete(*, workspace, actor, activity: Activity) -> None:
    pk = activity.pk
    activity.delete()
    activity.pk = pk
    change_record(workspace=workspace, actor=actor, instance=activity, action=ChangeAction.DELETED)


def activity_reminder_claim(*, workspace_id: int, activity_id: int) -> bool:
    """Claim the reminder of one activity: one conditional UPDATE, so of two runs only one
    wins and sends (a retry never sends twice)."""
    claimed = (
        Activity.all_workspaces.filter(
            workspace_id=workspace_id,
            pk=activity_id,
            reminder_sent_at__isnull=True,
            done_at__isnull=True,
        ).update(reminder_sent_at=timezone.now())
        == 1
    )
    if claimed:
        change_record(
            workspace=workspace_id,
            actor=None,
            instance=Activity(pk=activity_id),
            action=ChangeAction.UPDATED,
            fields=["reminder_sent_at"],
        )
    return claimed


# ---------------------------------------------------------------- calendar feeds


@transaction.atomic
def calendar_feed_get_or_create(*, workspace, user) -> CalendarFeed:
    feed, created = CalendarFeed.all_workspaces.get_or_create(workspace=workspace, user=user)
    if created:
        change_record(workspace=workspace, actor=user, instance=feed, action=ChangeAction.CREATED)
    return feed


@transaction.atomic
def calendar_feed_regenerate(*, workspace, user) -> CalendarFeed:
    """A new secret: the old feed address stops working at once."""
    feed = calendar_feed_get_or_create(workspace=workspace, user=user)
    feed.token = new_feed_token()
    feed.save(update_fields=["token", "updated_at"])
    change_record(
        workspace=workspace,
        actor=user,
        instance=feed,
        action=ChangeAction.UPDATED,
        fields=["token"],
    )
    return feed
