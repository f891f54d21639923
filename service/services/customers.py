"""Finding the customer of an incoming message: the contact with that email address (either
of a contact's two addresses, compared by contacts.emails.email_key), else a new contact."""

from django.db.models import Q

from contacts.emails import email_key
from contacts.models import Contact
from contacts.services.contacts import contact_create


def contact_find_or_create(
    *, workspace, actor, email: str, first_name: str = "", last_name: str = "", phone: str = ""
) -> Contact:
    """The oldest contact of `workspace` with `email`, or a new contact with these details
    (ValidationError from contact_create for an unusable address). Names are only used for
    a new contact: an existing contact's data is never overwritten by what a sender typed."""
    key = email_key(email)
    if key:
        found = (
            Contact.objects.filter(workspace=workspace)
            .filter(Q(email_key=key) | Q(email2_key=key))
            .order_by("id")
            .first()
        )
        if found is not None:
            return found
    return contact_create(
        workspace=workspace,
        actor=actor,
        email=email,
        first_name=first_name,
        last_name=last_name,
        phone=phone,
    )
