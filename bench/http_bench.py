"""`make bench`: every scenario of the benchmark through real HTTP, as users and peers measure.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench \
        .venv/bin/python bench/http_bench.py --scale full|small [--port N] [--seconds S]
        [--users 1,16] [--match WORD] [--skip-work]

Needs the dataset of bench/common.py in BENCH_DATABASE_URL (bench/generate.py --scale …; `make
bench` runs both). BENCH_DATABASE_URL's role must be a superuser that owns the tables (the
generator's); it stays the owner. The run, in order:

1. Installs as production does (tests/production/test_smoke.py): the application role
   `<database>_app` (login, no superuser, no BYPASSRLS, owning nothing; created or reset),
   `manage.py migrate` as the owner (DATABASE_MIGRATION_URL), which grants the application role
   its rights; the operator's trigram-search step of README "Row-level security" (ALTER
   FUNCTION … LEAKPROOF, as the superuser; printed when done); `collectstatic`; `rls_check`.
   DEBUG off, SECRET_KEY and ALLOWED_HOSTS set, the Redis cache and broker BENCH_REDIS_URL
   (default redis://127.0.0.1:6379/8, flushed at the start: the bench's own database).
2. Serves bench/http_wsgi.py (the project's WSGI app, wrapped only to count SQL statements per
   request into a response header) with gunicorn, 2 sync workers, on 127.0.0.1 only, connected
   as the application role under row-level security. Every request carries the Host of
   ALLOWED_HOSTS and X-Forwarded-Proto: https, as from a TLS-terminating proxy.
3. Logs in through the login form once as the owner (OWNER_EMAIL) and once as the agent
   (AGENT_EMAIL; the dataset gives both OWNER_PASSWORD) and reuses the session cookies.
4. Looks up its samples in the database by the conventions of bench/common.py (no ids are
   written here) and runs each HTTP scenario with 1 and with 16 closed-loop users
   (bench/loadgen.py, aiohttp) for a fixed duration: median, p95, p99, max, req/s, status
   codes, statements per request (median), the gunicorn workers' peak memory (VmHWM from
   /proc, reset before each run), their CPU time, and the client's CPU.
5. Stops the server and runs the "work" scenarios as subprocesses: the campaign send
   (bench/marketing_send.py), the warehouse export of the dataset's interactions (`manage.py
   export_warehouse --workspace <MAIN_SLUG> --table fact_interactions --full` as production
   runs it; wall time and peak RSS) and the import (bench/import_scale.py, when it exists).
6. Compares each scenario with its target (TARGETS, issue 27's table) and writes
   bench/results/latest.json and bench/results/<date>-http-<scale>.md, and prints the table.

Exit status 1 when a scenario failed (HTTP errors, a subprocess that failed); missed targets
and scenarios without data ("not run: …") do not fail the run.
"""

import argparse
import contextlib
import dataclasses
import datetime
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loadgen  # noqa: E402
from bench.common import (  # noqa: E402
    AGENT_EMAIL,
    COMMON_SURNAME,
    MAIN_SLUG,
    OTHER_SLUG,
    OWNER_EMAIL,
    OWNER_PASSWORD,
    ROOT,
    TIMELINE_CONTACT_EMAIL,
    database_url,
    ensure_database,
    sizes,
)

HOST = "crm.bench.test"
ORIGIN = f"https://{HOST}"
RESULTS = ROOT / "bench" / "results"
DEEP_PAGES = 50
# Timed seconds per run (per user) and the cap on timed requests per run, by scale.
RUN_SECONDS = {"full": 20.0, "small": 4.0}
MAX_REQUESTS = {"full": 5_000, "small": 1_000}
RECIPIENTS = {"full": 100_000, "small": 1_000}
IMPORT_ROWS = {"full": (1_000_000, 100_000), "small": (10_000, 1_000)}


# --- targets (issue 27, "Targets": 2 cores, PostgreSQL 15, p95 unless said) ---------------------
@dataclass(frozen=True)
class Check:
    """One condition of a target: `metric` of the run with `users` users (None: the figures of
    a work scenario) compared with `limit` by `op` ("<=" or ">=")."""

    metric: str
    op: str
    limit: float
    users: int | None = 1


@dataclass(frozen=True)
class Target:
    """A scenario's target as the issue words it, and the checks that decide it."""

    text: str
    checks: tuple[Check, ...] = field(default_factory=tuple)


LIST_16 = (Check("req_per_s", ">=", 60, users=16), Check("p95_ms", "<=", 300, users=16))
P95_50 = Target("p95 ≤ 50 ms", (Check("p95_ms", "<=", 50),))
P95_100 = Target("p95 ≤ 100 ms", (Check("p95_ms", "<=", 100),))
TARGETS: dict[str, Target] = {
    "contacts_page1": Target(
        "p95 ≤ 50 ms; 16 users ≥ 60 req/s, p95 ≤ 300 ms", (Check("p95_ms", "<=", 50), *LIST_16)
    ),
    "contacts_deep": Target(
        "p95 ≤ 50 ms, median ≤ 1.1× page 1; 16 users ≥ 60 req/s, p95 ≤ 300 ms",
        (Check("p95_ms", "<=", 50), Check("median_ratio_to_page1", "<=", 1.1), *LIST_16),
    ),
    "search_name": P95_50,
    "search_email": P95_50,
    "search_phone": P95_50,
    "search_common_surname": P95_50,
    "search_lead": P95_50,
    "search_deal": P95_50,
    "contact_timeline": P95_50,
    "deal_board": P95_100,
    "agent_home": P95_100,
    "case_page": P95_100,
    "wallboard": P95_100,
    "wallboard_fragment": P95_100,
    "segment_count": P95_100,
    # Work scenarios: the times over the full volume as rates, so that the small scale
    # is judged by the same measure (fixed start-up costs weigh more there).
    "campaign_send": Target(
        "≥ 2,000 msg/s, 2 workers, memory flat",
        (Check("messages_per_s", ">=", 2000, users=None),),
    ),
    "warehouse_export": Target(
        "10M rows ≤ 30 s (≥ 333,333 rows/s), memory flat",
        (Check("rows_per_s", ">=", 10_000_000 / 30, users=None),),
    ),
    "import_large": Target(
        "1M rows ≤ 60 s (≥ 16,667 rows/s)",
        (Check("first_rows_per_s", ">=", 1_000_000 / 60, users=None),),
    ),
    "import_small": Target("≤ 2× the floor", (Check("ratio_to_floor", "<=", 2, users=None),)),
}


def check_passes(value: float, op: str, limit: float) -> bool:
    """Whether `value` `op` `limit` holds ("<=" or ">="). Raises ValueError for another op."""
    if op == "<=":
        return value <= limit
    if op == ">=":
        return value >= limit
    raise ValueError(f"unknown comparison {op!r}")


def verdict(target: Target | None, result: dict) -> tuple[str, list[str]]:
    """Decide a scenario: ("met" | "missed" | "error" | "not run" | "no target", reasons).

    `result` is one scenario's entry of latest.json: {"runs": {"1": figures, "16": …}} for an
    HTTP scenario, {"figures": {…}} for a work scenario, "not_run": reason when it did not run,
    "error": message when it failed. HTTP runs with any error answer are "error". A check whose
    metric is missing (a run not made, a figure the script did not report) makes no verdict on
    its own: the scenario is "met" only when at least one check was decided and none missed."""
    if result.get("not_run"):
        return "not run", [result["not_run"]]
    if result.get("error"):
        return "error", [result["error"]]
    runs = result.get("runs") or {}
    failing = [
        f"{users} users: {fig['errors']} errors" for users, fig in runs.items() if fig["errors"]
    ]
    if failing:
        return "error", failing
    if target is None or not target.checks:
        return "no target", []
    decided, missed = 0, []
    for check in target.checks:
        figures = result.get("figures") if check.users is None else runs.get(str(check.users))
        value = (figures or {}).get(check.metric)
        if value is None:
            continue
        decided += 1
        if not check_passes(value, check.op, check.limit):
            who = "" if check.users is None else f"{check.users} user{'s' * (check.users > 1)}: "
            missed.append(f"{who}{check.metric} {value:g} (target {check.op} {check.limit:g})")
    if missed:
        return "missed", missed
    return ("met", []) if decided else ("no target", ["no figure to compare"])


# --- the installation -----------------------------------------------------------------------
def owner_connection(url: str):
    """psycopg connection (autocommit) as BENCH_DATABASE_URL's role: the tables' owner and a
    superuser, which is not held by row-level security (samples, counts, the operator's step)."""
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


def application_role(url: str) -> str:
    """Create or reset `<database>_app` (login, no superuser, no BYPASSRLS, owning nothing; a
    new random password). Returns DATABASE_URL for it."""
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    role, password = f"{name}_app"[:63], secrets.token_urlsafe(16)
    with owner_connection(url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role]).fetchone()
        conn.execute(
            sql.SQL(
                "{} ROLE {} LOGIN PASSWORD {} NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE"
            ).format(
                sql.SQL("ALTER" if exists else "CREATE"),
                sql.Identifier(role),
                sql.Literal(password),
            )
        )
    host = f"{parts.hostname or '127.0.0.1'}:{parts.port or 5432}"
    return f"postgres://{role}:{password}@{host}/{name}"


LEAKPROOF = (
    "ALTER FUNCTION pg_catalog.upper(text) LEAKPROOF",
    "ALTER FUNCTION pg_catalog.textlike(text, text) LEAKPROOF",
)


def operator_step(url: str) -> None:
    """README "Row-level security": the trigram-search step an operator runs as a superuser."""
    with owner_connection(url) as conn:
        user = conn.execute("SELECT current_user").fetchone()[0]
        for statement in LEAKPROOF:
            conn.execute(statement)
    print(f"operator step (README 'Row-level security'), as the superuser {user}:")
    for statement in LEAKPROOF:
        print(f"  {statement};")


def production_env(url: str, app_url: str, redis_url: str, tmp: Path, port: int) -> dict:
    """The environment of a production installation (built from nothing, as the smoke test
    does: DEBUG=true of a developer's shell must not leak in)."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp),
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "crm_site.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": ORIGIN,
        "DATABASE_URL": app_url,
        "DATABASE_MIGRATION_URL": url,
        "CELERY_BROKER_URL": redis_url,
        "CACHE_URL": redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{port + 1}",  # nothing is sent: no worker runs
        "MEDIA_STORAGE": "filesystem",
        "MEDIA_ROOT": str(tmp / "media"),
        "STATIC_ROOT": str(tmp / "static"),
        "WAREHOUSE_URL": f"parquet:///{tmp / 'warehouse'}",  # the target is to Parquet
        "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
    }


def manage(env: dict, *args: str, timeout: float = 1800) -> str:
    """Run manage.py with `env`; returns its stdout. Exits the harness when it fails."""
    done = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=timeout,
    )  # fmt: skip
    if done.returncode:
        sys.exit(
            f"manage.py {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done.stdout


# --- the server and its workers ---------------------------------------------------------------
class Server:
    """gunicorn serving bench/http_wsgi.py on 127.0.0.1:`port` with 2 sync workers."""

    def __init__(self, env: dict, port: int, log: Path, workers: int = 2):
        self.port, self.log, self.count = port, log, workers
        with log.open("w") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable, "-m", "gunicorn", "bench.http_wsgi:application",
                    f"--bind=127.0.0.1:{port}", f"--workers={workers}", "--worker-class=sync",
                    "--timeout=120",
                    # the proxy is not trusted by gunicorn (as one on another host): the https
                    # scheme comes from Django's SECURE_PROXY_SSL_HEADER alone
                    "--forwarded-allow-ips=192.0.2.1",
                ],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
            )  # fmt: skip

    def wait(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            with contextlib.suppress(OSError):
                healthy = Browser(self.port).get("/healthz", proxy=False).status == 200
                if healthy and len(self.workers()) >= self.count:
                    return
            time.sleep(0.3)
        self.stop()
        sys.exit(f"gunicorn did not answer on port {self.port}:\n{self.log.read_text()[-4000:]}")

    def workers(self) -> list[int]:
        """The worker processes' ids (the master's children)."""
        pid = self.process.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children]

    def reset_peaks(self) -> None:
        """Reset the workers' VmHWM (writing 5 to clear_refs; Linux 4.0+, our own processes)."""
        for pid in self.workers():
            with contextlib.suppress(OSError):
                Path(f"/proc/{pid}/clear_refs").write_text("5")

    def peak_kib(self) -> int:
        """The largest VmHWM (KiB) of the workers now."""
        peaks = [0]
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
            peaks.append(int(found.group(1)) if found else 0)
        return max(peaks)

    def cpu_seconds(self) -> float:
        """User + system CPU seconds of the workers so far."""
        total, tick = 0.0, os.sysconf("SC_CLK_TCK")
        for pid in self.workers():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
        return total

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Response:
    def __init__(self, raw, body):
        self.status, self.headers, self.body = raw.status, raw.headers, body
        self.text = body.decode("utf-8", errors="replace")


class Browser:
    """HTTP to gunicorn as a TLS proxy forwards a browser's requests (Host, X-Forwarded-Proto:
    https) with the cookies the browser keeps; used to log in and to find the scenarios' URLs."""

    def __init__(self, port: int):
        self.port, self.cookies = port, {}

    def headers(self, extra: dict | None = None, proxy: bool = True) -> dict:
        sent = {"Host": HOST, **({"X-Forwarded-Proto": "https"} if proxy else {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{n}={v}" for n, v in self.cookies.items())
        return {**sent, **(extra or {})}

    def request(self, method, path, *, body=None, headers=None, proxy=True) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            conn.request(method, path, body=body, headers=self.headers(headers, proxy))
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
                    self.cookies[name] = morsel.value
        return response

    def get(self, path, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post_form(self, path, fields, headers=None) -> Response:
        sent = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": ORIGIN,
            "Referer": ORIGIN + path,
            **(headers or {}),
        }
        return self.request("POST", path, body=urlencode(fields), headers=sent)


class FormParser(HTMLParser):
    """The forms of a page: [{"action", "inputs" {name: value}, "types" {name: type}}]."""

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


LOGIN_PATH = "/accounts/login/"


def verified_addresses(conn, emails: list[str]) -> list[str]:
    """Mark the bench users' addresses verified (allauth's EmailAddress), as an installation's
    users are, so that logging in does not stop at the e-mail confirmation. Returns the
    addresses it had to add or verify (the generator may already have done it)."""
    fixed = []
    for email in emails:
        added = conn.execute(
            'INSERT INTO account_emailaddress (user_id, email, verified, "primary") '
            "SELECT u.id, u.email, true, true FROM workspaces_user u WHERE lower(u.email) = "
            "lower(%s) AND NOT EXISTS (SELECT 1 FROM account_emailaddress e WHERE e.user_id = "
            "u.id AND lower(e.email) = lower(u.email))",
            [email],
        ).rowcount
        verified = conn.execute(
            "UPDATE account_emailaddress SET verified = true WHERE lower(email) = lower(%s) "
            "AND NOT verified",
            [email],
        ).rowcount
        if added or verified:
            fixed.append(email)
    return fixed


def log_in(port: int, email: str, password: str) -> Browser:
    """A browser logged in through the login form (CSRF token, Origin). Raises RuntimeError
    when the form does not log in."""
    browser = Browser(port)
    page = browser.get(LOGIN_PATH)
    if page.status != 200:
        raise RuntimeError(f"login page: HTTP {page.status}")
    parser = FormParser()
    parser.feed(page.text)
    form = next(f for f in parser.forms if "password" in f["types"].values())
    user_field = next(n for n in ("login", "username", "email") if n in form["inputs"])
    password_field = next(n for n, t in form["types"].items() if t == "password")
    fields = {**form["inputs"], user_field: email, password_field: password}
    answer = browser.post_form(form["action"] or LOGIN_PATH, fields)
    location = answer.headers.get("Location") or ""
    if answer.status != 302 or urlsplit(location).path.startswith(LOGIN_PATH):
        raise RuntimeError(f"{email} could not log in (HTTP {answer.status})")
    if "sessionid" not in browser.cookies:
        raise RuntimeError(f"{email}: no session cookie after logging in")
    return browser


# --- the dataset --------------------------------------------------------------------------
COUNTED = {  # dataset kind -> table (counted in the measured workspace when the table exists)
    "contacts": "contacts_contact",
    "accounts": "contacts_account",
    "interactions": "touchpoints_interaction",
    "leads": "sales_lead",
    "deals": "sales_deal",
    "cases": "service_case",
    "calls": "callcentre_call",
    "campaigns": "marketing_campaign",
    "deliveries": "marketing_delivery",
}


def dataset_counts(conn, main_id: int, other_id: int | None) -> dict[str, int]:
    """Rows per kind in the measured workspace, plus "other_contacts"."""
    counts = {}
    for kind, table in COUNTED.items():
        if conn.execute("SELECT to_regclass(%s)", [table]).fetchone()[0] is None:
            continue
        counts[kind] = conn.execute(
            f"SELECT count(*) FROM {table} WHERE workspace_id = %s",  # noqa: S608
            [main_id],
        ).fetchone()[0]
    if other_id is not None:
        counts["other_contacts"] = conn.execute(
            "SELECT count(*) FROM contacts_contact WHERE workspace_id = %s", [other_id]
        ).fetchone()[0]
    return counts


def middle_row(conn, sql: str, params: list, total: int):
    """The row of `sql` (ordered, without LIMIT) in the middle of `total` rows, or None."""
    return conn.execute(f"{sql} LIMIT 1 OFFSET %s", [*params, max(total // 2, 0)]).fetchone()


def national(phone: str) -> str:
    """+4930123456 -> "030 123456" (as a German user types it); other numbers as stored."""
    if not phone.startswith("+49"):
        return phone
    local = "0" + phone.removeprefix("+49")
    return f"{local[:3]} {local[3:]}"


@dataclass
class Scenario:
    """One HTTP scenario: its key (TARGETS), label, who sends it ("owner"/"agent") and the
    request (without the session headers, added when it runs); or why it cannot run."""

    key: str
    label: str
    request: loadgen.Request | None = None
    who: str = "owner"
    not_run: str = ""
    error: str = ""


def url(path: str, **query) -> str:
    return f"/w/{MAIN_SLUG}/{path}" + (f"?{urlencode(query)}" if query else "")


def build_scenarios(conn, main_id: int, counts: dict, browsers: dict) -> list[Scenario]:
    """The HTTP scenarios with their URLs, from samples looked up in the database."""
    owner = browsers["owner"]
    out = [
        Scenario("contacts_page1", "contact list, page 1", loadgen.Request("GET", url("contacts/")))
    ]

    # 50 pages deep: follow the keyset "next" link once, then time that URL
    path, followed = url("contacts/"), 0
    for _ in range(DEEP_PAGES):
        page = owner.get(path)
        found = re.search(r'href="([^"]+)"[^>]*data-testid="next-page"', page.text)
        if page.status != 200 or not found:
            break
        path = found.group(1).replace("&amp;", "&")
        if path.startswith("?"):
            path = url("contacts/") + path
        followed += 1
    if followed == DEEP_PAGES:
        out.append(
            Scenario(
                "contacts_deep",
                f"contact list, {DEEP_PAGES} pages deep",
                loadgen.Request("GET", path),
            )
        )
    else:
        out.append(
            Scenario(
                "contacts_deep",
                f"contact list, {DEEP_PAGES} pages deep",
                not_run=f"only {followed} next links",
            )
        )

    contact = middle_row(
        conn,
        "SELECT first_name, last_name, email, phone FROM contacts_contact WHERE workspace_id = %s "
        "AND email <> '' AND phone <> '' AND first_name <> '' AND last_name <> %s ORDER BY id",
        [main_id, COMMON_SURNAME],
        counts.get("contacts", 0),
    )
    search = url("search/")
    if contact:
        first, last, email, phone = contact
        out += [
            Scenario("search_name", "global search, contact by name", loadgen.Request("GET", url("search/", q=f"{first} {last}"))),
            Scenario("search_email", "global search, contact by email", loadgen.Request("GET", url("search/", q=email))),
            Scenario("search_phone", "global search, contact by phone", loadgen.Request("GET", url("search/", q=national(phone)))),
        ]  # fmt: skip
    else:
        out += [Scenario(k, f"global search, contact by {k[7:]}", not_run="no contact with name, email and phone") for k in ("search_name", "search_email", "search_phone")]  # fmt: skip
    out.append(Scenario("search_common_surname", f"global search, commonest surname ({COMMON_SURNAME})", loadgen.Request("GET", url("search/", q=COMMON_SURNAME))))  # fmt: skip
    lead = middle_row(
        conn,
        "SELECT first_name, last_name FROM sales_lead WHERE workspace_id = %s "
        "AND first_name <> '' AND last_name <> '' ORDER BY id",
        [main_id],
        counts.get("leads", 0),
    )
    out.append(
        Scenario("search_lead", "global search, lead by name", loadgen.Request("GET", url("search/", q=f"{lead[0]} {lead[1]}")))
        if lead else Scenario("search_lead", "global search, lead by name", not_run="no lead")
    )  # fmt: skip
    deal = middle_row(
        conn, "SELECT name FROM sales_deal WHERE workspace_id = %s AND name <> '' ORDER BY id",
        [main_id], counts.get("deals", 0),
    )  # fmt: skip
    out.append(
        Scenario("search_deal", "global search, deal by name", loadgen.Request("GET", url("search/", q=deal[0])))
        if deal else Scenario("search_deal", "global search, deal by name", not_run="no deal")
    )  # fmt: skip
    del search

    timeline = conn.execute(
        "SELECT c.id, (SELECT count(*) FROM touchpoints_interaction i WHERE i.workspace_id = "
        "c.workspace_id AND i.contact_id = c.id) FROM contacts_contact c "
        "WHERE c.workspace_id = %s AND c.email = %s",
        [main_id, TIMELINE_CONTACT_EMAIL],
    ).fetchone()
    label = "contact page with the long timeline"
    if timeline:
        label = f"contact page with {timeline[1]:,} interactions"
        out.append(
            Scenario(
                "contact_timeline", label, loadgen.Request("GET", url(f"contacts/{timeline[0]}/"))
            )
        )
    else:
        out.append(
            Scenario("contact_timeline", label, not_run=f"no contact {TIMELINE_CONTACT_EMAIL}")
        )

    open_deals = (
        conn.execute(
            "SELECT count(*) FROM sales_deal d JOIN sales_pipeline p ON p.id = d.pipeline_id "
            "JOIN sales_stage s ON s.id = d.stage_id WHERE d.workspace_id = %s AND p.is_default "
            "AND s.kind = 'open'",
            [main_id],
        ).fetchone()[0]
        if _columns_exist(conn)
        else None
    )
    board = "deal board (default pipeline" + (
        f", {open_deals:,} open deals)" if open_deals is not None else ")"
    )
    out.append(Scenario("deal_board", board, loadgen.Request("GET", url("sales/pipeline/"))))

    if "agent" in browsers:
        out.append(
            Scenario("agent_home", "agent home", loadgen.Request("GET", url("")), who="agent")
        )
    else:
        out.append(
            Scenario("agent_home", "agent home", not_run=browsers.get("agent_error", "no agent"))
        )

    case = conn.execute(
        "SELECT c.id FROM service_case c LEFT JOIN workspaces_user u ON u.id = c.assignee_id "
        "WHERE c.workspace_id = %s ORDER BY (u.email = %s) DESC NULLS LAST, c.id DESC LIMIT 1",
        [main_id, AGENT_EMAIL],
    ).fetchone()
    who = "agent" if "agent" in browsers else "owner"
    out.append(
        Scenario("case_page", "case page", loadgen.Request("GET", url(f"service/cases/{case[0]}/")), who=who)
        if case else Scenario("case_page", "case page", not_run="no case")
    )  # fmt: skip
    out.append(
        Scenario(
            "wallboard",
            "call-centre wallboard",
            loadgen.Request("GET", url("callcentre/wallboard/")),
        )
    )
    out.append(Scenario("wallboard_fragment", "wallboard, polled fragment", loadgen.Request("GET", url("callcentre/wallboard/board/"), {"HX-Request": "true"})))  # fmt: skip

    # the segment builder's live count, POSTed as its htmx does (bench/segments.py's form)
    from bench.segments import FORM

    builder = url("marketing/segments/new/")
    page = owner.get(builder)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    label = "3-rule segment live count (sex + age + education)"
    if page.status == 200 and token:
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "X-CSRFToken": token.group(1),
            "HX-Request": "true",
            "Origin": ORIGIN,
            "Referer": ORIGIN + builder,
        }
        preview = url("marketing/segments/preview/")
        answer = owner.request("POST", preview, body=urlencode(FORM), headers=headers)
        found = re.search(r'data-testid="count-matching">([^<]+)<', answer.text)
        if answer.status == 200 and found:
            label += f", {found.group(1).strip()} match"
            out.append(Scenario("segment_count", label, loadgen.Request("POST", preview, headers, urlencode(FORM).encode())))  # fmt: skip
        else:
            out.append(Scenario("segment_count", label, error=f"live count: HTTP {answer.status}, no count in the answer"))  # fmt: skip
    else:
        out.append(Scenario("segment_count", label, not_run=f"segment builder: HTTP {page.status}"))
    return out


def _columns_exist(conn) -> bool:
    found = conn.execute(
        "SELECT count(*) FROM information_schema.columns WHERE (table_name, column_name) IN "
        "(('sales_pipeline', 'is_default'), ('sales_stage', 'kind'))"
    ).fetchone()[0]
    return found == 2


# --- running ----------------------------------------------------------------------------------
def run_http(server: Server, scenario: Scenario, browsers: dict, users: list[int], seconds: float, max_requests: int) -> dict:  # fmt: skip
    """Each users' run of one HTTP scenario: {"runs": {str(users): figures}} with the worker
    figures added (peak_worker_mib, server_cpu_pct of one core)."""
    browser = browsers[scenario.who]
    request = loadgen.Request(
        scenario.request.method,
        scenario.request.path,
        browser.headers(scenario.request.headers),
        scenario.request.body,
    )
    base = f"http://127.0.0.1:{server.port}"
    runs = {}
    for n in users:
        server.reset_peaks()
        cpu0, wall0 = server.cpu_seconds(), time.perf_counter()
        figures = loadgen.run(base, request, users=n, seconds=seconds, max_requests=max_requests)
        wall = time.perf_counter() - wall0
        figures["peak_worker_mib"] = round(server.peak_kib() / 1024, 1)
        figures["server_cpu_pct"] = round(100 * (server.cpu_seconds() - cpu0) / wall, 1)
        figures["load_1m"] = round(os.getloadavg()[0], 2)
        runs[str(n)] = figures
        print(
            f"  {scenario.label}, {n} user{'s' * (n > 1)}: median {figures['median_ms']} ms, "
            f"p95 {figures['p95_ms']} ms, {figures['req_per_s']} req/s, "
            f"{figures['errors']} errors {figures['statuses']}, "
            f"{figures['queries_median']} queries, client CPU {figures['client_cpu_pct']} %",
            flush=True,
        )
    return {"runs": runs, "method": request.method, "path": request.path, "as": scenario.who}


def run_subprocess(command: list[str], env: dict, json_path: Path | None, timeout: float) -> dict:
    """Run a work scenario; {"figures": {…}, "wall_s", "peak_rss_mib", "output"} or {"error": …}.

    Figures come from the JSON file the script wrote (`json_path`); the wall time and the
    child's own peak RSS (ru_maxrss of wait4, MiB; its own children not included) are added."""
    log = Path(tempfile.mkstemp(prefix="bench-work-", suffix=".log")[1])
    started = time.perf_counter()
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # fmt: skip
    status = rusage = None
    while status is None:
        pid, code, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            status, rusage = os.waitstatus_to_exitcode(code), usage
            process.returncode = status
        elif time.perf_counter() - started > timeout:
            process.kill()
            process.wait()
            return {"error": f"timed out after {timeout:.0f} s", "output": log.read_text()[-2000:]}
        else:
            time.sleep(0.1)
    wall = time.perf_counter() - started
    output = log.read_text()
    log.unlink()
    if status:
        return {"error": f"exit status {status}", "output": output[-3000:]}
    figures = {}
    if json_path is not None:
        try:
            figures = json.loads(json_path.read_text())
        except (OSError, ValueError) as error:
            return {"error": f"no JSON figures: {error}", "output": output[-3000:]}
    return {
        "figures": figures,
        "wall_s": round(wall, 3),
        "peak_rss_mib": round(rusage.ru_maxrss / 1024, 1),
        "output": output[-1500:],
    }


def supports_json(script: Path) -> bool:
    done = subprocess.run([sys.executable, str(script), "--help"], cwd=ROOT, capture_output=True, text=True, timeout=120)  # fmt: skip
    return "--json" in done.stdout


def run_work(scale: str, env: dict, bench_env: dict, tmp: Path, main_count: int) -> dict[str, dict]:
    """The non-HTTP scenarios: {key: result} (see `verdict` for the shape)."""
    results: dict[str, dict] = {}

    send = ROOT / "bench" / "marketing_send.py"
    recipients = RECIPIENTS[scale]
    print(f"campaign send: {recipients:,} recipients, 2 workers", flush=True)
    if not supports_json(send):
        results["campaign_send"] = {"not_run": "bench/marketing_send.py has no --json"}
    else:
        out = tmp / "send.json"
        results["campaign_send"] = run_subprocess(
            [sys.executable, str(send), "--recipients", str(recipients), "--workers", "2", "--json", str(out)],
            bench_env, out, timeout=3600,
        )  # fmt: skip
    results["campaign_send"]["label"] = f"campaign send, {recipients:,} recipients, 2 workers"

    print("warehouse export of fact_interactions (--full)", flush=True)
    export = run_subprocess(
        [sys.executable, "manage.py", "export_warehouse", "--workspace", MAIN_SLUG, "--table", "fact_interactions", "--full"],
        env, None, timeout=3600,
    )  # fmt: skip
    if "error" not in export:
        found = re.search(r"fact_interactions\s+([\d,]+) rows\s+([\d.]+) s", export["output"])
        rows = int(found.group(1).replace(",", "")) if found else None
        export_s = float(found.group(2)) if found else None
        export["figures"] = {
            "rows": rows,
            "export_s": export_s,  # the command's own time for the table (no process start)
            "wall_s": export["wall_s"],  # manage.py from start to exit
            "rows_per_s": round(rows / export_s, 1) if rows and export_s else None,
            "peak_rss_mib": export["peak_rss_mib"],
        }
    results["warehouse_export"] = {**export, "label": "warehouse export, fact_interactions (full)"}

    script = ROOT / "bench" / "import_scale.py"
    for key, rows in zip(("import_large", "import_small"), IMPORT_ROWS[scale], strict=True):
        label = f"import of {rows:,} contacts (CSV, dedupe)"
        if not script.exists():
            results[key] = {"not_run": "missing: bench/import_scale.py", "label": label}
            continue
        print(label, flush=True)
        out = tmp / f"import-{rows}.json"
        result = run_subprocess(
            [sys.executable, str(script), "--rows", str(rows), "--json", str(out)], bench_env, out, timeout=3600
        )  # fmt: skip
        results[key] = {**result, "label": label}
    del main_count
    return results


# --- the report -------------------------------------------------------------------------------
def _ms(value) -> str:
    return "–" if value is None else f"{value:,.1f}"


def measured_text(entry: dict) -> str:
    """One line of what was measured, for the summary table."""
    if entry.get("not_run") or entry.get("error"):
        return "–"
    runs = entry.get("runs")
    if runs:
        parts = []
        one = runs.get("1")
        if one:
            parts.append(f"p95 {_ms(one['p95_ms'])} ms (median {_ms(one['median_ms'])})")
            if one.get("median_ratio_to_page1") is not None:
                parts.append(f"{one['median_ratio_to_page1']:.2f}× page 1")
        for users, fig in runs.items():
            if users != "1":
                parts.append(
                    f"{users} users: {fig['req_per_s']} req/s, p95 {_ms(fig['p95_ms'])} ms"
                )
        return "; ".join(parts)
    figures = entry.get("figures") or {}
    shown = [
        ("messages_per_s", "msg/s"), ("send_s", "s sending"), ("rows_per_s", "rows/s"),
        ("export_s", "s export"), ("first_rows_per_s", "rows/s"), ("first_wall_s", "s"),
        ("ratio_to_floor", "× floor"), ("worker_peak_mib_max", "MiB worker peak"),
        ("peak_rss_mib", "MiB peak RSS"),
    ]  # fmt: skip
    return ", ".join(f"{figures[k]:,g} {unit}" for k, unit in shown if figures.get(k) is not None)


def markdown(report: dict) -> str:
    """The results as markdown: a summary (target | measured | met) and the details."""
    env = report["environment"]
    lines = [
        f"# HTTP benchmark, {report['date']}, scale {report['scale']}",
        "",
        f"Commit {env['git_commit']}; {env['cpus']} CPUs; PostgreSQL {env['postgresql']}; "
        f"load average before {env['load_before']}, after {env['load_after']}; "
        f"gunicorn 2 sync workers, {report['run_seconds']:g} s per run and users count, "
        f"closed-loop users {', '.join(map(str, report['users']))}.",
        "",
        "Dataset (measured workspace): "
        + ", ".join(f"{k} {v:,}" for k, v in report["dataset"].items()),
        "",
        "| scenario | target | measured | met |",
        "|---|---|---|---|",
    ]
    for s in report["scenarios"]:
        why = "; ".join(s["why"])
        met = s["verdict"] + (f" ({why})" if why else "")
        lines.append(f"| {s['label']} | {s['target']} | {measured_text(s)} | {met} |")
    lines += [
        "",
        "| scenario | users | median ms | p95 ms | p99 ms | max ms | req/s | errors | statuses "
        "| queries/req | peak worker MiB | server CPU % | client CPU % | load |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|",
    ]
    for s in report["scenarios"]:
        for users, f in (s.get("runs") or {}).items():
            statuses = " ".join(f"{k}×{v}" for k, v in f["statuses"].items())
            lines.append(
                f"| {s['label']} | {users} | {_ms(f['median_ms'])} | {_ms(f['p95_ms'])} "
                f"| {_ms(f['p99_ms'])} | {_ms(f['max_ms'])} | {f['req_per_s']} | {f['errors']} "
                f"| {statuses} | {f['queries_median']} | {f['peak_worker_mib']} "
                f"| {f['server_cpu_pct']} | {f['client_cpu_pct']} | {f['load_1m']} |"
            )
    return "\n".join(lines) + "\n"


def finish(report: dict) -> list[dict]:
    """Add the target text and verdict to every scenario; the ratio deep/page 1 first."""
    by_key = {s["key"]: s for s in report["scenarios"]}
    page1, deep = by_key.get("contacts_page1"), by_key.get("contacts_deep")
    if page1 and deep and page1.get("runs", {}).get("1") and deep.get("runs", {}).get("1"):
        base = page1["runs"]["1"]["median_ms"]
        if base:
            deep["runs"]["1"]["median_ratio_to_page1"] = round(
                deep["runs"]["1"]["median_ms"] / base, 3
            )
    for s in report["scenarios"]:
        target = TARGETS.get(s["key"])
        s["target"] = target.text if target else "–"
        s["target_checks"] = (
            [dataclasses.asdict(check) for check in target.checks] if target else []
        )
        s["verdict"], s["why"] = verdict(target, s)
    return report["scenarios"]


def environment(url: str) -> dict:
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()  # fmt: skip
    dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout.strip()  # fmt: skip
    with owner_connection(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]
    return {
        "git_commit": commit + ("+dirty" if dirty else ""),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "postgresql": version,
        "database": urlsplit(url).path.lstrip("/"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=("full", "small"), default="full")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--seconds", type=float, help="timed seconds per run (default by scale)")
    parser.add_argument("--users", default="1,16", help="closed-loop users per run, e.g. 1,16")
    parser.add_argument("--match", help="only the scenarios whose key or label contains this")
    parser.add_argument("--skip-work", action="store_true", help="only the HTTP scenarios")
    parser.add_argument("--work-only", action="store_true", help="only the work scenarios")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the other scenarios of bench/results/latest.json (same scale): a partial "
        "run replaces only the scenarios it measured",
    )
    args = parser.parse_args()
    users = [int(n) for n in args.users.split(",")]
    seconds = args.seconds or RUN_SECONDS[args.scale]
    url = database_url()
    if not url.startswith("postgres"):
        sys.exit("The benchmark needs PostgreSQL: set BENCH_DATABASE_URL=postgres://…")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8")
    started = time.perf_counter()
    load_before = [round(x, 2) for x in os.getloadavg()]
    ensure_database(url)
    report = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "scale": args.scale,
        "expected_sizes": sizes(args.scale),
        "users": users,
        "run_seconds": seconds,
        "environment": environment(url),
    }
    report["environment"]["load_before"] = load_before

    with owner_connection(url) as conn:
        ids = dict(conn.execute("SELECT slug, id FROM workspaces_workspace WHERE slug IN (%s, %s)", [MAIN_SLUG, OTHER_SLUG]).fetchall())  # fmt: skip
        if MAIN_SLUG not in ids:
            sys.exit(
                f"No workspace {MAIN_SLUG!r} in {url}: run bench/generate.py --scale {args.scale}"
            )
        report["dataset"] = dataset_counts(conn, ids[MAIN_SLUG], ids.get(OTHER_SLUG))
        fixed = verified_addresses(conn, [OWNER_EMAIL, AGENT_EMAIL])
        agent_exists = conn.execute(
            "SELECT 1 FROM workspaces_user WHERE lower(email) = lower(%s)", [AGENT_EMAIL]
        ).fetchone()
    if fixed:
        print(f"marked verified (allauth e-mail address) for logging in: {', '.join(fixed)}")
    print(f"dataset: {report['dataset']}", flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="crm-http-bench-"))
    port = args.port or free_port()
    app_url = application_role(url)
    env = production_env(url, app_url, redis_url, tmp, port)
    import redis

    redis.Redis.from_url(redis_url).flushdb()
    print("installing as production: migrate (as the owner), collectstatic, rls_check", flush=True)
    manage(env, "migrate", "--noinput")
    operator_step(url)
    manage(env, "collectstatic", "--noinput")
    rls = subprocess.run([sys.executable, "manage.py", "rls_check"], cwd=ROOT, env=env, capture_output=True, text=True)  # fmt: skip
    report["environment"]["rls_check"] = "passed" if rls.returncode == 0 else "failed"
    print(
        f"rls_check: {report['environment']['rls_check']}", (rls.stdout + rls.stderr).strip()[-500:]
    )

    results: list[dict] = []
    server = Server(env, port, tmp / "gunicorn.log")
    try:
        server.wait()
        browsers = {"owner": log_in(port, OWNER_EMAIL, OWNER_PASSWORD)}
        if not agent_exists:
            browsers["agent_error"] = f"no user {AGENT_EMAIL}"
        else:
            try:
                browsers["agent"] = log_in(port, AGENT_EMAIL, OWNER_PASSWORD)
            except (RuntimeError, StopIteration) as error:
                browsers["agent_error"] = f"agent cannot log in: {error}"
        with owner_connection(url) as conn:
            scenarios = build_scenarios(conn, ids[MAIN_SLUG], report["dataset"], browsers)
        for scenario in [] if args.work_only else scenarios:
            if args.match and args.match not in scenario.key and args.match not in scenario.label:
                continue
            entry = {"key": scenario.key, "label": scenario.label, "kind": "http"}
            if scenario.not_run:
                entry["not_run"] = scenario.not_run
                print(f"  {scenario.label}: not run: {scenario.not_run}")
            elif scenario.error:
                entry["error"] = scenario.error
                print(f"  {scenario.label}: error: {scenario.error}")
            else:
                entry.update(
                    run_http(server, scenario, browsers, users, seconds, MAX_REQUESTS[args.scale])
                )
            results.append(entry)
    except BaseException:
        server.stop()
        print(f"gunicorn log (end):\n{server.log.read_text()[-4000:]}")
        raise
    server.stop()
    log_tail = server.log.read_text()[-3000:]
    if any(r.get("runs") and any(f["errors"] for f in r["runs"].values()) for r in results):
        print(f"gunicorn log (end):\n{log_tail}")

    if not args.skip_work and not args.match:
        bench_env = {**os.environ, "BENCH_DATABASE_URL": url, "BENCH_BROKER_URL": redis_url}
        for key, result in run_work(
            args.scale, env, bench_env, tmp, report["dataset"].get("contacts", 0)
        ).items():
            output = result.pop("output", "")
            if result.get("error"):
                print(f"  {key}: {result['error']}\n{output}")
            results.append({"key": key, "kind": "work", **result})

    stamp = {
        "measured_at": report["date"],
        "commit": report["environment"].get("git_commit"),
        "load": [load_before, [round(x, 2) for x in os.getloadavg()]],
    }
    for entry in results:
        entry.setdefault("measured", stamp)
    if args.merge:
        results = merged_scenarios(RESULTS / "latest.json", args.scale, results)
    report["scenarios"] = results
    finish(report)
    report["environment"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    report["wall_s"] = round(time.perf_counter() - started, 1)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    text = markdown(report)
    out = RESULTS / f"{datetime.date.today()}-http-{args.scale}.md"
    out.write_text(text)
    print(text)
    print(f"written {RESULTS / 'latest.json'} and {out} in {report['wall_s']:.0f} s")
    shutil.rmtree(tmp, ignore_errors=True)
    return 1 if any(s["verdict"] == "error" for s in results) else 0


def merged_scenarios(path: Path, scale: str, results: list[dict]) -> list[dict]:
    """This run's scenario entries put in place of the same keys of the report at `path`
    (a list of scenario dicts, in the stored order, new keys at the end). Another scale's
    report, or none, is not merged: `results` come back as they are. Each entry keeps its own
    "measured" stamp (date, commit, load averages), so a merged report says which run measured
    what."""
    try:
        stored = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return results
    if stored.get("scale") != scale:
        return results
    fresh = {entry["key"]: entry for entry in results}
    merged = [fresh.pop(entry["key"], entry) for entry in stored.get("scenarios", [])]
    return merged + list(fresh.values())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


if __name__ == "__main__":
    sys.exit(main())
