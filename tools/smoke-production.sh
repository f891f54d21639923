#!/usr/bin/env bash
# The production smoke test alone (tests/production/test_smoke.py): DEBUG off, collectstatic,
# gunicorn behind a TLS-terminating proxy header, PostgreSQL and Redis, log in, main pages.
# SMOKE_DATABASE_URL's role owns the tables and runs `migrate` (DATABASE_MIGRATION_URL); the
# installation connects as `<database>_app`, a role row-level security holds, and
# `manage.py rls_check` must pass on it.
# Needs PostgreSQL and Redis on 127.0.0.1 (`.ci/run` starts them). The database and Redis db
# below are the smoke test's own: dropped and flushed on every run.
#   SMOKE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/crm_smoke)
#   SMOKE_REDIS_URL    (default redis://127.0.0.1:6379/6)
# Extra arguments go to pytest (e.g. -x -vv).
set -euo pipefail
cd "$(dirname "$0")/.."
export PRODUCTION_SMOKE=1
export SMOKE_DATABASE_URL=${SMOKE_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/crm_smoke}
export SMOKE_REDIS_URL=${SMOKE_REDIS_URL:-redis://127.0.0.1:6379/6}
exec make test PYTEST_ARGS="-m production -p no:cacheprovider $*"
