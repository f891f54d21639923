"""Writes of tags and of the tag sets of contacts and accounts, and the save of a tagged
record together with its change event."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from workspaces.changelog import (
    ChangeAction,
    change_record,
    change_record_many,
    changed_fields,
    delete_recorded,
)

from ..models import Account, AccountTag, Contact, ContactTag, Tag

# The link model of each taggable model and the link's field pointing at the tagged record.
_TAG_LINKS = {Contact: (ContactTag, "contact"), Account: (AccountTag, "account")}


@transaction.atomic
def tag_get_or_create(*, workspace, actor, name: str) -> Tag:
    """The workspace's tag called `name` (case-insensitive), created when missing."""
    name = " ".join((name or "").split())[:50]
    if not name:
        raise ValidationError({"name": _("A tag needs a name.")})
    tag = Tag.objects.filter(workspace=workspace, name__iexact=name).first()
    if tag is None:
        tag = Tag(workspace=workspace, name=name)
        tag.full_clean(exclude=["workspace"])
        tag.save()
        change_record(
            workspace=workspace,
            actor=actor,
            instance=tag,
            action=ChangeAction.CREATED,
            fields=["name"],
        )
    return tag


def _tags_resolve(*, workspace, actor, tags) -> list[Tag]:
    out = []
    for tag in tags or ():
        if isinstance(tag, Tag):
            if tag.workspace_id != workspace.pk:
                raise ValidationError({"tags": _("This tag belongs to another workspace.")})
            out.append(tag)
        else:
            out.append(tag_get_or_create(workspace=workspace, actor=actor, name=str(tag)))
    return list({t.pk: t for t in out}.values())


def _tags_set(*, workspace, actor, instance, tags: list[Tag]) -> bool:
    """Make `tags` the exact tag set of `instance` (a contact or account); True if it changed.
    Each removed link gets a tombstone, each new one a `created` event."""
    link, field = _TAG_LINKS[type(instance)]
    links = link.objects.filter(workspace=workspace, **{field: instance})
    wanted = {t.pk for t in tags}
    current = set(links.values_list("tag_id", flat=True))
    if wanted == current:
        return False
    if current - wanted:
        delete_recorded(
            workspace=workspace, actor=actor, objs=links.filter(tag_id__in=current - wanted)
        )
    created = link.objects.bulk_create(
        [link(workspace=workspace, tag_id=pk, **{field: instance}) for pk in wanted - current]
    )
    change_record_many(
        workspace=workspace,
        actor=actor,
        model=link,
        object_ids=[row.pk for row in created],
        action=ChangeAction.CREATED,
        fields=[field, "tag"],
    )
    return True


def _create_tagged_recorded(*, workspace, actor, instance, tags, fields: list[str]) -> None:
    """Save a new `instance` with its `tags` and record its creation with the `fields` that
    were set (plus "tags" when it got any); its tag links are recorded after it."""
    instance.save()
    tag_list = _tags_resolve(workspace=workspace, actor=actor, tags=tags)
    change_record(
        workspace=workspace,
        actor=actor,
        instance=instance,
        action=ChangeAction.CREATED,
        fields=fields + (["tags"] if tag_list else []),
    )
    if tag_list:
        _tags_set(workspace=workspace, actor=actor, instance=instance, tags=tag_list)


def _update_tagged_recorded(*, workspace, actor, instance, before: dict, tags) -> None:
    """Save `instance` if it differs from its `before` snapshot, make `tags` (unless None) its
    exact tag set, and record the changed fields (no event when nothing changed)."""
    changed = changed_fields(before, instance)
    if changed:
        instance.save()
    if tags is not None:
        tag_list = _tags_resolve(workspace=workspace, actor=actor, tags=tags)
        if _tags_set(workspace=workspace, actor=actor, instance=instance, tags=tag_list):
            changed.append("tags")
    if changed:
        change_record(
            workspace=workspace,
            actor=actor,
            instance=instance,
            action=ChangeAction.UPDATED,
            fields=changed,
        )
