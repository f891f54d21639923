"""Demo data of the sales core (seed_demo, order 50, idempotent): two pipelines, lost
reasons, leads in every state, about 60 deals created over the past nine months with
realistic stage histories (about 20 won, 12 lost), and activities around today."""

import datetime
import random
from decimal import Decimal

from django.utils import timezone

from contacts.models import Account, Contact
from workspaces.roles import Role

from ..models import ActivityType, Deal, Lead, LeadSource, LostReason, Pipeline, Stage
from ..services import (
    activities as activity_services,
    deals as deal_services,
    leads as lead_services,
    pipelines as pipeline_services,
)

PIPELINES = {
    "New business": [
        ("Qualification", 10, "open"),
        ("Needs analysis", 20, "open"),
        ("Demo", 40, "open"),
        ("Proposal", 60, "open"),
        ("Negotiation", 80, "open"),
        ("Won", 100, "won"),
        ("Lost", 0, "lost"),
    ],
    "Renewals": [
        ("Up for renewal", 50, "open"),
        ("Offer sent", 70, "open"),
        ("Verbal yes", 90, "open"),
        ("Renewed", 100, "won"),
        ("Churned", 0, "lost"),
    ],
}
LOST_REASONS = ["Price", "Competitor", "No budget", "Timing", "No decision"]
COMPETITORS = ["Salesforce", "HubSpot", "Pipedrive", "Zoho", ""]
COMPANIES = [
    "Nordlicht Logistik",
    "Bergmann Maschinenbau",
    "Fischer & Söhne",
    "Alpenblick Hotels",
    "Rheinwerk Digital",
    "Hansa Medical",
    "Keller Bau",
    "Sonnenschein Solar",
    "Vogel Verlag",
    "Lindner Foods",
    "Brandt Consulting",
    "Meyer Textil",
    "Urban Mobility",
    "Falk Elektro",
    "Graf Pharma",
    "Krause Retail",
    "Lorenz Software",
    "Seidel Immobilien",
    "Weber Optik",
    "Zimmer Spedition",
]
FIRST = [
    "Anna",
    "Lukas",
    "Marie",
    "Jonas",
    "Lea",
    "Felix",
    "Sophie",
    "Paul",
    "Emma",
    "Noah",
    "Clara",
    "Elias",
    "Hannah",
    "Ben",
    "Lina",
]
LAST = [
    "Schmidt",
    "Müller",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Schulz",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Neumann",
    "Schwarz",
    "Braun",
    "Hofmann",
    "Hartmann",
]


def seed(workspace, users, stdout) -> None:
    if Pipeline.objects.filter(name="New business").exists():
        stdout.write("sales: demo data present")
        return
    rng = random.Random(50)
    owner = users[Role.OWNER]
    reps = [u for u in (users.get(Role.SALES), owner) if u is not None]
    pipelines = _pipelines(workspace, owner)
    _standard_pipeline_drop(workspace, owner)
    reasons = _lost_reasons(workspace, owner)
    contacts = _contacts(workspace, owner, rng)
    _leads(workspace, owner, reps, rng)
    n_deals = _deals(workspace, owner, reps, rng, pipelines, reasons, contacts)
    _activities(workspace, owner, reps, rng, contacts)
    stdout.write(f"sales: {n_deals} deals, leads and activities seeded")


def _pipelines(workspace, actor) -> dict:
    out = {}
    for position, (name, stages) in enumerate(PIPELINES.items()):
        pipeline = Pipeline.objects.filter(name=name).first() or pipeline_services.pipeline_create(
            workspace=workspace, actor=actor, name=name, is_default=position == 0, position=position
        )
        existing = {s.name: s for s in Stage.objects.filter(pipeline=pipeline)}
        out[name] = []
        for pos, (stage_name, probability, kind) in enumerate(stages):
            stage = existing.get(stage_name) or pipeline_services.stage_create(
                workspace=workspace,
                actor=actor,
                pipeline=pipeline,
                name=stage_name,
                probability=probability,
                kind=kind,
                position=pos,
            )
            out[name].append(stage)
    return out


def _standard_pipeline_drop(workspace, actor) -> None:
    """The demo brings its own two pipelines: the standard one every new workspace starts
    with goes while it has no deals."""
    for pipeline in Pipeline.objects.exclude(name__in=PIPELINES):
        if not Deal.objects.filter(pipeline=pipeline).exists():
            pipeline_services.pipeline_delete(workspace=workspace, actor=actor, pipeline=pipeline)


def _lost_reasons(workspace, actor) -> list:
    out = []
    for position, name in enumerate(LOST_REASONS):
        reason = LostReason.objects.filter(
            name__iexact=name
        ).first() or pipeline_services.lost_reason_create(
            workspace=workspace, actor=actor, name=name, position=position
        )
        out.append(reason)
    return out


def _contacts(workspace, actor, rng) -> list:
    """Use the contacts already seeded; add a few with accounts when there are too few."""
    contacts = list(Contact.objects.select_related("account").order_by("id")[:80])
    if len(contacts) >= 20:
        return contacts
    from contacts.services.accounts import account_create
    from contacts.services.contacts import contact_create

    for i, company in enumerate(COMPANIES):
        account = Account.objects.filter(name=company).first() or account_create(
            workspace=workspace,
            actor=actor,
            name=company,
            domain=company.lower()
            .replace(" & ", "-")
            .replace(" ", "-")
            .replace("ö", "oe")
            .replace("ü", "ue")
            + ".example",
        )
        first, last = FIRST[i % len(FIRST)], LAST[(i * 7) % len(LAST)]
        contacts.append(
            contact_create(
                workspace=workspace,
                actor=actor,
                first_name=first,
                last_name=last,
                email=f"{first.lower()}.{last.lower().replace('ü', 'ue')}@{account.domain}",
                account=account,
                job_title=rng.choice(["CEO", "Head of Sales", "CFO", "IT lead"]),
            )
        )
    return contacts


def _leads(workspace, actor, reps, rng) -> None:
    sources = [s for s, _ in LeadSource.choices]
    for i in range(25):
        first, last = FIRST[(i * 3) % len(FIRST)], LAST[(i * 5 + 2) % len(LAST)]
        company = f"{LAST[(i * 11) % len(LAST)]} {rng.choice(['GmbH', 'AG', 'KG', 'Group'])}"
        lead = lead_services.lead_create(
            workspace=workspace,
            actor=actor,
            first_name=first,
            last_name=last,
            company=company,
            email=f"{first.lower()}{i}@lead{i}.example",
            source=rng.choice(sources),
            owner=rng.choice(reps),
            consent_email=i % 3 == 0,
            message="Interested in a demo." if i % 4 == 0 else "",
        )
        Lead.objects.filter(pk=lead.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=rng.randint(0, 60))
        )
        if lead.source == LeadSource.WEB_FORM:
            lead_services.lead_interaction_add(
                workspace=workspace,
                lead=lead,
                kind="form.submitted",
                channel="website",
                subject="Web form submitted",
            )
        state = i % 5
        if state == 1:
            lead_services.lead_update(workspace=workspace, actor=actor, lead=lead)
        elif state == 2:
            lead_services.lead_qualify(
                workspace=workspace,
                actor=actor,
                lead=lead,
                budget="approved for Q3",
                authority="Head of Sales",
                need="replace spreadsheets",
                timeline="this quarter",
            )
        elif state == 3:
            lead_services.lead_disqualify(
                workspace=workspace,
                actor=actor,
                lead=lead,
                reason=rng.choice(["Student project", "No budget", "Competitor's customer"]),
            )


def _deals(workspace, actor, reps, rng, pipelines, reasons, contacts) -> int:
    now = timezone.now()
    count = 0
    plan = ["won"] * 20 + ["lost"] * 12 + ["open"] * 28
    rng.shuffle(plan)
    for i, outcome in enumerate(plan):
        pipeline_name = "Renewals" if i % 5 == 4 else "New business"
        stages = pipelines[pipeline_name]
        open_stages = [s for s in stages if s.kind == "open"]
        won = next(s for s in stages if s.kind == "won")
        lost = next(s for s in stages if s.kind == "lost")
        contact = contacts[i % len(contacts)]
        created = now - datetime.timedelta(days=rng.randint(5, 270), hours=rng.randint(0, 23))
        amount = Decimal(rng.choice([2400, 4800, 7500, 12000, 18000, 25000, 36000, 60000]))
        close_day = (created + datetime.timedelta(days=rng.randint(30, 120))).date()
        if outcome == "open" and close_day < now.date():
            close_day = now.date() + datetime.timedelta(days=rng.randint(5, 90))
        owner = reps[i % len(reps)]
        deal = deal_services.deal_create(
            workspace=workspace,
            actor=owner,
            pipeline=stages[0].pipeline,
            stage=open_stages[0],
            name=f"{contact.account.name if contact.account_id else contact} – "
            f"{rng.choice(['Licences', 'Rollout', 'Support plan', 'Expansion', 'Pilot'])}",
            account=contact.account,
            contact=contact,
            owner=owner,
            amount=amount,
            expected_close_date=close_day,
            created_at=created,
        )
        # walk forward through the stages with realistic dwell times
        if outcome == "open":
            target = i % len(open_stages)
            path = open_stages[1 : target + 1]
        elif outcome == "won":
            path = open_stages[1:] + [won]
        else:
            path = open_stages[1 : rng.randint(1, len(open_stages))] + [lost]
        at = created
        budget = (now - created).total_seconds()
        steps = max(len(path), 1)
        for stage in path:
            at = at + datetime.timedelta(seconds=rng.uniform(0.3, 0.95) * budget / steps)
            at = min(at, now - datetime.timedelta(minutes=5))
            deal = deal_services.deal_move_stage(
                workspace=workspace,
                actor=owner,
                deal=deal,
                stage=stage,
                at=at,
                lost_reason=rng.choice(reasons) if stage.kind == "lost" else None,
                competitor=rng.choice(COMPETITORS) if stage.kind == "lost" else "",
            )
        count += 1
    return count


def _activities(workspace, actor, reps, rng, contacts) -> None:
    """About 30 activities in business hours from four days ago to two weeks ahead, a few of
    them today; some past ones are done, the others are overdue."""
    from ..selectors.activities import today_in, workspace_tz

    tz = workspace_tz(workspace)
    now = timezone.now()
    today = today_in(workspace)
    open_deals = list(Deal.objects.filter(closed_at__isnull=True).order_by("id")[:30])
    subjects = {
        ActivityType.CALL: ["Follow-up call", "Discovery call", "Check budget"],
        ActivityType.MEETING: ["Demo meeting", "Kick-off", "Contract review"],
        ActivityType.EMAIL: ["Send proposal", "Send case study"],
        ActivityType.TODO: ["Prepare quote", "Update forecast", "Research account"],
    }
    for i in range(30):
        kind = rng.choice(list(subjects))
        deal = open_deals[i % len(open_deals)] if open_deals else None
        offset = 0 if i % 6 == 0 else rng.randint(-4, 14)
        day = today + datetime.timedelta(days=offset)
        due = datetime.datetime.combine(
            day, datetime.time(rng.randint(8, 16), rng.choice([0, 30])), tzinfo=tz
        )
        activity = activity_services.activity_create(
            workspace=workspace,
            actor=actor,
            type=kind,
            subject=rng.choice(subjects[kind]),
            due_at=due,
            duration_seconds=30 * 60 if kind in (ActivityType.CALL, ActivityType.MEETING) else None,
            owner=reps[i % len(reps)],
            deal=deal,
            contact=deal.contact if deal else contacts[i % len(contacts)],
            reminder_at=due - datetime.timedelta(minutes=15) if due > now else None,
        )
        if offset < -1 and i % 2 == 0:
            activity_services.activity_complete(
                workspace=workspace,
                actor=actor,
                activity=activity,
                outcome="Reached, next step agreed",
            )
