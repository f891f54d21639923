"""Writes of pipelines, their stages and the lost reasons."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _, gettext_lazy as _lazy

from workspaces.changelog import (
    ChangeAction,
    change_record,
    change_record_rows,
    snapshot,
    update_recorded,
)
from workspaces.languages import language_of
from workspaces.models import Workspace

from ..models import (
    Deal,
    DealStageChange,
    LostReason,
    Pipeline,
    Stage,
    StageKind,
)
from ._common import (
    _check_unknown,
    _create_recorded,
    _delete_recorded,
    _full_clean,
    _raise_if,
    _require_same_workspace,
    _same_workspace,
    _update_recorded,
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


@transaction.atomic
def pipeline_ensure_default(*, workspace, actor=None) -> Pipeline:
    """The workspace's default pipeline, created with standard stages (and the standard lost
    reasons) if it has none, named in the language of `actor` (`language_of`). Runs as the workspace-created hook (so every new workspace has
    one) and as a fallback of writing services; pages only read (`pipeline_default_get`).
    Two concurrent first calls create one pipeline: the workspace row is locked before the
    second look."""

    def existing():
        return (
            Pipeline.objects.filter(workspace=workspace)
            .order_by("-is_default", "position", "id")
            .first()
        )

    pipeline = existing()
    if pipeline is not None:
        return pipeline
    list(Workspace.objects.select_for_update().filter(pk=workspace.pk).values_list("pk"))
    return existing() or _pipeline_create_default(workspace=workspace, actor=actor)


@transaction.atomic
def _pipeline_create_default(*, workspace, actor) -> Pipeline:
    # Named in the creator's language (a German-speaking founder gets "Vertrieb",
    # "Qualifizierung", …), whatever language the process runs in.
    with translation.override(language_of(actor)):
        pipeline = pipeline_create(
            workspace=workspace, actor=actor, name=_("Sales"), is_default=True
        )
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
        if not LostReason.objects.filter(workspace=workspace).exists():
            for position, name in enumerate(DEFAULT_LOST_REASONS):
                lost_reason_create(
                    workspace=workspace, actor=actor, name=str(name), position=position
                )
    return pipeline


@transaction.atomic
def pipeline_create(
    *, workspace, actor, name: str, is_default: bool = False, position: int | None = None
) -> Pipeline:
    """Create a pipeline with a name unique in the workspace (case-insensitive), at the end
    unless `position` is given. A new default pipeline takes over the default mark (the
    previous default gets an `updated` event for `is_default`)."""
    if position is None:
        position = (
            Pipeline.objects.filter(workspace=workspace).aggregate(m=Max("position"))["m"] or 0
        ) + 1
    pipeline = Pipeline(
        workspace=workspace, name=(name or "").strip(), is_default=is_default, position=position
    )
    errors: dict = {}
    _full_clean(pipeline, errors)
    if Pipeline.objects.filter(workspace=workspace, name__iexact=pipeline.name).exists():
        raise ValidationError({"name": _("A pipeline with this name exists already.")})
    pending: list = []  # the previous default's event, recorded after the row writes
    if is_default:
        update_recorded(
            workspace=workspace,
            actor=actor,
            queryset=Pipeline.objects.filter(workspace=workspace, is_default=True),
            pending=pending,
            is_default=False,
        )
    _create_recorded(workspace, actor, pipeline, fields=["name", "is_default", "position"])
    change_record_rows(actor=actor, changes=pending)
    return pipeline


@transaction.atomic
def pipeline_update(*, workspace, actor, pipeline: Pipeline, **fields) -> Pipeline:
    """Change a pipeline's name, default mark or position. The name stays unique and only one
    pipeline is the default; the changed fields are recorded (and the `is_default` of the
    pipeline that lost the mark)."""
    _require_same_workspace(workspace, pipeline, "pipeline")
    _check_unknown(fields, frozenset({"name", "is_default", "position"}))
    before = snapshot(pipeline)
    for key, value in fields.items():
        setattr(pipeline, key, value)
    errors: dict = {}
    _full_clean(pipeline, errors)
    if (
        Pipeline.objects.filter(workspace=workspace, name__iexact=pipeline.name)
        .exclude(pk=pipeline.pk)
        .exists()
    ):
        raise ValidationError({"name": _("A pipeline with this name exists already.")})
    pending: list = []  # the previous default's event, recorded after the row writes
    if pipeline.is_default:
        update_recorded(
            workspace=workspace,
            actor=actor,
            queryset=Pipeline.objects.filter(workspace=workspace, is_default=True).exclude(
                pk=pipeline.pk
            ),
            pending=pending,
            is_default=False,
        )
    _update_recorded(workspace, actor, pipeline, before)
    change_record_rows(actor=actor, changes=pending)
    return pipeline


@transaction.atomic
def pipeline_delete(*, workspace, actor, pipeline: Pipeline) -> None:
    """Delete a pipeline that has no deals (otherwise ValidationError) and record the deletion."""
    _require_same_workspace(workspace, pipeline, "pipeline")
    if Deal.objects.filter(workspace=workspace, pipeline=pipeline).exists():
        raise ValidationError(_("This pipeline still has deals; move or delete them first."))
    _delete_recorded(workspace, actor, pipeline)


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
    """Add a stage to a pipeline of this workspace, at the end unless `position` is given. Its
    name is unique within the pipeline; won stages have probability 100, lost stages 0."""
    errors: dict = {}
    _same_workspace(workspace, pipeline, "pipeline", errors)
    _raise_if(errors)
    if position is None:
        position = (
            Stage.objects.filter(workspace=workspace, pipeline=pipeline).aggregate(
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
    if Stage.objects.filter(
        workspace=workspace, pipeline=pipeline, name__iexact=stage.name
    ).exists():
        raise ValidationError({"name": _("This pipeline has a stage with this name already.")})
    _create_recorded(workspace, actor, stage, fields=["name", "probability", "kind", "position"])
    return stage


@transaction.atomic
def stage_update(*, workspace, actor, stage: Stage, **fields) -> Stage:
    """Change a stage's name, probability, kind or position. Same checks as stage_create; the
    kind of a stage that holds deals cannot change. The changed fields are recorded."""
    _require_same_workspace(workspace, stage, "stage")
    _check_unknown(fields, frozenset({"name", "probability", "kind", "position"}))
    before = snapshot(stage)
    for key, value in fields.items():
        setattr(stage, key, value)
    errors: dict = {}
    _stage_check(stage, errors)
    _full_clean(stage, errors)
    if (
        Stage.objects.filter(
            workspace=workspace, pipeline_id=stage.pipeline_id, name__iexact=stage.name
        )
        .exclude(pk=stage.pk)
        .exists()
    ):
        raise ValidationError({"name": _("This pipeline has a stage with this name already.")})
    if (
        before["kind"] != stage.kind
        and Deal.objects.filter(workspace=workspace, stage=stage).exists()
    ):
        raise ValidationError({"kind": _("Deals are in this stage; its kind cannot change.")})
    _update_recorded(workspace, actor, stage, before)
    return stage


@transaction.atomic
def stage_delete(*, workspace, actor, stage: Stage) -> None:
    """Delete a stage that no deal is or ever was in (otherwise ValidationError) and record
    the deletion."""
    _require_same_workspace(workspace, stage, "stage")
    if (
        Deal.objects.filter(workspace=workspace, stage=stage).exists()
        or DealStageChange.objects.filter(workspace=workspace, to_stage=stage).exists()
    ):
        raise ValidationError(_("Deals are or were in this stage; it cannot be deleted."))
    _delete_recorded(workspace, actor, stage)


@transaction.atomic
def stages_reorder(*, workspace, actor, pipeline: Pipeline, stage_ids: list[int]) -> None:
    """Put a pipeline's stages in the order of `stage_ids`, which must name each of its stages
    once. Each stage that moves gets an `updated` event for its `position`; the pipeline one
    for its `stages`."""
    _require_same_workspace(workspace, pipeline, "pipeline")
    stages = {s.pk: s for s in Stage.objects.filter(workspace=workspace, pipeline=pipeline)}
    if set(stage_ids) != set(stages):
        raise ValidationError(_("The order must name every stage of the pipeline once."))
    pending: list = []
    for position, pk in enumerate(stage_ids):
        if stages[pk].position != position:
            update_recorded(
                workspace=workspace,
                actor=actor,
                queryset=Stage.objects.filter(workspace=workspace, pk=pk),
                pending=pending,
                position=position,
            )
    change_record_rows(actor=actor, changes=pending)
    change_record(
        workspace=workspace,
        actor=actor,
        instance=pipeline,
        action=ChangeAction.UPDATED,
        fields=["stages"],
    )


@transaction.atomic
def lost_reason_create(*, workspace, actor, name: str, position: int = 0) -> LostReason:
    """Create a lost reason with a name unique in the workspace (case-insensitive) and record it."""
    reason = LostReason(workspace=workspace, name=(name or "").strip(), position=position)
    _full_clean(reason, {})
    if LostReason.objects.filter(workspace=workspace, name__iexact=reason.name).exists():
        raise ValidationError({"name": _("This lost reason exists already.")})
    _create_recorded(workspace, actor, reason, fields=["name"])
    return reason


@transaction.atomic
def lost_reason_update(*, workspace, actor, reason: LostReason, **fields) -> LostReason:
    """Change a lost reason's name, position or active mark and record the changed fields."""
    _require_same_workspace(workspace, reason, "reason")
    _check_unknown(fields, frozenset({"name", "position", "active"}))
    before = snapshot(reason)
    for key, value in fields.items():
        setattr(reason, key, value)
    _full_clean(reason, {})
    _update_recorded(workspace, actor, reason, before)
    return reason
