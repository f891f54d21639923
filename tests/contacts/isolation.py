"""Contact and account URLs with an object id (see tests/isolation.py)."""

from tests.contacts.factories import AccountFactory, ContactFactory, CustomFieldFactory
from tests.isolation import register


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


# Import, export, duplicates and merge URLs.
import tests.contacts.isolation_io  # noqa: E402, F401
