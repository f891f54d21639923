"""Merging two contacts into one (the survivor keeps the whole history of both).

What the merged record holds is `contacts.merge_plan.merge_plan` (the page shows the same
plan before the merge): chosen values, values of the other record moved into empty places,
consent merged restrictively, and the list of values not kept.

`contact_merge` moves every row that points at the loser to the survivor, generically over
`Contact._meta.related_objects` (timeline, tags, deals, cases, memberships of other apps
alike, and the merge redirects of earlier merges), drops rows that would break a unique
constraint (the survivor already has that tag), leaves a `ContactMergeRedirect` from the
loser's id to the survivor, then deletes the loser. It records an `updated` change event for
every row it moved (the field that now names the survivor, `data` {"from": loser, "to":
survivor}), a `created` event for the redirect, a tombstone for every row it dropped and for
the loser, a `merged` event on the survivor (with the values not kept) and a
"contact.merged" touch point on the survivor's timeline listing them, in one transaction.
The events are appended after all row writes (the change sequence is the last lock a writer
takes).
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from touchpoints.channels import Channel
from touchpoints.models import Direction, Interaction
from touchpoints.services import interaction_record
from workspaces import lifecycle
from workspaces.changelog import (
    Change,
    ChangeAction,
    change_record,
    change_record_rows,
    delete_recorded,
    snapshot,
    update_recorded,
)

from .. import merge_plan as plans
from ..models import Contact, ContactMergeRedirect, CustomFieldEntity
from ..selectors.custom_fields import custom_field_list

SKIP_FIELDS = plans.SKIP_FIELDS


def mergeable_fields() -> list[models.Field]:
    """The contact fields a merge decides, in model order (contacts.merge_plan)."""
    return plans.mergeable_fields()


def _lock_pair(workspace, survivor_id, loser_id) -> tuple[Contact, Contact]:
    """Both rows locked (in id order, so two merges of the same pair cannot deadlock)."""
    rows = {
        c.pk: c
        for c in Contact.objects.select_for_update()
        .filter(workspace=workspace, pk__in=[survivor_id, loser_id])
        .order_by("pk")
    }
    if survivor_id not in rows or loser_id not in rows:
        raise ValidationError(_("One of the contacts no longer exists."))
    return rows[survivor_id], rows[loser_id]


def _unique_groups(model, field_name: str) -> list[tuple[list[str], object]]:
    """Other fields that, together with `field_name`, must be unique on `model`, each with
    the condition (a Q) of a partial unique constraint, or None (e.g. one active journey
    enrolment per journey and contact: only the rows matching the condition clash)."""
    groups = []
    for constraint in model._meta.constraints:
        fields = getattr(constraint, "fields", ())
        if isinstance(constraint, models.UniqueConstraint) and field_name in fields:
            groups.append(([f for f in fields if f != field_name], constraint.condition))
    for together in model._meta.unique_together:
        if field_name in together:
            groups.append(([f for f in together if f != field_name], None))
    if model._meta.get_field(field_name).unique:
        groups.append(([], None))
    return groups


class _Mover:
    """Moves rows from the loser to the survivor and collects their change events."""

    def __init__(self, workspace, actor, survivor: Contact, loser: Contact):
        self.workspace, self.actor = workspace, actor
        self.survivor, self.loser = survivor, loser
        self.pending: list = []

    def update(self, queryset, **values) -> int:
        return len(
            update_recorded(
                workspace=self.workspace,
                actor=self.actor,
                queryset=queryset,
                data={"from": self.loser.pk, "to": self.survivor.pk},
                pending=self.pending,
                **values,
            )
        )

    def drop(self, queryset) -> None:
        """Rows the survivor already has (a tag link): deleted, with their tombstones."""
        delete_recorded(
            workspace=self.workspace,
            actor=self.actor,
            objs=queryset,
            data={"merged_into": self.survivor.pk},
            pending=self.pending,
        )


def _move_relation(rel, mover: _Mover) -> int:
    """Point every row of `rel` at the survivor; rows the survivor already has are dropped."""
    survivor, loser = mover.survivor, mover.loser
    model = rel.related_model
    name = rel.field.name
    manager = model._base_manager
    rows = manager.filter(**{name: loser})
    for others, condition in _unique_groups(model, name):
        theirs, ours = manager.filter(**{name: survivor}), rows
        if condition is not None:
            theirs, ours = theirs.filter(condition), ours.filter(condition)
        if not others:  # one-to-one: the survivor's own row wins
            if theirs.exists():
                mover.drop(ours)
            continue
        kept = set(theirs.values_list(*others))
        clashing = [row[0] for row in ours.values_list("pk", *others) if tuple(row[1:]) in kept]
        if clashing:
            mover.drop(manager.filter(pk__in=clashing))
    return mover.update(rows, **{name: survivor})


def _move_many_to_many(rel, mover: _Mover) -> int:
    """Auto-created M2M tables of other models pointing at contacts (ignore duplicates)."""
    survivor, loser = mover.survivor, mover.loser
    through = rel.through
    column = next(f.name for f in through._meta.fields if f.related_model is Contact)
    other = next(f.name for f in through._meta.fields if f.is_relation and f.name != column)
    manager = through._base_manager
    kept = set(manager.filter(**{column: survivor}).values_list(other, flat=True))
    clashing = manager.filter(**{column: loser, f"{other}__in": kept})
    if clashing.exists():
        mover.drop(clashing)
    return mover.update(manager.filter(**{column: loser}), **{column: survivor})


def move_relations(mover: _Mover) -> dict[str, int]:
    """Move everything that points at the loser; {model label: rows moved}. The change
    events wait in `mover.pending`."""
    moved = {}
    for rel in Contact._meta.related_objects:
        if rel.many_to_many:
            if rel.through._meta.auto_created:
                moved[rel.through._meta.label_lower] = _move_many_to_many(rel, mover)
            continue  # explicit through models are moved through their foreign keys
        count = _move_relation(rel, mover)
        if count:
            moved[rel.related_model._meta.label_lower] = count
    # touch points whose origin is the loser itself (typed reference, not a foreign key)
    mover.update(
        Interaction.objects.filter(source_type="contacts.contact", source_id=mover.loser.pk),
        source_id=mover.survivor.pk,
    )
    return moved


def _redirect_leave(mover: _Mover) -> None:
    """The loser's id now names the survivor (its earlier redirects moved with its rows)."""
    redirect = ContactMergeRedirect(
        workspace=mover.workspace, merged_id=mover.loser.pk, survivor=mover.survivor
    )
    redirect.save()
    mover.pending.append(
        Change(
            mover.workspace.pk,
            ContactMergeRedirect._meta.label_lower,
            redirect.pk,
            ChangeAction.CREATED,
            ("merged_id", "survivor"),
            {"merged_id": mover.loser.pk, "survivor": mover.survivor.pk},
        )
    )


def _timeline_body(plan: plans.MergePlan) -> str:
    lines = []
    if plan.not_kept:
        lines.append(_("Not kept:"))
        lines.extend(f"- {item}" for item in plan.not_kept)
    if plan.moved:
        lines.append(_("Moved into an empty field:"))
        lines.extend(f"- {label}: {value}" for label, value in plan.moved)
    return "\n".join(lines)


@transaction.atomic
def contact_merge(
    *, workspace, actor, survivor: Contact, loser: Contact, choices: dict[str, str] | None = None
) -> Contact:
    """Merge `loser` into `survivor` and return the survivor as merged.

    `choices` maps a key of `merge_plan.merge_choices` (a field name, "address",
    "custom:<key>") to "survivor" or "loser"; a missing key takes the page's default. What
    the result holds is `merge_plan.merge_plan` (consent restrictive whatever the choices).
    Transactional; both contacts must be in `workspace` (else ValidationError, as for a
    contact merged with itself or one deleted meanwhile). Records an `updated` event per
    moved row (the field now naming the survivor), a `created` event for the redirect from
    the loser's id, a tombstone per dropped row and for the loser (`data` {"merged_into":
    survivor}), a `merged` change event on the survivor (`data`: the loser's id and label,
    the counts moved, `not_kept` and `moved_into`) and a "contact.merged" touch point on its
    timeline whose body lists the values not kept."""
    if survivor.pk == loser.pk:
        raise ValidationError(_("A contact cannot be merged with itself."))
    for contact in (survivor, loser):
        if contact.workspace_id != workspace.pk:
            raise ValidationError(_("This contact belongs to another workspace."))
    survivor, loser = _lock_pair(workspace, survivor.pk, loser.pk)
    snapshot(survivor)  # the audit log's old values of the fields the merge changes
    loser_label, loser_id = str(loser), loser.pk
    custom_fields = custom_field_list(workspace=workspace, entity=CustomFieldEntity.CONTACT)
    plan = plans.merge_plan(survivor, loser, choices or {}, custom_fields)
    not_kept = [item.as_dict() for item in plan.not_kept]
    moved_into = [{"label": label, "value": value} for label, value in plan.moved]
    plan.apply(survivor)
    last = [d for d in (survivor.last_interaction_at, loser.last_interaction_at) if d]
    survivor.last_interaction_at = max(last) if last else None
    mover = _Mover(workspace, actor, survivor, loser)
    moved = move_relations(mover)
    lifecycle.on_contacts_merged.run(
        workspace=workspace, actor=actor, survivor=survivor, loser=loser
    )
    # the loser goes first so the survivor may take its email/phone without a clash
    mover.drop(Contact.objects.filter(pk=loser_id))
    survivor.full_clean(exclude=["workspace", "account", "owner"])
    survivor.save()
    _redirect_leave(mover)
    change_record_rows(actor=actor, changes=mover.pending)
    change_record(
        workspace=workspace,
        actor=actor,
        instance=survivor,
        action=ChangeAction.MERGED,
        fields=plan.changed,
        data={
            "loser_id": loser_id,
            "loser": loser_label,
            "moved": moved,
            "not_kept": not_kept,
            "moved_into": moved_into,
        },
    )
    interaction_record(
        workspace=workspace,
        kind="contact.merged",
        channel=Channel.SYSTEM,
        direction=Direction.INTERNAL,
        contact=survivor,
        actor=actor,
        subject=_("Merged with %(name)s (#%(id)s)") % {"name": loser_label, "id": loser_id},
        body=_timeline_body(plan),
        data={"loser_id": loser_id, "moved": moved, "not_kept": not_kept, "moved_into": moved_into},
    )
    return survivor
