"""The 100,000-row import (bench/run.py's scenario) on a database of its own, as whatever
role DATABASE_URL names: with row-level security, the application role (COPY through the
staging tables of workspaces.db.staging) and DATABASE_MIGRATION_URL the owner.

    DATABASE_URL=postgres://app:…@127.0.0.1/crm_rls_bench \\
    DATABASE_MIGRATION_URL=postgres://owner@127.0.0.1/crm_rls_bench \\
        .venv/bin/python bench/rls_import.py

Migrates first (as the owner), then imports twice (first run, re-run) and prints the times.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings")


def main() -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    settings.DEBUG = False
    from django_scopes import scopes_disabled

    from bench.run import import_scenario

    with scopes_disabled():  # the set-up and clean-up; the import itself enters its scope
        import_scenario(None)


if __name__ == "__main__":
    main()
