"""Erasing a contact's personal data on request (GDPR art. 17, "right to be forgotten").

The contact row stays as a faceless placeholder (`erased_at` set) so the history, reports and
the warehouse keep their counts and joins; everything that identifies the person goes: names,
email addresses, phone numbers, the address, date of birth and birthday, job title, custom
fields, consent sources, the external id, tags, and the free text (subject, body, details) of
its touch points, whose kind, channel and time stay. Apps remove what they hold through
`workspaces.lifecycle.on_contact_erased` (marketing: segment and list memberships; journeys:
active enrolments).
"""

from django.db import transaction
from django.utils import timezone

from touchpoints.models import Interaction
from workspaces import lifecycle
from workspaces.changelog import (
    ChangeAction,
    change_record,
    change_record_rows,
    delete_recorded,
    update_recorded,
)
from workspaces.service_checks import same_workspace_require

from ..models import Contact, ContactTag

# field -> the value it gets: everything personal about the person
ERASED_VALUES = {
    "salutation": "",
    "title": "",
    "first_name": "",
    "last_name": "",
    "email": "",
    "email2": "",
    "phone": "",
    "phone_extension": "",
    "mobile": "",
    "job_title": "",
    "street": "",
    "postal_code": "",
    "city": "",
    "region": "",
    "country": "",
    "account": None,
    "sex": "",
    "date_of_birth": None,
    "birthday_month": None,
    "birthday_day": None,
    "education": "",
    "preferred_channel": "",
    "language": "",
    "email_opt_in": False,
    "email_opt_in_at": None,
    "email_opt_in_source": "",
    "do_not_call": True,
    "do_not_mail": True,
    "custom": {},
    "external_id": "",
}


@transaction.atomic
def contact_erase(*, workspace, actor, contact: Contact) -> Contact:
    """Erase the personal data of `contact` (see the module's docstring) and return it with
    `erased_at` set. Transactional and idempotent (erasing again finds nothing left and sets
    no new time). The apps' `on_contact_erased` hooks run first, inside the transaction, while
    the contact still has its addresses (a hook that raises rolls the erasure back).

    Records: tombstones for the tag links, an `updated` event per touch point whose text was
    cleared, whatever the hooks record, and last an `updated` event on the contact naming the
    cleared fields with data {"erased": true} (the warehouse re-reads its row from it).
    Raises ValidationError for a contact of another workspace."""
    same_workspace_require(workspace=workspace, obj=contact, field="contact")
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    lifecycle.on_contact_erased.run(workspace=workspace, actor=actor, contact_id=contact.pk)
    pending: list = []
    delete_recorded(
        workspace=workspace,
        actor=actor,
        objs=ContactTag.objects.filter(workspace=workspace, contact=contact),
        pending=pending,
    )
    _interactions_clear(workspace, actor, contact, pending)
    fields = _fields_clear(contact)
    change_record_rows(actor=actor, changes=pending)
    if fields or contact.erased_at is None:
        if contact.erased_at is None:
            contact.erased_at = timezone.now()
            fields.append("erased_at")
        contact.save()
        change_record(
            workspace=workspace,
            actor=actor,
            instance=contact,
            action=ChangeAction.UPDATED,
            fields=fields,
            data={"erased": True},
        )
    return contact


def _interactions_clear(workspace, actor, contact: Contact, pending: list) -> None:
    """Clear subject, body and details of the contact's touch points that still have any."""
    with_text = Interaction.objects.filter(workspace=workspace, contact=contact).exclude(
        subject="", body="", data={}
    )
    ids = update_recorded(
        workspace=workspace,
        actor=actor,
        queryset=with_text,
        data={"erased": True},
        pending=pending,
        subject="",
        body="",
    )
    # `data` is also update_recorded's own argument (the event's details), so the field is
    # cleared here, on exactly the rows just recorded as updated
    Interaction.objects.filter(workspace=workspace, pk__in=ids).update(data={})


def _fields_clear(contact: Contact) -> list[str]:
    """Set every personal field to its erased value; the names of those that changed."""
    changed = []
    for name, value in ERASED_VALUES.items():
        attname = Contact._meta.get_field(name).attname
        current = getattr(contact, attname)
        if current != value:
            setattr(contact, name, value)
            changed.append(name)
    return sorted(changed)
