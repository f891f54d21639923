"""`migrate` as the tables' owner (README "Row-level security").

With DATABASE_MIGRATION_URL set, the command connects as that role (its user, password, host
and port; the database stays DATABASE_URL's), migrates, puts new workspace tables under
row-level security (the post_migrate handler) and grants DATABASE_URL's role, the
application's, its data rights. Without it, Django's `migrate` unchanged (SQLite, development).
"""

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from workspaces.db.policies import rls_grant

CREDENTIALS = ("USER", "PASSWORD", "HOST", "PORT")


class Command(DjangoMigrate):
    def handle(self, *args, **options):
        connection = connections[options["database"]]
        owner = connection.settings_dict.get("MIGRATION")
        if not owner:
            return super().handle(*args, **options)
        app_role = connection.settings_dict["USER"]
        saved = {key: connection.settings_dict[key] for key in CREDENTIALS}
        connection.close()
        connection.settings_dict.update({key: owner[key] for key in CREDENTIALS})
        try:
            super().handle(*args, **options)
            if app_role and app_role != owner["USER"]:
                rls_grant(app_role, connection)
                if options["verbosity"]:
                    self.stdout.write(f"Granted the application role {app_role} its rights.")
        finally:
            connection.close()
            connection.settings_dict.update(saved)
