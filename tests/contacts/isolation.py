"""Contact and account URLs with an object id (see tests/isolation.py)."""

from tests.contacts.factories import AccountFactory, ContactFactory, CustomFieldFactory
from tests.isolation import register, register_search


@register("contacts:detail", "contacts:edit", "contacts:delete")
def contact_in(workspace, user):
    contact = ContactFactory(workspace=workspace)
    return {"pk": contact.pk}, contact


@register("contacts:account_detail", "contacts:account_edit", "contacts:account_delete")
def account_in(workspace, user):
    account = AccountFactory(workspace=workspace)
    return {"pk": account.pk}, account


@register("contacts:custom_field_edit", "contacts:custom_field_delete")
def custom_field_in(workspace, user):
    field = CustomFieldFactory(workspace=workspace)
    return {"pk": field.pk}, field


@register_search("contacts:contact_pick")
def contact_named(workspace, user, name):
    return ContactFactory(workspace=workspace, last_name=name).pk, {}


@register_search("contacts:account_pick")
def account_named(workspace, user, name):
    return AccountFactory(workspace=workspace, name=name).pk, {}


# Import, export, duplicates and merge URLs.
import tests.contacts.isolation_io  # noqa: E402, F401
