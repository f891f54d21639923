"""Merging two contacts into one (the survivor keeps the whole history of both).

`contact_merge` moves every row that points at the loser to the survivor, generically over
`Contact._meta.related_objects` (timeline, tags, deals, cases, memberships of other apps
alike), drops rows that would break a unique constraint (the survivor already has that tag),
then deletes the loser. It records an `updated` change event for every row it moved (the
field that now names the survivor, `data` {"from": loser, "to": survivor}), a tombstone for
every row it dropped and for the loser, a `merged` event on the survivor and a
"contact.merged" touch point on the survivor's timeline, in one transaction. The events are
appended after all row writes (the change sequence is the last lock a writer takes).
"""

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from touchpoints.channels import Channel
from touchpoints.models import Direction, Interaction
from touchpoints.services import interaction_record
from workspaces import lifecycle
from workspaces.changelog import (
    ChangeAction,
    change_record,
    change_record_rows,
    delete_recorded,
    update_recorded,
)

from ..models import Contact

SKIP_FIELDS = {
    "id",
    "workspace",
    "created_at",
    "updated_at",
    "last_interaction_at",
    "custom",
    "email_opt_in_at",
    "email_opt_in_source",
}


def mergeable_fields() -> list[models.Field]:
    """The contact fields a person chooses between on the merge page, in model order."""
    return [
        f
        for f in Contact._meta.concrete_fields
        if f.name not in SKIP_FIELDS and f.editable and not f.primary_key
    ]


def _empty(value) -> bool:
    return value in (None, "")


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


def _unique_groups(model, field_name: str) -> list[list[str]]:
    """Other fields that, together with `field_name`, must be unique on `model`."""
    groups = []
    for constraint in model._meta.constraints:
        fields = getattr(constraint, "fields", ())
        if (
            isinstance(constraint, models.UniqueConstraint)
            and field_name in fields
            and not constraint.condition
        ):
            groups.append([f for f in fields if f != field_name])
    for together in model._meta.unique_together:
        if field_name in together:
            groups.append([f for f in together if f != field_name])
    if model._meta.get_field(field_name).unique:
        groups.append([])
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
    for others in _unique_groups(model, name):
        if not others:  # one-to-one: the survivor's own row wins
            if manager.filter(**{name: survivor}).exists():
                mover.drop(rows)
            continue
        kept = set(manager.filter(**{name: survivor}).values_list(*others))
        clashing = [row[0] for row in rows.values_list("pk", *others) if tuple(row[1:]) in kept]
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


def _apply_choices(survivor: Contact, loser: Contact, choices: dict[str, str]) -> list[str]:
    """Take the loser's value where chosen (or where the survivor's is empty); keep the
    loser's other email/phone as the survivor's second one when that is free."""
    changed = []
    for f in mergeable_fields():
        mine, theirs = getattr(survivor, f.attname), getattr(loser, f.attname)
        take = choices.get(f.name) == "loser" or (
            f.name not in choices and _empty(mine) and not _empty(theirs)
        )
        if take and mine != theirs:
            setattr(survivor, f.attname, theirs)
            changed.append(f.name)
    for first, second in (("email", "email2"), ("phone", "mobile")):
        kept = {getattr(survivor, first), getattr(survivor, second)}
        for value in (getattr(loser, first), getattr(loser, second)):
            if value and value not in kept and _empty(getattr(survivor, second)):
                setattr(survivor, second, value)
                kept.add(value)
                changed.append(second)
    custom = {**(loser.custom or {}), **(survivor.custom or {})}
    if custom != survivor.custom:
        survivor.custom = custom
        changed.append("custom")
    if "email_opt_in" in changed:  # consent travels with its timestamp and source
        survivor.email_opt_in_at = loser.email_opt_in_at
        survivor.email_opt_in_source = loser.email_opt_in_source
    last = [d for d in (survivor.last_interaction_at, loser.last_interaction_at) if d]
    survivor.last_interaction_at = max(last) if last else None
    return sorted(set(changed))


@transaction.atomic
def contact_merge(
    *, workspace, actor, survivor: Contact, loser: Contact, choices: dict[str, str] | None = None
) -> Contact:
    """Merge `loser` into `survivor`. `choices` maps field name -> "survivor" | "loser".

    Transactional; both contacts must be in `workspace`. Records an `updated` event per moved
    row (the field now naming the survivor), a tombstone per dropped row and for the loser
    (`data` {"merged_into": survivor}), a `merged` change event on the survivor (with the
    loser's id and the counts moved) and a "contact.merged" touch point on its timeline."""
    if survivor.pk == loser.pk:
        raise ValidationError(_("A contact cannot be merged with itself."))
    for contact in (survivor, loser):
        if contact.workspace_id != workspace.pk:
            raise ValidationError(_("This contact belongs to another workspace."))
    survivor, loser = _lock_pair(workspace, survivor.pk, loser.pk)
    loser_label, loser_id = str(loser), loser.pk
    changed = _apply_choices(survivor, loser, choices or {})
    mover = _Mover(workspace, actor, survivor, loser)
    moved = move_relations(mover)
    lifecycle.on_contacts_merged.run(
        workspace=workspace, actor=actor, survivor=survivor, loser=loser
    )
    # the loser goes first so the survivor may take its email/phone without a clash
    mover.drop(Contact.objects.filter(pk=loser_id))
    survivor.full_clean(exclude=["workspace", "account", "owner"])
    survivor.save()
    change_record_rows(actor=actor, changes=mover.pending)
    change_record(
        workspace=workspace,
        actor=actor,
        instance=survivor,
        action=ChangeAction.MERGED,
        fields=changed,
        data={"loser_id": loser_id, "loser": loser_label, "moved": moved},
    )
    interaction_record(
        workspace=workspace,
        kind="contact.merged",
        channel=Channel.SYSTEM,
        direction=Direction.INTERNAL,
        contact=survivor,
        actor=actor,
        subject=_("Merged with %(name)s (#%(id)s)") % {"name": loser_label, "id": loser_id},
        data={"loser_id": loser_id, "moved": moved},
    )
    return survivor
