"""Fill the benchmark database: 1,000,000 contacts, 1,000,000 leads and 1,000,000 deals in one
workspace (plus 100,000 of each in a second one), 50,000 accounts, and 10,000 interactions on
one contact, with PostgreSQL COPY.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crm_bench .venv/bin/python bench/generate.py [--contacts N] [--leads N] [--deals N]

Idempotent: an existing benchmark workspace with the wanted size is left as it is (each kind
of row is topped up on its own). Everything a workspace owns is read and written inside its
scope, as a task would.
"""

import argparse
import datetime
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import MAIN_SLUG, OTHER_SLUG, OWNER_EMAIL, setup_django  # noqa: E402

FIRST = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Emma",
    "Felix",
    "Greta",
    "Hans",
    "Ida",
    "Jonas",
    "Karl",
    "Lena",
    "Max",
    "Nina",
    "Otto",
    "Paula",
    "Quentin",
    "Rosa",
    "Sven",
    "Tina",
    "Uwe",
    "Vera",
    "Willi",
    "Xenia",
    "Yusuf",
    "Zoe",
    "Ada",
    "Grace",
    "Alan",
    "Linus",
    "Ken",
    "Dennis",
    "Barbara",
    "Frances",
    "Margaret",
    "Katherine",
    "Edsger",
    "Donald",
    "Leslie",
    "Tony",
    "John",
    "Mary",
    "Peter",
    "Sarah",
]
LAST_STEMS = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Krause",
    "Meier",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Mayer",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Weiß",
    "Jung",
    "Hahn",
    "Schubert",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
]
STAGES = (
    ["subscriber"] * 2
    + ["lead"] * 5
    + ["qualified"] * 2
    + ["opportunity", "customer", "customer", "evangelist", "churned"]
)
CITIES = [
    "Berlin",
    "Hamburg",
    "München",
    "Köln",
    "Frankfurt",
    "Stuttgart",
    "Düsseldorf",
    "Leipzig",
    "Dortmund",
    "Essen",
    "Bremen",
    "Dresden",
]


def last_names(n=3000):
    rng = random.Random(1)
    names = set(LAST_STEMS)
    while len(names) < n:
        names.add(rng.choice(LAST_STEMS) + "-" + rng.choice(LAST_STEMS))
    return sorted(names)


def _defaults(model):
    """column -> default value for every concrete column (Django has no DB defaults here)."""
    out = {}
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        default = field.get_default()
        if isinstance(default, dict | list):
            default = json.dumps(default)
        out[field.column] = default
    return out


def copy_rows(table, columns, rows):
    from django.db import connection

    with connection.cursor() as cursor:
        raw = cursor.cursor  # the psycopg cursor
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def make_workspace(slug, name):
    from workspaces.models import Membership, User, Workspace
    from workspaces.scoping import workspace_scope

    workspace, _ = Workspace.objects.get_or_create(
        slug=slug, defaults={"name": name, "time_zone": "Europe/Berlin", "country": "DE"}
    )
    if workspace.country != "DE":  # German numbers throughout: searched as 030 …
        Workspace.objects.filter(pk=workspace.pk).update(country="DE")
        workspace.country = "DE"
    user = User.objects.filter(email=OWNER_EMAIL).first() or User.objects.create_user(
        OWNER_EMAIL, "bench-password-1"
    )
    with workspace_scope(workspace):
        Membership.objects.get_or_create(workspace=workspace, user=user, defaults={"role": "owner"})
    return workspace


def fill_accounts(workspace, n):
    from contacts.models import Account

    defaults = _defaults(Account)
    columns = list(defaults)
    now = datetime.datetime.now(datetime.UTC)
    rng = random.Random(workspace.pk)

    def rows():
        for i in range(n):
            values = dict(
                defaults,
                workspace_id=workspace.pk,
                created_at=now,
                updated_at=now,
                name=f"{rng.choice(LAST_STEMS)} {rng.choice(['GmbH', 'AG', 'KG', 'Ltd', 'Inc'])} {i}",
                domain=f"firma{i}.example",
                city=rng.choice(CITIES),
            )
            yield [values[c] for c in columns]

    copy_rows(Account._meta.db_table, columns, rows())
    return list(Account.objects.filter(workspace=workspace).values_list("id", flat=True))


def fill_contacts(workspace, n, account_ids, offset=0):
    from contacts.models import Contact

    defaults = _defaults(Contact)
    columns = list(defaults)
    rng = random.Random(workspace.pk * 7)
    lasts = last_names()
    start = datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC)

    def rows():
        for i in range(offset, offset + n):
            first, last = rng.choice(FIRST), rng.choice(lasts)
            created = start + datetime.timedelta(seconds=i * 90 + rng.randint(0, 80))
            touched = (
                created + datetime.timedelta(days=rng.randint(0, 300))
                if rng.random() < 0.4
                else None
            )
            values = dict(
                defaults,
                workspace_id=workspace.pk,
                created_at=created,
                updated_at=created,
                first_name=first,
                last_name=last,
                email=f"{first.lower()}.{i}@ws{workspace.pk}.example",
                phone=f"+4930{workspace.pk:02d}{i:07d}",
                mobile=f"+49151{workspace.pk:02d}{i:07d}" if i % 3 == 0 else "",
                lifecycle_stage=rng.choice(STAGES),
                city=rng.choice(CITIES),
                account_id=rng.choice(account_ids) if account_ids and rng.random() < 0.7 else None,
                last_interaction_at=touched,
                date_of_birth=datetime.date(1950, 1, 1)
                + datetime.timedelta(days=rng.randint(0, 20000))
                if i % 2
                else None,
            )
            values["email_key"] = values["email"]  # ASCII and lower case: its own key
            if values["date_of_birth"]:
                values["birthday_month"] = values["date_of_birth"].month
                values["birthday_day"] = values["date_of_birth"].day
            yield [values[c] for c in columns]

    copy_rows(Contact._meta.db_table, columns, rows())


def fill_interactions(workspace, contact, n):
    from touchpoints.models import Interaction
    from workspaces.changelog import sequence_take

    defaults = _defaults(Interaction)
    first_seq = sequence_take(workspace=workspace, count=n)  # the history's consumer cursor
    columns = list(defaults)
    rng = random.Random(3)
    now = datetime.datetime.now(datetime.UTC)
    channels = [
        ("phone", "call.logged"),
        ("email", "email.sent"),
        ("email", "email.opened"),
        ("meeting", "meeting.held"),
        ("note", "note.added"),
        ("sms", "sms.sent"),
    ]

    def rows():
        for i in range(n):
            channel, kind = rng.choice(channels)
            when = now - datetime.timedelta(minutes=i * 37)
            values = dict(
                defaults,
                workspace_id=workspace.pk,
                created_at=when,
                updated_at=when,
                contact_id=contact.pk,
                account_id=contact.account_id,
                occurred_at=when,
                channel=channel,
                kind=kind,
                subject=f"{kind} #{i}",
                body="Benchmark touch point.",
                seq=first_seq + i,
            )
            yield [values[c] for c in columns]

    copy_rows(Interaction._meta.db_table, columns, rows())
    from contacts.models import Contact

    Contact.objects.filter(pk=contact.pk).update(last_interaction_at=now)


LEAD_STATUSES = ["new"] * 4 + ["working"] * 3 + ["qualified", "disqualified", "converted"]
LEAD_SOURCES = ["web_form", "import", "event", "referral", "campaign", "cold_call", "other"]
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
]


def fill_leads(workspace, n, offset=0):
    """`n` leads (numbered from `offset`): names and companies like the contacts', unique
    emails and E.164 phones, statuses and sources mixed, one created every 90 s."""
    from sales.models import Lead

    defaults = _defaults(Lead)
    columns = list(defaults)
    rng = random.Random(workspace.pk * 11 + offset)
    lasts = last_names()
    start = datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC)

    def rows():
        for i in range(offset, offset + n):
            first, last = rng.choice(FIRST), rng.choice(lasts)
            created = start + datetime.timedelta(seconds=i * 90 + rng.randint(0, 80))
            values = dict(
                defaults,
                workspace_id=workspace.pk,
                created_at=created,
                updated_at=created,
                first_name=first,
                last_name=last,
                company=f"{rng.choice(LAST_STEMS)} {rng.choice(['GmbH', 'AG', 'KG'])} {i}",
                email=f"{first.lower()}.{i}@lead{workspace.pk}.example",
                phone=f"+4940{workspace.pk:02d}{i:07d}",
                status=rng.choice(LEAD_STATUSES),
                source=rng.choice(LEAD_SOURCES),
            )
            yield [values[c] for c in columns]

    copy_rows(Lead._meta.db_table, columns, rows())


def fill_deals(workspace, n, stages, account_ids, offset=0):
    """`n` deals (numbered from `offset`) in the default pipeline's stages, 70 % with an
    account; won and lost ones are closed. Stage history is not generated (not searched)."""
    from sales.models import Deal

    defaults = _defaults(Deal)
    columns = list(defaults)
    rng = random.Random(workspace.pk * 13 + offset)
    start = datetime.datetime(2023, 1, 1, tzinfo=datetime.UTC)
    weighted = [s for s in stages for _ in range(6 if s.kind == "open" else 1)]

    def rows():
        for i in range(offset, offset + n):
            stage = rng.choice(weighted)
            created = start + datetime.timedelta(seconds=i * 90 + rng.randint(0, 80))
            closed = created + datetime.timedelta(days=rng.randint(1, 120))
            values = dict(
                defaults,
                workspace_id=workspace.pk,
                created_at=created,
                updated_at=created,
                name=f"{rng.choice(DEAL_WORDS)} {rng.choice(LAST_STEMS)} {i}",
                pipeline_id=stage.pipeline_id,
                stage_id=stage.pk,
                amount=rng.randint(5, 2000) * 100,
                account_id=rng.choice(account_ids) if account_ids and rng.random() < 0.7 else None,
                expected_close_date=(
                    created + datetime.timedelta(days=rng.randint(10, 200))
                ).date(),
                closed_at=closed if stage.kind != "open" else None,
                won_at=closed if stage.kind == "won" else None,
            )
            yield [values[c] for c in columns]

    copy_rows(Deal._meta.db_table, columns, rows())


def fill_sales(workspace, leads, deals):
    """Top the workspace's leads and deals up to `leads` and `deals` rows."""
    from django.db import transaction

    from contacts.models import Account
    from sales.models import Deal, Lead, Stage
    from sales.services.pipelines import pipeline_ensure_default
    from workspaces.scoping import workspace_scope

    with workspace_scope(workspace), transaction.atomic():
        have = Lead.objects.filter(workspace=workspace).count()
        if have < leads:
            t = time.perf_counter()
            fill_leads(workspace, leads - have, offset=have)
            print(
                f"{workspace.slug}: {leads - have:,} leads copied in {time.perf_counter() - t:.1f} s"
            )
        have = Deal.objects.filter(workspace=workspace).count()
        if have < deals:
            t = time.perf_counter()
            pipeline = pipeline_ensure_default(workspace=workspace)
            stages = list(Stage.objects.filter(workspace=workspace, pipeline=pipeline))
            account_ids = list(
                Account.objects.filter(workspace=workspace).values_list("id", flat=True)
            )
            fill_deals(workspace, deals - have, stages, account_ids, offset=have)
            print(
                f"{workspace.slug}: {deals - have:,} deals copied in {time.perf_counter() - t:.1f} s"
            )


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--other", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=50_000)
    parser.add_argument("--interactions", type=int, default=10_000)
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--deals", type=int, default=1_000_000)
    args = parser.parse_args()
    setup_django()
    from django.core.management import call_command
    from django.db import connection, transaction

    from contacts.models import Account, Contact
    from touchpoints.models import Interaction
    from workspaces.scoping import workspace_scope

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    for slug, name, size, leads, deals in (
        (MAIN_SLUG, "Bench GmbH", args.contacts, args.leads, args.deals),
        (OTHER_SLUG, "Other Ltd", args.other, args.other, args.other),
    ):
        workspace = make_workspace(slug, name)
        with workspace_scope(workspace):
            have = Contact.objects.filter(workspace=workspace).count()
            if have >= size:
                print(f"{slug}: {have:,} contacts already")
            else:
                t = time.perf_counter()
                with transaction.atomic():
                    account_ids = list(
                        Account.objects.filter(workspace=workspace).values_list("id", flat=True)
                    )
                    wanted = args.accounts if slug == MAIN_SLUG else args.accounts // 10
                    if len(account_ids) < wanted:  # top up (a smaller trial run may have made some)
                        account_ids = fill_accounts(workspace, wanted - len(account_ids))
                    fill_contacts(workspace, size - have, account_ids, offset=have)
                print(f"{slug}: {size - have:,} contacts copied in {time.perf_counter() - t:.1f} s")
        fill_sales(workspace, leads, deals)
    workspace = make_workspace(MAIN_SLUG, "Bench GmbH")
    with workspace_scope(workspace):
        target = Contact.objects.filter(workspace=workspace).order_by("id").first()
        have = Interaction.objects.filter(contact=target).count()
        if have < args.interactions:
            t = time.perf_counter()
            with transaction.atomic():
                fill_interactions(workspace, target, args.interactions - have)
            print(
                f"{args.interactions:,} interactions on contact #{target.pk} in {time.perf_counter() - t:.1f} s"
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # visibility map for index-only scans, fresh statistics
    print(f"done in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
