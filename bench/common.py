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


# --- The dataset of `make bench` (issue 27) ------------------------------------------------
# bench/generate.py builds it, the HTTP benchmark reads it. Full size below; SCALE=small is
# 1/100 of every count (never below the floor in SMALL_FLOORS), so the same scenarios run in a
# few minutes. Counts are of the measured workspace (MAIN_SLUG) unless the key says "other".
OWNER_PASSWORD = "bench-password-1"
AGENT_EMAIL = "bench-agent@example.com"  # a service agent with open cases, a call-centre agent
TIMELINE_CONTACT_EMAIL = "timeline@bench.example"  # the contact with the long timeline
COMMON_SURNAME = "Müller"  # the commonest last name (about 1 % of contacts)
FULL_SIZES = {
    "contacts": 1_000_000,
    "accounts": 100_000,
    "interactions": 10_000_000,  # over two years, on all contacts
    "timeline_interactions": 10_000,  # on TIMELINE_CONTACT_EMAIL alone
    "leads": 200_000,
    "deals": 200_000,  # with stage history; most closed
    "open_deals": 5_000,  # of them, open in the default pipeline (the deal board)
    "cases": 300_000,
    "calls": 50_000,  # a week of calls
    "agents": 200,
    "queues": 10,
    "campaigns": 50,
    "deliveries": 1_000_000,  # over the campaigns
    "other_contacts": 100_000,  # the second workspace (OTHER_SLUG): every kind, at 1/10
}
SMALL_FLOORS = {"timeline_interactions": 1_000, "open_deals": 200, "agents": 20, "queues": 3}
SCALES = ("full", "small")


def sizes(scale: str = "full") -> dict[str, int]:
    """The dataset's row counts for `scale` ("full" or "small"): {kind: count}.

    Raises ValueError for another scale."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
    if scale == "full":
        return dict(FULL_SIZES)
    small = {k: max(v // 100, 1) for k, v in FULL_SIZES.items()}
    small["campaigns"] = FULL_SIZES["campaigns"]
    for key, floor in SMALL_FLOORS.items():
        small[key] = max(small[key], floor)
    return small
