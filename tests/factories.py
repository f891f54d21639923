"""Factories that keep an object graph inside one workspace."""

import functools

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from workspaces.models import Membership, Workspace
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

TEST_PASSWORD = "correct-horse-battery-staple"


def in_workspace_scope(builder):
    """Run a test builder that writes through services inside the scope of the workspace it
    builds in (its first argument), as a request or task would."""

    @functools.wraps(builder)
    def run(workspace, *args, **kwargs):
        with workspace_scope(workspace):
            return builder(workspace, *args, **kwargs)

    return run


class WorkspaceOwnedFactory(DjangoModelFactory):
    """Writes through `all_workspaces`: factories run outside any request scope."""

    class Meta:
        abstract = True

    @classmethod
    def _get_manager(cls, model_class):
        return model_class.all_workspaces


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()

    @factory.post_generation
    def email_verified(obj, create, extracted, **kwargs):
        """A usable account has a verified address; `UserFactory(email_verified=False)` makes
        one that has not been verified yet."""
        from allauth.account.models import EmailAddress

        if create:
            verified = True if extracted is None else bool(extracted)
            EmailAddress.objects.create(user=obj, email=obj.email, primary=True, verified=verified)


class WorkspaceFactory(DjangoModelFactory):
    class Meta:
        model = Workspace

    name = factory.Sequence(lambda n: f"Company {n}")
    slug = factory.Sequence(lambda n: f"company-{n}")
    # Phone numbers without a country code are German ones, as in a workspace made with the
    # time zone Europe/Berlin (workspace_create derives it; a factory sets it).
    country = "DE"


class MembershipFactory(WorkspaceOwnedFactory):
    class Meta:
        model = Membership

    workspace = factory.SubFactory(WorkspaceFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.OWNER
