"""Create a workspace and its owner from the shell (first start, closed sign-up, recovery).

    OWNER_PASSWORD=… manage.py create_workspace --slug acme --name "Acme GmbH" \\
        --owner admin@acme.example [--time-zone Europe/Berlin] [--currency EUR] [--country DE]

Idempotent: an existing user keeps their password, an existing workspace keeps its name and
settings, an existing membership keeps its role; what is missing is created. A new user's
password comes from OWNER_PASSWORD (so it never shows in the process list), or is asked for
twice on a terminal; it must pass the password validators. The user can log in at once: where
the account app verifies email addresses, the owner's address is marked verified.
"""

import getpass
import os
import sys

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from workspaces.models import Workspace
from workspaces.roles import Role
from workspaces.scoping import workspace_scope
from workspaces.services import membership_add, user_create, workspace_create

PASSWORD_VARIABLE = "OWNER_PASSWORD"


def _messages(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items())
    return " ".join(error.messages)


def mark_email_verified(user) -> None:
    """Mark the user's address verified where an account app keeps verification (allauth);
    nothing to do otherwise."""
    if not apps.is_installed("allauth.account"):
        return
    EmailAddress = apps.get_model("account", "EmailAddress")
    EmailAddress.objects.update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


class Command(BaseCommand):
    help = "Create a workspace and its owner (idempotent); the owner can log in at once."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True, help="The workspace's address: /w/<slug>/")
        parser.add_argument("--name", help="The workspace's name (needed when it is new)")
        parser.add_argument("--owner", required=True, help="The owner's email (the login)")
        parser.add_argument("--time-zone", default="UTC")
        parser.add_argument("--currency", default="EUR")
        parser.add_argument(
            "--country",
            default=None,
            help="ISO code (DE, US…) for phone numbers without a country code; default: the "
            "time zone's country; '' for none",
        )

    def handle(self, *args, slug, name, owner, time_zone, currency, country=None, **options):
        User = get_user_model()
        email = User.objects.normalize_email(owner).lower()
        user = User.objects.filter(email=email).first()
        workspace = Workspace.objects.filter(slug=slug).first()
        if workspace is None and not name:
            raise CommandError(f"The workspace '{slug}' does not exist: give --name to create it.")
        password = None if user is not None else self._new_password(email)
        try:
            with transaction.atomic():
                if user is None:
                    user = user_create(email=email, password=password)
                    self.stdout.write(f"Created the user {email}.")
                if workspace is None:
                    workspace = workspace_create(
                        name=name,
                        slug=slug,
                        owner=user,
                        time_zone=time_zone,
                        currency=currency,
                        country=country.upper() if country is not None else None,
                    )
                    self.stdout.write(f"Created the workspace {slug}.")
                with workspace_scope(workspace):  # a command works in the workspace it names
                    membership = membership_add(
                        workspace=workspace, actor=user, user=user, role=Role.OWNER
                    )
                mark_email_verified(user)
        except ValidationError as error:
            raise CommandError(_messages(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{email} is {Role(membership.role).label} of /w/{workspace.slug}/ "
                f"({workspace.name})."
            )
        )

    def _new_password(self, email: str) -> str:
        password = os.environ.get(PASSWORD_VARIABLE, "")
        if not password:
            if not sys.stdin.isatty():
                raise CommandError(
                    f"The user {email} is new: set {PASSWORD_VARIABLE} to their password "
                    "(or run this command on a terminal to be asked)."
                )
            password = getpass.getpass(f"Password for {email}: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The two passwords differ.")
        try:
            validate_password(password, get_user_model()(email=email))
        except ValidationError as error:
            raise CommandError(f"{PASSWORD_VARIABLE}: {' '.join(error.messages)}") from error
        return password
