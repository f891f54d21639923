"""What the rules part of scoring registers: the threshold's timeline kind, the lead score
segment rules, the score panel of the contact page and the demo data. Its pages are reached
from the journeys app's menu (url name "scoring:rules"), so it adds no menu entry."""

from django.utils.translation import gettext_lazy as _

from contacts.registry import RecordPanel, register_contact_panel
from contacts.segment_rules import register_segment_rule
from touchpoints.registry import register_interaction_kind
from workspaces.registry import DemoSeeder, register_demo_seeder

# (key, label, url name, permission): the pages this part adds to the app's menu.
NAV_PAGES: tuple = ()


def register() -> None:
    """Register the rules part with the lower apps."""
    from .demo import seed
    from .segment_rules import FIELD_RULES, SCORE_RULES
    from .selectors.panels import contact_score_panel

    register_interaction_kind(
        "score.threshold_crossed", _("Lead score reached the threshold"), app="scoring"
    )
    # "lead score at least / at most N", job title, company industry and size in the builder
    for rule in (*SCORE_RULES, *FIELD_RULES):
        register_segment_rule(rule)
    register_contact_panel(
        RecordPanel(
            key="lead_score",
            template="scoring/_contact_score.html",
            perm="scoring.view",
            context=contact_score_panel,
            order=20,
        )
    )
    register_demo_seeder(DemoSeeder(key="scoring", seed=seed, order=90))
