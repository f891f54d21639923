"""Bulk actions on selected contacts of the list page: assign an owner, add a tag, delete.
Each is one statement for all rows plus one change event per contact."""

from django.db import transaction
from django.utils import timezone

from workspaces import lifecycle
from workspaces.changelog import ChangeAction, change_record_many, delete_recorded

from ..models import Contact, ContactTag
from ._common import _raise_if, owner_check
from .tags import _tags_resolve

BULK_LIMIT = 5000  # ids per bulk action; the list page selects at most one page anyway


def _ids_in_workspace(workspace, contact_ids) -> list[int]:
    ids = [int(i) for i in list(contact_ids)[:BULK_LIMIT]]
    return list(
        Contact.objects.filter(workspace=workspace, pk__in=ids).values_list("pk", flat=True)
    )


@transaction.atomic
def contacts_bulk_assign_owner(*, workspace, actor, contact_ids, owner) -> int:
    """Give every contact in `contact_ids` (of this workspace; others are ignored) the owner
    `owner` (None clears it). One UPDATE; one change event per contact. Returns the count."""
    errors: dict = {}
    owner_check(workspace=workspace, owner=owner, errors=errors)
    _raise_if(errors)
    ids = _ids_in_workspace(workspace, contact_ids)
    Contact.objects.filter(workspace=workspace, pk__in=ids).update(
        owner=owner, updated_at=timezone.now()
    )
    change_record_many(
        workspace=workspace,
        actor=actor,
        model=Contact,
        object_ids=ids,
        action=ChangeAction.UPDATED,
        fields=["owner"],
    )
    return len(ids)


@transaction.atomic
def contacts_bulk_add_tag(*, workspace, actor, contact_ids, tag) -> int:
    """Add `tag` (a Tag or a name) to the contacts in `contact_ids`; contacts that have it
    already are left alone. Returns how many contacts got the tag."""
    tag = _tags_resolve(workspace=workspace, actor=actor, tags=[tag])[0]
    ids = _ids_in_workspace(workspace, contact_ids)
    having = set(
        ContactTag.objects.filter(workspace=workspace, tag=tag, contact_id__in=ids).values_list(
            "contact_id", flat=True
        )
    )
    new_ids = [pk for pk in ids if pk not in having]
    links = ContactTag.objects.bulk_create(
        [ContactTag(workspace=workspace, contact_id=pk, tag=tag) for pk in new_ids],
        batch_size=1000,
    )
    change_record_many(
        workspace=workspace,
        actor=actor,
        model=ContactTag,
        object_ids=[link.pk for link in links],
        action=ChangeAction.CREATED,
        fields=["contact", "tag"],
    )
    change_record_many(
        workspace=workspace,
        actor=actor,
        model=Contact,
        object_ids=new_ids,
        action=ChangeAction.UPDATED,
        fields=["tags"],
    )
    return len(new_ids)


@transaction.atomic
def contacts_bulk_delete(*, workspace, actor, contact_ids) -> int:
    """Delete the contacts in `contact_ids` (of this workspace) with their history. One
    tombstone per contact and per row deleted with it (touch points, tags, activities), an
    `updated` event per row that loses its reference (deals, leads). Returns the count."""
    ids = _ids_in_workspace(workspace, contact_ids)
    lifecycle.on_contacts_deleted.run(workspace=workspace, actor=actor, contact_ids=ids)
    delete_recorded(
        workspace=workspace,
        actor=actor,
        objs=Contact.objects.filter(workspace=workspace, pk__in=ids),
    )
    return len(ids)
