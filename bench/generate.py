"""Fill the benchmark database with the dataset of bench/common.py (`sizes(scale)`) using
PostgreSQL COPY: contacts, accounts, interactions, leads, deals with stage history, cases with
their messages, a week of calls with agents and queues, campaigns with deliveries and segments,
in the measured workspace (MAIN_SLUG) and every kind at 1/10 in a second one (OTHER_SLUG).

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench \
        .venv/bin/python bench/generate.py [--scale full|small]

Creates and migrates the database when missing. Idempotent: each kind of row is counted and
topped up on its own, so a second run only checks counts. Rows are streamed (bounded memory)
in COPY's text format, built from pre-rendered templates; every kind is one transaction. The
connection is the database's owner (a superuser: row-level security does not apply) and runs
with `session_replication_role = replica`, so foreign-key triggers do not check each row (the
rows are consistent by construction); the secondary indexes of the large tables are dropped
and rebuilt in the same transaction (a sort per index instead of 10M index insertions).
Ends with VACUUM ANALYZE. Prints rows and seconds per kind.
"""

import argparse
import bisect
import datetime
import json
import math
import random
import sys
import time
from array import array
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    AGENT_EMAIL,
    COMMON_SURNAME,
    MAIN_SLUG,
    OTHER_SLUG,
    OWNER_EMAIL,
    OWNER_PASSWORD,
    TIMELINE_CONTACT_EMAIL,
    setup_django,
    sizes,
)

DAY = 86400
SPAN_DAYS = 730  # two years of history up to the workspace's creation

# --- COPY in text format ------------------------------------------------------------------


def _text(value) -> str:
    """One value in COPY's text format (generated values never hold tabs, newlines or
    backslashes; checked for the constants)."""
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dict | list):
        value = json.dumps(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat(sep=" ")
    text = str(value)
    if any(c in text for c in "\t\n\r\\"):
        raise ValueError(f"a constant COPY value with a control character: {text!r}")
    return text


def _defaults(model) -> dict:
    """{column: default} for every concrete column except the primary key."""
    out = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        default = field.get_default()
        out[field.column] = default
    return out


class Table:
    """A COPY target: the variable columns (in the order rows give them) and every other
    column of the model rendered once as a constant (its default unless given)."""

    def __init__(self, model, variable: list, **constants):
        self.model = model
        self.table = model._meta.db_table
        defaults = _defaults(model)
        # an entry of `variable` may name several columns: the row gives them pre-joined
        named = [c for entry in variable for c in (entry if isinstance(entry, tuple) else (entry,))]
        unknown = (set(named) | set(constants)) - set(defaults) - {"id"}
        if unknown:
            raise ValueError(f"{self.table}: no columns {sorted(unknown)}")
        fixed = [c for c in defaults if c not in named]
        self.columns = named + fixed
        values = {**defaults, **constants}
        tail = "".join("\t" + _text(values[c]).replace("%", "%%") for c in fixed)
        self.format = "\t".join(["%s"] * len(variable)) + tail + "\n"

    def copy(self, rows, chunk: int = 2000, freeze: bool = False) -> int:
        """COPY the rows (tuples of the variable columns, already rendered as text or
        numbers) on Django's connection; returns the number of rows. `freeze`: the table was
        emptied in this transaction (COPY FREEZE: written frozen and all-visible). Prints
        the seconds spent building rows and waiting for the server for large tables."""
        from django.db import connection

        fmt = self.format
        count = 0
        waited = 0.0
        started = time.perf_counter()
        clock = time.perf_counter
        with connection.cursor() as cursor:
            raw = cursor.cursor
            cols = ", ".join(f'"{c}"' for c in self.columns)
            sql = f"COPY {self.table} ({cols}) FROM STDIN" + (" (FREEZE)" if freeze else "")
            with raw.copy(sql) as copy:
                buf = []
                for row in rows:
                    buf.append(fmt % row)
                    if len(buf) >= chunk:
                        t = clock()
                        copy.write("".join(buf))
                        waited += clock() - t
                        count += len(buf)
                        buf = []
                if buf:
                    copy.write("".join(buf))
                    count += len(buf)
                t = clock()
            waited += clock() - t
        if count >= 100_000:
            took = clock() - started
            print(
                f"{'':12}   COPY {self.table}: {count:,} rows in {took:.1f} s "
                f"({took - waited:.1f} s building rows, {waited:.1f} s sending/waiting)"
            )
        return count


HMS = [f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}+00" for s in range(86400)]


class Clock:
    """Fast text timestamps (UTC) from epoch seconds: the day's date is cached."""

    def __init__(self):
        self.days = {}

    def __call__(self, t: float) -> str:
        day, rest = divmod(int(t), DAY)
        text = self.days.get(day)
        if text is None:
            text = self.days[day] = datetime.date.fromordinal(719163 + day).isoformat()
        return text + HMS[rest]


ts = Clock()


def reserve_ids(model, n: int) -> int:
    """Reserve `n` consecutive ids of `model`'s sequence; returns the first."""
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        seq = cursor.fetchone()[0]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
        top = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s)", [seq])
        first = max(cursor.fetchone()[0], top + 1)
        cursor.execute("SELECT setval(%s, %s)", [seq, first + n])
    return first


def emptied(table: str) -> bool:
    """True when `table` and every table whose foreign keys point at it are empty; they are
    then truncated (nothing is lost), so a COPY in this transaction may FREEZE its rows."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = %s::regclass AND conrelid <> confrelid",
            [table],
        )
        tables = [table] + [row[0] for row in cursor.fetchall()]
        for name in tables:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {name})")  # noqa: S608
            if cursor.fetchone()[0]:
                return False
        cursor.execute(f"TRUNCATE {', '.join(tables)}")
    return True


class IndexesOff:
    """Drop the secondary indexes of `table` that back no constraint, and build them again
    on exit (inside the caller's transaction: a failure restores them), unless the table
    holds more than four times the `adding` rows already (then inserting into them is
    cheaper than sorting everything again)."""

    def __init__(self, table: str, adding: int):
        self.table = table
        self.adding = adding
        self.saved = []

    def __enter__(self):
        from django.db import connection

        with connection.cursor() as cursor:
            # rebuilding pays when the table is not much larger than what is added
            cursor.execute(
                f"SELECT EXISTS (SELECT 1 FROM {self.table} OFFSET %s)",  # noqa: S608
                [4 * self.adding],
            )
            if cursor.fetchone()[0]:
                return self
            cursor.execute(
                """SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x
                JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                WHERE t.relname = %s AND NOT x.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""",
                [self.table],
            )
            self.saved = cursor.fetchall()
            for name, _definition in self.saved:
                cursor.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, kind, value, tb):
        if kind is not None:
            return False
        from django.db import connection

        started = time.perf_counter()
        with connection.cursor() as cursor:
            for _name, definition in self.saved:
                cursor.execute(definition)
        if self.saved:
            took = time.perf_counter() - started
            print(f"{'':12}   {len(self.saved)} indexes of {self.table} built in {took:.1f} s")
        return False


# --- people ---------------------------------------------------------------------------------

# (country as people write it, share, Faker locale, phone: country code, landline
# (area code, subscriber digits, city), mobile prefixes and digits)
COUNTRIES = [
    (
        "Germany",
        0.78,
        "de_DE",
        "49",
        [
            ("30", 8, "Berlin"),
            ("40", 8, "Hamburg"),
            ("89", 8, "München"),
            ("221", 7, "Köln"),
            ("69", 8, "Frankfurt am Main"),
            ("711", 7, "Stuttgart"),
            ("211", 7, "Düsseldorf"),
            ("341", 7, "Leipzig"),
            ("231", 7, "Dortmund"),
            ("201", 7, "Essen"),
            ("421", 7, "Bremen"),
            ("351", 7, "Dresden"),
            ("511", 7, "Hannover"),
            ("911", 7, "Nürnberg"),
        ],
        (["151", "152", "157", "160", "170", "171", "172", "176"], 8),
    ),
    (
        "Austria",
        0.07,
        "de_AT",
        "43",
        [("1", 7, "Wien"), ("316", 6, "Graz"), ("732", 6, "Linz"), ("662", 6, "Salzburg")],
        (["664", "660", "676", "699"], 7),
    ),
    (
        "Switzerland",
        0.06,
        "de_CH",
        "41",
        [("44", 7, "Zürich"), ("61", 7, "Basel"), ("31", 7, "Bern"), ("22", 7, "Genève")],
        (["76", "77", "78", "79"], 7),
    ),
    (
        "Netherlands",
        0.04,
        "nl_NL",
        "31",
        [("20", 7, "Amsterdam"), ("10", 7, "Rotterdam"), ("70", 7, "Den Haag")],
        (["6"], 8),
    ),
    (
        "France",
        0.03,
        "fr_FR",
        "33",
        [("1", 8, "Paris"), ("4", 8, "Lyon"), ("4", 8, "Marseille")],
        (["6", "7"], 8),
    ),
    (
        "United States",
        0.02,
        "en_US",
        "1",
        [("212", 7, "New York"), ("312", 7, "Chicago"), ("415", 7, "San Francisco")],
        (["646", "917"], 7),
    ),
]
SEXES = [("female", 0.485), ("male", 0.475), ("diverse", 0.005), ("", 0.035)]
EDUCATION = [
    ("none", 0.02),
    ("primary", 0.08),
    ("secondary", 0.27),
    ("vocational", 0.30),
    ("bachelor", 0.12),
    ("master", 0.10),
    ("doctorate", 0.02),
    ("", 0.09),
]
LIFECYCLE = [
    ("subscriber", 0.38),
    ("lead", 0.30),
    ("qualified", 0.08),
    ("opportunity", 0.04),
    ("customer", 0.15),
    ("evangelist", 0.02),
    ("churned", 0.03),
]
EMAIL_DOMAINS = ["mail.example", "web.example", "post.example", "inbox.example", "net.example"]
FOLD = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "ë": "e", "ç": "c"}
)


_KEYS: dict[str, str] = {}


def ascii_key(name: str) -> str:
    """A name as it appears in an address: lower case ASCII letters only (cached)."""
    key = _KEYS.get(name)
    if key is None:
        folded = name.lower().translate(FOLD)
        key = _KEYS[name] = "".join(c for c in folded if "a" <= c <= "z") or "x"
    return key


def picker(pairs, rng):
    """A function drawing a value from [(value, weight), …] with `rng`."""
    values = [v for v, _ in pairs]
    cum = []
    total = 0.0
    for _, w in pairs:
        total += w
        cum.append(total)
    rnd = rng.random
    bis = bisect.bisect

    def pick():
        return values[min(bis(cum, rnd() * total), len(values) - 1)]

    return pick


# The commonest German surnames after COMMON_SURNAME, in % of Germans (rounded from the
# telephone-directory counts in "Liste der häufigsten Familiennamen in Deutschland").
GERMAN_HEAD = [
    ("Schmidt", 0.68),
    ("Schneider", 0.42),
    ("Fischer", 0.39),
    ("Weber", 0.32),
    ("Meyer", 0.30),
    ("Wagner", 0.29),
    ("Becker", 0.27),
    ("Schulz", 0.26),
    ("Hoffmann", 0.25),
    ("Schäfer", 0.21),
    ("Koch", 0.20),
    ("Bauer", 0.20),
    ("Richter", 0.19),
    ("Klein", 0.19),
    ("Wolf", 0.18),
    ("Schröder", 0.17),
    ("Neumann", 0.17),
    ("Schwarz", 0.16),
    ("Zimmermann", 0.16),
]
HYPHENATED = 3.0  # % of Germans with a double name


def german_surnames(names: list[str], rng) -> list[tuple[str, float]]:
    """[(surname, % of Germans)]: COMMON_SURNAME first (about 1 % of everyone once the other
    countries are counted), GERMAN_HEAD, then `names` (shuffled) on a Zipf-like tail
    (rank r weighs 1/(r+100)^0.9), and a few double names (HYPHENATED %, each rare)."""
    common = 1.0 / COUNTRIES[0][1]
    head = [(COMMON_SURNAME, common)] + GERMAN_HEAD
    taken = {n for n, _ in head}
    singles = [n for n in names if n not in taken and "-" not in n]
    rng.shuffle(singles)
    doubles = set()
    while len(doubles) < 3000:
        first, second = rng.sample(singles, 2)
        doubles.add(f"{first}-{second}")
    weights = [1 / (r + 100) ** 0.9 for r in range(1, len(singles) + 1)]
    scale = (100 - sum(w for _, w in head) - HYPHENATED) / sum(weights)
    return (
        head
        + [(n, w * scale) for n, w in zip(singles, weights, strict=True)]
        + [(n, HYPHENATED / len(doubles)) for n in sorted(doubles)]
    )


def name_pools(rng):
    """{locale: (female first names, male first names, surname picker)}: Faker's name lists
    (data only); German surnames as german_surnames() spreads them, the other countries' on
    a Zipf-like curve (rank r weighs 1/(r+5)). COMMON_SURNAME is German only."""
    import importlib

    providers = {
        locale: importlib.import_module(f"faker.providers.person.{locale}").Provider
        for _country, _share, locale, *_ in COUNTRIES
    }
    german = list(
        dict.fromkeys(n for loc in ("de_DE", "de_AT", "de_CH") for n in providers[loc].last_names)
    )
    pools = {}
    for locale, provider in providers.items():
        female = list(dict.fromkeys(provider.first_names_female))
        male = list(dict.fromkeys(provider.first_names_male))
        if locale == "de_DE":
            pick = picker(german_surnames(german, rng), rng)
        else:
            lasts = [n for n in dict.fromkeys(provider.last_names) if n != COMMON_SURNAME]
            rng.shuffle(lasts)
            pick = picker([(n, 1 / (r + 5)) for r, n in enumerate(lasts, 1)], rng)
        pools[locale] = (female, male, pick)
    return pools


class People:
    """Draws people: name, sex, birth date, education, country, city, phones, email."""

    def __init__(self, rng, domain_tag: str):
        self.rng = rng
        self.pools = name_pools(rng)
        self.country = picker([(c, c[1]) for c in COUNTRIES], rng)
        self.sex = picker(SEXES, rng)
        self.education = picker(EDUCATION, rng)
        self.domain_tag = domain_tag
        self.today = {}

    def _today(self, now: float) -> int:
        day = self.today.get(now)
        if day is None:
            day = self.today[now] = datetime.date.fromtimestamp(now).toordinal()
        return day

    def draw(self, i: int, now: float) -> dict:
        rng = self.rng
        country = self.country()
        name, _share, locale, code, areas, (mobiles, mobile_digits) = country
        female, male, surname = self.pools[locale]
        sex = self.sex()
        firsts = (
            female if sex == "female" else male if sex == "male" else rng.choice((female, male))
        )
        first = firsts[int(rng.random() * len(firsts))]
        last = surname()
        area, digits, city = areas[int(rng.random() * len(areas))]
        # unique subscriber numbers of full length: a permutation of the person's number
        low = 10 ** (digits - 1)
        phone = f"+{code}{area}{low + (i * 7919 + 12345) % (9 * low)}"
        mobile = ""
        if rng.random() < 0.45:
            low = 10 ** (mobile_digits - 1)
            mobile = f"+{code}{mobiles[i % len(mobiles)]}{low + (i * 104729 + 777) % (9 * low)}"
        email = (
            f"{ascii_key(first)}.{ascii_key(last)}.{i:x}@{self.domain_tag}{EMAIL_DOMAINS[i % 5]}"
        )
        # age: adults, a customer base's hump around 40 (18 … 92)
        born = None
        if rng.random() < 0.9:
            age = min(92.0, max(18.0, rng.gauss(43, 14)))
            born = datetime.date.fromordinal(self._today(now) - int(age * 365.25))
        return {
            "first": first,
            "last": last,
            "sex": sex,
            "born": born,
            "education": self.education(),
            "country": name,
            "city": city,
            "phone": phone,
            "mobile": mobile,
            "email": email,
        }


# --- the workspace and its people -----------------------------------------------------------


def make_workspace(slug, name):
    """The workspace `slug` (created with the owner's membership when missing)."""
    from workspaces.models import Membership, User, Workspace
    from workspaces.scoping import workspace_scope

    workspace, _ = Workspace.objects.get_or_create(
        slug=slug, defaults={"name": name, "time_zone": "Europe/Berlin", "country": "DE"}
    )
    if workspace.country != "DE":  # German numbers throughout: searched as 030 …
        Workspace.objects.filter(pk=workspace.pk).update(country="DE")
        workspace.country = "DE"
    user = User.objects.filter(email=OWNER_EMAIL).first() or User.objects.create_user(
        OWNER_EMAIL, OWNER_PASSWORD
    )
    with workspace_scope(workspace):
        Membership.objects.get_or_create(workspace=workspace, user=user, defaults={"role": "owner"})
    return workspace


class Context:
    """What the kinds of one workspace share: the workspace, its sizes, its clock (the end of
    the two years is the workspace's creation), the owner, the agents and the queues."""

    def __init__(self, workspace, size: dict, main: bool):
        self.workspace = workspace
        self.ws = workspace.pk
        self.size = size
        self.main = main
        self.end = workspace.created_at.timestamp()
        self.start = self.end - SPAN_DAYS * DAY
        self.rng = random.Random(workspace.pk * 7919 + (1 if main else 2))


def timed(label, ctx, fn, *args):
    """Run one kind's top-up and print its rows and seconds."""
    started = time.perf_counter()
    rows = fn(ctx, *args)
    took = time.perf_counter() - started
    if rows:
        print(f"{ctx.workspace.slug:12} {label:22} {rows:>11,} rows {took:8.1f} s", flush=True)
    else:
        print(f"{ctx.workspace.slug:12} {label:22} {'present':>16} {took:8.1f} s", flush=True)
    return rows


def fill_team(ctx) -> int:
    """Agents (service role, a line each, members of 1-3 queues; AGENT_EMAIL among them in the
    measured workspace), queues with call targets, SLA policies per priority, the default
    pipeline and a sender identity. Small: written with the ORM."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from callcentre.models import AgentLine, QueueTarget
    from sales.services.pipelines import pipeline_ensure_default
    from service.models import Queue, QueueMember, SlaPolicy
    from workspaces.models import Membership

    User = get_user_model()
    ws = ctx.workspace
    made = 0
    with transaction.atomic():
        pipeline_ensure_default(workspace=ws)
        queues = list(Queue.objects.filter(workspace=ws).order_by("id"))
        for q in range(len(queues), ctx.size["queues"]):
            queues.append(
                Queue.objects.create(workspace=ws, name=f"Queue {q + 1}", assignment="least_open")
            )
            QueueTarget.objects.create(workspace=ws, queue=queues[-1])
            made += 1
        for priority, first, following, resolve in (
            ("low", 24 * 60, 48 * 60, 10 * 24 * 60),
            ("normal", 8 * 60, 24 * 60, 5 * 24 * 60),
            ("high", 2 * 60, 8 * 60, 2 * 24 * 60),
            ("urgent", 30, 2 * 60, 8 * 60),
        ):
            _, created = SlaPolicy.objects.get_or_create(
                workspace=ws,
                priority=priority,
                defaults={
                    "first_response_minutes": first,
                    "next_response_minutes": following,
                    "resolution_minutes": resolve,
                },
            )
            made += created
        have = Membership.objects.filter(workspace=ws, role="service").count()
        prefix = "bench-agent" if ctx.main else "bench-other-agent"
        password = make_password(OWNER_PASSWORD)  # hashed once (argon2 is slow on purpose)
        for a in range(have, ctx.size["agents"]):
            email = AGENT_EMAIL if ctx.main and a == 0 else f"{prefix}-{a}@example.com"
            user = User.objects.filter(email=email).first()
            if user is None:
                first, last = ("Alex", "Agent") if a == 0 else (f"Agent {a + 1}", "Bench")
                user = User(email=email, first_name=first, last_name=last, password=password)
                user.save()
            Membership.objects.get_or_create(workspace=ws, user=user, defaults={"role": "service"})
            AgentLine.objects.get_or_create(workspace=ws, user=user, ref=f"{1000 + a}")
            mine = (
                queues[:3]
                if a == 0
                else ctx.rng.sample(queues, ctx.rng.randint(1, min(3, len(queues))))
            )
            for queue in mine:
                QueueMember.objects.get_or_create(workspace=ws, queue=queue, user=user)
            made += 1
    return made


def team(ctx):
    """(agent user ids with AGENT_EMAIL's first, queue ids, {priority: SlaPolicy})."""
    from callcentre.models import AgentLine
    from service.models import Queue, SlaPolicy

    agents = list(
        AgentLine.objects.filter(workspace=ctx.workspace)
        .order_by("ref")
        .values_list("user_id", flat=True)
    )
    queues = list(
        Queue.objects.filter(workspace=ctx.workspace).order_by("id").values_list("id", flat=True)
    )
    policies = {p.priority: p for p in SlaPolicy.objects.filter(workspace=ctx.workspace)}
    return agents, queues, policies


def count(model, ctx, **filters) -> int:
    return model.objects.filter(workspace=ctx.workspace, **filters).count()


# --- accounts -------------------------------------------------------------------------------

INDUSTRIES = [
    "Retail",
    "Manufacturing",
    "Software",
    "Logistics",
    "Health care",
    "Finance",
    "Construction",
    "Hospitality",
    "Energy",
    "Education",
    "Media",
    "Automotive",
]
LEGAL = ["GmbH", "GmbH", "GmbH & Co. KG", "AG", "KG", "e.K.", "UG", "Ltd", "B.V.", "SARL", "Inc."]
ACCOUNT_SIZES = [
    ("1-10", 0.45),
    ("11-50", 0.3),
    ("51-200", 0.15),
    ("201-1000", 0.07),
    ("1000+", 0.03),
]


def fill_accounts(ctx) -> int:
    """Accounts named after surnames with a legal form, a domain and a city, created over the
    two years."""
    from django.db import transaction

    from contacts.models import Account

    want = ctx.size["accounts"]
    have = count(Account, ctx)
    if have >= want:
        return 0
    rng = random.Random(ctx.ws * 31 + have)
    people = People(rng, "")
    size = picker(ACCOUNT_SIZES, rng)
    n = want - have
    table = Table(
        Account,
        [
            "id",
            "created_at",
            "updated_at",
            "name",
            "domain",
            "industry",
            "size",
            "city",
            "country",
            "phone",
        ],
        workspace_id=ctx.ws,
    )

    def rows():
        for k in range(n):
            i = have + k
            p = people.draw(i, ctx.end)
            created = ts(ctx.start + (i + rng.random()) * (ctx.end - ctx.start) / want)
            word = ascii_key(p["last"])
            yield (
                first + k,
                created,
                created,
                f"{p['last']} {LEGAL[i % len(LEGAL)]}",
                f"{word}-{i:x}.example",
                INDUSTRIES[i % len(INDUSTRIES)],
                size(),
                p["city"],
                p["country"],
                p["phone"],
            )

    with transaction.atomic():
        first = reserve_ids(Account, n)
        return table.copy(rows())


# --- contacts and interactions ----------------------------------------------------------------

# (app, kind, channel, direction, subject, share): the touch points of two years
INTERACTION_MIX = [
    ("marketing", "campaign.sent", "email", "out", "Newsletter", 0.30),
    ("marketing", "campaign.opened", "email", "in", "Newsletter", 0.10),
    ("marketing", "campaign.clicked", "email", "in", "Newsletter", 0.03),
    ("contacts", "call.logged", "phone", "out", "Call", 0.09),
    ("contacts", "meeting.logged", "meeting", "out", "Meeting", 0.03),
    ("contacts", "visit.logged", "sales_visit", "out", "Visit", 0.02),
    ("contacts", "note.added", "note", "internal", "Note", 0.08),
    ("contacts", "sms.logged", "sms", "out", "SMS", 0.03),
    ("contacts", "chat.logged", "chat", "in", "Chat", 0.03),
    ("contacts", "letter.logged", "mail", "out", "Letter", 0.02),
    ("contacts", "store_visit.logged", "store", "in", "Store visit", 0.06),
    ("contacts", "event.attended", "event", "in", "Event", 0.01),
    ("contacts", "form.submitted", "website", "in", "Web form", 0.04),
    ("callcentre", "call.inbound", "phone", "in", "Inbound call", 0.08),
    ("callcentre", "call.outbound", "phone", "out", "Outbound call", 0.03),
    ("service", "case.customer_message", "email", "in", "Customer wrote", 0.03),
    ("service", "case.replied", "email", "out", "Case answered", 0.02),
]
OUTCOMES = ["reached", "reached", "reached", "voicemail", "no_answer", "busy"]


def _contact_plan(ctx, n_contacts: int, n_accounts_first: int, n_accounts: int):
    """Creation times (epoch s) and accounts of `n_contacts` contacts, in id order: created
    over the two years, slowly more per day as the business grows; ~70 % at an account."""
    rng = ctx.rng
    created = array("d")
    account = array("q")
    span = ctx.end - ctx.start
    for i in range(n_contacts):
        # growth: the i-th contact at the point where a linearly rising rate has made i
        f = (i + rng.random()) / n_contacts
        created.append(ctx.start + span * ((math.sqrt(1 + 8 * f) - 1) / 2))
        account.append(
            n_accounts_first + int(rng.random() * n_accounts)
            if n_accounts and rng.random() < 0.7
            else 0
        )
    return created, account


def fill_contacts_and_history(ctx) -> tuple[int, int]:
    """Contacts and their two years of touch points, in one transaction: the interactions are
    drawn day by day in time order (each day's volume grows with the contacts that exist;
    one contact in eight is four times as active), the long timeline of
    TIMELINE_CONTACT_EMAIL among them; then the contacts, each with `last_interaction_at` the
    time of its newest touch point. Returns (contacts, interactions) written."""
    from django.db import transaction

    from contacts.models import Account, Contact
    from workspaces.changelog import sequence_take

    want = ctx.size["contacts"]
    have = count(Contact, ctx)
    if have >= want:
        return 0, fill_history_top_up(ctx)
    if have:
        raise SystemExit(
            f"{ctx.workspace.slug}: {have:,} of {want:,} contacts: drop the database to rebuild"
        )
    with transaction.atomic():
        accounts = list(
            Account.objects.filter(workspace=ctx.workspace)
            .order_by("id")
            .values_list("id", flat=True)[:1]
        )
        n_accounts = count(Account, ctx)
        created, account = _contact_plan(ctx, want, accounts[0] if accounts else 0, n_accounts)
        first = reserve_ids(Contact, want)
        last = array("d", bytes(8 * want))
        timeline = 0  # the contact with the long timeline: the first one
        n_inter = ctx.size["interactions"]
        n_timeline = ctx.size["timeline_interactions"] if ctx.main else 0
        seq0 = sequence_take(workspace=ctx.workspace, count=n_inter + n_timeline)
        written = write_interactions(
            ctx, first, created, account, last, n_inter, timeline, n_timeline, seq0
        )
        with IndexesOff(Contact._meta.db_table, want):
            rows = write_contacts(ctx, first, created, account, last, timeline)
    return rows, written


def write_interactions(ctx, first, created, account, last, total, timeline, n_timeline, seq0):
    from touchpoints.models import Interaction

    rng = random.Random(ctx.ws * 17)
    rnd = rng.random
    mix = []  # (app … subject pre-joined, a call logged by hand, a call)
    for app, kind, channel, direction, subject, share in INTERACTION_MIX:
        text = "\t".join((app, kind, channel, direction, subject))
        mix += [(text, app == "contacts", channel == "phone")] * round(share * 1000)
    m = len(mix)
    table = Table(
        Interaction,
        [
            "id",
            "seq",
            "created_at",
            "updated_at",
            "occurred_at",
            "contact_id",
            "account_id",
            ("app", "kind", "channel", "direction", "subject"),
            "duration_seconds",
            "outcome",
        ],
        workspace_id=ctx.ws,
        body="",
        data={},
    )
    n = len(created)
    days = SPAN_DAYS
    # per day volume ∝ contacts existing that day (sum over days = total)
    start_day = ctx.start
    existing = []
    k = 0
    for d in range(days):
        end_of_day = start_day + (d + 1) * DAY
        while k < n and created[k] < end_of_day:
            k += 1
        existing.append(k)
    weight = sum(existing)
    per_day = [total * e / weight for e in existing]
    per_day_timeline = n_timeline / days
    first_id = reserve_ids(Interaction, total + n_timeline)
    heavy = 8  # one in eight contacts is four times as active
    null = r"\N"
    end = ctx.end

    def rows():
        carry = carry_t = 0.0
        done = done_t = 0
        serial = 0
        for d in range(days):
            k = max(existing[d], 2)
            day0 = start_day + d * DAY
            carry += per_day[d]
            todo = int(carry) if d < days - 1 else total - done
            carry -= int(carry)
            carry_t += per_day_timeline
            todo_t = int(carry_t) if d < days - 1 else n_timeline - done_t
            carry_t -= int(carry_t)
            done += todo
            done_t += todo_t
            for j in range(todo + todo_t):
                if j < todo_t:
                    c = timeline
                else:
                    c = int(rnd() * k)
                    if rnd() < 0.43:  # a heavy contact (every eighth) instead
                        c -= c % heavy
                    if c == timeline and n_timeline:
                        c = 1
                t = day0 + rnd() * DAY
                born = created[c]
                if t < born:  # a contact of that day: after its creation
                    t = min(born + rnd() * max(day0 + DAY - born, 600), end)
                if t > last[c]:
                    last[c] = t
                text, by_hand, call = mix[int(rnd() * m)]
                when = ts(t)
                acc = account[c]
                if call:
                    duration = int(rnd() * 600) + 20
                    outcome = OUTCOMES[int(rnd() * 6)] if by_hand else ""
                else:
                    duration, outcome = null, ""
                yield (
                    first_id + serial,
                    seq0 + serial,
                    when,
                    when,
                    when,
                    first + c,
                    acc or null,
                    text,
                    duration,
                    outcome,
                )
                serial += 1

    freeze = emptied(Interaction._meta.db_table)
    with IndexesOff(Interaction._meta.db_table, total + n_timeline):
        written = table.copy(rows(), chunk=5000, freeze=freeze)
    return written


def write_contacts(ctx, first, created, account, last, timeline) -> int:
    from contacts.emails import email_key
    from contacts.models import Contact

    rng = random.Random(ctx.ws * 23)
    people = People(rng, "" if ctx.main else "o.")
    stage = picker(LIFECYCLE, rng)
    table = Table(
        Contact,
        [
            "id",
            "created_at",
            "updated_at",
            "first_name",
            "last_name",
            "email",
            "email_key",
            "phone",
            "mobile",
            "sex",
            "date_of_birth",
            "birthday_month",
            "birthday_day",
            "education",
            "country",
            "city",
            "account_id",
            "lifecycle_stage",
            "email_opt_in",
            "email_opt_in_at",
            "email_opt_in_source",
            "language",
            "last_interaction_at",
            "salutation",
        ],
        workspace_id=ctx.ws,
    )
    languages = {
        "Germany": "de",
        "Austria": "de",
        "Switzerland": "de",
        "Netherlands": "nl",
        "France": "fr",
        "United States": "en",
    }

    def rows():
        for i in range(len(created)):
            p = people.draw(i, ctx.end)
            email = TIMELINE_CONTACT_EMAIL if ctx.main and i == timeline else p["email"]
            born = p["born"]
            when = ts(created[i])
            opt_in = rng.random() < 0.62
            acc = account[i]
            sex = p["sex"]
            yield (
                first + i,
                when,
                when,
                p["first"],
                p["last"],
                email,
                email_key(email),
                p["phone"],
                p["mobile"],
                sex,
                born.isoformat() if born else r"\N",
                born.month if born else r"\N",
                born.day if born else r"\N",
                p["education"],
                p["country"],
                p["city"],
                acc if acc else r"\N",
                stage(),
                "t" if opt_in else "f",
                when if opt_in else r"\N",
                "Import" if opt_in else "",
                languages[p["country"]],
                ts(last[i]) if last[i] else r"\N",
                "ms" if sex == "female" else "mr" if sex == "male" else "",
            )

    return table.copy(rows())


def fill_history_top_up(ctx) -> int:
    """Interactions missing while the contacts are there (a bigger size asked for later):
    none are written; the dataset must be rebuilt to change its history."""
    from touchpoints.models import Interaction

    have = count(Interaction, ctx)
    want = ctx.size["interactions"] + (ctx.size["timeline_interactions"] if ctx.main else 0)
    if have < want:
        print(
            f"{ctx.workspace.slug}: {have:,} interactions of {want:,}: the history is written "
            "with the contacts; drop the database to rebuild it"
        )
    return 0


def fill_sequence(ctx) -> None:
    """Leave the workspace's change sequence beyond every interaction's seq."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE workspaces_changesequence s SET last = GREATEST(s.last, m.top)
            FROM (SELECT COALESCE(MAX(seq), 0) AS top FROM touchpoints_interaction
                  WHERE workspace_id = %s) m WHERE s.workspace_id = %s""",
            [ctx.ws, ctx.ws],
        )


def existing_at(ctx, t: float, n: int) -> int:
    """How many of `n` contacts made by _contact_plan exist at `t` (at least 1)."""
    x = min(max((t - ctx.start) / (ctx.end - ctx.start), 0.0), 1.0)
    return max(1, min(n, int((x * x + x) / 2 * n)))


def write_touchpoints(ctx, touches: list) -> int:
    """The touch points services record beside their rows (interaction_record): `touches`
    are (epoch s, contact id or None, account id or None, "app\\tkind\\tchannel\\tdirection",
    subject, body, source_type, source_id, data as JSON text). Their `seq` is taken from the
    workspace's sequence; each contact's `last_interaction_at` moves forward to its newest
    one where it is earlier or unset (one UPDATE from a temporary table)."""
    from django.db import connection

    from touchpoints.models import Interaction

    if not touches:
        return 0
    touches.sort(key=lambda row: row[0])  # in time order, as they were recorded
    from workspaces.changelog import sequence_take

    seq0 = sequence_take(workspace=ctx.workspace, count=len(touches))
    first = reserve_ids(Interaction, len(touches))
    null = r"\N"
    table = Table(
        Interaction,
        [
            "id",
            "seq",
            "created_at",
            "updated_at",
            "occurred_at",
            "contact_id",
            "account_id",
            ("app", "kind", "channel", "direction"),
            "subject",
            "body",
            "source_type",
            "source_id",
            "data",
        ],
        workspace_id=ctx.ws,
    )
    newest: dict[int, float] = {}

    def rows():
        for k, (t, contact, account, what, subject, body, source, source_id, data) in enumerate(
            touches
        ):
            when = ts(t)
            if contact:
                newest[contact] = t  # in time order: the last one is the newest
            yield (
                first + k,
                seq0 + k,
                when,
                when,
                when,
                contact or null,
                account or null,
                what,
                subject,
                body,
                source,
                source_id,
                data,
            )

    with IndexesOff(Interaction._meta.db_table, len(touches)):
        written = table.copy(rows())
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE bench_touch (id bigint, t timestamptz) ON COMMIT DROP")
        with cursor.cursor.copy("COPY bench_touch (id, t) FROM STDIN") as copy:
            copy.write("".join(f"{c}\t{ts(t)}\n" for c, t in newest.items()))
        cursor.execute(
            """UPDATE contacts_contact c SET last_interaction_at = b.t FROM bench_touch b
            WHERE c.id = b.id AND c.workspace_id = %s
              AND (c.last_interaction_at IS NULL OR c.last_interaction_at < b.t)""",
            [ctx.ws],
        )
        moved = cursor.rowcount
        cursor.execute("DROP TABLE bench_touch")
    print(f"{'':12}   {written:,} touch points, {moved:,} contacts' last touch moved forward")
    return written


# --- leads ----------------------------------------------------------------------------------

LEAD_STATUSES = [
    ("new", 0.25),
    ("working", 0.2),
    ("qualified", 0.1),
    ("disqualified", 0.25),
    ("converted", 0.2),
]
LEAD_SOURCES = [
    ("web_form", 0.3),
    ("import", 0.15),
    ("event", 0.12),
    ("referral", 0.1),
    ("campaign", 0.18),
    ("cold_call", 0.1),
    ("other", 0.05),
]
JOB_TITLES = [
    "Geschäftsführer",
    "Einkauf",
    "IT-Leitung",
    "Marketing Manager",
    "Head of Sales",
    "Office Manager",
    "CFO",
    "Projektleiter",
    "",
]


def fill_leads(ctx) -> int:
    """Leads: names, companies, unique emails, E.164 phones, statuses and sources mixed,
    created over the two years."""
    from django.db import transaction

    from sales.models import Lead

    want = ctx.size["leads"]
    have = count(Lead, ctx)
    if have >= want:
        return 0
    rng = random.Random(ctx.ws * 41 + have)
    people = People(rng, "lead." if ctx.main else "olead.")
    status = picker(LEAD_STATUSES, rng)
    source = picker(LEAD_SOURCES, rng)
    table = Table(
        Lead,
        [
            "created_at",
            "updated_at",
            "first_name",
            "last_name",
            "company",
            "job_title",
            "email",
            "phone",
            "status",
            "source",
            "disqualify_reason",
        ],
        workspace_id=ctx.ws,
    )

    def rows():
        for i in range(have, want):
            p = people.draw(i + 5_000_000, ctx.end)
            when = ts(ctx.start + (i + rng.random()) * (ctx.end - ctx.start) / want)
            s = status()
            yield (
                when,
                when,
                p["first"],
                p["last"],
                f"{people.pools['de_DE'][2]()} {LEGAL[i % len(LEGAL)]}",
                JOB_TITLES[i % len(JOB_TITLES)],
                p["email"],
                p["phone"],
                s,
                source(),
                "No budget" if s == "disqualified" else "",
            )

    with transaction.atomic(), IndexesOff(Lead._meta.db_table, want - have):
        return table.copy(rows())


# --- deals ----------------------------------------------------------------------------------

DEAL_WORDS = [
    "Server upgrade",
    "CRM rollout",
    "Laptop refresh",
    "Support renewal",
    "Training",
    "Migration",
    "Audit",
    "Licences",
    "Consulting",
    "Network",
    "Cloud backup",
    "Framework agreement",
]


def fill_deals(ctx) -> tuple[int, int]:
    """Deals in the default pipeline: `open_deals` open ones spread over its open stages (the
    deal board), the rest closed won (~40 %) or lost over the two years, each with its stage
    history (created in the first stage, moved forward stage by stage, then won or lost) as
    deal_create and deal_move_stage write it; 70 % at an account. Returns (deals, changes)."""
    from django.db import transaction

    from contacts.models import Account
    from sales.models import Deal, DealStageChange, LostReason, Pipeline, Stage

    want = ctx.size["deals"]
    have = count(Deal, ctx)
    if have >= want:
        return 0, 0
    rng = random.Random(ctx.ws * 43 + have)
    pipeline = Pipeline.objects.get(workspace=ctx.workspace, is_default=True)
    stages = list(
        Stage.objects.filter(workspace=ctx.workspace, pipeline=pipeline).order_by("position")
    )
    open_stages = [s for s in stages if s.kind == "open"]
    won = next(s for s in stages if s.kind == "won")
    lost = next(s for s in stages if s.kind == "lost")
    reasons = list(LostReason.objects.filter(workspace=ctx.workspace).values_list("id", flat=True))
    account_ids = list(
        Account.objects.filter(workspace=ctx.workspace).order_by("id").values_list("id", flat=True)
    )
    touches = []
    open_want = min(ctx.size["open_deals"], want)
    open_have = count(Deal, ctx, closed_at__isnull=True)
    n = want - have
    n_open = max(open_want - open_have, 0)
    from workspaces.models import Membership

    owner_id = (
        Membership.objects.filter(workspace=ctx.workspace, role="owner")
        .values_list("user_id", flat=True)
        .first()
    )
    deals = Table(
        Deal,
        [
            "id",
            "created_at",
            "updated_at",
            "name",
            "pipeline_id",
            "stage_id",
            "account_id",
            "owner_id",
            "amount",
            "expected_close_date",
            "lost_reason_id",
            "closed_at",
            "won_at",
            "version",
        ],
        workspace_id=ctx.ws,
        currency="EUR",
    )
    changes = []
    change_table = Table(
        DealStageChange,
        [
            "created_at",
            "updated_at",
            "deal_id",
            "from_stage_id",
            "to_stage_id",
            "changed_at",
            "amount",
        ],
        workspace_id=ctx.ws,
    )
    span = ctx.end - ctx.start

    def rows():
        for k in range(n):
            i = have + k
            deal_id = first + k
            is_open = k >= n - n_open  # the newest deals are the open ones
            if is_open:
                created = ctx.end - rng.random() * 120 * DAY
                final = open_stages[int(rng.random() ** 1.6 * len(open_stages))]
            else:
                created = ctx.start + rng.random() * (span - 30 * DAY)
                final = won if rng.random() < 0.4 else lost
            amount = f"{rng.randint(5, 2000) * 100}.00"
            # the walk through the stages
            path = []
            if final.kind == "open":
                path = open_stages[: open_stages.index(final) + 1]
            else:
                reached = 1 + int(rng.random() * len(open_stages))
                path = open_stages[:reached] + [final]
            t = created
            prev = None
            times = []
            name = f"{DEAL_WORDS[i % len(DEAL_WORDS)]} {i + 1}"
            account = None
            if account_ids and rng.random() < 0.7:  # an account that existed then
                share = (created - ctx.start) / span
                account = account_ids[int(rng.random() * share * len(account_ids))]
            for stage in path:
                if prev is not None:
                    t = min(t + rng.random() * 30 * DAY + 3600, ctx.end - 60)
                times.append(t)
                changes.append(
                    (ts(t), ts(t), deal_id, prev.pk if prev else r"\N", stage.pk, ts(t), amount)
                )
                if account:  # the account's timeline (sales.services.deals)
                    touches.append(
                        (
                            t,
                            None,
                            account,
                            "sales\tdeal.stage_changed\tsystem\tinternal"
                            if prev
                            else "sales\tdeal.created\tsystem\tinternal",
                            f"Deal {name}: {prev.name} → {stage.name}"
                            if prev
                            else f"Deal {name} created in {stage.name}",
                            "",
                            "sales.deal",
                            deal_id,
                            f'{{"deal_id": {deal_id}, "from_stage": {prev.pk if prev else "null"}, '
                            f'"to_stage": {stage.pk}, "amount": "{amount}", "kind": "{stage.kind}"}}',
                        )
                    )
                prev = stage
            closed = ts(times[-1]) if final.kind != "open" else r"\N"
            stamp = ts(created)
            yield (
                deal_id,
                stamp,
                ts(times[-1]),
                name,
                pipeline.pk,
                final.pk,
                account or r"\N",
                owner_id or r"\N",
                amount,
                datetime.date.fromtimestamp(times[-1] + 20 * DAY).isoformat(),
                reasons[i % len(reasons)] if final.kind == "lost" and reasons else r"\N",
                closed,
                closed if final.kind == "won" else r"\N",
                len(path),
            )

    def change_rows():
        yield from changes

    with transaction.atomic():
        first = reserve_ids(Deal, n)
        with IndexesOff(Deal._meta.db_table, n):
            written = deals.copy(rows())
        with IndexesOff(DealStageChange._meta.db_table, len(changes)):
            history = change_table.copy(change_rows())
        write_touchpoints(ctx, touches)
    return written, history


# --- cases ----------------------------------------------------------------------------------

CASE_TYPES = [("inquiry", 0.45), ("request", 0.25), ("complaint", 0.18), ("incident", 0.12)]
PRIORITIES = [("low", 0.2), ("normal", 0.6), ("high", 0.15), ("urgent", 0.05)]
CASE_SUBJECTS = {
    "inquiry": ["Question about my order", "Opening hours", "Delivery time", "Invoice question"],
    "request": ["Change of address", "Cancel my contract", "Send a copy of the invoice"],
    "complaint": ["Parcel arrived damaged", "Wrong item delivered", "Charged twice"],
    "incident": ["Login does not work", "App crashes on start", "Payment failed"],
}
CASE_CHANNELS = [("email", 0.55), ("phone", 0.25), ("chat", 0.1), ("website", 0.1)]


def fill_cases(ctx) -> tuple[int, int]:
    """Cases over the two years with a customer message each (and an agent's reply once
    answered), numbered 1… with the counter at the last number. Most are resolved or closed;
    the recent ones are new, open or pending. SLA due times come from the priority's policy
    (around the clock: the workspace has no calendar); late ones are breached; assigned to the
    agents (AGENT_EMAIL's agent takes a larger share) or unassigned in a queue.
    Returns (cases, messages)."""
    from django.db import transaction

    from contacts.models import Contact
    from service.models import Case, CaseCounter, CaseMessage

    want = ctx.size["cases"]
    have = count(Case, ctx)
    if have >= want:
        return 0, 0
    rng = random.Random(ctx.ws * 47 + have)
    agents, queues, policies = team(ctx)
    kind = picker(CASE_TYPES, rng)
    priority = picker(PRIORITIES, rng)
    channel = picker(CASE_CHANNELS, rng)
    contacts = Contact.objects.filter(workspace=ctx.workspace).order_by("id")
    lo = contacts.values_list("id", flat=True).first()
    hi = contacts.reverse().values_list("id", flat=True).first()
    accounts = array("q", bytes(8 * (hi - lo + 1))) if lo else array("q")
    for cid, aid in (
        contacts.filter(account__isnull=False).values_list("id", "account_id").iterator(5000)
    ):
        accounts[cid - lo] = aid
    n = want - have
    span = ctx.end - ctx.start
    cases = Table(
        Case,
        [
            "id",
            "number",
            "created_at",
            "updated_at",
            "contact_id",
            "account_id",
            "type",
            "channel",
            "subject",
            "priority",
            "status",
            "queue_id",
            "assignee_id",
            "first_response_due",
            "next_response_due",
            "resolution_due",
            "first_responded_at",
            "last_customer_message_at",
            "resolved_at",
            "closed_at",
            "paused_since",
            "sla_state",
            "breached_at",
        ],
        workspace_id=ctx.ws,
    )
    messages = []
    touches = []
    message_table = Table(
        CaseMessage,
        [
            "created_at",
            "updated_at",
            "case_id",
            "kind",
            "author_id",
            "from_address",
            "subject",
            "body_text",
            "delivery_status",
        ],
        workspace_id=ctx.ws,
    )
    N = r"\N"

    def rows():
        for k in range(n):
            i = have + k
            case_id = first + k
            age = (1 - math.sqrt(rng.random())) * span  # more recent cases than old ones
            created = ctx.end - age
            typ = kind()
            prio = priority()
            policy = policies[prio]
            if age < 2 * DAY:
                status = rng.choice(["new", "new", "open", "pending"])
            elif age < 14 * DAY:
                status = rng.choice(["open", "pending", "resolved", "closed"])
            else:
                status = "closed" if rng.random() < 0.85 else "resolved"
            queue = queues[int(rng.random() * len(queues))]
            r = rng.random()
            if status == "new" and r < 0.5:
                assignee = N
            elif r < 0.12:
                assignee = agents[0]  # AGENT_EMAIL's share
            else:
                assignee = agents[int(rng.random() * len(agents))]
            responded = (
                None
                if status == "new"
                else created + rng.expovariate(1 / (policy.first_response_minutes * 18))
            )
            resolved = None
            if status in ("resolved", "closed"):
                resolved = max(
                    responded or created,
                    created + rng.expovariate(1 / (policy.resolution_minutes * 24)),
                )
                resolved = min(resolved, ctx.end - 60)
                if responded and responded > resolved:
                    responded = resolved
            if responded and responded > ctx.end - 60:
                responded = ctx.end - 60
            first_due = created + policy.first_response_minutes * 60
            resolution_due = created + policy.resolution_minutes * 60
            breached = None
            if responded is None and first_due < ctx.end or responded and responded > first_due:
                breached = first_due
            if (resolved or ctx.end) > resolution_due and (
                breached is None or resolution_due < breached
            ):
                breached = breached or resolution_due
            if resolved and breached and breached > resolved:
                breached = None
            state = "breached" if breached else "ok"
            closed = resolved + rng.random() * 3 * DAY if status == "closed" else None
            if closed and closed > ctx.end - 30:
                closed = ctx.end - 30
            subject = rng.choice(CASE_SUBJECTS[typ])
            stamp = ts(created)
            contact = lo + int(rng.random() * existing_at(ctx, created, hi - lo + 1)) if lo else N
            account = accounts[contact - lo] if lo else 0
            body = f"Hello, {subject.lower()}. Order {100000 + i}."
            chan = channel()
            if lo:  # case.opened on the contact's timeline (service.services.cases)
                touches.append(
                    (
                        created,
                        contact,
                        account or None,
                        f"service\tcase.opened\t{chan}\tin",
                        f"#{i + 1} {subject}",
                        body,
                        "service.case",
                        case_id,
                        f'{{"case_number": {i + 1}}}',
                    )
                )
            messages.append(
                (
                    stamp,
                    stamp,
                    case_id,
                    "customer",
                    N,
                    "",
                    subject,
                    body,
                    "",
                )
            )
            if responded:
                r_at = ts(responded)
                messages.append(
                    (
                        r_at,
                        r_at,
                        case_id,
                        "reply",
                        assignee if assignee != N else agents[0],
                        "",
                        f"Re: {subject}",
                        "Thank you for your message, we are on it.",
                        "sent",
                    )
                )
            yield (
                case_id,
                i + 1,
                stamp,
                ts(closed or resolved or responded or created),
                contact,
                account or N,
                typ,
                chan,
                subject,
                prio,
                status,
                queue,
                assignee,
                ts(first_due) if responded is None else N,
                N,
                ts(resolution_due) if resolved is None else N,
                ts(responded) if responded else N,
                stamp,
                ts(resolved) if resolved else N,
                ts(closed) if closed else N,
                ts(resolved)
                if status == "resolved"
                else (ts(created) if status == "pending" else N),
                state,
                ts(breached) if state == "breached" else N,
            )

    with transaction.atomic():
        first = reserve_ids(Case, n)
        with IndexesOff(Case._meta.db_table, n):
            written = cases.copy(rows())
        with IndexesOff(CaseMessage._meta.db_table, len(messages)):
            notes = message_table.copy(iter(messages))
        write_touchpoints(ctx, touches)
        CaseCounter.objects.update_or_create(
            workspace=ctx.workspace, defaults={"last_number": want}
        )
    return written, notes


# --- calls ----------------------------------------------------------------------------------


def fill_calls(ctx) -> int:
    """A week of calls (as bench/callcentre_wallboard.py makes them): inbound calls to the
    queues in office hours, 8 % abandoned, the rest answered by an agent with talk and wrap-up
    times; one session per agent and day; a few calls waiting and talking right now."""
    from django.db import transaction

    from callcentre.models import AgentSession, Call

    want = ctx.size["calls"]
    have = count(Call, ctx)
    if have >= want:
        return 0
    rng = random.Random(ctx.ws * 53)
    agents, queues, _ = team(ctx)
    now = time.time()
    N = r"\N"
    table = Table(
        Call,
        [
            "created_at",
            "updated_at",
            "direction",
            "status",
            "provider_call_id",
            "queue_id",
            "agent_id",
            "caller_number",
            "offered_at",
            "queued_at",
            "answered_at",
            "ended_at",
            "abandoned_at",
            "wait_seconds",
            "talk_seconds",
            "wrap_seconds",
        ],
        workspace_id=ctx.ws,
        provider="bench",
    )

    def rows():
        for i in range(have, want - 30):
            day = int(rng.random() * 7)
            offered = now - day * DAY - rng.random() * 10 * 3600 - 60
            queued = offered + 10
            wait = int(rng.expovariate(1 / 25))
            o = ts(offered)
            caller = f"+4930{rng.randrange(40000000):08d}"
            if rng.random() < 0.08:
                yield (
                    o,
                    o,
                    "inbound",
                    "abandoned",
                    f"b{i}",
                    rng.choice(queues),
                    N,
                    caller,
                    o,
                    ts(queued),
                    N,
                    N,
                    ts(queued + wait),
                    wait,
                    0,
                    0,
                )
            else:
                talk = rng.randint(30, 600)
                answered = queued + wait
                yield (
                    o,
                    o,
                    "inbound",
                    "ended",
                    f"b{i}",
                    rng.choice(queues),
                    rng.choice(agents),
                    caller,
                    o,
                    ts(queued),
                    ts(answered),
                    ts(answered + talk),
                    N,
                    wait,
                    talk,
                    rng.randint(5, 60),
                )
        for i in range(30):  # waiting and talking right now
            offered = now - rng.randint(20, 200)
            o = ts(offered)
            talking = i >= 12
            yield (
                o,
                o,
                "inbound",
                "answered" if talking else "offered",
                f"open{i}",
                rng.choice(queues),
                agents[i % len(agents)] if talking else N,
                f"+4930{rng.randrange(40000000):08d}",
                o,
                ts(offered + 10),
                ts(now) if talking else N,
                N,
                N,
                N,
                0,
                0,
            )

    sessions = Table(
        AgentSession,
        ["created_at", "updated_at", "agent_id", "started_at", "ended_at"],
        workspace_id=ctx.ws,
    )

    def session_rows():
        for back in range(7):
            day = now - back * DAY
            start = day - (day % DAY) + 7 * 3600
            for agent in agents:
                s = ts(start)
                end = start + 8 * 3600
                yield (s, s, agent, s, ts(end) if end < now else N)

    with transaction.atomic():
        written = table.copy(rows())
        if not count(AgentSession, ctx):
            sessions.copy(session_rows())
    return written


# --- campaigns ------------------------------------------------------------------------------


def fill_campaigns(ctx) -> tuple[int, int, int]:
    """Segments (static lists of opted-in contacts), campaigns sent to them over the two
    years and their deliveries (~98.5 % sent, the rest failed), with events at everyday
    rates: opens of ~35 % of deliveries (a quarter of them by machines), clicks ~4 %,
    unsubscribes 0.2 %, bounces 1 %, complaints 0.02 %. Returns (campaigns, deliveries,
    events)."""
    from django.db import transaction

    from contacts.models import Contact
    from marketing.models import (
        Campaign,
        Delivery,
        DeliveryEvent,
        Segment,
        SegmentMember,
        TrackedLink,
    )

    want = ctx.size["campaigns"] if ctx.main else max(ctx.size["campaigns"], 5)
    have = count(Campaign, ctx)
    if have >= want:
        return 0, 0, 0
    if have:
        raise SystemExit(
            f"{ctx.workspace.slug}: {have} of {want} campaigns: drop the database to rebuild"
        )
    rng = random.Random(ctx.ws * 59)
    n_deliveries = ctx.size["deliveries"]
    per = n_deliveries // want
    n_segments = 5
    N = r"\N"
    with transaction.atomic():
        opted = sorted(
            Contact.objects.filter(workspace=ctx.workspace, email_opt_in=True)
            .order_by("?")
            .values_list("id", "email_key")[: max(per * 3, 1000)]
        )
        segments = []
        for s in range(n_segments):
            seg = Segment.objects.create(
                workspace=ctx.workspace,
                name=f"Newsletter list {s + 1}",
                kind="static",
                last_built_at=ctx.workspace.created_at,
            )
            segments.append(seg)
        member_rows = []
        lists = []
        for s, seg in enumerate(segments):
            chosen = rng.sample(opted, min(per, len(opted)))
            lists.append(chosen)
            stamp = ts(ctx.start + s * DAY)
            member_rows += [(stamp, stamp, seg.pk, cid) for cid, _ in chosen]
            Segment.objects.filter(pk=seg.pk).update(member_count=len(chosen))
        Table(
            SegmentMember,
            ["created_at", "updated_at", "segment_id", "contact_id", "added_at"][:4],
            workspace_id=ctx.ws,
            source="manual",
            added_at=ctx.workspace.created_at,
        ).copy(iter(member_rows))
        campaigns = []
        span = ctx.end - ctx.start
        for c in range(want):
            launched = datetime.datetime.fromtimestamp(
                ctx.start + (c + 0.5) * span / want, tz=datetime.UTC
            )
            campaign = Campaign.objects.create(
                workspace=ctx.workspace,
                name=f"Newsletter {launched:%Y-%m} #{c + 1}",
                status="sent",
                subject=f"News of {launched:%B %Y}",
                html_body="<p>Hello {{ contact.first_name }}</p>",
                text_body="Hello",
                launched_at=launched,
                finished_at=launched + datetime.timedelta(hours=2),
            )
            campaign.segments.set([segments[c % n_segments]])
            links = [
                TrackedLink.objects.create(
                    workspace=ctx.workspace,
                    campaign=campaign,
                    url=f"https://shop.example/{c}/{k}",
                    position=k,
                )
                for k in (1, 2)
            ]
            campaigns.append((campaign, lists[c % n_segments], links))
        deliveries = Table(
            Delivery,
            [
                "id",
                "created_at",
                "updated_at",
                "campaign_id",
                "contact_id",
                "address",
                "status",
                "attempts",
                "sent_at",
                "smtp_code",
                "message_id",
            ],
            workspace_id=ctx.ws,
        )
        events = []
        event_table = Table(
            DeliveryEvent,
            [
                "created_at",
                "updated_at",
                "delivery_id",
                "kind",
                "link_id",
                "occurred_at",
                "machine",
            ],
            workspace_id=ctx.ws,
            user_agent="",
            data={},
        )
        first = reserve_ids(Delivery, per * want)

        def rows():
            d = first
            for campaign, members, links in campaigns:
                base = campaign.launched_at.timestamp()
                for cid, address in members[:per]:
                    sent = base + rng.random() * 7200
                    s = ts(sent)
                    ok = rng.random() < 0.985
                    yield (
                        d,
                        s,
                        s,
                        campaign.pk,
                        cid,
                        address,
                        "sent" if ok else "failed",
                        1,
                        s if ok else N,
                        250 if ok else 550,
                        f"<{d}@bench.example>" if ok else "",
                    )
                    if ok:
                        r = rng.random()
                        if r < 0.01:
                            events.append((s, s, d, "bounce", N, s, "f"))
                        elif r < 0.36:
                            machine = rng.random() < 0.25
                            at = ts(sent + (5 if machine else rng.expovariate(1 / 7200)))
                            events.append((at, at, d, "open", N, at, "t" if machine else "f"))
                            if not machine and rng.random() < 0.13:
                                at = ts(sent + rng.expovariate(1 / 7200) + 60)
                                events.append(
                                    (at, at, d, "click", links[int(rng.random() * 2)].pk, at, "f")
                                )
                            if rng.random() < 0.006:
                                events.append((at, at, d, "unsubscribe", N, at, "f"))
                            if rng.random() < 0.0006:
                                events.append((at, at, d, "complaint", N, at, "f"))
                    d += 1

        with IndexesOff(Delivery._meta.db_table, per * want):
            written = deliveries.copy(rows())
        with IndexesOff(DeliveryEvent._meta.db_table, len(events)):
            happened = event_table.copy(iter(events))
    return want, written, happened


# --- main -----------------------------------------------------------------------------------


def other_sizes(size: dict) -> dict:
    """The second workspace: every kind at 1/10 (contacts as `other_contacts` says)."""
    other = {k: max(v // 10, 1) for k, v in size.items()}
    other["contacts"] = size["other_contacts"]
    other["timeline_interactions"] = 0
    return other


def generate(scale: str) -> None:
    """Build (or top up) the whole dataset of `scale`, printing rows and seconds per kind."""
    from django.core.management import call_command
    from django.db import connection

    from workspaces.scoping import workspace_scope

    call_command("migrate", verbosity=0)
    size = sizes(scale)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no per-row FK triggers
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute("SET synchronous_commit = off")
    written = 0
    for slug, name, wanted, main in (
        (MAIN_SLUG, "Bench GmbH", size, True),
        (OTHER_SLUG, "Other Ltd", other_sizes(size), False),
    ):
        workspace = make_workspace(slug, name)
        ctx = Context(workspace, wanted, main)
        with workspace_scope(workspace):
            written += timed("team", ctx, fill_team)
            written += timed("accounts", ctx, fill_accounts)
            t = time.perf_counter()
            contacts, history = fill_contacts_and_history(ctx)
            took = time.perf_counter() - t
            label = "contacts+interactions"
            if contacts:
                print(f"{slug:12} {label:22} {contacts:>11,} + {history:,} rows {took:8.1f} s")
            else:
                print(f"{slug:12} {label:22} {'present':>16} {took:8.1f} s", flush=True)
            written += contacts + history
            fill_sequence(ctx)
            written += timed("leads", ctx, fill_leads)
            written += timed("deals (+history)", ctx, lambda c: sum(fill_deals(c)))
            written += timed("cases (+messages)", ctx, lambda c: sum(fill_cases(c)))
            written += timed("calls", ctx, fill_calls)
            written += timed("campaigns (+deliv.)", ctx, lambda c: sum(fill_campaigns(c)))
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = origin")
        if not written:  # nothing new: the statistics stand
            print(f"done in {time.perf_counter() - started:.1f} s (nothing to add)")
            return
        t = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")  # visibility map for index-only scans, statistics
        print(f"{'':12} {'VACUUM ANALYZE':22} {'':>16} {time.perf_counter() - t:8.1f} s")
    print(f"done in {time.perf_counter() - started:.1f} s")


def fill_contacts(workspace, n, account_ids, offset=0):
    """`n` contacts without history in `workspace` (for benchmarks that need recipients only,
    e.g. bench/campaign_report.py): the same people as the dataset's, created over two years."""
    from contacts.emails import email_key
    from contacts.models import Contact

    rng = random.Random(workspace.pk * 7 + offset)
    people = People(rng, f"w{workspace.pk}.")
    stage = picker(LIFECYCLE, rng)
    end = time.time()
    table = Table(
        Contact,
        [
            "created_at",
            "updated_at",
            "first_name",
            "last_name",
            "email",
            "email_key",
            "phone",
            "mobile",
            "sex",
            "education",
            "country",
            "city",
            "account_id",
            "lifecycle_stage",
            "email_opt_in",
        ],
        workspace_id=workspace.pk,
    )

    def rows():
        for i in range(offset, offset + n):
            p = people.draw(i, end)
            when = ts(end - SPAN_DAYS * DAY * rng.random())
            acc = rng.choice(account_ids) if account_ids and rng.random() < 0.7 else r"\N"
            yield (
                when,
                when,
                p["first"],
                p["last"],
                p["email"],
                email_key(p["email"]),
                p["phone"],
                p["mobile"],
                p["sex"],
                p["education"],
                p["country"],
                p["city"],
                acc,
                stage(),
                "t" if rng.random() < 0.62 else "f",
            )

    return table.copy(rows())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", choices=("full", "small"), default="full")
    args = parser.parse_args()
    setup_django()
    generate(args.scale)


if __name__ == "__main__":
    main()
