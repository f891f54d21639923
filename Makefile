# The two commands: `make run` (demo on SQLite, eager tasks) and `make test`.
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT
# Links in mail (invitations) point at the port the demo serves, unless SITE_URL is set.
SITE_URL ?= http://127.0.0.1:$(PORT)
export SITE_URL
# Development defaults; production reads the real environment (see crm_site/settings.py).
DEV_ENV := DEBUG=true

.PHONY: run test lint format venv migrate seed messages clean

$(VENV)/.installed: pyproject.toml
	@interp=$$(tools/find-python.sh) || exit 1; \
	  echo "Using $$interp ($$($$interp -V))"; \
	  [ -x $(PY) ] || $$interp -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

venv: $(VENV)/.installed

migrate: venv
	@mkdir -p var
	$(DEV_ENV) $(PY) manage.py migrate --noinput

seed: migrate
	$(DEV_ENV) $(PY) manage.py seed_demo

# The periodic tasks (Celery beat's schedule) run next to the web server: without a broker
# nothing else would start scheduled campaigns, flag SLA breaches or decide A/B tests.
run: seed
	@echo "Serving the demo on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	@$(DEV_ENV) $(PY) manage.py run_periodic > var/periodic.log 2>&1 & periodic=$$!; \
	  trap 'kill $$periodic 2>/dev/null' EXIT INT TERM; \
	  $(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: venv
	$(DEV_ENV) $(PY) -m pytest $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache  # layering contracts in pyproject.toml

format: venv
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: venv
	$(DEV_ENV) $(PY) manage.py makemessages -l de --ignore=.venv --ignore=var
	$(DEV_ENV) $(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) var .pytest_cache

# Benchmarks on PostgreSQL through HTTP (bench/README.md "Running"): creates the benchmark
# database when missing, fills it with the dataset of bench/common.py (bench/generate.py, once:
# it tops up what is missing), then serves it with gunicorn under production settings and
# measures every scenario (bench/http_bench.py). SCALE=small is the same at 1/100 size.
#   make bench                 # full scale, BENCH_DATABASE_URL default .../crm_bench
#   make bench SCALE=small     # a few minutes; default .../crm_bench_small
#   make bench BENCH_ARGS="--match search"   # only some HTTP scenarios
SCALE ?= full
ifeq ($(SCALE),small)
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/crm_bench_small
else
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/crm_bench
endif
BENCH_GENERATE ?= bench/generate.py
.PHONY: bench
bench: venv
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) -c 'import sys; sys.path.insert(0, "."); from bench.common import database_url, ensure_database; ensure_database(database_url())'
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(DEV_ENV) nice $(PY) $(BENCH_GENERATE) --scale $(SCALE)
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/http_bench.py --scale $(SCALE) $(BENCH_ARGS)
