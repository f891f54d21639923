"""Shared set-up of the benchmark scripts: the dedicated PostgreSQL database and Django."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/crm_bench"
MAIN_SLUG = "bench"
OTHER_SLUG = "bench-other"
OWNER_EMAIL = "bench-owner@example.com"


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL


def ensure_database(url: str) -> None:
    """Create the benchmark database if it does not exist (connecting to "postgres")."""
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
            print(f"created database {name}")


def setup_django() -> None:
    """Point Django at the benchmark database. DEBUG=true only for the development defaults
    (static files, hosts); query logging is switched off again after set-up."""
    url = database_url()
    if not url.startswith("postgres"):
        sys.exit("The benchmark needs PostgreSQL: set BENCH_DATABASE_URL=postgres://…")
    ensure_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_site.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.conf import settings

    django.setup()
    settings.DEBUG = False  # no query log, no debug templates while measuring
