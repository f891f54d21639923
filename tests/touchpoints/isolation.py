"""Customer history URLs with an object id (see tests/isolation.py)."""

from tests.contacts.factories import AccountFactory, ContactFactory
from tests.isolation import register


@register("touchpoints:contact_timeline")
def contact_timeline_in(workspace, user):
    contact = ContactFactory(workspace=workspace)
    return {"contact_id": contact.pk}, contact


@register("touchpoints:account_timeline")
def account_timeline_in(workspace, user):
    account = AccountFactory(workspace=workspace)
    return {"account_id": account.pk}, account
