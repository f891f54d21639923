"""The production path end to end: DEBUG off, `collectstatic` with the production storage,
gunicorn on loopback behind a TLS-terminating proxy (X-Forwarded-Proto: https), PostgreSQL and
Redis. The owner is made with `manage.py create_workspace` in the demo workspace (seeded), logs
in over HTTP as a browser would (CSRF token, Origin, secure cookies) and opens the main pages
and every static file they name.

Runs only with PRODUCTION_SMOKE=1 (`.ci/run` step 4, `tools/smoke-production.sh`). It owns its
database SMOKE_DATABASE_URL (dropped and created) and Redis database SMOKE_REDIS_URL (flushed).
"""

import http.client
import os
import re
import secrets
import socket
import subprocess
import sys
import time
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import environ
import psycopg
import pytest
import redis
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.production

BASE_DIR = Path(settings.BASE_DIR)
HOST = "crm.example.test"
ORIGIN = f"https://{HOST}"
EMAIL = "smoke-owner@example.test"
WORKSPACE = "demo"
START_SECONDS = 90  # an upper bound for gunicorn to answer, not a performance assertion
HASHED = re.compile(r"\.[0-9a-f]{12}\.[A-Za-z0-9]+$")
STATIC_REF = re.compile(r"""(?:src|href)=["'](/static/[^"'?#]+)""")


# --- the installation ---------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def fresh_database(url: str) -> None:
    """Drop and create the smoke database (its name comes from the URL)."""
    db = environ.Env.db_url_config(url)
    assert db["ENGINE"].endswith("postgresql"), "SMOKE_DATABASE_URL must be PostgreSQL"
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        name = psycopg.sql.Identifier(db["NAME"])
        conn.execute(psycopg.sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(psycopg.sql.SQL("CREATE DATABASE {}").format(name))


def application_role(url: str) -> str:
    """Create (or reset) the smoke database's application role: login, no superuser, no
    BYPASSRLS, owning nothing. Returns DATABASE_URL for it."""
    db = environ.Env.db_url_config(url)
    role, password = f"{db['NAME']}_app"[:63], secrets.token_urlsafe(16)
    with psycopg.connect(
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        user=db["USER"],
        password=db["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
        conn.execute(
            psycopg.sql.SQL(
                "{} ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
            ).format(
                psycopg.sql.SQL("ALTER" if exists else "CREATE"),
                psycopg.sql.Identifier(role),
                psycopg.sql.Literal(password),
            )
        )
    host = f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    return f"postgres://{role}:{password}@{host}/{db['NAME']}"


@pytest.fixture(scope="module")
def installation(tmp_path_factory):
    """A production installation (environment, migrated database, collected static files,
    the owner); yields the environment and the owner's password."""
    tmp = tmp_path_factory.mktemp("smoke")
    database_url = os.environ.get(
        "SMOKE_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/crm_smoke"
    )
    redis_url = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/6")
    fresh_database(database_url)
    # The application connects as a role the row-level security policies hold; `migrate`
    # runs as the owner (DATABASE_MIGRATION_URL) and grants it its rights.
    app_url = application_role(database_url)
    redis.Redis.from_url(redis_url).flushdb()
    env = {  # built from nothing: DEBUG=true of `make test` must not leak in
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "crm_site.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": ORIGIN,
        "DATABASE_URL": app_url,
        "DATABASE_MIGRATION_URL": database_url,
        "CELERY_BROKER_URL": redis_url,
        "CACHE_URL": redis_url,
        "EMAIL_URL": "smtp://127.0.0.1:25",  # nothing is sent: no worker consumes the queue
        "MEDIA_STORAGE": "filesystem",
        "MEDIA_ROOT": str(tmp / "media"),
        "STATIC_ROOT": str(tmp / "static"),
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    }
    password = secrets.token_urlsafe(16)

    def manage(*args, extra=None):
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=BASE_DIR, env={**env, **(extra or {})},
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip
        assert result.returncode == 0, f"manage.py {args[0]}:\n{result.stdout}\n{result.stderr}"
        return result

    manage("check", "--deploy", "--fail-level", "WARNING")
    manage("migrate", "--noinput")
    manage("collectstatic", "--noinput")
    manage("seed_demo")
    manage(
        "create_workspace", "--slug", WORKSPACE, "--owner", EMAIL,
        extra={"OWNER_PASSWORD": password},
    )  # fmt: skip
    # fence 4 holds on the installation, with its demo data (README "Row-level security")
    assert "Row-level security holds" in manage("rls_check").stdout
    # the cache is the shared Redis, not one per process
    manage("shell", "-c", "from django.core.cache import cache; cache.set('smoke', 'shared', 600)")
    assert redis.Redis.from_url(redis_url).exists(":1:smoke")
    return env, password, tmp


@pytest.fixture(scope="module")
def server(installation):
    """gunicorn serving the installation on a free loopback port; yields the port."""
    env, _password, tmp = installation
    port = free_port()
    log = tmp / "gunicorn.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "gunicorn", "crm_site.wsgi:application",
                f"--bind=127.0.0.1:{port}", "--workers=2", "--access-logfile=-",
                # gunicorn itself does not trust the proxy (as with one on another host): the
                # https scheme comes from Django's SECURE_PROXY_SSL_HEADER alone
                "--forwarded-allow-ips=192.0.2.1",
            ],
            cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if Browser(port).get("/healthz", proxy=False).status == 200:
                break
        except OSError:
            time.sleep(0.2)
    assert process.poll() is None, log.read_text()[-4000:]
    yield port, log
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- a browser behind the proxy -------------------------------------------------------------
class Response:
    def __init__(self, raw, body):
        self.status = raw.status
        self.headers = raw.headers
        self.body = body
        self.text = body.decode("utf-8", errors="replace")


class Browser:
    """HTTP to gunicorn as the TLS proxy forwards a browser's requests: Host, X-Forwarded-Proto
    https and the cookies a browser keeps (it sends Secure cookies, as it is on https)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}  # name -> Morsel as last set

    def request(self, method, path, *, body=None, headers=None, proxy=True) -> Response:
        sent = {"Host": HOST, **({"X-Forwarded-Proto": "https"} if proxy else {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{n}={m.value}" for n, m in self.cookies.items())
        sent.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=sent)
            raw = conn.getresponse()
            response = Response(raw, raw.read())
        finally:
            conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel
        return response

    def get(self, path, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path, fields, **kwargs) -> Response:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": ORIGIN,
            "Referer": ORIGIN + path,
        }
        return self.request("POST", path, body=urlencode(fields), headers=headers, **kwargs)


class FormParser(HTMLParser):
    """The inputs of the form that holds a password field: {name: value}."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._current = {"action": attrs.get("action") or "", "inputs": {}, "types": {}}
            self.forms.append(self._current)
        elif tag in ("input", "select", "textarea") and self._current and attrs.get("name"):
            self._current["inputs"][attrs["name"]] = attrs.get("value") or ""
            self._current["types"][attrs["name"]] = attrs.get("type", tag)

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def login_form(html: str) -> dict:
    parser = FormParser()
    parser.feed(html)
    return next(form for form in parser.forms if "password" in form["types"].values())


def log_in(browser, password) -> Response:
    """Log in through the login page, whichever login field it has (login/username/email)."""
    page = browser.get(reverse("login"))
    assert page.status == 200, page.text[:2000]
    form = login_form(page.text)
    user_field = next(name for name in ("login", "username", "email") if name in form["inputs"])
    password_field = next(n for n, t in form["types"].items() if t == "password")
    fields = {**form["inputs"], user_field: EMAIL, password_field: password}
    return browser.post_form(form["action"] or reverse("login"), fields)


def main_pages() -> list[str]:
    ws = {"ws": WORKSPACE}
    return [
        reverse("workspace_home", kwargs=ws),
        reverse("contacts:list", kwargs=ws),
        reverse("contacts:account_list", kwargs=ws),
        reverse("sales:leads", kwargs=ws),
        reverse("sales:deals", kwargs=ws),
        reverse("sales:board", kwargs=ws),
        reverse("sales:my_day", kwargs=ws),
        reverse("sales:calendar", kwargs=ws),
        reverse("sales:products", kwargs=ws),
        reverse("sales:quotes", kwargs=ws),
        reverse("sales:analysis_forecast", kwargs=ws),  # the analyses' first page
        reverse("sales:analysis_lost", kwargs=ws),
        reverse("members", kwargs=ws),
        "/admin/",
    ]


# --- the smoke test -------------------------------------------------------------------------
def test_production_smoke(installation, server):
    _env, password, _tmp = installation
    port, log = server
    browser = Browser(port)

    # health probes answer on plain HTTP; pages redirect plain HTTP to https
    assert browser.get("/healthz", proxy=False).status == 200
    ready = browser.get("/readyz", proxy=False)
    assert ready.status == 200, ready.text
    assert '"broker": "ok"' in ready.text and '"database": "ok"' in ready.text
    plain = browser.get(reverse("login"), proxy=False)
    assert plain.status == 301
    assert plain.headers["Location"].startswith(f"https://{HOST}/")

    # the login page sets a Secure CSRF cookie; a post without the form's token is refused
    assert browser.get(reverse("login")).status == 200
    assert browser.cookies[settings.CSRF_COOKIE_NAME]["secure"]
    refused = browser.post_form(reverse("login"), {"username": EMAIL, "password": password})
    assert refused.status == 403
    assert settings.SESSION_COOKIE_NAME not in browser.cookies

    logged_in = log_in(browser, password)
    assert logged_in.status == 302, logged_in.text[:3000]
    assert not urlsplit(logged_in.headers["Location"]).path.startswith(reverse("login"))
    session = browser.cookies[settings.SESSION_COOKIE_NAME]
    assert session["secure"] and session["httponly"]
    assert "max-age=" in (browser.get("/healthz").headers["Strict-Transport-Security"] or "")

    static = set()
    for path in main_pages():
        page = browser.get(path)
        assert page.status == 200, (
            f"{path}: {page.status}\n{page.text[:2000]}\n{log.read_text()[-3000:]}"
        )
        references = STATIC_REF.findall(page.text)
        assert references, f"{path} names no static file"
        for reference in references:
            assert HASHED.search(reference), f"{path}: {reference} is not a hashed name"
        static.update(references)

    missing = browser.get(reverse("contacts:detail", kwargs={"ws": WORKSPACE, "pk": 10**9}))
    assert missing.status == 404  # the error page renders with DEBUG off
    assert all(HASHED.search(ref) for ref in STATIC_REF.findall(missing.text))

    assert {Path(ref).suffix for ref in static} >= {".css", ".js"}
    for reference in sorted(static):
        served = browser.get(reference, headers={"Accept-Encoding": "gzip"})
        assert served.status == 200, reference
        assert "immutable" in served.headers["Cache-Control"], reference
        assert served.headers["Content-Encoding"] == "gzip", reference
    bootstrap_css = next(ref for ref in static if "/vendor/bootstrap.min." in ref)
    css = Browser(port).get(bootstrap_css).text
    source_map = re.search(r"sourceMappingURL=(\S+?)\s*\*/", css).group(1)
    assert HASHED.search(source_map)
    assert browser.get(bootstrap_css.rsplit("/", 1)[0] + "/" + source_map).status == 200
