"""Demo data: 15 accounts, 60 contacts with varied sex, age, education, lifecycle stage and
consent, two custom fields, and a few hundred touch points over the past year.

The history looks like a working business: calls, meetings and the other logged touch points
happen on weekdays between 08:00 and 18:00 in the workspace's time zone (more mid-week and
mid-morning, see contacts.business_hours); calls have outcomes (mostly reached, also
voicemail, no answer, busy, a wrong number) and durations that fit them (a conversation 2 to
25 minutes, a voicemail under two, no answer none). Web form submissions come at any hour.
Subjects are in the language the demo is seeded in.

Idempotent: accounts are found by name and contacts by email; history is only added to
contacts this run created. Everything is written through the services.
"""

import datetime
import random
import zoneinfo

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from touchpoints.logging import CallOutcome
from touchpoints.services import interaction_log, interaction_record
from workspaces.roles import Role

from .business_hours import office_moment_between
from .models import (
    Account,
    Contact,
    CustomField,
    Education,
    LifecycleStage,
    PreferredChannel,
    Salutation,
    Sex,
)
from .services.accounts import account_create
from .services.contacts import contact_create
from .services.custom_fields import custom_field_define

ACCOUNTS = [
    # name, domain, industry, size, city, postal code, phone
    (
        "Nordlicht Energie GmbH",
        "nordlicht-energie.example",
        "Energy",
        "201-1000",
        "Hamburg",
        "20095",
        "+49 40 3012345",
    ),
    (
        "Bergmann & Söhne KG",
        "bergmann-soehne.example",
        "Manufacturing",
        "51-200",
        "Stuttgart",
        "70173",
        "+49 711 2233440",
    ),
    (
        "Café Morgenrot",
        "cafe-morgenrot.example",
        "Hospitality",
        "1-10",
        "Berlin",
        "10115",
        "+49 30 4455660",
    ),
    (
        "Praxis Dr. Weber",
        "praxis-weber.example",
        "Healthcare",
        "11-50",
        "München",
        "80331",
        "+49 89 1234560",
    ),
    (
        "Lindner Logistik AG",
        "lindner-logistik.example",
        "Logistics",
        "1000+",
        "Duisburg",
        "47051",
        "+49 203 998877",
    ),
    (
        "Sonnenhof Hotels",
        "sonnenhof-hotels.example",
        "Hospitality",
        "201-1000",
        "Freiburg",
        "79098",
        "+49 761 202020",
    ),
    (
        "Kessler Bau GmbH",
        "kessler-bau.example",
        "Construction",
        "51-200",
        "Leipzig",
        "04109",
        "+49 341 7788990",
    ),
    (
        "Alpine Outdoor Shop",
        "alpine-outdoor.example",
        "Retail",
        "11-50",
        "Innsbruck",
        "6020",
        "+43 512 345678",
    ),
    (
        "Helvetia Treuhand AG",
        "helvetia-treuhand.example",
        "Finance",
        "11-50",
        "Zürich",
        "8001",
        "+41 44 2223344",
    ),
    (
        "Stadtwerke Neustadt",
        "sw-neustadt.example",
        "Utilities",
        "201-1000",
        "Neustadt",
        "67433",
        "+49 6321 55660",
    ),
    (
        "Pixelwerk Agentur",
        "pixelwerk.example",
        "Marketing",
        "1-10",
        "Köln",
        "50667",
        "+49 221 9988770",
    ),
    (
        "Grünland Bio-Markt",
        "gruenland-bio.example",
        "Retail",
        "51-200",
        "Bremen",
        "28195",
        "+49 421 667788",
    ),
    (
        "Mayer Maschinenbau",
        "mayer-maschinenbau.example",
        "Manufacturing",
        "201-1000",
        "Augsburg",
        "86150",
        "+49 821 4455667",
    ),
    (
        "Ostsee Reisen",
        "ostsee-reisen.example",
        "Travel",
        "11-50",
        "Rostock",
        "18055",
        "+49 381 223344",
    ),
    (
        "Fischer IT-Service",
        "fischer-it.example",
        "IT services",
        "11-50",
        "Hannover",
        "30159",
        "+49 511 8899001",
    ),
]

FEMALE = [
    "Anna",
    "Julia",
    "Sophie",
    "Laura",
    "Marie",
    "Lena",
    "Katharina",
    "Sarah",
    "Lisa",
    "Hannah",
    "Claudia",
    "Petra",
    "Sabine",
    "Monika",
    "Elif",
    "Fatma",
    "Olga",
    "Chiara",
]
MALE = [
    "Lukas",
    "Jonas",
    "Felix",
    "Maximilian",
    "Paul",
    "Thomas",
    "Michael",
    "Andreas",
    "Stefan",
    "Markus",
    "Jürgen",
    "Klaus",
    "Mehmet",
    "Luca",
    "Piotr",
    "Ahmed",
    "Jan",
]
LAST = [
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
    "Werner",
    "Krause",
    "Lehmann",
    "Köhler",
    "Yılmaz",
    "Nowak",
    "Rossi",
]
JOBS = [
    "Managing Director",
    "Head of Purchasing",
    "Office Manager",
    "IT Lead",
    "Buyer",
    "Marketing Manager",
    "Facility Manager",
    "CFO",
    "Project Manager",
    "Assistant",
    "",
]
SUBJECTS = {
    "call": [
        _("Asked about delivery times"),
        _("Follow-up on the offer"),
        _("Question about the invoice"),
        _("Wants a call back next week"),
        _("Interested in the new range"),
    ],
    "meeting": [_("Annual review"), _("Product demo"), _("Contract negotiation"), _("Kick-off")],
    "visit": [_("On-site visit"), _("Visited the warehouse"), _("Showroom tour")],
    "letter": [_("Sent the catalogue"), _("Contract by post"), _("Christmas card")],
    "fax": [_("Order confirmation by fax")],
    "sms": [_("Appointment reminder"), _("Delivery notice")],
    "chat": [_("Website chat about prices"), _("Chat: password reset")],
    "store_visit": [_("Visited the store"), _("Picked up the order in store")],
    "event": [_("Trade fair booth visit"), _("Customer evening"), _("Webinar attended")],
    "note": [
        _("Prefers calls in the morning"),
        _("Decision maker is the CFO"),
        _("Budget freeze until Q3"),
    ],
}
TYPE_WEIGHTS = [
    ("call", 30),
    ("meeting", 8),
    ("visit", 6),
    ("letter", 6),
    ("fax", 1),
    ("sms", 6),
    ("chat", 8),
    ("store_visit", 5),
    ("event", 5),
    ("note", 10),
]
# outbound call outcomes and how often they happen (an inbound call is always reached)
CALL_OUTCOMES = [
    (CallOutcome.REACHED, 55),
    (CallOutcome.VOICEMAIL, 20),
    (CallOutcome.NO_ANSWER, 15),
    (CallOutcome.BUSY, 6),
    (CallOutcome.WRONG_NUMBER, 4),
]
# minutes a logged touch point takes in the calendar (the slot it must fit into before 18:00)
SLOT_MINUTES = {"meeting": (30, 90), "visit": (45, 120), "event": (60, 120)}


def call_outcome(rng, direction: str) -> str:
    """A call's outcome: inbound calls are reached; outbound ones by CALL_OUTCOMES."""
    if direction == "in":
        return CallOutcome.REACHED
    outcomes, weights = zip(*CALL_OUTCOMES, strict=True)
    return rng.choices(outcomes, weights=weights)[0]


def call_seconds(rng, outcome: str) -> int | None:
    """How long a call with `outcome` took, in seconds (None: no conversation at all):
    reached 2-25 minutes, mostly 4-8 (triangular, mode 6); a voicemail 30-90 s; a wrong
    number 10-40 s; no answer and busy none."""
    if outcome == CallOutcome.REACHED:
        return int(rng.triangular(2 * 60, 25 * 60, 6 * 60)) // 5 * 5
    if outcome == CallOutcome.VOICEMAIL:
        return rng.randrange(30, 91, 5)
    if outcome == CallOutcome.WRONG_NUMBER:
        return rng.randrange(10, 41, 5)
    return None


CONSENT_SOURCES = ["web form", "trade fair", "phone call", "newsletter sign-up"]
CONTACT_COUNT = 60


def _pick_type(rng) -> str:
    types, weights = zip(*TYPE_WEIGHTS, strict=True)
    return rng.choices(types, weights=weights)[0]


def _custom_fields(workspace, actor):
    if not CustomField.objects.filter(
        workspace=workspace, entity="contact", key="customer_number"
    ).exists():
        custom_field_define(
            workspace=workspace,
            actor=actor,
            entity="contact",
            label="Customer number",
            key="customer_number",
            field_type="text",
        )
    if not CustomField.objects.filter(workspace=workspace, entity="contact", key="tier").exists():
        custom_field_define(
            workspace=workspace,
            actor=actor,
            entity="contact",
            label="Tier",
            key="tier",
            field_type="choice",
            choices=["gold", "silver", "bronze"],
        )
    if not CustomField.objects.filter(
        workspace=workspace, entity="account", key="annual_revenue"
    ).exists():
        custom_field_define(
            workspace=workspace,
            actor=actor,
            entity="account",
            label="Annual revenue (k€)",
            key="annual_revenue",
            field_type="number",
        )


def _accounts(workspace, actor, owners, rng) -> list[Account]:
    existing = {
        a.name: a
        for a in Account.objects.filter(workspace=workspace, name__in=[a[0] for a in ACCOUNTS])
    }
    out = []
    for name, domain, industry, size, city, postal, phone in ACCOUNTS:
        account = existing.get(name)
        if account is None:
            account = account_create(
                workspace=workspace,
                actor=actor,
                name=name,
                domain=domain,
                industry=industry,
                size=size,
                city=city,
                postal_code=postal,
                phone=phone,
                website=f"https://www.{domain}/",
                country="Germany"
                if phone.startswith("+49")
                else ("Austria" if phone.startswith("+43") else "Switzerland"),
                owner=rng.choice(owners),
                custom={"annual_revenue": rng.randrange(200, 90000, 50)},
            )
        out.append(account)
    return out


def _history(workspace, contact, actors, rng, now):
    """4-6 touch points on average over the past year (up to yesterday), each in office
    hours in the workspace's time zone; calls with an outcome and a fitting duration."""
    tz = _tz(workspace)
    yesterday = now.astimezone(tz).date() - datetime.timedelta(days=1)
    first = yesterday - datetime.timedelta(days=364)
    n = rng.choice([0, 1, 2, 3, 4, 5, 6, 7, 8, 10, 12])
    entries = []
    for _i in range(n):
        log_type = _pick_type(rng)
        if log_type == "call" and contact.do_not_call:
            direction = "in"
        elif log_type in ("call", "sms", "chat", "fax", "letter"):
            direction = rng.choice(["in", "out", "out"])
        else:
            direction = ""  # the type's usual direction (a store visit is inbound)
        outcome, seconds, slot = "", None, 0
        if log_type == "call":
            outcome = call_outcome(rng, direction)
            seconds = call_seconds(rng, outcome)
            slot = -(-(seconds or 0) // 60)
        elif log_type in SLOT_MINUTES:
            slot = rng.randrange(SLOT_MINUTES[log_type][0], SLOT_MINUTES[log_type][1] + 1, 15)
        moment = office_moment_between(rng, first, yesterday, tz, minutes=slot)
        entries.append((moment, log_type, direction, outcome, seconds))
    for occurred_at, log_type, direction, outcome, seconds in sorted(entries):
        interaction_log(
            workspace=workspace,
            actor=rng.choice(actors),
            log_type=log_type,
            contact=contact,
            direction=direction,
            occurred_at=occurred_at,
            subject=str(rng.choice(SUBJECTS[log_type])),
            duration_seconds=seconds,
            outcome=outcome,
        )
    if rng.random() < 0.35:
        interaction_record(
            workspace=workspace,
            kind="form.submitted",
            channel="website",
            contact=contact,
            direction="in",
            subject=str(_("Contact form: product question")),
            occurred_at=now - datetime.timedelta(days=rng.randrange(1, 300)),
        )


def _tz(workspace):
    try:
        return zoneinfo.ZoneInfo(workspace.time_zone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def seed_contacts_demo(workspace, users, stdout) -> None:
    rng = random.Random(20261128)  # the same demo every time
    names_rng = random.Random(1128)  # names and emails never depend on what exists already
    actor = users.get(Role.OWNER)
    owners = [u for role, u in users.items() if role in (Role.OWNER, Role.SALES, Role.MANAGER)] or [
        actor
    ]
    actors = list(users.values()) or [actor]
    now = timezone.now()
    _custom_fields(workspace, actor)
    accounts = _accounts(workspace, actor, owners, rng)
    emails = []
    people = []
    for i in range(CONTACT_COUNT):
        sex = names_rng.choice([Sex.FEMALE, Sex.MALE, Sex.FEMALE, Sex.MALE, Sex.DIVERSE, ""])
        first = names_rng.choice(
            FEMALE if sex == Sex.FEMALE else MALE if sex == Sex.MALE else FEMALE + MALE
        )
        last = names_rng.choice(LAST)
        account = accounts[i % len(accounts)] if i < 52 else None  # a few private customers
        domain = (
            account.domain if account else names_rng.choice(["gmail.com", "web.de", "posteo.de"])
        )
        local = (
            f"{first}.{last}".lower().translate(str.maketrans("äöüßı", "aousi")).replace(" ", "")
        )
        email = f"{local}{i}@{domain}"
        emails.append(email)
        people.append((i, sex, first, last, account, email))
    known = set(
        Contact.objects.filter(workspace=workspace, email__in=emails).values_list(
            "email", flat=True
        )
    )
    created = 0
    for i, sex, first, last, account, email in people:
        if email in known:
            continue
        age = rng.randrange(19, 78)
        stage = rng.choice(LifecycleStage.values)
        opted_in = rng.random() < 0.55
        contact = contact_create(
            workspace=workspace,
            actor=actor,
            first_name=first,
            last_name=last,
            email=email,
            salutation=Salutation.MS
            if sex == Sex.FEMALE
            else Salutation.MR
            if sex == Sex.MALE
            else "",
            sex=sex,
            date_of_birth=(now - datetime.timedelta(days=age * 365 + rng.randrange(365))).date(),
            education=rng.choice(Education.values + [""]),
            phone=f"+49 30 {5550000 + i * 37}" if rng.random() < 0.8 else "",
            mobile=f"+49 170 {3000000 + i * 101}" if rng.random() < 0.6 else "",
            job_title=rng.choice(JOBS) if account else "",
            account=account,
            owner=rng.choice(owners + [None]),
            lifecycle_stage=stage,
            preferred_channel=rng.choice(PreferredChannel.values + [""]),
            language=rng.choice(["de", "de", "de", "en"]),
            email_opt_in=opted_in,
            consent_source=rng.choice(CONSENT_SOURCES) if opted_in else "",
            do_not_call=rng.random() < 0.1,
            do_not_mail=rng.random() < 0.05,
            city=account.city if account else rng.choice(["Berlin", "Hamburg", "Köln", "Dresden"]),
            country="Germany",
            custom={
                "customer_number": f"K-{10000 + i}",
                "tier": rng.choice(["gold", "silver", "bronze", ""]),
            }
            if stage in ("customer", "evangelist")
            else {},
            tags=rng.sample(
                ["newsletter", "vip", "trade fair 2026", "b2b", "partner"], k=rng.randrange(0, 3)
            ),
        )
        _history(workspace, contact, actors, rng, now)
        created += 1
    stdout.write(
        f"Contacts: {created} created ({len(known)} were there), {len(accounts)} accounts."
    )
