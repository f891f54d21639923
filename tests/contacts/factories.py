"""Factories for contacts, accounts, tags and custom fields (one workspace per graph)."""

import factory

from contacts.models import Account, Contact, ContactTag, CustomField, Tag
from tests.factories import WorkspaceFactory, WorkspaceOwnedFactory


class AccountFactory(WorkspaceOwnedFactory):
    class Meta:
        model = Account

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Firma {n} GmbH")
    domain = factory.Sequence(lambda n: f"firma{n}.example")


class ContactFactory(WorkspaceOwnedFactory):
    class Meta:
        model = Contact

    workspace = factory.SubFactory(WorkspaceFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.Sequence(lambda n: f"contact{n}@example.com")


class TagFactory(WorkspaceOwnedFactory):
    class Meta:
        model = Tag

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"tag-{n}")


class ContactTagFactory(WorkspaceOwnedFactory):
    class Meta:
        model = ContactTag

    workspace = factory.SubFactory(WorkspaceFactory)
    contact = factory.SubFactory(ContactFactory, workspace=factory.SelfAttribute("..workspace"))
    tag = factory.SubFactory(TagFactory, workspace=factory.SelfAttribute("..workspace"))


class CustomFieldFactory(WorkspaceOwnedFactory):
    class Meta:
        model = CustomField

    workspace = factory.SubFactory(WorkspaceFactory)
    entity = "contact"
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.Sequence(lambda n: f"Field {n}")
    field_type = "text"
