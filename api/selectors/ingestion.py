"""Reads of the touch point ingestion: which events are stored already, which contacts the
sent references name. Each a few indexed queries for a whole batch."""

from collections.abc import Iterable

from contacts.emails import email_key
from contacts.models import Contact
from contacts.phones import try_normalize_phone
from touchpoints.models import Interaction

_CONTACT_COLUMNS = ("id", "workspace_id", "account_id", "external_id", "email_key", "email2_key")


def interaction_events_stored(*, workspace, pairs: Iterable[tuple[str, str]]) -> dict:
    """{(source_system, source_event_id): interaction id} of the given pairs stored in
    `workspace`. One query over the (workspace, source_system, source_event_id) index."""
    pairs = set(pairs)
    if not pairs:
        return {}
    rows = Interaction.objects.filter(
        workspace=workspace,
        source_system__in={system for system, _ in pairs},
        source_event_id__in={event for _, event in pairs},
    ).values_list("source_system", "source_event_id", "id")
    return {(s, e): pk for s, e, pk in rows if (s, e) in pairs}


def _first_by(queryset, column: str, values: set) -> dict:
    """{value: contact} for the values found in `column`; the oldest contact (lowest id)
    where several share one."""
    found: dict = {}
    if values:
        for contact in queryset.filter(**{f"{column}__in": values}).order_by("id"):
            found.setdefault(getattr(contact, column), contact)
    return found


def contacts_match(*, workspace, refs: list[dict]) -> list[Contact | None]:
    """The contact each reference names, in order (None: no contact). A reference is a dict
    with any of `external_id`, `email`, `phone`, tried in that order: the external id
    exactly, the email by its comparison form (contacts.emails.email_key) in the first and
    then the second address, the phone as E.164 (read with the workspace's country) in the
    phone and then the mobile. Erased contacts are not matched. The oldest contact wins
    where several share a value. At most six queries for any number of references."""
    contacts = Contact.objects.filter(workspace=workspace, erased_at__isnull=True).only(
        *_CONTACT_COLUMNS, "phone", "mobile"
    )
    external_ids = {str(r["external_id"]) for r in refs if r.get("external_id")}
    emails = {key for r in refs if r.get("email") and (key := email_key(r["email"]))}
    phones = {
        number
        for r in refs
        if r.get("phone") and (number := try_normalize_phone(str(r["phone"]), workspace.country))
    }
    by_external = _first_by(contacts, "external_id", external_ids)
    by_email = _first_by(contacts, "email_key", emails)
    by_email.update(_first_by(contacts, "email2_key", emails - set(by_email)))
    by_phone = _first_by(contacts, "phone", phones)
    by_phone.update(_first_by(contacts, "mobile", phones - set(by_phone)))
    out: list[Contact | None] = []
    for ref in refs:
        contact = None
        if ref.get("external_id"):
            contact = by_external.get(str(ref["external_id"]))
        if contact is None and ref.get("email"):
            contact = by_email.get(email_key(ref["email"]))
        if contact is None and ref.get("phone"):
            number = try_normalize_phone(str(ref["phone"]), workspace.country)
            contact = by_phone.get(number) if number else None
        out.append(contact)
    return out
