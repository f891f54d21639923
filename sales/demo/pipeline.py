"""Demo data of the sales core (seed_demo, order 50, idempotent): two pipelines, lost
reasons, leads in every state, about 60 deals created over the past year with
realistic stage histories (about 20 won, 12 lost), and activities around today.

Names (pipelines, stages, lost reasons, deal kinds, activity subjects) are in the language
the demo is seeded in (seed_demo activates it). Deals are created and moved, and calls and
meetings are due and done, on weekdays between 08:00 and 18:00 in the workspace's time zone;
calls are planned for 5 to 25 minutes, meetings for 30 to 90, and the done ones carry an
outcome (a call's: reached, voicemail, no answer)."""

import datetime
import random
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from contacts.business_hours import office_moment, workday_between
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
    _("New business"): [
        (_("Qualification"), 10, "open"),
        (_("Needs analysis"), 20, "open"),
        (_("Demo"), 40, "open"),
        (_("Proposal"), 60, "open"),
        (_("Negotiation"), 80, "open"),
        (_("Won"), 100, "won"),
        (_("Lost"), 0, "lost"),
    ],
    _("Renewals"): [
        (_("Up for renewal"), 50, "open"),
        (_("Offer sent"), 70, "open"),
        (_("Verbal yes"), 90, "open"),
        (_("Renewed"), 100, "won"),
        (_("Churned"), 0, "lost"),
    ],
}
LOST_REASONS = [_("Price"), _("Competitor"), _("No budget"), _("Timing"), _("No decision")]
DEAL_KINDS = [_("Licences"), _("Rollout"), _("Support plan"), _("Expansion"), _("Pilot")]
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


def _names_in_every_language(name) -> set[str]:
    """A marked name as it reads in each language of the site."""
    names = set()
    for code, _label in settings.LANGUAGES:
        with translation.override(code):
            names.add(str(name))
    return names


def _demo_pipeline_names() -> set[str]:
    return set().union(*(_names_in_every_language(name) for name in PIPELINES))


def seed(workspace, users, stdout) -> None:
    """Seed the sales demo into `workspace` in the active language; nothing when a demo
    pipeline (in any language) is there already."""
    if Pipeline.objects.filter(name__in=_demo_pipeline_names()).exists():
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
    for position, (lazy_name, stages) in enumerate(PIPELINES.items()):
        name = str(lazy_name)
        pipeline = Pipeline.objects.filter(name=name).first() or pipeline_services.pipeline_create(
            workspace=workspace, actor=actor, name=name, is_default=position == 0, position=position
        )
        existing = {s.name: s for s in Stage.objects.filter(pipeline=pipeline)}
        out[position] = []
        for pos, (lazy_stage, probability, kind) in enumerate(stages):
            stage_name = str(lazy_stage)
            stage = existing.get(stage_name) or pipeline_services.stage_create(
                workspace=workspace,
                actor=actor,
                pipeline=pipeline,
                name=stage_name,
                probability=probability,
                kind=kind,
                position=pos,
            )
            out[position].append(stage)
    return out


def _standard_pipeline_drop(workspace, actor) -> None:
    """The demo brings its own two pipelines: the standard one every new workspace starts
    with goes while it has no deals."""
    for pipeline in Pipeline.objects.exclude(name__in=_demo_pipeline_names()):
        if not Deal.objects.filter(pipeline=pipeline).exists():
            pipeline_services.pipeline_delete(workspace=workspace, actor=actor, pipeline=pipeline)


def _lost_reasons(workspace, actor) -> list:
    out = []
    for position, lazy_name in enumerate(LOST_REASONS):
        name = str(lazy_name)
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


def _office_day(rng, day: datetime.date, floor: datetime.date) -> datetime.date:
    """A weekday shortly before or on `day`, not before `floor` (itself a weekday)."""
    return workday_between(rng, max(floor, day - datetime.timedelta(days=3)), max(floor, day))


def _deals(workspace, actor, reps, rng, pipelines, reasons, contacts) -> int:
    """About 60 deals created on weekdays over the past year, walked through their
    stages in office hours (the last move at the latest yesterday)."""
    from ..selectors.activities import today_in, workspace_tz

    tz = workspace_tz(workspace)
    today = today_in(workspace)
    yesterday = today - datetime.timedelta(days=1)
    count = 0
    plan = ["won"] * 20 + ["lost"] * 12 + ["open"] * 28
    rng.shuffle(plan)
    for i, outcome in enumerate(plan):
        stages = pipelines[1 if i % 5 == 4 else 0]  # every fifth deal a renewal
        open_stages = [s for s in stages if s.kind == "open"]
        won = next(s for s in stages if s.kind == "won")
        lost = next(s for s in stages if s.kind == "lost")
        contact = contacts[i % len(contacts)]
        # walk forward through the stages, one to four weeks in each
        if outcome == "open":
            target = i % len(open_stages)
            path = open_stages[1 : target + 1]
        elif outcome == "won":
            path = open_stages[1:] + [won]
        else:
            path = open_stages[1 : rng.randint(1, len(open_stages))] + [lost]
        dwell = [rng.randint(7, 28) for _stage in path]
        if outcome == "open":
            around = today - datetime.timedelta(days=rng.randint(5, 270))
        else:  # closed deals closed some day of the past eight months (wins spread out)
            around = today - datetime.timedelta(days=rng.randint(1, 240) + sum(dwell))
        created_day = workday_between(rng, around - datetime.timedelta(days=4), around)
        amount = Decimal(rng.choice([2400, 4800, 7500, 12000, 18000, 25000, 36000, 60000]))
        close_day = created_day + datetime.timedelta(days=rng.randint(30, 120))
        if outcome == "open" and i % 3 == 0:  # some close this month, whatever day it is
            month_end = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            close_day = today + datetime.timedelta(days=rng.randrange((month_end - today).days))
        elif outcome == "open" and close_day < today:
            close_day = today + datetime.timedelta(days=rng.randint(5, 90))
        owner = reps[i % len(reps)]
        span = (yesterday - created_day).days  # never later than yesterday
        days, offset = [], 0
        for days_in_stage in dwell:
            offset += days_in_stage
            days.append(created_day + datetime.timedelta(days=min(offset, span)))
        moments = sorted(
            office_moment(rng, _office_day(rng, day, created_day), tz)
            for day in [created_day, *days]
        )
        created, moves = moments[0], moments[1:]
        deal = deal_services.deal_create(
            workspace=workspace,
            actor=owner,
            pipeline=stages[0].pipeline,
            stage=open_stages[0],
            name=f"{contact.account.name if contact.account_id else contact} – "
            f"{rng.choice(DEAL_KINDS)}",
            account=contact.account,
            contact=contact,
            owner=owner,
            amount=amount,
            expected_close_date=close_day,
            created_at=created,
        )
        for stage, at in zip(path, moves, strict=True):
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


CALL_MINUTES = (5, 10, 15, 15, 20, 25)  # a planned call
MEETING_MINUTES = (30, 45, 60, 60, 90)  # a planned meeting


def _activities(workspace, actor, reps, rng, contacts) -> None:
    """About 30 activities on weekdays in office hours from four days ago to two weeks ahead,
    a few of them today (the next weekday on a weekend); some past ones are done (at their
    due time plus their duration, with an outcome), the others are overdue."""
    from contacts.demo import call_outcome, call_seconds

    from ..selectors.activities import today_in, workspace_tz

    tz = workspace_tz(workspace)
    now = timezone.now()
    today = today_in(workspace)
    open_deals = list(Deal.objects.filter(closed_at__isnull=True).order_by("id")[:30])
    subjects = {
        ActivityType.CALL: [_("Follow-up call"), _("Discovery call"), _("Check budget")],
        ActivityType.MEETING: [_("Demo meeting"), _("Kick-off"), _("Contract review")],
        ActivityType.EMAIL: [_("Send proposal"), _("Send case study")],
        ActivityType.TODO: [_("Prepare quote"), _("Update forecast"), _("Research account")],
    }
    for i in range(30):
        kind = rng.choice(list(subjects))
        deal = open_deals[i % len(open_deals)] if open_deals else None
        offset = 0 if i % 6 == 0 else rng.randint(-4, 14)
        day = today + datetime.timedelta(days=offset)
        while day.weekday() >= 5:  # weekends: the next weekday, or the last one for the past
            day += datetime.timedelta(days=1 if offset >= 0 else -1)
        done = offset < -1 and i % 3 == 0  # the other past ones are overdue, for both reps
        outcome, seconds = "", None
        if kind == ActivityType.CALL:
            if done:
                outcome = call_outcome(rng, "out")
                seconds = call_seconds(rng, outcome)
            else:
                seconds = rng.choice(CALL_MINUTES) * 60
        elif kind == ActivityType.MEETING:
            seconds = rng.choice(MEETING_MINUTES) * 60
            outcome = str(_("Next step agreed")) if done else ""
        due = office_moment(rng, day, tz, minutes=-(-(seconds or 0) // 60))
        activity = activity_services.activity_create(
            workspace=workspace,
            actor=actor,
            type=kind,
            subject=str(rng.choice(subjects[kind])),
            due_at=due,
            duration_seconds=seconds,
            owner=reps[i % len(reps)],
            deal=deal,
            contact=deal.contact if deal else contacts[i % len(contacts)],
            reminder_at=due - datetime.timedelta(minutes=15) if due > now else None,
        )
        if done:
            activity_services.activity_complete(
                workspace=workspace,
                actor=activity.owner or actor,
                activity=activity,
                outcome=outcome,
                done_at=min(due + datetime.timedelta(seconds=seconds or 0), now),
            )
