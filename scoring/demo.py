"""Demo data of scoring (seed_demo, order 90, after contacts, sales, marketing and service;
idempotent: nothing is added when the workspace has scoring rules already).

Settings (half-life 30 days, threshold 40, the sales rep as owner on crossing), two fit rules
(decision makers by job title, companies of 51+ people) and four engagement rules (campaign
opens capped at 10 points a week, campaign clicks, web form submissions, calls and meetings),
then one scoring refresh so the contact pages and the segment builder show scores at once."""

from django.utils.translation import gettext as _, gettext_noop

from workspaces.roles import Role

from .models import CapPeriod, Category, RuleKind, ScoringRule
from .services.rules import scoring_rule_create
from .services.runs import scoring_refresh_workspace
from .services.settings import scoring_settings_update

FIT_RULES = [  # (name, points, conditions)
    (
        gettext_noop("Decision maker"),
        15,
        {
            "op": "or",
            "rules": [
                {"field": "job_title", "operator": "contains", "value": "Director"},
                {"field": "job_title", "operator": "starts_with", "value": "Head of"},
                {"field": "job_title", "operator": "is", "value": "CFO"},
            ],
        },
    ),
    (
        gettext_noop("Company of 51+ people"),
        10,
        {
            "op": "and",
            "rules": [
                {
                    "field": "account_size",
                    "operator": "in",
                    "value": ["51-200", "201-1000", "1000+"],
                }
            ],
        },
    ),
]
EVENT_RULES = [  # (name, kind, channel, points, cap, period)
    (gettext_noop("Opened a campaign email"), "campaign.opened", "", 5, 10, CapPeriod.WEEK),
    (gettext_noop("Clicked a campaign link"), "campaign.clicked", "", 10, 30, CapPeriod.WEEK),
    (gettext_noop("Submitted a web form"), "form.submitted", "", 20, None, CapPeriod.NONE),
    (gettext_noop("Call or meeting"), "", "phone", 3, 9, CapPeriod.DAY),
    (gettext_noop("Unsubscribed"), "campaign.unsubscribed", "", -20, None, CapPeriod.NONE),
]


def seed(workspace, users, stdout) -> None:
    if ScoringRule.objects.filter(workspace=workspace).exists():
        return
    actor = users.get(Role.OWNER)
    scoring_settings_update(
        workspace=workspace,
        actor=actor,
        half_life_days=30,
        threshold=40,
        owner=users.get(Role.SALES),
    )
    for name, points, conditions in FIT_RULES:
        scoring_rule_create(
            workspace=workspace,
            actor=actor,
            name=_(name),
            category=Category.FIT,
            kind=RuleKind.FIELD,
            conditions=conditions,
            points=points,
        )
    for name, kind, channel, points, cap, period in EVENT_RULES:
        scoring_rule_create(
            workspace=workspace,
            actor=actor,
            name=_(name),
            category=Category.ENGAGEMENT,
            kind=RuleKind.EVENT,
            event_kind=kind,
            event_channel=channel,
            points=points,
            cap_points=cap,
            cap_period=period,
        )
    result = scoring_refresh_workspace(workspace=workspace)
    stdout.write(
        f"  scoring: {len(FIT_RULES) + len(EVENT_RULES)} rules, {result['changed']} scores"
    )
