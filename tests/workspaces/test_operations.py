"""Operations: production settings refuse to start without their variables, `check --deploy`
is clean with them, health endpoints, and docker-compose.yml names real commands."""

import importlib
import os
import re
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import get_commands

BASE_DIR = Path(settings.BASE_DIR)
COMPOSE = BASE_DIR / "docker-compose.yml"


def production_env(tmp_path, **overrides):
    """The documented production variables (DEBUG unset), minus/plus `overrides`."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "crm_site.settings",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "crm.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        "EMAIL_URL": "smtp://mail.example.com:587",
        "SITE_URL": "https://crm.example.com",
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run_python(args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("variable", ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_a_required_variable(tmp_path, variable):
    result = run_python(
        ["-c", "import django; django.setup()"], production_env(tmp_path, **{variable: None})
    )
    assert result.returncode != 0
    assert f"environment variable {variable} is required" in result.stderr


def test_production_starts_with_the_documented_variables(tmp_path):
    result = run_python(["-c", "import django; django.setup()"], production_env(tmp_path))
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_the_documented_variables(tmp_path):
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_without_a_broker_tasks_run_eagerly_in_process(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "from crm_site.celery import app;"
        "print(settings.CELERY_TASK_ALWAYS_EAGER, app.conf.task_always_eager)"
    )
    result = run_python(["-c", code], production_env(tmp_path, CELERY_BROKER_URL=None))
    assert result.stdout.split() == ["True", "True"], result.stderr


def test_with_a_broker_tasks_are_queued(tmp_path):
    code = "import django; django.setup(); from crm_site.celery import app; print(app.conf.task_always_eager)"
    env = production_env(tmp_path, CELERY_BROKER_URL="redis://127.0.0.1:6379/0")
    assert run_python(["-c", code], env).stdout.strip() == "False"


# --- health ----------------------------------------------------------------------------
@pytest.mark.django_db
def test_healthz_answers_without_dependencies(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_checks_the_database(client, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


@pytest.mark.django_db
def test_readyz_is_503_when_the_broker_is_unreachable(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # the discard port: nothing listens
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["broker"].startswith("error")


@pytest.mark.worker
@pytest.mark.django_db
def test_readyz_reports_the_configured_broker(client, settings):
    settings.CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["broker"] == "ok"


# --- docker-compose.yml ------------------------------------------------------------------
def compose():
    return yaml.safe_load(COMPOSE.read_text())


def command_of(service) -> list[str]:
    command = service.get("command") or []
    return shlex.split(command) if isinstance(command, str) else [str(c) for c in command]


def test_compose_has_the_production_services():
    services = compose()["services"]
    assert {"web", "worker", "beat", "postgres", "redis"} <= set(services)
    assert services["postgres"]["image"].startswith("postgres:15")
    assert services["redis"]["image"].startswith("redis:7")


def test_compose_web_runs_gunicorn_on_the_wsgi_application():
    command = command_of(compose()["services"]["web"])
    assert command[0] == "gunicorn"
    module, _, attribute = command[1].partition(":")
    assert hasattr(importlib.import_module(module), attribute or "application")


@pytest.mark.parametrize("name", ["worker", "beat"])
def test_compose_celery_services_name_the_project_app(name):
    from celery import Celery
    from celery.app.utils import find_app

    command = command_of(compose()["services"][name])
    assert command[:4] == ["celery", "-A", "crm_site", name]
    assert isinstance(find_app("crm_site"), Celery)


def test_compose_worker_consumes_every_routed_queue():
    command = command_of(compose()["services"]["worker"])
    queues = set(command[command.index("-Q") + 1].split(","))
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert queues == routed | {settings.CELERY_TASK_DEFAULT_QUEUE}


def test_compose_manage_py_commands_exist():
    commands = get_commands()
    for name, service in compose()["services"].items():
        command = command_of(service)
        if "manage.py" in command:
            sub = command[command.index("manage.py") + 1]
            assert sub in commands, f"{name}: manage.py {sub} does not exist"


def test_compose_environment_names_only_variables_the_settings_read():
    read = set(
        re.findall(
            r"""env(?:\.\w+)?\(\s*["']([A-Z_]+)["']""",
            (BASE_DIR / "crm_site" / "settings.py").read_text(),
        )
    )
    read |= set(
        re.findall(
            r"""required\(\s*["']([A-Z_]+)["']""",
            (BASE_DIR / "crm_site" / "settings.py").read_text(),
        )
    )
    for name, service in compose()["services"].items():
        if name in ("postgres", "redis"):
            continue
        unknown = set(service.get("environment", {})) - read
        assert not unknown, f"{name}: settings do not read {sorted(unknown)}"


def test_dockerfile_starts_gunicorn_on_the_wsgi_application():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert re.search(r'CMD \["gunicorn", "crm_site\.wsgi:application"', dockerfile)
    assert "FROM python:3.12" in dockerfile
