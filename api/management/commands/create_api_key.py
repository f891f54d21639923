"""`manage.py create_api_key --workspace <slug> --name <name> [--role <role>] [--user <email>]`:
make an API key for an operator and print it (once; it is not stored)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from workspaces.models import Workspace
from workspaces.roles import Role
from workspaces.scoping import workspace_scope

from ...services.keys import api_key_create


class Command(BaseCommand):
    help = "Create an API key of a workspace and print it (it is shown only this once)."

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")
        parser.add_argument("--name", required=True, help="What uses the key.")
        parser.add_argument(
            "--role",
            default=Role.READONLY,
            choices=Role.values,
            help="The role the key acts with (default: readonly).",
        )
        parser.add_argument(
            "--user",
            default="",
            help="Email of the member the key acts as in the change log (its role limits the "
            "key's). Without it the key has no creator.",
        )

    def handle(self, *args, workspace, name, role, user, **options):
        found = Workspace.objects.filter(slug=workspace).first()
        if found is None:
            raise CommandError(f"No workspace with the slug {workspace!r}.")
        actor = None
        if user:
            actor = get_user_model().objects.filter(email__iexact=user).first()
            if actor is None:
                raise CommandError(f"No user with the email {user!r}.")
        with workspace_scope(found):
            try:
                api_key, key = api_key_create(workspace=found, actor=actor, name=name, role=role)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from None
        self.stderr.write(f"API key {api_key.prefix} ({api_key.get_role_display()}) of {found}:")
        self.stdout.write(key)
