"""Operations: production settings refuse to start without their variables (naming each, the
embeddable ones unless EMBEDDED=true says so in the log), `check --deploy` is clean with them,
`make run` links to the port it serves, health endpoints, and docker-compose.yml names real
commands."""

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
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",  # settings never connect at start
        "CACHE_URL": "redis://127.0.0.1:6379/14",
        "MEDIA_STORAGE": "filesystem",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def run_python(args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


ALWAYS_REQUIRED = ["SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "SITE_URL"]
EMBEDDABLE = ["CELERY_BROKER_URL", "EMAIL_URL", "CACHE_URL", "MEDIA_STORAGE"]
SETUP = ["-c", "import django; django.setup()"]


@pytest.mark.parametrize("variable", ALWAYS_REQUIRED + EMBEDDABLE)
def test_production_refuses_to_start_without_a_required_variable(tmp_path, variable):
    result = run_python(SETUP, production_env(tmp_path, **{variable: None}))
    assert result.returncode != 0
    assert f"environment variable {variable} is required" in result.stderr


def test_production_names_every_missing_variable_at_once(tmp_path):
    missing = dict.fromkeys(ALWAYS_REQUIRED + EMBEDDABLE)
    result = run_python(SETUP, production_env(tmp_path, **missing))
    assert result.returncode != 0
    for variable in ALWAYS_REQUIRED + EMBEDDABLE:
        assert f"environment variable {variable} is required" in result.stderr


@pytest.mark.parametrize("variable", EMBEDDABLE)
def test_refusal_of_an_embeddable_part_offers_embedded_mode(tmp_path, variable):
    result = run_python(SETUP, production_env(tmp_path, **{variable: None}))
    assert "EMBEDDED=true" in result.stderr


@pytest.mark.parametrize("variable", ALWAYS_REQUIRED)
def test_embedded_mode_does_not_excuse_the_core_variables(tmp_path, variable):
    result = run_python(SETUP, production_env(tmp_path, EMBEDDED="true", **{variable: None}))
    assert result.returncode != 0
    assert f"environment variable {variable} is required" in result.stderr


def test_embedded_mode_starts_and_logs_what_runs_embedded(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "from django.core.cache import caches; from django.core.files.storage import storages;"
        "from crm_site.celery import app;"
        "print(app.conf.task_always_eager, settings.MAILERS['default']['BACKEND'],"
        " type(caches['default']).__name__, type(storages['default']).__name__)"
    )
    result = run_python(
        ["-c", code], production_env(tmp_path, EMBEDDED="true", **dict.fromkeys(EMBEDDABLE))
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "True",
        "django.core.mail.backends.filebased.EmailBackend",
        "LocMemCache",
        "FileSystemStorage",
    ]
    warning = result.stderr
    assert "EMBEDDED=true" in warning
    for variable in EMBEDDABLE:
        assert f"{variable} is not set" in warning
    assert "run inside web requests" in warning


def test_embedded_mode_names_only_the_parts_missing(tmp_path):
    result = run_python(SETUP, production_env(tmp_path, EMBEDDED="true", EMAIL_URL=None))
    assert result.returncode == 0, result.stderr
    assert "EMAIL_URL is not set" in result.stderr
    for variable in ("CELERY_BROKER_URL", "CACHE_URL", "MEDIA_STORAGE"):
        assert variable not in result.stderr


def test_fully_configured_production_logs_nothing_embedded(tmp_path):
    result = run_python(SETUP, production_env(tmp_path, EMBEDDED="true"))
    assert result.returncode == 0, result.stderr
    assert "EMBEDDED" not in result.stderr


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"CACHE_URL": "locmemcache://"}, "CACHE_URL=locmemcache://"),
        ({"CACHE_URL": "dummycache://"}, "CACHE_URL=dummycache://"),
        ({"MEDIA_STORAGE": "ftp"}, "MEDIA_STORAGE=ftp is unknown"),
        ({"MEDIA_STORAGE": "s3"}, "environment variable S3_BUCKET is required"),
        ({"SITE_URL": "crm.example.com"}, "SITE_URL=crm.example.com is not an absolute URL"),
    ],
)
def test_production_refuses_a_wrong_value_naming_it(tmp_path, overrides, named):
    result = run_python(SETUP, production_env(tmp_path, **overrides))
    assert result.returncode != 0
    assert named in result.stderr


def test_production_starts_with_the_documented_variables(tmp_path):
    result = run_python(SETUP, production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


def test_check_deploy_is_clean_with_the_documented_variables(tmp_path):
    result = run_python(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_mail_links_use_site_url(tmp_path):
    code = (
        "import django; django.setup();"
        "from workspaces.models import Invitation; from workspaces.invitation_tokens import invitation_url;"
        "print(invitation_url(Invitation(pk=7, workspace_id=3)))"
    )
    result = run_python(["-c", code], production_env(tmp_path, SITE_URL="https://crm.example.com/"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("https://crm.example.com/invite/")


def _make_env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in ("SITE_URL", "PORT", "MAKEFLAGS")}
    env.update(extra)
    return env


def test_make_run_links_mail_to_the_port_it_serves():
    """`PORT=8080 make run`: the demo's settings (through the Makefile) link invitations to
    port 8080, as runserver serves."""
    script = (
        "import django; django.setup();"
        "from workspaces.models import Invitation; from workspaces.invitation_tokens import invitation_url;"
        "print(invitation_url(Invitation(pk=7, workspace_id=3)))"
    )
    probe = f"_probe: ; @$(DEV_ENV) $(PY) -c '{script}'"
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", f"--eval={probe}", "_probe"],
        cwd=BASE_DIR, env=_make_env(PORT="8080"), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("http://127.0.0.1:8080/invite/"), result.stdout


def test_make_keeps_a_site_url_that_is_set():
    probe = '_probe: ; @echo "$$SITE_URL"'
    result = subprocess.run(
        ["make", "-s", "--no-print-directory", f"--eval={probe}", "_probe"],
        cwd=BASE_DIR, env=_make_env(PORT="8080", SITE_URL="https://crm.example.com"),
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.stdout.strip() == "https://crm.example.com"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "('HTTP_X_FORWARDED_PROTO', 'https')"),
        ("X-Forwarded-Proto", "('HTTP_X_FORWARDED_PROTO', 'https')"),
        ("X-Scheme", "('HTTP_X_SCHEME', 'https')"),
        ("", "None"),
    ],
)
def test_proxy_ssl_header_comes_from_the_environment(tmp_path, value, expected):
    code = "import django; django.setup(); from django.conf import settings; print(settings.SECURE_PROXY_SSL_HEADER)"
    result = run_python(["-c", code], production_env(tmp_path, SECURE_PROXY_SSL_HEADER=value))
    assert result.stdout.strip() == expected, result.stderr


def test_without_a_broker_tasks_run_eagerly_in_process(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "from crm_site.celery import app;"
        "print(settings.CELERY_TASK_ALWAYS_EAGER, app.conf.task_always_eager)"
    )
    env = production_env(tmp_path, CELERY_BROKER_URL=None, EMBEDDED="true")
    assert run_python(["-c", code], env).stdout.split() == ["True", "True"]


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
            r"""env(?:\.\w+)?\(\s*["']([A-Z0-9_]+)["']""",
            (BASE_DIR / "crm_site" / "settings.py").read_text(),
        )
    )
    read |= set(
        re.findall(
            r"""(?:required|embeddable)\(\s*["']([A-Z0-9_]+)["']""",
            (BASE_DIR / "crm_site" / "settings.py").read_text(),
        )
    )
    for name, service in compose()["services"].items():
        if name in ("postgres", "redis"):
            continue
        unknown = set(service.get("environment", {})) - read
        assert not unknown, f"{name}: settings do not read {sorted(unknown)}"


def test_compose_sets_every_variable_production_requires():
    """`docker compose up` gets past the refusal: every app service sets each required variable
    (from the shell, a default, or `:?` that stops compose with a message)."""
    for name, service in compose()["services"].items():
        if name in ("postgres", "redis"):
            continue
        environment = service.get("environment", {})
        missing = set(ALWAYS_REQUIRED + EMBEDDABLE) - set(environment)
        assert not missing, f"{name}: {sorted(missing)}"
        assert "EMBEDDED" not in environment


def test_dockerfile_starts_gunicorn_on_the_wsgi_application():
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    assert re.search(r'CMD \["gunicorn", "crm_site\.wsgi:application"', dockerfile)
    assert "FROM python:3.12" in dockerfile
