"""Writes of deals: create, update under optimistic locking (`version`), stage moves with
their history, delete."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from contacts.models import Contact, LifecycleStage
from contacts.services.lifecycle_stages import contact_lifecycle_move
from touchpoints.channels import Channel
from touchpoints.models import Direction
from touchpoints.services import interaction_record
from workspaces.changelog import ChangeAction, change_record, changed_fields, snapshot
from workspaces.models import ChangeEvent

from ..models import (
    Deal,
    DealStageChange,
    Lead,
    LostReason,
    Pipeline,
    Stage,
    StageKind,
)
from ._common import (
    _actor,
    _check_unknown,
    _delete_recorded,
    _full_clean,
    _owner_check,
    _raise_if,
    _require_same_workspace,
    _same_workspace,
)
from .pipelines import pipeline_ensure_default

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


def _deal_checks(workspace, deal: Deal, errors: dict) -> None:
    _same_workspace(workspace, deal.account, "account", errors)
    _same_workspace(workspace, deal.contact, "contact", errors)
    _same_workspace(workspace, deal.pipeline, "pipeline", errors)
    _same_workspace(workspace, deal.stage, "stage", errors)
    if deal.stage_id and deal.pipeline_id and deal.stage.pipeline_id != deal.pipeline_id:
        errors["stage"] = [_("This stage belongs to another pipeline.")]
    if deal.amount is not None and deal.amount < 0:
        errors["amount"] = [_("The amount cannot be negative.")]


def _lost_reason_check(workspace, deal: Deal, reason, errors: dict) -> None:
    """A lost reason belongs to a lost deal, which always has one."""
    if deal.stage.kind != StageKind.LOST:
        if reason is not None:
            errors["lost_reason"] = [_("Only a lost deal has a lost reason.")]
        return
    if reason is None:
        errors["lost_reason"] = [_("Choose why the deal was lost.")]
    else:
        _same_workspace(workspace, reason, "lost_reason", errors)


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
        app="sales",
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


def _stage_change_record(
    *, workspace, actor, deal: Deal, from_stage, to_stage, at, action, fields, data=None
) -> None:
    """Record one stage change of a saved deal (`from_stage` None: its first stage), inside
    the caller's transaction: the stage-history row dated `at`, the touch point on the
    contact's/account's timeline (when the deal has either) and the change events of the
    deal and of its history row."""
    change = DealStageChange.objects.create(
        workspace=workspace,
        deal=deal,
        from_stage=from_stage,
        to_stage=to_stage,
        changed_at=at,
        actor=_actor(actor),
        amount=deal.amount,
        created_at=at,
    )
    _timeline_stage_change(workspace, actor, deal, from_stage, to_stage, at)
    change_record(
        workspace=workspace, actor=actor, instance=deal, action=action, fields=fields, data=data
    )
    change_record(
        workspace=workspace,
        actor=actor,
        instance=change,
        action=ChangeAction.CREATED,
        fields=["deal", "from_stage", "to_stage"],
    )


def _contact_lock(workspace, contact_id) -> None:
    """Lock the deal's contact before the first change event of a service that later moves
    its lifecycle stage (CONTRIBUTING.md, "Record last")."""
    if contact_id is not None:
        list(
            Contact.objects.select_for_update()
            .filter(workspace=workspace, pk=contact_id)
            .values_list("pk")
        )


def _contact_stage_follow(workspace, actor, deal: Deal) -> None:
    """The deal's contact's lifecycle stage after the deal reached its stage (through
    contacts' contact_lifecycle_move, which records the change and puts it on the timeline):
    - open (created or reopened): forward to opportunity;
    - won: forward to customer (an evangelist stays one);
    - lost: an opportunity goes back to qualified when none of their other deals is open
      (they were qualified, and nothing is in play any more); every other stage stays, and
      so does an opportunity with another open deal. A customer stays a customer."""
    if deal.contact_id is None:
        return
    contact = deal.contact
    kind = deal.stage.kind
    if kind == StageKind.OPEN:
        reason = _("deal %(deal)s is open") % {"deal": deal.name}
        contact_lifecycle_move(
            workspace=workspace,
            actor=actor,
            contact=contact,
            stage=LifecycleStage.OPPORTUNITY,
            reason=reason,
            source=deal,
        )
    elif kind == StageKind.WON:
        reason = _("deal %(deal)s won") % {"deal": deal.name}
        contact_lifecycle_move(
            workspace=workspace,
            actor=actor,
            contact=contact,
            stage=LifecycleStage.CUSTOMER,
            reason=reason,
            source=deal,
        )
    elif not (
        Deal.objects.filter(workspace=workspace, contact_id=deal.contact_id, closed_at__isnull=True)
        .exclude(pk=deal.pk)
        .exists()
    ):
        reason = _("deal %(deal)s lost, no other deal open") % {"deal": deal.name}
        contact_lifecycle_move(
            workspace=workspace,
            actor=actor,
            contact=contact,
            stage=LifecycleStage.QUALIFIED,
            forward_only=False,
            only_from=LifecycleStage.OPPORTUNITY,
            reason=reason,
            source=deal,
        )


def _first_open_stage(workspace, pipeline: Pipeline) -> Stage:
    stage = (
        Stage.objects.filter(workspace=workspace, pipeline=pipeline, kind=StageKind.OPEN)
        .order_by("position", "id")
        .first()
    )
    if stage is None:
        raise ValidationError({"stage": _("This pipeline has no open stage.")})
    return stage


def _stage_values(stage: Stage, at, lost_reason, competitor: str) -> dict:
    """The columns a move to `stage` sets: reopening clears the close, won sets `won_at`,
    lost keeps the reason and the competitor."""
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
    return values


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
    stage-history row and a `deal.created` touch point are recorded; its contact's lifecycle
    stage follows (an open deal: opportunity, won: customer; see _contact_stage_follow)."""
    _check_unknown(fields, DEAL_FIELDS)
    # its lifecycle stage is written last; the default pipeline may be recorded first
    _contact_lock(workspace, getattr(fields.get("contact"), "pk", None))
    errors: dict = {}
    if pipeline is None and stage is not None:
        pipeline = stage.pipeline
    if pipeline is None:
        pipeline = pipeline_ensure_default(workspace=workspace, actor=actor)
    _same_workspace(workspace, pipeline, "pipeline", errors)
    _same_workspace(workspace, source_lead, "source_lead", errors)
    _raise_if(errors)
    if stage is None:
        stage = _first_open_stage(workspace, pipeline)
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
    _stage_change_record(
        workspace=workspace,
        actor=actor,
        deal=deal,
        from_stage=None,
        to_stage=stage,
        at=at,
        action=ChangeAction.CREATED,
        fields=[
            "name",
            "pipeline",
            "stage",
            "amount",
            *[k for k, v in fields.items() if v not in (None, "")],
        ],
    )
    _contact_stage_follow(workspace, actor, deal)
    return deal


def _last_editor(workspace, deal: Deal):
    event = (
        ChangeEvent.objects.filter(workspace=workspace, model="sales.deal", object_id=deal.pk)
        .select_related("actor")
        .order_by("-id")
        .first()
    )
    return event.actor if event else None


def _conditional_save(workspace, deal: Deal, version: int | None, values: dict) -> None:
    """UPDATE ... WHERE version = n; nothing stored and DealConflict when it was changed."""
    expected = deal.version if version is None else int(version)
    now = timezone.now()
    updated = Deal.objects.filter(workspace=workspace, pk=deal.pk, version=expected).update(
        **values, version=F("version") + 1, updated_at=now
    )
    if updated != 1:
        fresh = Deal.objects.filter(workspace=workspace, pk=deal.pk).first()
        raise DealConflict(fresh or deal, by=_last_editor(workspace, deal))
    deal.version = expected + 1
    deal.updated_at = now


@transaction.atomic
def deal_update(*, workspace, actor, deal: Deal, version: int | None = None, **fields) -> Deal:
    """Change a deal's fields (not its stage: see deal_move_stage) if it is still at
    `version`; otherwise DealConflict and nothing is stored. `lost_reason` may be changed on
    a lost deal only (and not emptied there): ValidationError keyed `lost_reason` otherwise."""
    _require_same_workspace(workspace, deal, "deal")
    _check_unknown(fields, DEAL_FIELDS | {"lost_reason"})
    before = snapshot(deal)
    for key, value in fields.items():
        setattr(deal, key, value)
    errors: dict = {}
    if "lost_reason" in fields:
        _lost_reason_check(workspace, deal, fields["lost_reason"], errors)
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
    sets `won_at`; reopening clears the close. A stale `version` raises DealConflict. When
    the move opens, wins or loses the deal, its contact's lifecycle stage follows (won:
    customer; lost: an opportunity with no other open deal goes back to qualified; see
    _contact_stage_follow)."""
    _require_same_workspace(workspace, deal, "deal")
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
    values = _stage_values(stage, at, lost_reason, competitor)
    _conditional_save(workspace, deal, version, values)
    _contact_lock(workspace, deal.contact_id)
    # the change log names what the move changed (a reopened deal that was never closed
    # keeps its empty close fields out of the list)
    changed = [key for key, value in values.items() if getattr(deal, key) != value]
    for key, value in values.items():
        setattr(deal, key, value)
    deal.stage = stage
    _stage_change_record(
        workspace=workspace,
        actor=actor,
        deal=deal,
        from_stage=from_stage,
        to_stage=stage,
        at=at,
        action=ChangeAction.UPDATED,
        fields=["stage", *(k.removesuffix("_id") for k in changed if k != "stage_id")],
        data={"from_stage": from_stage.pk, "to_stage": stage.pk},
    )
    if stage.kind != from_stage.kind:
        _contact_stage_follow(workspace, actor, deal)
    return deal


@transaction.atomic
def deal_delete(*, workspace, actor, deal: Deal) -> None:
    """Delete a deal (its stage history goes with it) and record the deletion."""
    _require_same_workspace(workspace, deal, "deal")
    _delete_recorded(workspace, actor, deal)
