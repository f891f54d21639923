"""Seed the demo workspace `demo` with one user per role and each app's demo data.

Idempotent: running it again changes nothing that is already there. The demo's names
(pipelines, stages, lost reasons, subjects) are written in one language: `--language`, else
the demo owner's profile language, else LANGUAGE_CODE (English).
"""

import os

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from workspaces.languages import language_of
from workspaces.models import Workspace
from workspaces.registry import demo_seeders
from workspaces.roles import Role
from workspaces.scoping import workspace_scope
from workspaces.services import membership_add, workspace_create

DEMO_SLUG = "demo"
DEMO_PASSWORD = "demo-pass-2026"
DEMO_USERS = [
    ("owner@demo.example", "Olivia", "Owner", Role.OWNER),
    ("sales@demo.example", "Sam", "Seller", Role.SALES),
    ("marketing@demo.example", "Mia", "Marketer", Role.MARKETING),
    ("service@demo.example", "Sven", "Service", Role.SERVICE),
]


class Command(BaseCommand):
    help = "Create (or complete) the demo workspace 'demo' with one login per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--language",
            default="",
            help=f"Language of the demo's names ({', '.join(c for c, _n in settings.LANGUAGES)}); "
            f"default: the owner's profile language, else {settings.LANGUAGE_CODE}.",
        )

    def handle(self, *args, **options):
        language = options.get("language") or ""
        if language and language not in {code for code, _name in settings.LANGUAGES}:
            raise CommandError(f"Unknown language {language!r}.")
        owner = get_user_model().objects.filter(email=DEMO_USERS[0][0]).first()
        with translation.override(language or language_of(owner)):
            self._seed()

    def _seed(self):
        User = get_user_model()
        users = {}
        with transaction.atomic():
            for email, first, last, role in DEMO_USERS:
                user = User.objects.filter(email=email).first()
                if user is None:
                    user = User.objects.create_user(
                        email=email, password=DEMO_PASSWORD, first_name=first, last_name=last
                    )
                # demo logins work at once: their addresses count as verified
                EmailAddress.objects.update_or_create(
                    user=user, email=email, defaults={"primary": True, "verified": True}
                )
                users[role] = user
            workspace = Workspace.objects.filter(slug=DEMO_SLUG).first()
            if workspace is None:
                workspace = workspace_create(
                    name="Demo GmbH",
                    slug=DEMO_SLUG,
                    owner=users[Role.OWNER],
                    time_zone="Europe/Berlin",
                    currency="EUR",
                )
            with workspace_scope(workspace):
                for _email, _first, _last, role in DEMO_USERS:
                    membership_add(
                        workspace=workspace, actor=users[Role.OWNER], user=users[role], role=role
                    )
        with workspace_scope(workspace):
            for seeder in demo_seeders():
                seeder.seed(workspace, users, self.stdout)
        port = os.environ.get("PORT", "8000")
        self.stdout.write(
            self.style.SUCCESS(f"Demo workspace ready: http://127.0.0.1:{port}/w/{DEMO_SLUG}/")
        )
        self.stdout.write(f"Logins (password for all: {DEMO_PASSWORD}):")
        for email, _first, _last, role in DEMO_USERS:
            self.stdout.write(f"  {Role(role).label:<14} {email}")
